"""One rate limiter shared by replies and notifications, replies first.

Telegram allows about 30 messages a second in all, so every send waits its turn in
one limiter.  First come, first served would put a user's reply behind a burst
of hundreds of notices that nobody is waiting for.  `PriorityRateLimiter` wraps
PTB's `AIORateLimiter` (which keeps the pacing, the per-group limit and the
429 retries) and decides who may *queue* in it:

- interactive requests (everything by default) go straight in;
- background requests (`rate_limit_args=BACKGROUND`, the notifier's) go in one
  at a time, and only while no interactive request is waiting for its turn — so
  a reply waits behind at most one notice.  Once a background request has its
  turn the next may queue, while the first is still on the wire: delivery keeps
  the limiter's full pace when nobody else needs it;
- a background request never waits forever: after `REPLIES_PER_NOTICE` replies
  went first, one notice goes, so a stream of replies slows notices, never stops them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import BaseRateLimiter

Result = bool | dict[str, Any] | list[dict[str, Any]]
Callback = Callable[..., Coroutine[Any, Any, Result]]
RateLimitArgs = dict[str, Any]

BACKGROUND: RateLimitArgs = {"priority": "background"}  # pass as `rate_limit_args` to a send
REPLIES_PER_NOTICE = 4  # with both waiting: at least one notice per this many replies


class PriorityRateLimiter(BaseRateLimiter[RateLimitArgs]):
    def __init__(self, inner: BaseRateLimiter[int]) -> None:
        self._inner = inner
        self._replies_waiting = 0  # interactive requests inside `inner`, not yet sent
        self._replies_since_notice = 0
        self._changed = asyncio.Event()  # set whenever either count moves
        self._notice_slot = asyncio.Lock()  # one background request queued in `inner` at a time

    async def initialize(self) -> None:
        await self._inner.initialize()

    async def shutdown(self) -> None:
        await self._inner.shutdown()

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: RateLimitArgs | None,
    ) -> Result:
        """Run the request through `inner`, replies ahead of background requests."""
        options = rate_limit_args or {}
        retries = options.get("max_retries")  # `inner`'s own rate_limit_args (None: its default)
        run = self._background if options.get("priority") == BACKGROUND["priority"] else self._interactive
        return await run(callback, args, kwargs, endpoint, data, retries)

    async def _interactive(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        retries: int | None,
    ) -> Result:
        """A reply: straight into the limiter, counted as waiting until its turn comes."""
        waiting = True

        def sent() -> None:
            nonlocal waiting
            if waiting:
                waiting = False
                self._replies_waiting -= 1
                self._changed.set()

        async def on_turn(*call_args: Any, **call_kwargs: Any) -> Result:
            if waiting:
                self._replies_since_notice += 1
            sent()
            return await callback(*call_args, **call_kwargs)

        self._replies_waiting += 1
        try:
            return await self._inner.process_request(on_turn, args, kwargs, endpoint, data, retries)
        finally:
            sent()

    async def _background(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        retries: int | None,
    ) -> Result:
        """A notice: queues in the limiter alone, and only once waiting replies are served."""
        await self._notice_slot.acquire()
        holding = True

        def release() -> None:
            nonlocal holding
            if holding:
                holding = False
                self._notice_slot.release()

        async def on_turn(*call_args: Any, **call_kwargs: Any) -> Result:
            self._replies_since_notice = 0
            release()  # on the wire now: the next notice may queue
            return await callback(*call_args, **call_kwargs)

        try:
            await self._replies_served()
            return await self._inner.process_request(on_turn, args, kwargs, endpoint, data, retries)
        finally:
            release()

    async def _replies_served(self) -> None:
        """Until no reply waits, or enough replies went first."""
        while self._replies_waiting and self._replies_since_notice < REPLIES_PER_NOTICE:
            self._changed.clear()
            await self._changed.wait()
