"""Order and refill tracking: the panel never calls us, so we ask it, in batches.

One cycle asks for the status of every order that is due (non-final; old
stuck ones less often) with ⌈n/100⌉ multi-status calls, up to `concurrency` of them in
flight at once (a real panel takes ~0.3 s per call: 1,000 calls one after another would
take five minutes), and writes the answers as they arrive (those that arrived together in
one transaction) while the other calls are still out. When the panel is down, cycles are skipped with a
doubling back-off so an outage costs a handful of calls, not one per minute
per order, and the outage is logged once, not every cycle.

An entry of a status answer that can't be read (a number out of range, not an object) is
skipped on its own: the rest of its batch is applied, and it is logged once per order,
not once per cycle, while it stays unreadable.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.panel.client import PanelClient, chunked
from bot.panel.errors import PanelUnavailable
from bot.panel.models import OrderStatus
from bot.store import Store

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 600.0
# Status rows written per transaction at most: answers that arrive together are written
# together (a transaction per 100-order call would cost more than the rows themselves).
WRITE_ROWS = 1000
# Orders whose unreadable answer was already logged; bounded so a panel answering garbage for
# everything can't grow memory without end (past it the oldest may be logged a second time).
MAX_REMEMBERED_UNREADABLE = 10_000


@dataclass(frozen=True)
class CycleReport:
    orders_polled: int = 0
    refills_polled: int = 0
    status_calls: int = 0
    refill_calls: int = 0
    changed: int = 0
    skipped: bool = False  # backing off after an outage
    failed: str | None = None  # the outage's short reason, when this cycle hit one


class StatusPoller:
    def __init__(
        self,
        store: Store,
        panel: PanelClient,
        *,
        base_backoff: float = 60.0,
        max_backoff: float = MAX_BACKOFF_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        concurrency: int = 1,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._concurrency = concurrency
        self._store = store
        self._panel = panel
        self._base_backoff = base_backoff
        self._max_backoff = max_backoff
        self._clock = clock
        self._backoff = 0.0
        self._resume_at = 0.0
        self.outage_since: float | None = None  # monotonic time the current outage began
        self._unreadable: dict[int, None] = {}  # panel order IDs already logged, oldest first

    @property
    def outage_seconds(self) -> float:
        return 0.0 if self.outage_since is None else self._clock() - self.outage_since

    async def cycle(self) -> CycleReport:
        """Poll everything due; never raises for a panel outage (it backs off instead)."""
        if self._clock() < self._resume_at:
            return CycleReport(skipped=True)
        try:
            report = await self._poll()
        except PanelUnavailable as exc:
            self._fail(exc.reason)
            return CycleReport(failed=exc.reason)
        self._recovered()
        return report

    async def _poll(self) -> CycleReport:
        order_ids = await self._store.orders.due_order_ids()
        changed, status_calls = await self._poll_orders(list(chunked(order_ids)))
        refill_ids = await self._store.refills.due_refill_ids()
        refill_calls = 0
        for batch in chunked(refill_ids):
            refill_statuses = await self._panel.refill_statuses(batch)
            refill_calls += 1
            changed += await self._store.refills.update_refill_statuses(refill_statuses.values())
        return CycleReport(len(order_ids), len(refill_ids), status_calls, refill_calls, changed)

    async def _poll_orders(self, batches: list[list[int]]) -> tuple[int, int]:
        """Ask for every batch, `concurrency` calls in flight, and write the answers as they
        come: all those that arrived meanwhile together (up to `WRITE_ROWS` a transaction),
        so a fast panel costs a few big transactions rather than one per call.  One writer:
        the writes never race each other.  The first call that fails stops the cycle: the
        calls still out are cancelled, and what arrived before it is written."""
        limit = asyncio.Semaphore(self._concurrency)

        async def ask(batch: list[int]) -> dict[int, OrderStatus]:
            async with limit:
                return await self._panel.statuses(batch)

        # Only the calls still out are held: an answer, once written, is let go (holding all
        # of a 100,000-order cycle's answers until its end was its peak memory).
        waiting: set[asyncio.Future[dict[int, OrderStatus]]] = {
            asyncio.ensure_future(ask(batch)) for batch in batches
        }
        changed = 0
        try:
            while waiting:
                done, waiting = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                arrived: list[OrderStatus] = []
                failure: BaseException | None = None
                for call in done:
                    if call.exception() is not None:
                        failure = failure or call.exception()
                        continue
                    arrived.extend(call.result().values())
                del done
                self._note_unreadable(arrived)
                for start in range(0, len(arrived), WRITE_ROWS):
                    changed += await self._store.orders.apply_statuses(arrived[start : start + WRITE_ROWS])
                if failure is not None:
                    raise failure
        finally:
            for call in waiting:
                call.cancel()
            if waiting:
                await asyncio.gather(*waiting, return_exceptions=True)
        return changed, len(batches)

    def _note_unreadable(self, statuses: Iterable[OrderStatus]) -> None:
        """Log an order whose entry can't be read the first time only (the store skips it):
        the same garbage every minute would drown the log.  Once it reads well again it is
        forgotten, so a later relapse is logged anew."""
        for st in statuses:
            if not st.unreadable:
                self._unreadable.pop(st.order_id, None)
                continue
            if st.order_id in self._unreadable:
                continue
            log.warning(
                "panel order %s: %s in the status answer; skipped until it reads", st.order_id, st.error
            )
            self._unreadable[st.order_id] = None
            if len(self._unreadable) > MAX_REMEMBERED_UNREADABLE:
                del self._unreadable[next(iter(self._unreadable))]

    def _fail(self, reason: str) -> None:
        self._backoff = min(self._max_backoff, max(self._base_backoff, self._backoff * 2))
        self._resume_at = self._clock() + self._backoff
        if self.outage_since is None:
            self.outage_since = self._clock()
            log.warning("panel unavailable (%s): status polling backs off", reason)
        else:
            log.debug("panel still unavailable (%s); next try in %.0f s", reason, self._backoff)

    def _recovered(self) -> None:
        if self.outage_since is not None:
            log.warning("panel reachable again after %.0f s", self.outage_seconds)
        self.outage_since = None
        self._backoff = 0.0
        self._resume_at = 0.0
