"""Customer wallets: an append-only ledger of exact, signed amounts and, beside it, each
wallet's running balance.

Why both: the ledger is the proof (every top-up, charge, refund and adjustment, with what it
refers to and the balance it left), the balance row is what a read needs (one row, never a
scan).  Every booking writes both in one transaction, so they can only disagree through a
hand edit or a bug, which `audit()` finds.

Three promises, on both engines:

* **Exactly once.**  Each entry carries a unique idempotency key ("order:12:charge"); booking
  the same key again returns the entry already there and changes nothing.
* **Never below zero.**  A debit the balance doesn't cover raises `InsufficientFunds` and
  writes nothing.
* **Race-safe.**  The wallet row is locked before its balance is read (PostgreSQL: `SELECT …
  FOR UPDATE`; SQLite: the write transaction holds the file's lock from its start, `BEGIN
  IMMEDIATE`), so two debits that each fit but together don't can't both pass the check,
  and a retried key can't slip past the "already booked?" look-up.  The arithmetic is done in
  Python on `Decimal`: SQLite keeps money as text and would add it as floats.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import RowMapping, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.part import StorePart
from bot.store.tables import ledger, wallets

ZERO = Decimal(0)


class EntryKind(StrEnum):
    """What moved the money; the sign each kind may carry is checked by `NewEntry`."""

    TOPUP = "topup"  # the customer paid in: credit
    CHARGE = "charge"  # an order was paid for: debit
    REFUND = "refund"  # (part of) an order's charge given back: credit
    ADJUSTMENT = "adjustment"  # an admin's /credit or /debit: either sign
    TOPUP_REFUND = "topup_refund"  # a Stars top-up given back to the payer: debit


_SIGNS: dict[EntryKind, tuple[int, ...]] = {
    EntryKind.TOPUP: (1,),
    EntryKind.CHARGE: (-1,),
    EntryKind.REFUND: (1,),
    EntryKind.ADJUSTMENT: (1, -1),
    EntryKind.TOPUP_REFUND: (-1,),
}


class WalletError(Exception):
    """Base of the wallet's refusals."""


class InsufficientFunds(WalletError):
    """The debit would take the balance below zero; nothing was written.

    `balance` is what the wallet holds, `needed` what the debit asked for (positive), so the
    caller can say how much is missing (`missing`)."""

    def __init__(self, user_id: int, balance: Decimal, needed: Decimal) -> None:
        super().__init__(f"wallet {user_id}: balance {balance} does not cover {needed}")
        self.user_id = user_id
        self.balance = balance
        self.needed = needed

    @property
    def missing(self) -> Decimal:
        return self.needed - self.balance


class IdempotencyConflict(WalletError):
    """The key was already booked for a different entry (another user, kind or amount): a
    bug in whoever made the key, never something to paper over by booking twice."""

    def __init__(self, key: str, existing: LedgerEntry) -> None:
        super().__init__(f"idempotency key {key!r} already books {existing.kind} {existing.amount}")
        self.key = key
        self.existing = existing


