"""Writes that must reach the database even when it refuses for a while (disk full, locked).

After the panel has taken an order, its record is the only proof of which panel
order is whose: losing that write would leave a charged order nobody tracks.
Such a write is tried at once; when it fails it is kept in memory and retried
in the background with growing pauses until it lands, and once more at
shutdown.  Writes are keyed, so a newer write for the same key replaces an
older pending one instead of both landing out of order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

log = logging.getLogger(__name__)

Write = Callable[[], Awaitable[object]]

DEFAULT_DELAYS: tuple[float, ...] = (0.5, 2.0, 5.0, 15.0, 60.0)


class DurableWrites:
    def __init__(self, delays: Sequence[float] = DEFAULT_DELAYS) -> None:
        self.delays = tuple(delays)  # public: tests and benchmarks shorten the pauses
        self._pending: dict[str, Write] = {}
        self._task: asyncio.Task[None] | None = None

    @property
    def pending(self) -> list[str]:
        """Keys of writes still waiting to land (for logs, health and tests)."""
        return list(self._pending)

    async def run(self, key: str, write: Write) -> bool:
        """Try `write` now; on failure keep it for retries. True when it landed now."""
        self._pending.pop(key, None)
        if await self._attempt(key, write):
            return True
        self._pending[key] = write
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._retry_loop(), name="durable-writes")
        return False

    async def flush(self) -> int:
        """Try every pending write once; returns how many are still pending."""
        for key, write in list(self._pending.items()):
            if self._pending.get(key) is write and await self._attempt(key, write):
                del self._pending[key]
        return len(self._pending)

    async def close(self) -> None:
        """Stop retrying in the background and make one last attempt; what still fails is
        logged with its key, so the owner can settle it by hand (see /unknown)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if await self.flush():
            log.error("writes lost at shutdown (settle by hand with /unknown): %s", ", ".join(self._pending))

    async def _retry_loop(self) -> None:
        attempt = 0
        while self._pending:
            await asyncio.sleep(self.delays[min(attempt, len(self.delays) - 1)])
            attempt += 1
            if not await self.flush():
                log.warning("delayed database writes landed after %d retries", attempt)

    @staticmethod
    async def _attempt(key: str, write: Write) -> bool:
        try:
            await write()
        except Exception as exc:  # any refusal of the database: keep the write and retry it
            log.error("database write %s failed (%s: %s); kept for retry", key, type(exc).__name__, exc)
            return False
        return True
