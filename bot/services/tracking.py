"""A user's own orders and refills: listing, live status, refill, cancel.

Telegram-free, and the one place where ownership is enforced: every method takes
the acting user's ID, and an order or refill of somebody else behaves exactly
like one that does not exist (same exception, same `None`), so nothing about it
(link, charge, status) can leak and no panel call is ever made for it.

Writes to the panel (`refill`, `cancel`) are sent exactly once: the client never
retries them, and neither does this service.  Every read here is made while a person
waits for the answer, so each is `interactive`: one attempt, a short deadline.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.numbers import ascii_int
from bot.panel.client import PanelClient
from bot.panel.errors import NotSent, PanelClientError, PanelError
from bot.panel.models import FINAL_ORDER_STATUSES, FINAL_REFILL_STATUSES, OrderStatusKind, Service
from bot.services.catalog import CatalogCache
from bot.store import Store
from bot.store.models import OrderRecord, OrderState, RefillRecord

log = logging.getLogger(__name__)

T = TypeVar("T")

# Statuses the panel accepts a refill for (what is missing gets topped up).
REFILLABLE_STATUSES = frozenset({OrderStatusKind.COMPLETED, OrderStatusKind.PARTIAL})

# Reasons of `NotAllowed`; they double as text keys of the Telegram layer.
REFILL_NOT_SUPPORTED = "refill_not_supported"
REFILL_NOT_COMPLETED = "refill_not_completed"
CANCEL_NOT_SUPPORTED = "orders_cancel_not_supported"
CANCEL_FINAL = "orders_cancel_final"
NOT_PLACED = "orders_not_placed"


class TrackingError(Exception):
    """Base of the outcomes a user is told about in plain words."""


class NotFound(TrackingError):
    """No such order or refill *for this user* (it may exist for someone else)."""


class NotAllowed(TrackingError):
    """The action is not possible for this order; `reason_key` says why (a text key)."""

    def __init__(self, reason_key: str) -> None:
        super().__init__(reason_key)
        self.reason_key = reason_key


class RefillPending(TrackingError):
    """The order already has a refill the panel has not finished: asking again would only
    make a second one (or be refused), so the panel is not asked; `refill` is the open one."""

    def __init__(self, refill: RefillRecord) -> None:
        super().__init__(f"refill {refill.refill_id} pending")
        self.refill = refill


class Refused(TrackingError):
    """The panel said no to a refill or cancel; `message` is the panel's own words (the
    Telegram layer says known ones in the user's words, see `bot.services.panel_errors`)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Paged(Generic[T]):
    """One page of a list that lives in the database (never loaded whole)."""

    items: Sequence[T]
    number: int  # 0-based, clamped into range
    count: int  # number of pages (≥ 1)
    total: int  # number of items on all pages


@dataclass(frozen=True)
class OrderView:
    """An order plus what the user may do with it, so the UI never re-derives the rules."""

    order: OrderRecord
    can_refill: bool
    can_cancel: bool


@dataclass(frozen=True)
class StatusLine:
    """The answer for one ID of `/status`: the user's fresh order, or not found."""

    panel_order_id: int
    order: OrderRecord | None  # None: not this user's order (or no such order)
    error: str | None = None  # the panel refused this ID (e.g. "Incorrect order ID")


