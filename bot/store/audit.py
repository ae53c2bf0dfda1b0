"""What `python -m bot audit` reads: every wallet-paid order beside its charge and refund
ledger entries, and the order entries that belong to no such order.  Read-only; each query
runs in the caller's `Database.snapshot()`, so orders, ledger and wallets are read at one
moment, and the orders are streamed (bounded memory, whatever their number).

The keys are the wallet service's (`order:{id}:charge`, `order:{id}:refund`): an order's
entries are found through the ledger's unique index on them, never by scanning the ledger.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Row, Select, Text, cast, func, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.part import StorePart
from bot.store.tables import ledger, orders, topups, transfers, wallets

T = TypeVar("T")
BATCH = 2000  # rows fetched from the database at a time
_ORDER_KIND = ("charge", "refund")
_ORDER_ID = re.compile(r"^order:(\d{1,18})(?::|$)")


@dataclass(frozen=True, slots=True)
class EntryFigures:
    """The parts of a ledger entry an audit compares."""

    id: int
    user_id: int
    kind: str
    amount: Decimal
    idempotency_key: str


@dataclass(frozen=True, slots=True)
class OrderBooks:
    """A wallet-paid order (`price` set) as its row and its ledger entries stand."""

    id: int
    user_id: int
    state: str
    status: str
    quantity: int
    remains: int | None
    price: Decimal
    refunded: Decimal | None
    charge: EntryFigures | None  # the entry booked under `order:{id}:charge`
    refund: EntryFigures | None  # under `order:{id}:refund`


@dataclass(frozen=True, slots=True)
class StrayEntry:
    """A charge or refund entry (or one keyed `order:…`) that is not a wallet-paid order's
    own charge or refund: a second charge, or an entry whose order doesn't exist or was
    ordered at cost.  `order_id`: the order its key or reference names, if any;
    `order_price`: that order's, None when it doesn't exist (`order_exists`) or is at cost."""

    entry: EntryFigures
    reference: str | None
    order_id: int | None
    order_exists: bool
    order_price: Decimal | None


@dataclass(frozen=True, slots=True)
class TopupBooks:
    """A top-up as its row stands beside its credit (`topup:{id}`) and refund entries."""

    id: int
    user_id: int
    state: str
    credited: Decimal | None
    payment: str | None
    credit: EntryFigures | None
    refund: EntryFigures | None


@dataclass(frozen=True, slots=True)
class TransferBooks:
    """A reported transfer beside the top-up it says it paid (if any)."""

    id: int
    state: str
    payment: str  # "source:transaction id", what its top-up's `payment` must say
    topup_id: int | None
    topup_state: str | None  # None: no such top-up
    topup_payment: str | None


@dataclass(frozen=True, slots=True)
class BookCounts:
    wallets: int
    entries: int
    shop_orders: int
    topups: int = 0


def _key(suffix: str) -> ColumnElement[str]:
    return literal("order:", Text) + cast(orders.c.id, Text) + literal(f":{suffix}", Text)


def _figures(values: Sequence[Any]) -> EntryFigures | None:
    entry_id, user_id, kind, amount, key = values
    return None if entry_id is None else EntryFigures(entry_id, user_id, kind, amount, key)


def _entry_columns(alias: Any) -> list[Any]:
    """The columns of a ledger entry (under `alias`) that `_figures` reads back."""
    return [alias.c.id, alias.c.user_id, alias.c.kind, alias.c.amount, alias.c.idempotency_key]


async def _batches(
    conn: AsyncConnection, query: Select[Any], make: Callable[[Row[Any]], T]
) -> AsyncIterator[list[T]]:
    """`query`'s rows, streamed `BATCH` at a time (bounded memory whatever their number)."""
    result = await conn.stream(query)
    async for rows in result.partitions(BATCH):
        yield [make(row) for row in rows]


def named_order(key: str, reference: str | None) -> int | None:
    """The order an entry's key (`order:12:charge`) or reference (`order:12`) names."""
    for text_ in (key, reference or ""):
        found = _ORDER_ID.match(text_)
        if found:
            return int(found.group(1))
    return None


