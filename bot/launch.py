"""Starting the bot the quick way: Telegram first, the rest of the bot while it answers.

`python -m bot` and the end-to-end tests' `running()` start the bot through `launch`, so the
tests start it as production does.  In polling mode, long polling begins (`EarlyPolling`)
before the stack is imported and the database opened; the import runs in a thread, so the
event loop keeps talking to Telegram meanwhile.  Updates that arrive early wait in PTB's queue
and are confirmed to Telegram only once the bot runs (see `bot.telegram.polling`).
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from typing import TYPE_CHECKING

from telegram.error import NetworkError

from bot.config import Settings
from bot.telegram.polling import EarlyPolling, say_if_unreachable

if TYPE_CHECKING:
    from bot.runtime import BotRuntime

log = logging.getLogger(__name__)


async def launch(settings: Settings, *, demo: bool = False, poll_timeout: int = 10) -> BotRuntime:
    """A running bot; raises what `BotRuntime.start` raises, with everything stopped."""
    polling: EarlyPolling | None = None
    if not settings.webhook_url:  # a webhook is set only once the bot can take updates
        polling = EarlyPolling(settings)
        try:
            await polling.start(poll_timeout)
        except NetworkError as exc:
            say_if_unreachable(exc)
            log.info("bot stopped")
            raise
    try:
        runtime_module = await asyncio.to_thread(importlib.import_module, "bot.runtime")
        runtime: BotRuntime = runtime_module.BotRuntime(settings, demo=demo, polling=polling)
    except BaseException:
        if polling is not None:
            await polling.abandon()
        raise
    await runtime.start(poll_timeout=poll_timeout)
    return runtime
