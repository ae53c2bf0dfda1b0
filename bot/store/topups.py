"""Top-ups and bank transfers: the rows behind a customer's "put money in my wallet".

Only rows here; the rules (codes, matching, which state may follow which, the ledger credit)
are `bot.services.topups`.  Every write that pays a top-up takes the caller's transaction
(`conn`), so the top-up, the transfer that paid it and the ledger credit commit together or
not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import Row, RowMapping, Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.part import StorePart
from bot.store.tables import topups, transfers


class TopupMethod(StrEnum):
    BANK = "bank"  # VietQR bank transfer, confirmed by SePay or Casso
    STARS = "stars"  # Telegram Stars invoice
    ASSIGNED = "assigned"  # an admin credited an unmatched transfer with it


class TopupState(StrEnum):
    PENDING = "pending"  # waiting for its money
    PAID = "paid"  # credited (exactly once)
    EXPIRED = "expired"  # no money in time; a late transfer is kept as unmatched
    CANCELED = "canceled"  # the customer gave up on it
    REFUNDED = "refunded"  # a Stars top-up given back (its credit debited again)


class TransferState(StrEnum):
    CREDITED = "credited"  # paid a top-up by its code
    UNMATCHED = "unmatched"  # waits for an admin: no code, or its top-up expired/canceled/paid
    ASSIGNED = "assigned"  # an admin credited it to a customer
    DISMISSED = "dismissed"  # an admin said it isn't a customer's (the owner's own money)


class UnmatchedReason(StrEnum):
    NO_CODE = "no_code"
    EXPIRED = "expired"
    CANCELED = "canceled"
    ALREADY_PAID = "already_paid"


@dataclass(frozen=True, slots=True)
class Topup:
    id: int
    code: str
    user_id: int
    chat_id: int
    method: TopupMethod
    amount: Decimal
    stars: int | None
    state: TopupState
    credited: Decimal | None
    payment: str | None
    assigned_by: int | None
    told: str | None
    created_at: datetime
    expires_at: datetime
    paid_at: datetime | None


@dataclass(frozen=True, slots=True)
class NewTopup:
    user_id: int
    chat_id: int
    method: TopupMethod
    amount: Decimal
    expires_at: datetime
    stars: int | None = None


@dataclass(frozen=True, slots=True)
class Transfer:
    id: int
    source: str
    transaction_id: str
    amount: Decimal
    content: str
    account: str | None
    reference: str | None
    happened_at: str | None
    state: TransferState
    reason: UnmatchedReason | None
    topup_id: int | None
    handled_by: int | None
    received_at: datetime


@dataclass(frozen=True, slots=True)
class NewTransfer:
    source: str
    transaction_id: str
    amount: Decimal
    content: str
    account: str | None = None
    reference: str | None = None
    happened_at: str | None = None


class CodeTaken(Exception):
    """Every code tried was taken (practically impossible with an alphabet of 31 ** 8)."""


def _topup(row: RowMapping) -> Topup:
    return Topup(
        id=row["id"],
        code=row["code"],
        user_id=row["user_id"],
        chat_id=row["chat_id"],
        method=TopupMethod(row["method"]),
        amount=row["amount"],
        stars=row["stars"],
        state=TopupState(row["state"]),
        credited=row["credited"],
        payment=row["payment"],
        assigned_by=row["assigned_by"],
        told=row["told"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        paid_at=row["paid_at"],
    )


def _transfer(row: RowMapping) -> Transfer:
    return Transfer(
        id=row["id"],
        source=row["source"],
        transaction_id=row["transaction_id"],
        amount=row["amount"],
        content=row["content"],
        account=row["account"],
        reference=row["reference"],
        happened_at=row["happened_at"],
        state=TransferState(row["state"]),
        reason=UnmatchedReason(row["reason"]) if row["reason"] else None,
        topup_id=row["topup_id"],
        handled_by=row["handled_by"],
        received_at=row["received_at"],
    )


class TopupStore(StorePart):
    # -- top-ups -------------------------------------------------------------------------------
    async def create(
        self,
        topup: NewTopup,
        code: Callable[[], str],
        *,
        state: TopupState = TopupState.PENDING,
        conn: AsyncConnection | None = None,
        attempts: int = 5,
    ) -> Topup:
        """A new top-up under a fresh code from `code()`; a code already taken is drawn again
        (each attempt in its own transaction, unless `conn` is given: then one attempt)."""
        values: dict[str, Any] = {
            "user_id": topup.user_id,
            "chat_id": topup.chat_id,
            "method": str(topup.method),
            "amount": topup.amount,
            "stars": topup.stars,
            "state": str(state),
            "expires_at": topup.expires_at,
        }
        if conn is not None:
            return await self._insert(conn, {**values, "code": code()})
        for _ in range(attempts):
            try:
                async with self._db.write() as own:
                    return await self._insert(own, {**values, "code": code()})
            except IntegrityError:
                continue
        raise CodeTaken(f"no free top-up code after {attempts} attempts")

    async def _insert(self, conn: AsyncConnection, values: dict[str, Any]) -> Topup:
        now = self._now()
        row = (
            await conn.execute(
                topups.insert().values(**values, created_at=now, updated_at=now).returning(*topups.c)
            )
        ).one()
        return _topup(row._mapping)

    async def get(
        self, topup_id: int, *, conn: AsyncConnection | None = None, lock: bool = False
    ) -> Topup | None:
        row = await self._first(select(topups).where(topups.c.id == topup_id), conn, lock)
        return None if row is None else _topup(row._mapping)

    async def by_codes(self, codes: Iterable[str], *, conn: AsyncConnection) -> list[Topup]:
        """The top-ups whose code is among `codes`, locked for the caller's transaction."""
        wanted = sorted(set(codes))
        if not wanted:
            return []
        rows = await conn.execute(
            select(topups).where(topups.c.code.in_(wanted)).order_by(topups.c.id).with_for_update()
        )
        return [_topup(row._mapping) for row in rows]

    async def by_payment(self, payment: str, *, conn: AsyncConnection) -> Topup | None:
        row = (await conn.execute(select(topups).where(topups.c.payment == payment))).first()
        return None if row is None else _topup(row._mapping)

    async def mark_paid(
        self,
        topup_id: int,
        credited: Decimal,
        payment: str,
        *,
        conn: AsyncConnection,
        assigned_by: int | None = None,
    ) -> Topup:
        now = self._now()
        row = (
            await conn.execute(
                update(topups)
                .where(topups.c.id == topup_id)
                .values(
                    state=str(TopupState.PAID),
                    credited=credited,
                    payment=payment,
                    paid_at=now,
                    updated_at=now,
                    assigned_by=assigned_by,
                )
                .returning(*topups.c)
            )
        ).one()
        return _topup(row._mapping)

    async def move(
        self,
        topup_id: int,
        to: TopupState,
        *,
        only_from: Iterable[TopupState],
        user_id: int | None = None,
        conn: AsyncConnection | None = None,
    ) -> Topup | None:
        """Move a top-up to `to` if it is in one of `only_from` (and `user_id`'s, if given);
        None when it wasn't (someone moved it first)."""
        query = (
            update(topups)
            .where(topups.c.id == topup_id, topups.c.state.in_([str(s) for s in only_from]))
            .values(state=str(to), updated_at=self._now())
            .returning(*topups.c)
        )
        if user_id is not None:
            query = query.where(topups.c.user_id == user_id)
        async with self._writing(conn) as own:
            row = (await own.execute(query)).first()
        return None if row is None else _topup(row._mapping)

    async def expire_due(self, now: datetime) -> list[Topup]:
        """Pending top-ups past their time become expired, each once (the rows moved now)."""
        async with self._db.write() as conn:
            rows = await conn.execute(
                update(topups)
                .where(topups.c.state == str(TopupState.PENDING), topups.c.expires_at <= now)
                .values(state=str(TopupState.EXPIRED), updated_at=now)
                .returning(*topups.c)
            )
            return [_topup(row._mapping) for row in rows]

    async def claim_telling(self, topup_id: int, state: TopupState) -> bool:
        """Whether this caller is the one to tell the customer the top-up is `state` (it
        still is, and nobody told them yet); claimed before sending, so two processes or a
        sweep racing a webhook tell once."""
        async with self._db.write() as conn:
            result = await conn.execute(
                update(topups)
                .where(
                    topups.c.id == topup_id,
                    topups.c.state == str(state),
                    topups.c.told.is_distinct_from(str(state)),
                )
                .values(told=str(state))
            )
        return bool(result.rowcount)

    async def unclaim_telling(self, topup_id: int, state: TopupState) -> None:
        """The message didn't go out (Telegram down): let the next sweep try again."""
        async with self._db.write() as conn:
            await conn.execute(
                update(topups).where(topups.c.id == topup_id, topups.c.told == str(state)).values(told=None)
            )

    async def untold(self, limit: int = 100) -> list[Topup]:
        """Paid or expired top-ups whose customer wasn't told yet (a crash, an outage)."""
        states = [str(TopupState.PAID), str(TopupState.EXPIRED)]
        query = (
            select(topups)
            .where(topups.c.state.in_(states), topups.c.told.is_distinct_from(topups.c.state))
            .order_by(topups.c.id)
            .limit(limit)
        )
        async with self._db.read() as conn:
            return [_topup(row._mapping) for row in await conn.execute(query)]

    async def listing(self, states: Iterable[TopupState], limit: int) -> list[Topup]:
        query = (
            select(topups)
            .where(topups.c.state.in_([str(s) for s in states]))
            .order_by(topups.c.id.desc())
            .limit(limit)
        )
        async with self._db.read() as conn:
            return [_topup(row._mapping) for row in await conn.execute(query)]

    async def for_user(self, user_id: int, limit: int = 10) -> list[Topup]:
        query = select(topups).where(topups.c.user_id == user_id).order_by(topups.c.id.desc()).limit(limit)
        async with self._db.read() as conn:
            return [_topup(row._mapping) for row in await conn.execute(query)]

    # -- transfers -----------------------------------------------------------------------------
    async def record_transfer(self, transfer: NewTransfer, *, conn: AsyncConnection) -> int | None:
        """Record a reported transfer; None when this service's transaction was recorded
        before (a retry).  On PostgreSQL a concurrent retry waits here for the first one's
        transaction, then finds its row: one of them records, the other does nothing."""
        now = self._now()
        values = {
            "source": transfer.source,
            "transaction_id": transfer.transaction_id,
            "amount": transfer.amount,
            "content": transfer.content,
            "account": transfer.account,
            "reference": transfer.reference,
            "happened_at": transfer.happened_at,
            "state": str(TransferState.UNMATCHED),
            "received_at": now,
            "updated_at": now,
        }
        statement = self._db.upsert(transfers, values, ["source", "transaction_id"]).returning(transfers.c.id)
        return (await conn.execute(statement)).scalar()

    async def settle_transfer(
        self,
        transfer_id: int,
        state: TransferState,
        *,
        conn: AsyncConnection,
        topup_id: int | None = None,
        reason: UnmatchedReason | None = None,
        handled_by: int | None = None,
    ) -> Transfer:
        row = (
            await conn.execute(
                update(transfers)
                .where(transfers.c.id == transfer_id)
                .values(
                    state=str(state),
                    topup_id=topup_id,
                    reason=str(reason) if reason else None,
                    handled_by=handled_by,
                    updated_at=self._now(),
                )
                .returning(*transfers.c)
            )
        ).one()
        return _transfer(row._mapping)

    async def transfer(
        self, transfer_id: int, *, conn: AsyncConnection | None = None, lock: bool = False
    ) -> Transfer | None:
        row = await self._first(select(transfers).where(transfers.c.id == transfer_id), conn, lock)
        return None if row is None else _transfer(row._mapping)

    async def _first(self, query: Select[Any], conn: AsyncConnection | None, lock: bool) -> Row[Any] | None:
        """One row, in the caller's transaction (locked, with `lock`) or a read of its own."""
        if lock:
            query = query.with_for_update()
        if conn is not None:
            return (await conn.execute(query)).first()
        async with self._db.read() as own:
            return (await own.execute(query)).first()

    async def transfers_in(self, state: TransferState, limit: int) -> list[Transfer]:
        query = (
            select(transfers)
            .where(transfers.c.state == str(state))
            .order_by(transfers.c.id.desc())
            .limit(limit)
        )
        async with self._db.read() as conn:
            return [_transfer(row._mapping) for row in await conn.execute(query)]

    async def count_transfers(self, state: TransferState) -> int:
        async with self._db.read() as conn:
            count = await conn.scalar(
                select(func.count()).select_from(transfers).where(transfers.c.state == str(state))
            )
        return int(count or 0)