def _check_amount(amount: Any) -> Decimal:
    """Money is exact: a float (or a NaN, an infinity) has no place in a ledger."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"amount must be a Decimal, not {type(amount).__name__}")
    if not amount.is_finite():
        raise ValueError(f"amount must be finite, not {amount}")
    return amount


@dataclass(frozen=True, slots=True)
class NewEntry:
    """One event to book.  `amount` is signed (credit > 0, debit < 0), never zero: an entry
    that moves nothing proves nothing.  `idempotency_key` names the event, not the attempt."""

    user_id: int
    kind: EntryKind
    amount: Decimal
    idempotency_key: str
    reference: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        _check_amount(self.amount)
        if isinstance(self.user_id, bool) or not isinstance(self.user_id, int):
            raise TypeError("user_id must be an int")
        kind = EntryKind(self.kind)
        if self.amount == 0:
            raise ValueError("a ledger entry must move money (amount 0)")
        sign = 1 if self.amount > 0 else -1
        if sign not in _SIGNS[kind]:
            raise ValueError(f"a {kind} entry can't be {'positive' if sign > 0 else 'negative'}")
        if not self.idempotency_key:
            raise ValueError("an entry needs an idempotency key")


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    id: int
    user_id: int
    kind: EntryKind
    amount: Decimal
    reference: str | None
    note: str | None
    idempotency_key: str
    balance_after: Decimal
    created_at: datetime

    def same_event(self, entry: NewEntry) -> bool:
        """Whether `entry` is a retry of this one (same user, kind, amount)."""
        return (self.user_id, self.kind, self.amount) == (entry.user_id, entry.kind, entry.amount)


@dataclass(frozen=True, slots=True)
class Booking:
    """The entry a `book` call stands for; `created` is False when the key was booked before
    (a retry), in which case nothing changed."""

    entry: LedgerEntry
    created: bool


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """A wallet whose books don't balance.  `balance` is None when entries exist without a
    wallet row; `problems` says what is wrong, one short phrase each."""

    user_id: int
    balance: Decimal | None
    ledger_sum: Decimal
    problems: tuple[str, ...]


def _entry(row: RowMapping) -> LedgerEntry:
    return LedgerEntry(
        id=row["id"],
        user_id=row["user_id"],
        kind=EntryKind(row["kind"]),
        amount=row["amount"],
        reference=row["reference"],
        note=row["note"],
        idempotency_key=row["idempotency_key"],
        balance_after=row["balance_after"],
        created_at=row["created_at"],
    )


class WalletStore(StorePart):
    async def book(
        self, entry: NewEntry, *, conn: AsyncConnection | None = None, new_key: bool = False
    ) -> Booking:
        """Append `entry` and move the balance, atomically; see the module for the promises.

        `conn`: a transaction of the caller's (from `Database.write()`, never `read()`), so
        a charge commits or rolls back with the order it pays for.  An `InsufficientFunds`
        raised inside it has written nothing, but the caller decides the transaction's fate.
        """
        if conn is not None:
            return await self._book(conn, entry, new_key)
        async with self._db.write() as own:
            return await self._book(own, entry, new_key)

    async def _book(self, conn: AsyncConnection, entry: NewEntry, new_key: bool = False) -> Booking:
        now = self._now()
        balance = await conn.scalar(_LOCK_BALANCE, {"uid_": entry.user_id})
        if balance is None:
            # A first booking: the row is created, then locked (no row, nothing to lock on
            # PostgreSQL); a concurrent creator makes this wait for it, then do nothing.
            fresh = {"user_id": entry.user_id, "balance": ZERO, "updated_at": now}
            await conn.execute(self._db.upsert(wallets, fresh, ["user_id"]))
            balance = await conn.scalar(_LOCK_BALANCE, {"uid_": entry.user_id})
        assert isinstance(balance, Decimal)
        # Looked up under the lock: a retry racing the first booking of its key sees it here.
        # A key made by this very transaction (the charge of an order it just inserted) can't
        # be booked yet: `new_key` spares the look-up (the unique index still guards it).
        existing = None if new_key else await self._by_key(conn, entry.idempotency_key)
        if existing is not None:
            if not existing.same_event(entry):
                raise IdempotencyConflict(entry.idempotency_key, existing)
            return Booking(existing, created=False)
        [booking] = await self.append([entry], {entry.user_id: balance}, conn=conn)
        return booking

    async def _by_key(self, conn: AsyncConnection, key: str) -> LedgerEntry | None:
        row = (await conn.execute(_BY_KEY, {"key_": key})).first()
        return None if row is None else _entry(row._mapping)

    async def lock(self, user_ids: Iterable[int], *, conn: AsyncConnection) -> dict[int, Decimal]:
        """Lock these wallets (created at 0 when missing) for the caller's transaction, in
        user order so two lockers can't deadlock; their balances.  What `book` does for one
        wallet, for a batch (`append`)."""
        users = sorted(set(user_ids))
        if not users:
            return {}
        now = self._now()
        fresh = [{"user_id": user, "balance": ZERO, "updated_at": now} for user in users]
        await conn.execute(self._db.insert_missing(wallets, ["user_id"]), fresh)
        locked = await conn.execute(
            select(wallets.c.user_id, wallets.c.balance)
            .where(wallets.c.user_id.in_(users))
            .order_by(wallets.c.user_id)
            .with_for_update()
        )
        return {row.user_id: row.balance for row in locked}

    async def entries_by_keys(self, keys: Iterable[str], *, conn: AsyncConnection) -> dict[str, LedgerEntry]:
        """The entries booked under any of `keys`, by key (one query)."""
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        rows = await conn.execute(select(ledger).where(ledger.c.idempotency_key.in_(wanted)))
        return {entry.idempotency_key: entry for entry in (_entry(row._mapping) for row in rows)}

    async def append(
        self, entries: list[NewEntry], balances: dict[int, Decimal], *, conn: AsyncConnection
    ) -> list[Booking]:
        """Book many entries in the caller's transaction: one insert and one balance update
        for the lot, each entry's `balance_after` chained per wallet.  `balances` comes from
        `lock` (the wallets locked by this transaction) and the caller has looked up the keys
        under that lock (`entries_by_keys`), so none is booked twice; a debit the wallet
        doesn't cover raises `InsufficientFunds` and the caller's transaction rolls back."""
        if not entries:
            return []
        now = self._now()
        running = dict(balances)
        values = []
        for entry in entries:
            before = running[entry.user_id]
            running[entry.user_id] = before + entry.amount
            if running[entry.user_id] < 0:
                raise InsufficientFunds(entry.user_id, before, -entry.amount)
            values.append(
                {
                    "user_id": entry.user_id,
                    "kind": str(entry.kind),
                    "amount": entry.amount,
                    "reference": entry.reference,
                    "note": entry.note,
                    "idempotency_key": entry.idempotency_key,
                    "balance_after": running[entry.user_id],
                    "created_at": now,
                }
            )
        # RETURNING of a multi-row insert comes back in no promised order (and asking for one
        # makes SQLite insert row by row): the rows are put back in the entries' order.
        position = {value["idempotency_key"]: index for index, value in enumerate(values)}
        inserted = (await conn.execute(ledger.insert().returning(*ledger.c), values)).all()
        rows = sorted(inserted, key=lambda row: position[row.idempotency_key])
        moved = sorted({entry.user_id for entry in entries})
        await conn.execute(
            _MOVE_BALANCE, [{"uid_": user, "balance_": running[user], "now_": now} for user in moved]
        )
        return [Booking(_entry(row._mapping), created=True) for row in rows]

    async def entry_by_key(self, key: str, *, conn: AsyncConnection | None = None) -> LedgerEntry | None:
        """The entry booked under `key`, if any (e.g. an order's charge, before refunding it)."""
        if conn is not None:
            return await self._by_key(conn, key)
        async with self._db.read() as own:
            return await self._by_key(own, key)

    async def balance(self, user_id: int) -> Decimal:
        """The wallet's balance from its row (one primary-key read); 0 for no wallet yet."""
        async with self._db.read() as conn:
            value = await conn.scalar(_BALANCE, {"uid_": user_id})
        return ZERO if value is None else value

    async def balance_in(self, user_id: int, *, conn: AsyncConnection) -> Decimal:
        """The balance as the caller's transaction sees it."""
        value = await conn.scalar(_BALANCE, {"uid_": user_id})
        return ZERO if value is None else value

    async def entries(self, user_id: int, limit: int = 10, offset: int = 0) -> list[LedgerEntry]:
        """The user's entries, newest first, one page (the `ledger_user` index serves it)."""
        query = (
            select(ledger)
            .where(ledger.c.user_id == user_id)
            .order_by(ledger.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        async with self._db.read() as conn:
            rows = (await conn.execute(query)).all()
        return [_entry(row._mapping) for row in rows]

    async def count_entries(self, user_id: int) -> int:
        async with self._db.read() as conn:
            count = await conn.scalar(
                select(func.count()).select_from(ledger).where(ledger.c.user_id == user_id)
            )
        return int(count or 0)

    async def total_balances(self) -> Decimal:
        """What all customers' wallets hold together: the owner's liability.

        Summed in Python on SQLite (its SUM of money kept as text would be a float), by the
        server on PostgreSQL (`numeric` sums exactly)."""
        async with self._db.read() as conn:
            if self._db.is_sqlite:
                return sum((await conn.scalars(select(wallets.c.balance))).all(), ZERO)
            total = await conn.scalar(select(func.sum(wallets.c.balance)))
        return ZERO if total is None else Decimal(total)

    async def audit(self, *, conn: AsyncConnection | None = None) -> list[Discrepancy]:
        """Every wallet whose books don't balance: its balance isn't the sum of its ledger, or
        is below zero, or its entries' `balance_after` don't follow one from the next (a
        missing, edited or reordered entry), or it has entries but no wallet row.

        Reads the whole ledger once (in id order per user) and recomputes in `Decimal`; an
        empty list means the books are right.  `conn`: the caller's `Database.snapshot()`,
        so the wallets and the ledger are read at one moment (separate reads could see a
        booking land between them and report a wallet that is right)."""
        if conn is None:
            async with self._db.snapshot() as own:
                return await self._audit(own)
        return await self._audit(conn)

    async def _audit(self, conn: AsyncConnection) -> list[Discrepancy]:
        balances: dict[int, Decimal] = {
            row.user_id: row.balance
            for row in await conn.execute(select(wallets.c.user_id, wallets.c.balance))
        }
        rows = await conn.stream(  # streamed: a ledger of any length in bounded memory
            select(ledger.c.user_id, ledger.c.amount, ledger.c.balance_after).order_by(
                ledger.c.user_id, ledger.c.id
            )
        )
        sums: dict[int, Decimal] = defaultdict(lambda: ZERO)
        broken: set[int] = set()
        async for row in rows:
            running = sums[row.user_id] + row.amount
            if running != row.balance_after or running < 0:
                broken.add(row.user_id)
            sums[row.user_id] = running
        found = []
        for user_id in sorted(balances.keys() | sums.keys()):
            balance = balances.get(user_id)
            total = sums.get(user_id, ZERO)
            problems = []
            if balance is None:
                problems.append("ledger entries without a wallet")
            else:
                if balance != total:
                    problems.append("balance is not the sum of the ledger")
                if balance < 0:
                    problems.append("balance below zero")
            if user_id in broken:
                problems.append("balance_after chain broken")
            if problems:
                found.append(Discrepancy(user_id, balance, total, tuple(problems)))
        return found


# `append`: every moved wallet's new balance in one executemany.
_MOVE_BALANCE = (
    update(wallets)
    .where(wallets.c.user_id == bindparam("uid_"))
    .values(
        balance=bindparam("balance_", type_=wallets.c.balance.type),
        updated_at=bindparam("now_", type_=wallets.c.updated_at.type),
    )
)

# The statements of every balance read and booking, built once: building and caching a fresh
# statement costs more than the read itself (see BENCHMARKS.md, Wallet).
_BALANCE = select(wallets.c.balance).where(wallets.c.user_id == bindparam("uid_"))
_LOCK_BALANCE = _BALANCE.with_for_update()
_BY_KEY = select(ledger).where(ledger.c.idempotency_key == bindparam("key_"))
