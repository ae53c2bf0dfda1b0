"""Alerts for the bot's owners: low panel balance, panel down for long, panel back, and
orders of unknown outcome waiting for a verdict (/unknown).

Each alert fires once per crossing, not once per cycle: the last state is kept
in the store, so a restart doesn't repeat an alert either.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from bot.panel.errors import PanelClientError
from bot.services.account import AccountService
from bot.store import Store
from bot.store.models import OrderState

NAMESPACE = "alerts"
OUTAGE_ALERT_SECONDS = 600.0


class AlertKind(StrEnum):
    LOW_BALANCE = "low_balance"
    PANEL_DOWN = "panel_down"
    PANEL_BACK = "panel_back"
    UNKNOWN_ORDERS = "unknown_orders"
    KEY_REFUSED = "key_refused"  # sent when it happens (runtime), not by `check`
    # The shop: a customer's order was refused for the panel's lack of funds (told once, until
    # the balance covers the wallets again), and the panel balance fell below what customers'
    # wallets hold (they could spend more than the panel can pay for).
    FUNDS_REFUSED = "funds_refused"
    WALLETS_UNCOVERED = "wallets_uncovered"


@dataclass(frozen=True)
class Alert:
    kind: AlertKind
    amount: Decimal | None = None
    currency: str = ""
    threshold: Decimal | None = None
    minutes: int = 0
    count: int = 0


class AdminAlerts:
    def __init__(
        self,
        store: Store,
        account: AccountService,
        low_balance: Decimal | None,
        outage_after: float = OUTAGE_ALERT_SECONDS,
        *,
        wallets: bool = False,
    ) -> None:
        self._wallets = wallets  # the shop runs customer wallets (SHOP_MODE=wallet)
        self._store = store
        self._account = account
        self._low_balance = low_balance
        self._outage_after = outage_after

    async def check(self, outage_seconds: float) -> list[Alert]:
        """Alerts due now, given how long the panel has been unreachable (0 = it's fine)."""
        state = await self._store.kv.load_namespace(NAMESPACE)
        alerts: list[Alert] = []
        down = state.get(AlertKind.PANEL_DOWN) == "1"
        if outage_seconds >= self._outage_after and not down:
            await self._store.kv.save_value(NAMESPACE, AlertKind.PANEL_DOWN, "1")
            alerts.append(Alert(AlertKind.PANEL_DOWN, minutes=int(outage_seconds // 60)))
        elif outage_seconds == 0 and down:
            await self._store.kv.save_value(NAMESPACE, AlertKind.PANEL_DOWN, "0")
            alerts.append(Alert(AlertKind.PANEL_BACK))
        if outage_seconds == 0 and (self._low_balance is not None or self._wallets):
            alerts += await self._check_balance(state)
        if state.get(AlertKind.FUNDS_REFUSED) == "1":
            await self._store.kv.save_value(NAMESPACE, AlertKind.FUNDS_REFUSED, "told")
            alerts.append(Alert(AlertKind.FUNDS_REFUSED))
        alerts += await self._check_unknown(state.get(AlertKind.UNKNOWN_ORDERS, "0"))
        return alerts

    async def _check_unknown(self, last_alerted: str) -> list[Alert]:
        """Once per new order of unknown outcome (not once per cycle): admins are told how
        many wait for them, since until settled their owners are left wondering."""
        unresolved = await self._store.orders.unresolved_orders()
        unknown = [o.id for o in unresolved if o.state is OrderState.UNKNOWN]
        newest = max(unknown, default=0)
        if newest <= int(last_alerted or 0):
            return []
        await self._store.kv.save_value(NAMESPACE, AlertKind.UNKNOWN_ORDERS, str(newest))
        return [Alert(AlertKind.UNKNOWN_ORDERS, count=len(unknown))]

    async def _check_balance(self, state: dict[str, str]) -> list[Alert]:
        try:
            balance = await self._account.balance()
        except PanelClientError:
            return []  # the outage logic covers an unreachable panel
        alerts = []
        if self._low_balance is not None:
            is_low = balance.amount < self._low_balance
            if await self._crossed(state, AlertKind.LOW_BALANCE, is_low):
                low = Alert(AlertKind.LOW_BALANCE, balance.amount, balance.currency, self._low_balance)
                alerts.append(low)
        if self._wallets:
            owed = await self._store.wallets.total_balances()
            uncovered = balance.amount < owed
            if await self._crossed(state, AlertKind.WALLETS_UNCOVERED, uncovered):
                alerts.append(Alert(AlertKind.WALLETS_UNCOVERED, balance.amount, balance.currency, owed))
            if not uncovered and state.get(AlertKind.FUNDS_REFUSED) == "told":
                await self._store.kv.save_value(NAMESPACE, AlertKind.FUNDS_REFUSED, "")  # may tell again
        return alerts

    async def _crossed(self, state: dict[str, str], kind: AlertKind, now: bool) -> bool:
        """Remember the condition; True when it has just become true (alert once per crossing)."""
        was = state.get(kind) == "1"
        if now != was:
            await self._store.kv.save_value(NAMESPACE, kind, "1" if now else "0")
        return now and not was
