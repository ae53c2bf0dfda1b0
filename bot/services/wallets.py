"""Wallet operations as the shop performs them, each keyed so it happens exactly once.

The keys name events, not attempts: an admin's /credit is keyed by the update that carried
it, an order's charge by the order (`order:{id}:charge`), its refund likewise
(`order:{id}:refund`).  A double tap, a retried webhook, or a restart between a status
change and its refund therefore books nothing twice and loses nothing: the retry finds the
entry and returns it.  No Telegram here; handlers and the tracking cycle call these.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal, localcontext

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.panel.models import OrderStatusKind
from bot.store.ledger import Booking, EntryKind, LedgerEntry, NewEntry, WalletError
from bot.store.models import OrderRecord, OrderState
from bot.store.store import Store

ZERO = Decimal(0)
_PRECISION = 60

# Final statuses that give the whole charge back; Partial gives back the part not delivered.
WHOLE_REFUND_STATUSES = frozenset(
    {OrderStatusKind.CANCELED, OrderStatusKind.REFUNDED, OrderStatusKind.FAILED}
)


class NoCharge(WalletError):
    """A refund was asked for an order whose charge was never booked (nothing to give back)."""


class RefundTooLarge(WalletError):
    """A refund larger than the order's charge: it would create money."""


def _positive(amount: Decimal) -> Decimal:
    if not isinstance(amount, Decimal):
        raise TypeError(f"amount must be a Decimal, not {type(amount).__name__}")
    if not amount.is_finite() or amount <= 0:
        raise ValueError(f"amount must be a positive amount, not {amount}")
    return amount


def charge_key(order_id: int) -> str:
    return f"order:{order_id}:charge"


def refund_key(order_id: int) -> str:
    return f"order:{order_id}:refund"


def refund_due(
    status: str, charged: Decimal, quantity: int, remains: int | None, decimals: int, *, failed: bool = False
) -> Decimal:
    """What an order in its final `status` gives back of the `charged` amount (positive).

    Partial → remains × charged / quantity, rounded DOWN to `decimals` places, so rounding
    never refunds more than the undelivered part (and never more than the charge);
    Canceled / Refunded / Failed (or `failed`: `add` was refused) → the whole charge;
    anything else (Completed, still running) → 0.  A Partial without `remains` gives 0: the
    panel didn't say what it didn't deliver.
    """
    if failed or status in WHOLE_REFUND_STATUSES:
        return charged
    if status != OrderStatusKind.PARTIAL or remains is None or quantity <= 0:
        return ZERO
    undelivered = min(max(remains, 0), quantity)
    with localcontext() as context:
        context.prec = _PRECISION
        share = (charged * undelivered / quantity).quantize(
            Decimal(1).scaleb(-decimals), rounding=ROUND_FLOOR
        )
    return min(max(share, ZERO), charged)


class WalletService:
    """`decimals`: the shop currency's places (`PRICE_DECIMALS`), for rounding partial refunds."""

    def __init__(self, store: Store, *, decimals: int = 0) -> None:
        self._store = store
        self._wallets = store.wallets
        self.decimals = decimals

    async def balance(self, user_id: int) -> Decimal:
        return await self._wallets.balance(user_id)

    async def credit(
        self, user_id: int, amount: Decimal, *, by_admin: int, note: str | None = None, key: str
    ) -> Booking:
        """An admin's /credit: an adjustment referenced to the admin; `key` names the request
        (e.g. the Telegram update ID), so handling it twice credits once."""
        return await self._wallets.book(
            NewEntry(
                user_id,
                EntryKind.ADJUSTMENT,
                _positive(amount),
                f"credit:{key}",
                reference=f"admin:{by_admin}",
                note=note,
            )
        )

    async def debit(
        self, user_id: int, amount: Decimal, *, by_admin: int, note: str | None = None, key: str
    ) -> Booking:
        """An admin's /debit; raises `InsufficientFunds` rather than make the wallet negative."""
        return await self._wallets.book(
            NewEntry(
                user_id,
                EntryKind.ADJUSTMENT,
                -_positive(amount),
                f"debit:{key}",
                reference=f"admin:{by_admin}",
                note=note,
            )
        )

    async def charge_order(
        self, order_id: int, user_id: int, amount: Decimal, *, conn: AsyncConnection | None = None
    ) -> Booking:
        """Pay for an order; `conn` books it in the caller's transaction (the order intent's),
        so the order and its charge exist together or not at all.  Raises `InsufficientFunds`."""
        entry = NewEntry(
            user_id, EntryKind.CHARGE, -_positive(amount), charge_key(order_id), f"order:{order_id}"
        )
        return await self._wallets.book(entry, conn=conn)

    async def refund_order(
        self, order_id: int, user_id: int, amount: Decimal, reason: str | None = None
    ) -> Booking:
        """Give (part of) an order's charge back, exactly once.

        The first refund of an order stands: a later call (a retry, a restart, a status the
        panel changed afterwards) returns it unchanged whatever amount it asks.  Raises
        `NoCharge` for an order never charged, `RefundTooLarge` past the charge."""
        _positive(amount)
        async with self._store.db.write() as conn:
            existing = await self._wallets.entry_by_key(refund_key(order_id), conn=conn)
            if existing is not None:
                return Booking(existing, created=False)
            charge = await self._charge(order_id, user_id, conn)
            if amount > -charge.amount:
                raise RefundTooLarge(f"order {order_id}: refund {amount} > charge {-charge.amount}")
            entry = NewEntry(
                user_id, EntryKind.REFUND, amount, refund_key(order_id), f"order:{order_id}", reason
            )
            return await self._wallets.book(entry, conn=conn)

    async def refund_for(self, order: OrderRecord) -> Booking | None:
        """Book the refund an order's final outcome calls for (see `refund_due`); None when
        nothing is due (Completed, still running, or never charged: an admin's order at
        cost).  Safe to call again: a booked refund is returned, not repeated."""
        charge = await self._wallets.entry_by_key(charge_key(order.id))
        if charge is None or charge.user_id != order.user_id:
            return None
        due = refund_due(
            order.status,
            -charge.amount,
            order.quantity,
            order.remains,
            self.decimals,
            failed=order.state is OrderState.FAILED,
        )
        if due <= 0:
            existing = await self._wallets.entry_by_key(refund_key(order.id))
            return None if existing is None else Booking(existing, created=False)
        return await self.refund_order(order.id, order.user_id, due, reason=str(order.status))

    async def _charge(self, order_id: int, user_id: int, conn: AsyncConnection) -> LedgerEntry:
        charge = await self._wallets.entry_by_key(charge_key(order_id), conn=conn)
        if charge is None or charge.user_id != user_id:
            raise NoCharge(f"order {order_id} has no charge for user {user_id}")
        return charge
