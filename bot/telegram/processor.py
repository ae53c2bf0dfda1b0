"""Update processing: concurrent across users, in order within one user.

PTB's default processes one update at a time, so one user's slow panel call
would stall everybody.  Fully concurrent processing would instead let two
taps of the same user race inside a conversation.  Serialising per user
(per chat when there is no user) gives both: throughput and order.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger("bot.updates")


class PerUserUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}  # key → updates holding or waiting for its lock

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        started = time.monotonic()
        try:
            await self._in_order(update, coroutine)
        finally:
            # One line per update: who and what kind, never what they wrote.
            log.info(
                "update user=%s %s %.0fms",
                _key(update),
                describe(update),
                (time.monotonic() - started) * 1000,
            )

    async def _in_order(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _key(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key]
                del self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


def _key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    return update.effective_chat.id if update.effective_chat is not None else None


def describe(update: object) -> str:
    """The update's kind for the log: the command name or callback prefix, no user content."""
    if not isinstance(update, Update):
        return type(update).__name__
    if update.callback_query is not None:
        prefix = (update.callback_query.data or "").split(":", 1)[0][:16]
        return "callback:" + (prefix if prefix.isalnum() else "?")
    if update.inline_query is not None:
        return "inline"
    message = update.effective_message
    if message is not None and message.text and message.text.startswith("/"):
        command = message.text.split()[0].split("@", 1)[0]
        return command[:33] if command[1:].replace("_", "").isalnum() else "command"
    if message is not None:
        kind = "edited" if update.edited_message is not None else "message"
        return f"{kind}:{'text' if message.text else 'other'}"
    return "other"