class AuditStore(StorePart):
    async def counts(self, conn: AsyncConnection) -> BookCounts:
        async def count(query: Any) -> int:
            return int(await conn.scalar(query) or 0)

        return BookCounts(
            wallets=await count(select(func.count()).select_from(wallets)),
            entries=await count(select(func.count()).select_from(ledger)),
            shop_orders=await count(
                select(func.count()).select_from(orders).where(orders.c.price.is_not(None))
            ),
            topups=await count(select(func.count()).select_from(topups)),
        )

    async def wallet_orders(self, conn: AsyncConnection) -> AsyncIterator[list[OrderBooks]]:
        """Every wallet-paid order with its charge and refund entries, in ID order, a batch
        at a time (one streaming query)."""
        charge, refund = ledger.alias("charge_entry"), ledger.alias("refund_entry")

        query = (
            select(
                orders.c.id,
                orders.c.user_id,
                orders.c.state,
                orders.c.status,
                orders.c.quantity,
                orders.c.remains,
                orders.c.price,
                orders.c.refunded,
                *_entry_columns(charge),
                *_entry_columns(refund),
            )
            .select_from(
                orders.outerjoin(charge, charge.c.idempotency_key == _key("charge")).outerjoin(
                    refund, refund.c.idempotency_key == _key("refund")
                )
            )
            .where(orders.c.price.is_not(None))
            .order_by(orders.c.id)
        )
        def books(row: Row[Any]) -> OrderBooks:
            return OrderBooks(
                id=row.id,
                user_id=row.user_id,
                state=row.state,
                status=row.status,
                quantity=row.quantity,
                remains=row.remains,
                price=row.price,
                refunded=row.refunded,
                charge=_figures(row[8:13]),
                refund=_figures(row[13:18]),
            )

        async for batch in _batches(conn, query, books):
            yield batch

    async def topups(self, conn: AsyncConnection) -> AsyncIterator[list[TopupBooks]]:
        """Every top-up with its credit and refund entries (by their keys), in ID order."""
        credit, refund = ledger.alias("credit_entry"), ledger.alias("topup_refund_entry")

        key = literal("topup:", Text) + cast(topups.c.id, Text)
        query = (
            select(
                topups.c.id,
                topups.c.user_id,
                topups.c.state,
                topups.c.credited,
                topups.c.payment,
                *_entry_columns(credit),
                *_entry_columns(refund),
            )
            .select_from(
                topups.outerjoin(credit, credit.c.idempotency_key == key).outerjoin(
                    refund, refund.c.idempotency_key == key + literal(":refund", Text)
                )
            )
            .order_by(topups.c.id)
        )
        def books(row: Row[Any]) -> TopupBooks:
            figures = _figures(row[5:10]), _figures(row[10:15])
            return TopupBooks(row.id, row.user_id, row.state, row.credited, row.payment, *figures)

        async for batch in _batches(conn, query, books):
            yield batch

    async def transfers(self, conn: AsyncConnection) -> AsyncIterator[list[TransferBooks]]:
        query = (
            select(
                transfers.c.id,
                transfers.c.state,
                transfers.c.source,
                transfers.c.transaction_id,
                transfers.c.topup_id,
                topups.c.state.label("topup_state"),
                topups.c.payment.label("topup_payment"),
            )
            .select_from(transfers.outerjoin(topups, topups.c.id == transfers.c.topup_id))
            .order_by(transfers.c.id)
        )
        def books(row: Row[Any]) -> TransferBooks:
            payment = f"{row.source}:{row.transaction_id}"
            return TransferBooks(row.id, row.state, payment, row.topup_id, row.topup_state, row.topup_payment)

        async for batch in _batches(conn, query, books):
            yield batch

    async def stray_topup_entries(self, conn: AsyncConnection) -> list[EntryFigures]:
        """Top-up credits and refunds (or entries keyed `topup:…`) that are no top-up's own."""
        own = union_all(
            select((literal("topup:", Text) + cast(topups.c.id, Text)).label("key")),
            select(
                (literal("topup:", Text) + cast(topups.c.id, Text) + literal(":refund", Text)).label("key")
            ),
        ).subquery("own_topup_keys")
        query = (
            select(ledger.c.id, ledger.c.user_id, ledger.c.kind, ledger.c.amount, ledger.c.idempotency_key)
            .select_from(ledger.outerjoin(own, own.c.key == ledger.c.idempotency_key))
            .where(
                or_(
                    ledger.c.kind.in_(("topup", "topup_refund")),
                    ledger.c.idempotency_key.startswith("topup:"),
                ),
                own.c.key.is_(None),
            )
            .order_by(ledger.c.id)
        )
        return [EntryFigures(*row) for row in (await conn.execute(query)).all()]

    async def stray_entries(self, conn: AsyncConnection) -> list[StrayEntry]:
        """Charge and refund entries (and any keyed `order:…`) that are not a wallet-paid
        order's own, each with the order it names.  Expected to be none: held in memory."""
        own = union_all(
            select(_key("charge").label("key")).where(orders.c.price.is_not(None)),
            select(_key("refund").label("key")).where(orders.c.price.is_not(None)),
        )
        query = select(
            ledger.c.id,
            ledger.c.user_id,
            ledger.c.kind,
            ledger.c.amount,
            ledger.c.idempotency_key,
            ledger.c.reference,
        ).where(or_(ledger.c.kind.in_(_ORDER_KIND), ledger.c.idempotency_key.startswith("order:")))
        # Each engine's linear anti-join: SQLite indexes a NOT IN list once (it would scan a
        # joined subquery once per entry); PostgreSQL hashes a LEFT JOIN (its NOT IN turns
        # quadratic once the keys outgrow work_mem).
        if self._db.is_sqlite:
            query = query.where(ledger.c.idempotency_key.not_in(own))
        else:
            keys = own.subquery("own_keys")
            query = query.select_from(ledger.outerjoin(keys, keys.c.key == ledger.c.idempotency_key)).where(
                keys.c.key.is_(None)
            )
        query = query.order_by(ledger.c.id)
        rows = (await conn.execute(query)).all()
        named = {row.id: named_order(row.idempotency_key, row.reference) for row in rows}
        wanted = sorted({order_id for order_id in named.values() if order_id is not None})
        found: dict[int, Decimal | None] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            for order_id, price in await conn.execute(
                select(orders.c.id, orders.c.price).where(orders.c.id.in_(chunk))
            ):
                found[order_id] = price
        strays = []
        for row in rows:
            order_id = named[row.id]
            strays.append(
                StrayEntry(
                    EntryFigures(row.id, row.user_id, row.kind, row.amount, row.idempotency_key),
                    row.reference,
                    order_id,
                    order_id in found,
                    None if order_id is None else found.get(order_id),
                )
            )
        return strays
