"""Settling orders whose outcome is unknown (`add` timed out, a crash cut it off).

Only a person can tell whether such an order exists: the admin looks at the panel
and either attaches the panel's order ID (the order is then tracked like any
other) or says it was not placed.  Either way its owner is told, through the
notification pipeline (exactly once, retried while Telegram is unreachable).
An attached ID is checked with the panel first, and can't be one that already
belongs to another order.  With wallets, this is where a held charge is kept
or refunded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.panel.client import PanelClient
from bot.panel.errors import PanelError
from bot.panel.models import MAX_PANEL_NUMBER
from bot.store import Store
from bot.store.errors import DuplicatePanelOrder
from bot.store.models import OrderRecord, OrderState

log = logging.getLogger(__name__)


class SettleError(Exception):
    """The settlement can't be made; `key` names the explanation (a text key)."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class UnknownOrder:
    order: OrderRecord
    user_name: str  # "@username" or first name, for the admin's list


class SettlementService:
    def __init__(self, store: Store, panel: PanelClient) -> None:
        self._store = store
        self._panel = panel

    async def unknown(self) -> list[UnknownOrder]:
        """Orders waiting for a verdict, oldest first (intents still in flight are not listed)."""
        result = []
        for order in await self._store.orders.unresolved_orders():
            if order.state is OrderState.UNKNOWN:
                user = await self._store.users.get_user(order.user_id)
                name = "" if user is None else f"@{user.username}" if user.username else user.first_name
                result.append(UnknownOrder(order, name))
        return result

    async def attach(self, order_id: int, panel_order_id: int, *, by: int) -> OrderRecord:
        """The order was placed after all, as `panel_order_id` on the panel."""
        order = await self.pending(order_id)
        if not 0 < panel_order_id <= MAX_PANEL_NUMBER:
            raise SettleError("settle_bad_panel_id")
        taken = await self._store.orders.get_order_by_panel_id(panel_order_id)
        if taken is not None:
            raise SettleError("settle_panel_id_taken", panel_id=panel_order_id, order_id=taken.id)
        try:
            await self._panel.status(panel_order_id, interactive=True)  # the panel must know it
        except PanelError as exc:
            raise SettleError(
                "settle_panel_unknown_id", panel_id=panel_order_id, message=exc.message
            ) from None
        try:
            changed = await self._store.orders.settle_unknown(
                order.id, panel_order_id, f"settled by admin {by}"
            )
        except DuplicatePanelOrder:
            raise SettleError("settle_panel_id_taken", panel_id=panel_order_id, order_id="?") from None
        return await self._settled(order, changed, by, f"placed as panel order {panel_order_id}")

    async def not_placed(self, order_id: int, *, by: int) -> OrderRecord:
        """The panel has no such order: nothing was charged, and its owner may order again."""
        order = await self.pending(order_id)
        note = f"not placed (settled by admin {by})"
        changed = await self._store.orders.settle_unknown(order.id, None, note)
        return await self._settled(order, changed, by, "not placed")

    async def pending(self, order_id: int) -> OrderRecord:
        """The order if it still waits for a verdict; `SettleError` says why not otherwise."""
        order = await self._store.orders.get_order(order_id)
        if order is None:
            raise SettleError("settle_not_found", order_id=order_id)
        if order.state is not OrderState.UNKNOWN:
            raise SettleError("settle_already", order_id=order_id)
        return order

    async def _settled(self, order: OrderRecord, changed: bool, by: int, verdict: str) -> OrderRecord:
        if not changed:  # another admin was faster
            raise SettleError("settle_already", order_id=order.id)
        log.info("order %s settled by admin %s: %s", order.id, by, verdict)
        fresh = await self._store.orders.get_order(order.id)
        assert fresh is not None
        return fresh
