"""The bot's connection to Telegram, and long polling that starts before the rest has loaded.

Most of a start is spent importing the stack and opening the database.  Telegram is
contacted first instead (getMe, deleteWebhook, the first getUpdates), and that loading goes
on meanwhile (`bot.launch`), so a distant Bot API's round trips overlap it rather than add
to it.  What must not happen is telling Telegram that updates were received before the bot
can handle them: Telegram forgets every update below the offset of a later getUpdates, so the
*second* call waits at `Confirmations` until the bot runs (`open`).  If start-up fails, it is
never sent (`refuse`), and the first call's updates are delivered again at the next start.

Before polling begins, only PTB, the settings and the few modules they need are imported
(`tests/test_startup_imports.py` checks it): keep it that way.
"""

from __future__ import annotations

import asyncio
import logging
from http import HTTPStatus
from typing import Any

from telegram import Update
from telegram.error import InvalidToken, NetworkError
from telegram.ext import AIORateLimiter, ExtBot, Updater
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.config import Settings
from bot.telegram.ratelimit import PriorityRateLimiter, RateLimitArgs

log = logging.getLogger(__name__)

Bot = ExtBot[RateLimitArgs]

# What Telegram answers a getUpdates that finds nothing: the answer to a confirming call
# that is refused, so PTB's shutdown sees an ordinary, empty poll.
_NOTHING = b'{"ok": true, "result": []}'


def build_updater(settings: Settings, get_updates_request: BaseRequest | None = None) -> Updater:
    """The bot and its updater, as `ApplicationBuilder` would make them (the same connection
    pools) with our rate limiter; `get_updates_request`: the transport of getUpdates."""
    bot: Bot = ExtBot(
        settings.telegram_bot_token,
        base_url=settings.telegram_api_url,
        request=HTTPXRequest(connection_pool_size=256),
        get_updates_request=get_updates_request or HTTPXRequest(connection_pool_size=1),
        # Keeps under Telegram's ~30 messages/s and retries 429s after the delay it asks for.
        # Paced, not bursty: the default is a 30-message bucket that also refills at 30/s, so
        # a burst puts up to ~60 into one second, and every 429 pauses *all* sends for
        # retry_after + 0.1 s.  A two-message bucket refilled 28 times a second puts at most
        # 30 into any second; a one-message bucket kept to about 26 a second, since a send
        # that found it full waited out a whole period and then the event loop's wake-up.
        # Replies go ahead of notifications in it (see ratelimit.py).
        rate_limiter=PriorityRateLimiter(
            AIORateLimiter(overall_max_rate=2, overall_time_period=2 / 28, max_retries=3)
        ),
    )
    return Updater(bot, asyncio.Queue())


def say_if_unreachable(exc: BaseException) -> None:
    """The cause of a failed start, when it is Telegram out of reach, said before the shutdown
    lines so the log reads cause first, then "bot stopped" (a refused token is said by
    `__main__`, as a configuration error)."""
    if isinstance(exc, NetworkError) and not isinstance(exc, InvalidToken):
        log.error("could not reach the Telegram Bot API: %s", exc)


async def start_polling(updater: Updater, poll_timeout: int) -> None:
    """getMe (once), deleteWebhook, then getUpdates in a loop: every kind of update."""
    await updater.initialize()
    await updater.start_polling(poll_interval=0, timeout=poll_timeout, allowed_updates=Update.ALL_TYPES)


class Confirmations(BaseRequest):
    """getUpdates' transport during a start: the first call goes out at once; later calls,
    the next of which confirms the first one's updates, wait until `open()`.  After
    `refuse()` none goes out: each is answered "no updates" on the spot, and the call
    already waiting stays parked until polling is stopped (it is cancelled then)."""

    def __init__(self, inner: BaseRequest) -> None:
        self._inner = inner
        self._first_sent = False
        self._opened = asyncio.Event()
        self._refused = False

    def open(self) -> None:
        self._opened.set()

    def refuse(self) -> None:
        self._refused = True

    @property
    def read_timeout(self) -> float | None:
        return self._inner.read_timeout

    async def initialize(self) -> None:
        await self._inner.initialize()

    async def shutdown(self) -> None:
        await self._inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        if self._first_sent:
            if self._refused:
                return HTTPStatus.OK, _NOTHING
            await self._opened.wait()
        self._first_sent = True
        return await self._inner.do_request(url, method, request_data, *args, **kwargs)


class EarlyPolling:
    """Long polling begun before the bot is built: the updater to hand to `BotRuntime`, and
    the gate it opens once it runs (or refuses, when it fails to start)."""

    def __init__(self, settings: Settings) -> None:
        self.confirmations = Confirmations(HTTPXRequest(connection_pool_size=1))
        self.updater = build_updater(settings, self.confirmations)

    async def start(self, poll_timeout: int) -> None:
        """Raises what getMe raises (`InvalidToken`, `NetworkError`), with nothing left open."""
        try:
            await start_polling(self.updater, poll_timeout)
        except BaseException:
            await self.abandon()
            raise

    async def abandon(self) -> None:
        """Start-up failed before `BotRuntime` took over: stop, confirming nothing."""
        self.confirmations.refuse()
        if self.updater.running:
            await self.updater.stop()
        await self.updater.shutdown()
