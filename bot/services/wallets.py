"""Wallet operations as the shop performs them, each keyed so it happens exactly once.

The keys name events, not attempts: an admin's /credit is keyed by the update that carried
it, an order's charge by the order (`order:{id}:charge`), its refund likewise
(`order:{id}:refund`).  A double tap, a retried webhook, or a restart between a status
change and its refund therefore books nothing twice and loses nothing: the retry finds the
entry and returns it.  No Telegram here; handlers and the tracking cycle call these.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal, localcontext

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.panel.models import FINAL_ORDER_STATUSES, OrderStatusKind
from bot.store.ledger import Booking, EntryKind, InsufficientFunds, LedgerEntry, NewEntry, WalletError
from bot.store.models import NewOrder, OrderRecord, OrderState
from bot.store.store import Store

__all__ = ["Booking", "InsufficientFunds", "NoCharge", "RefundTooLarge", "WalletService", "refund_due"]

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


MAX_AMOUNT = Decimal(10) ** 15  # a typo guard for /credit and /debit, far above any real amount
_GROUPED = re.compile(r"^\d{1,3}([,.  _]\d{3})+$")


def parse_amount(text: str, decimals: int) -> Decimal | None:
    """An amount an admin typed: "50000", "50,000", "50.000", "50 000" (grouped thousands when
    the currency has no decimals), "12.5" with decimals; None for anything else, zero,
    negatives, more places than the currency has, or absurd sizes.  Never a float."""
    value = text.strip()
    if not value or len(value) > 30:
        return None
    if _GROUPED.match(value) and (decimals == 0 or "," in value or " " in value or "_" in value):
        value = re.sub(r"[,.  _]", "", value)
    value = value.replace(",", ".") if decimals else value
    if not re.fullmatch(r"\d+(\.\d+)?", value):
        return None
    amount = Decimal(value)
    if amount <= 0 or amount >= MAX_AMOUNT or -amount.as_tuple().exponent > decimals:  # type: ignore[operator]
        return None
    return amount


@dataclass(frozen=True)
class History:
    """One page of a wallet's ledger, newest first (read a page at a time, never whole)."""

    balance: Decimal
    entries: list[LedgerEntry]
    number: int  # 0-based, clamped into range
    count: int  # pages (≥ 1)
    total: int  # entries on all pages