class TrackingService:
    def __init__(self, store: Store, panel: PanelClient, catalog: CatalogCache) -> None:
        self._store = store
        self._panel = panel
        self._catalog = catalog

    # -- reading -----------------------------------------------------------------------------

    async def page_of_orders(
        self, user_id: int, page: int, per_page: int, *, finished: bool | None = None
    ) -> Paged[OrderRecord]:
        """The user's orders, newest first, from the store (no panel call: listing must be instant);
        `finished` True: only finished ones (final status), False: only the others, None: all."""
        total = await self._store.orders.count_user_orders(user_id, finished=finished)
        number, count = _clamp(page, total, per_page)
        orders = await self._store.orders.list_user_orders(
            user_id, limit=per_page, offset=number * per_page, finished=finished
        )
        return Paged(orders, number, count, total)

    async def search_orders(self, user_id: int, query: str, limit: int) -> Paged[OrderRecord]:
        """The user's orders whose link contains `query` or, when it is a number (`#` allowed),
        whose panel order ID it is; newest first, one page of at most `limit` (no panel call)."""
        words = query.strip()
        panel_order_id = ascii_int(words.removeprefix("#"))
        orders = self._store.orders
        found, total = await orders.search_user_orders(user_id, words, panel_order_id, limit=limit)
        return Paged(found, 0, 1, total)

    async def get_order(self, user_id: int, order_row_id: int) -> OrderRecord | None:
        """The order if it is this user's; `None` otherwise, whether it exists or not."""
        order = await self._store.orders.get_order(order_row_id)
        return order if order is not None and order.user_id == user_id else None

    async def order_by_panel_id(self, user_id: int, panel_order_id: int) -> OrderRecord | None:
        """Look an order up by the ID the user sees (the panel's), ownership included."""
        found = await self._store.orders.orders_by_panel_ids(user_id, [panel_order_id])
        return found[0] if found else None

    async def order_view(self, user_id: int, order_row_id: int) -> OrderView:
        """The order and its allowed actions; raises `NotFound` for anything not the user's."""
        return await self._view(await self._owned(user_id, order_row_id))

    # -- live status ---------------------------------------------------------------------------

    async def refresh(self, user_id: int, order_row_id: int) -> OrderRecord:
        """Ask the panel for the order's status now, store it, and return the updated record.

        An order the panel never confirmed (intent / unknown) has no panel ID to ask
        about: it is returned as stored.
        """
        order = await self._owned(user_id, order_row_id)
        if order.panel_order_id is None:
            return order
        status = await self._panel.status(order.panel_order_id, interactive=True)
        await self._store.orders.apply_statuses([status])
        return await self._owned(user_id, order_row_id)

    async def statuses(self, user_id: int, panel_order_ids: Sequence[int]) -> list[StatusLine]:
        """Live status of several orders by panel ID, in the order asked (duplicates dropped).

        Only the user's own orders go to the panel, all in one multi-status call;
        the other IDs are reported as not found without the panel hearing of them.
        """
        wanted = list(dict.fromkeys(panel_order_ids))
        owned = await self._store.orders.orders_by_panel_ids(user_id, wanted)
        errors: dict[int, str] = {}
        if owned:
            ids = [o.panel_order_id for o in owned if o.panel_order_id]
            fresh = await self._panel.statuses(ids, interactive=True)
            await self._store.orders.apply_statuses(fresh.values())
            errors = {pid: st.error for pid, st in fresh.items() if st.error is not None}
            owned = await self._store.orders.orders_by_panel_ids(user_id, wanted)
        by_panel_id = {o.panel_order_id: o for o in owned}
        return [StatusLine(pid, by_panel_id.get(pid), errors.get(pid)) for pid in wanted]

    # -- actions -------------------------------------------------------------------------------

    async def request_refill(self, user_id: int, order_row_id: int) -> RefillRecord:
        """Ask the panel to refill a finished order and record the refill.

        The stored status may be stale (the order finished since it was last
        checked), so an unfinished-looking order is refreshed first; that is a read.
        """
        order = await self._owned(user_id, order_row_id)
        if order.panel_order_id is None:
            raise NotAllowed(NOT_PLACED)
        service = await self._service(order.service_id)
        if service is not None and service.refill is False:  # None: the catalog doesn't say
            raise NotAllowed(REFILL_NOT_SUPPORTED)
        if order.status not in REFILLABLE_STATUSES:
            order = await self.refresh(user_id, order_row_id)
        if order.status not in REFILLABLE_STATUSES:
            raise NotAllowed(REFILL_NOT_COMPLETED)
        assert order.panel_order_id is not None
        pending = await self._store.refills.open_refill(order.id)
        if pending is not None:
            raise RefillPending(pending)
        try:
            refill_id = await self._panel.refill(order.panel_order_id)
        except PanelError as exc:
            raise Refused(exc.message) from None
        return await self._store.refills.add_refill(order.id, user_id, refill_id)

    async def cancellable(self, user_id: int, order_row_id: int) -> OrderRecord:
        """The order if it may be canceled now (the UI asks before confirming); raises
        `NotFound` / `NotAllowed` otherwise.  The panel still has the last word."""
        view = await self.order_view(user_id, order_row_id)
        order = view.order
        if order.panel_order_id is None:
            raise NotAllowed(NOT_PLACED)
        if order.status in FINAL_ORDER_STATUSES:
            raise NotAllowed(CANCEL_FINAL)
        if not view.can_cancel:
            raise NotAllowed(CANCEL_NOT_SUPPORTED)
        return order

    async def cancel(self, user_id: int, order_row_id: int) -> OrderRecord:
        """Ask the panel to cancel an unfinished order of a cancel-capable service.

        Returns the order with its status read back from the panel (the refund is
        the panel's business); if that read fails the cancel still stands.
        """
        order = await self.cancellable(user_id, order_row_id)
        assert order.panel_order_id is not None
        # Remembered before the write: if its answer is lost, the order may be canceled all the same
        # and its notice must still say it was at the owner's request.  A refusal forgets it.
        await self._store.orders.mark_cancel_requested(order.id)
        try:
            outcome = (await self._panel.cancel([order.panel_order_id]))[order.panel_order_id]
        except PanelError as exc:
            await self._store.orders.mark_cancel_requested(order.id, requested=False)
            raise Refused(exc.message) from None
        except NotSent:
            await self._store.orders.mark_cancel_requested(order.id, requested=False)
            raise
        if not outcome.ok:
            await self._store.orders.mark_cancel_requested(order.id, requested=False)
            raise Refused(outcome.error or "cancel refused")
        try:
            return await self.refresh(user_id, order_row_id)
        except PanelClientError as exc:
            log.warning("order %s canceled but its status could not be read: %s", order.id, exc)
            return order

    # -- refills -------------------------------------------------------------------------------

    async def page_of_refills(self, user_id: int, page: int, per_page: int) -> Paged[RefillRecord]:
        """The user's refills, newest first, unfinished ones refreshed live in one panel call.

        A panel outage does not hide the list: the stored statuses are shown, as
        `/orders` always does.
        """
        total = await self._store.refills.count_user_refills(user_id)
        number, count = _clamp(page, total, per_page)

        async def load() -> list[RefillRecord]:
            store = self._store.refills
            return await store.list_user_refills(user_id, limit=per_page, offset=number * per_page)

        refills = await load()
        open_ids = [r.refill_id for r in refills if r.refill_id and r.status not in FINAL_REFILL_STATUSES]
        if open_ids:
            try:
                fresh = await self._panel.refill_statuses(open_ids, interactive=True)
            except PanelClientError as exc:
                log.warning("refill statuses unavailable, showing stored ones: %s", exc)
            else:
                if await self._store.refills.update_refill_statuses(fresh.values()):
                    refills = await load()
        return Paged(refills, number, count, total)

    # -- helpers -------------------------------------------------------------------------------

    async def _owned(self, user_id: int, order_row_id: int) -> OrderRecord:
        order = await self.get_order(user_id, order_row_id)
        if order is None:
            raise NotFound()
        return order

    async def _view(self, order: OrderRecord) -> OrderView:
        """What the user may do: refill a completed order, cancel an unfinished one, unless the
        catalog says the service can't (a catalog without the field: the panel decides).  Cancel
        needs the service in the catalog: a refund-bearing write is offered only for a known one."""
        placed = order.state is OrderState.PLACED and order.panel_order_id is not None
        if not placed:
            return OrderView(order, can_refill=False, can_cancel=False)
        service = await self._service(order.service_id)
        completed = order.status == OrderStatusKind.COMPLETED
        can_refill = completed and (service is None or service.refill is not False)
        can_cancel = (
            order.status not in FINAL_ORDER_STATUSES and service is not None and service.cancel is not False
        )
        return OrderView(order, can_refill=can_refill, can_cancel=can_cancel)

    async def _service(self, service_id: int) -> Service | None:
        """The service from the catalog, or None when the catalog can't tell (gone, or unloadable)."""
        try:
            catalog = await self._catalog.get()
        except PanelClientError as exc:
            log.info("catalog unavailable, the panel will decide: %s", exc)
            return None
        return catalog.get(service_id)


def _clamp(page: int, total: int, per_page: int) -> tuple[int, int]:
    """(page number clamped into range, page count): an old or forged page shows the nearest one."""
    count = max(1, math.ceil(total / per_page))
    return min(max(page, 0), count - 1), count
