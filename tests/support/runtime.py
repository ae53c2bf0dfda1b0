"""Running a real `BotRuntime` for the length of a `with` block, as tests need again and again."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.config import Settings
from bot.launch import launch
from bot.runtime import BotRuntime


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[BotRuntime]:
    """Start the bot as `python -m bot` does (long polling with a short timeout, so it stops
    fast) and always stop it."""
    runtime = await launch(settings, poll_timeout=1)
    try:
        yield runtime
    finally:
        await runtime.stop()


def free_port() -> int:
    """A port nothing listens on right now, for a server a test starts (webhook, payments)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