class WalletService:
    """`decimals`: the shop currency's places (`PRICE_DECIMALS`), for rounding partial refunds."""

    def __init__(self, store: Store, *, decimals: int = 0) -> None:
        self._store = store
        self._wallets = store.wallets
        self.decimals = decimals

    async def balance(self, user_id: int) -> Decimal:
        return await self._wallets.balance(user_id)

    async def history(self, user_id: int, page: int, per_page: int) -> History:
        total = await self._wallets.count_entries(user_id)
        count = max(1, math.ceil(total / per_page))
        number = min(max(page, 0), count - 1)
        entries = await self._wallets.entries(user_id, limit=per_page, offset=number * per_page)
        return History(await self._wallets.balance(user_id), entries, number, count, total)

    async def liability(self) -> Decimal:
        """What all customers' wallets hold together (the owner owes it in services)."""
        return await self._wallets.total_balances()

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
        self,
        order_id: int,
        user_id: int,
        amount: Decimal,
        *,
        conn: AsyncConnection | None = None,
        new: bool = False,
    ) -> Booking:
        """Pay for an order; `conn` books it in the caller's transaction (the order intent's),
        so the order and its charge exist together or not at all; `new`: that transaction
        just inserted the order, so its charge can't be booked already.  Raises
        `InsufficientFunds`."""
        entry = NewEntry(
            user_id, EntryKind.CHARGE, -_positive(amount), charge_key(order_id), f"order:{order_id}"
        )
        return await self._wallets.book(entry, conn=conn, new_key=new)

    async def open_order(self, order: NewOrder) -> OrderRecord:
        """Record a customer's order intent and pay for it from their wallet in ONE transaction:
        both exist or neither does, so a crash can't leave a paid order unrecorded or an order
        unpaid.  Raises `InsufficientFunds` (nothing written) when the wallet doesn't cover
        `order.price`, and `DuplicateConfirmation` for a confirmation already recorded."""
        if order.price is None:
            raise ValueError("a wallet order needs its retail price")
        async with self._store.db.write() as conn:
            intent = await self._store.orders.create_order_intent(order, conn=conn)
            await self.charge_order(intent.id, order.user_id, order.price, conn=conn, new=True)
        return intent

    async def fail_order(self, order: OrderRecord, reason: str) -> Booking | None:
        """`add` was refused or never sent: record the failure and give the whole charge back
        in the same transaction, so the wallet is never left paying for an order that isn't."""
        async with self._store.db.write() as conn:
            await self._store.orders.mark_order_failed(order.id, reason, conn=conn)
            charge = await self._wallets.entry_by_key(charge_key(order.id), conn=conn)
            if charge is None or charge.user_id != order.user_id:
                return None  # ordered at cost: nothing to give back
            return await self._refund(conn, order.id, order.user_id, -charge.amount, "failed")

    async def refund_order(
        self, order_id: int, user_id: int, amount: Decimal, reason: str | None = None
    ) -> Booking:
        """Give (part of) an order's charge back, exactly once.

        The first refund of an order stands: a later call (a retry, a restart, a status the
        panel changed afterwards) returns it unchanged whatever amount it asks.  Raises
        `NoCharge` for an order never charged, `RefundTooLarge` past the charge."""
        _positive(amount)
        async with self._store.db.write() as conn:
            return await self._refund(conn, order_id, user_id, amount, reason)

    async def _refund(
        self, conn: AsyncConnection, order_id: int, user_id: int, amount: Decimal, reason: str | None
    ) -> Booking:
        existing = await self._wallets.entry_by_key(refund_key(order_id), conn=conn)
        if existing is not None:
            return Booking(existing, created=False)
        charge = await self._charge(order_id, user_id, conn)
        if amount > -charge.amount:
            raise RefundTooLarge(f"order {order_id}: refund {amount} > charge {-charge.amount}")
        entry = NewEntry(user_id, EntryKind.REFUND, amount, refund_key(order_id), f"order:{order_id}", reason)
        booking = await self._wallets.book(entry, conn=conn)
        await self._store.orders.mark_refunded(order_id, booking.entry.amount, conn=conn)
        return booking

    async def refund_for(self, order: OrderRecord) -> Booking | None:
        """Book the refund an order's final outcome calls for (see `refund_due`); None when
        nothing is due (Completed, still running, or never charged: an admin's order at
        cost).  Safe to call again: a booked refund is returned, not repeated.  A final
        outcome with nothing due is marked settled (refunded 0), so the sweep forgets it."""
        charge = await self._wallets.entry_by_key(charge_key(order.id))
        if charge is None or charge.user_id != order.user_id:
            if order.price is not None and order.refunded is None and self._final(order):
                await self._settled(order.id)
            return None
        due = self._due(order, charge)
        if due <= 0:
            existing = await self._wallets.entry_by_key(refund_key(order.id))
            if existing is None and order.refunded is None and self._final(order):
                await self._settled(order.id)
            return None if existing is None else Booking(existing, created=False)
        return await self.refund_order(order.id, order.user_id, due, reason=str(order.status))

    async def settle_refunds(self, limit: int = 5000, batch: int = 500) -> list[Booking]:
        """Book every refund owed (a refused `add`, Partial, Canceled, Refunded), each exactly
        once: the tracking cycle calls this after storing statuses, so a restart between a
        status change and its refund loses nothing.  Returns the refunds booked now.

        `batch` orders per transaction (a cycle may book thousands): their wallets locked,
        their charges and refunds read in one query under that lock (so a refund booked
        meanwhile, e.g. by a notice's `refund_for`, is seen and not repeated), the refunds
        appended at once and the orders marked settled in the same transaction."""
        if batch < 1:
            raise ValueError("batch must be at least 1")
        owed = await self._store.orders.refunds_owed(limit)
        booked: list[Booking] = []
        for start in range(0, len(owed), batch):
            booked += await self._settle(owed[start : start + batch])
        return booked

    async def _settle(self, owed: list[OrderRecord]) -> list[Booking]:
        keys = [key(order.id) for order in owed for key in (charge_key, refund_key)]
        async with self._store.db.write() as conn:
            balances = await self._wallets.lock((order.user_id for order in owed), conn=conn)
            found = await self._wallets.entries_by_keys(keys, conn=conn)
            refunds: list[NewEntry] = []
            settled: dict[int, Decimal] = {}
            for order in owed:
                charge = found.get(charge_key(order.id))
                if charge is None or charge.user_id != order.user_id:
                    settled[order.id] = ZERO  # nothing was paid from a wallet: nothing to give back
                    continue
                refund = found.get(refund_key(order.id))
                if refund is not None:  # booked before (its order not marked: a crash between)
                    settled[order.id] = refund.amount
                    continue
                due = self._due(order, charge)
                settled[order.id] = due
                if due > 0:
                    refunds.append(
                        NewEntry(
                            order.user_id,
                            EntryKind.REFUND,
                            due,
                            refund_key(order.id),
                            f"order:{order.id}",
                            str(order.status),
                        )
                    )
            booked = await self._wallets.append(refunds, balances, conn=conn)
            await self._store.orders.mark_refunded_many(settled, conn=conn)
        return booked

    def _due(self, order: OrderRecord, charge: LedgerEntry) -> Decimal:
        """What the order's outcome gives back of what its wallet paid (`refund_due`)."""
        failed = order.state is OrderState.FAILED
        paid = -charge.amount
        return refund_due(order.status, paid, order.quantity, order.remains, self.decimals, failed=failed)

    @staticmethod
    def _final(order: OrderRecord) -> bool:
        return order.state is OrderState.FAILED or order.status in FINAL_ORDER_STATUSES

    async def _settled(self, order_id: int) -> None:
        async with self._store.db.write() as conn:
            await self._store.orders.mark_refunded(order_id, ZERO, conn=conn)

    async def _charge(self, order_id: int, user_id: int, conn: AsyncConnection) -> LedgerEntry:
        charge = await self._wallets.entry_by_key(charge_key(order_id), conn=conn)
        if charge is None or charge.user_id != user_id:
            raise NoCharge(f"order {order_id} has no charge for user {user_id}")
        return charge
