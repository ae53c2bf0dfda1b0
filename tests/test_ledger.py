"""The wallet ledger on both engines: exact, append-only, exactly once, never below zero,
race-safe between processes, read without scanning, and audited."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.store import Store
from bot.store.ledger import (
    EntryKind,
    IdempotencyConflict,
    InsufficientFunds,
    NewEntry,
)
from bot.store.tables import ledger, wallets

BIG_USER = 2**31 + 12_345  # Telegram user IDs pass 2**31
OTHER = 2**40 + 7


def topup(user: int, amount: str, key: str) -> NewEntry:
    return NewEntry(user, EntryKind.TOPUP, Decimal(amount), key, reference=f"topup:{key}")


def charge(user: int, amount: str, order: int) -> NewEntry:
    return NewEntry(user, EntryKind.CHARGE, -Decimal(amount), f"order:{order}:charge", f"order:{order}")


async def test_booking_moves_the_balance_exactly(database: str | Path) -> None:
    async with Store(database) as store:
        assert await store.wallets.balance(BIG_USER) == 0
        first = await store.wallets.book(topup(BIG_USER, "100000.0015", "t1"))
        assert first.created and first.entry.balance_after == Decimal("100000.0015")
        assert first.entry.user_id == BIG_USER and first.entry.kind is EntryKind.TOPUP
        second = await store.wallets.book(charge(BIG_USER, "0.0005", 1))
        assert second.entry.amount == Decimal("-0.0005")
        assert second.entry.balance_after == Decimal("100000.0010")
        balance = await store.wallets.balance(BIG_USER)
        assert balance == Decimal("100000.0010") and isinstance(balance, Decimal)
        assert await store.wallets.count_entries(BIG_USER) == 2
        assert await store.wallets.total_balances() == Decimal("100000.001")
        assert await store.wallets.audit() == []


async def test_the_same_key_books_once(database: str | Path) -> None:
    async with Store(database) as store:
        first = await store.wallets.book(topup(7, "50", "t1"))
        again = await store.wallets.book(topup(7, "50", "t1"))
        assert first.created and not again.created and again.entry == first.entry
        assert await store.wallets.balance(7) == 50 and await store.wallets.count_entries(7) == 1
        with pytest.raises(IdempotencyConflict):  # the key already names another event
            await store.wallets.book(topup(7, "60", "t1"))
        with pytest.raises(IdempotencyConflict):
            await store.wallets.book(topup(8, "50", "t1"))
        assert await store.wallets.balance(7) == 50 and await store.wallets.balance(8) == 0
        assert await store.wallets.audit() == []


async def test_no_overdraft_and_nothing_written(database: str | Path) -> None:
    async with Store(database) as store:
        await store.wallets.book(topup(7, "10", "t1"))
        with pytest.raises(InsufficientFunds) as refused:
            await store.wallets.book(charge(7, "10.01", 1))
        assert (refused.value.balance, refused.value.needed) == (Decimal(10), Decimal("10.01"))
        assert refused.value.missing == Decimal("0.01")
        assert await store.wallets.balance(7) == 10 and await store.wallets.count_entries(7) == 1
        assert await store.wallets.entry_by_key("order:1:charge") is None
        with pytest.raises(InsufficientFunds):  # an empty wallet
            await store.wallets.book(charge(9, "1", 2))
        exact = await store.wallets.book(charge(7, "10", 3))  # down to exactly zero is fine
        assert exact.entry.balance_after == 0 and await store.wallets.balance(7) == 0


async def test_a_caller_books_inside_its_own_transaction(database: str | Path) -> None:
    """The later step charges in the order intent's transaction: a rollback undoes both."""
    async with Store(database) as store:
        await store.wallets.book(topup(7, "10", "t1"))
        with pytest.raises(RuntimeError):
            async with store.db.write() as conn:
                await store.wallets.book(charge(7, "4", 1), conn=conn)
                raise RuntimeError("the order intent failed")
        assert await store.wallets.balance(7) == 10 and await store.wallets.count_entries(7) == 1
        async with store.db.write() as conn:
            booked = await store.wallets.book(charge(7, "4", 1), conn=conn)
        assert booked.created and await store.wallets.balance(7) == 6


@pytest.mark.parametrize("rounds", [5])
async def test_concurrent_debits_never_overdraw(database: str | Path, engine: str, rounds: int) -> None:
    """Two debits that each fit but together don't: exactly one wins.  On PostgreSQL from two
    stores (two processes' pools); SQLite has one writer, so one store's tasks race."""
    async with Store(database) as first, Store(database) as second:
        stores = (first, second) if engine == "postgresql" else (first, first)
        for round_ in range(rounds):
            user = BIG_USER + round_
            await first.wallets.book(topup(user, "100", f"t{round_}"))
            results = await asyncio.gather(
                *(
                    store.wallets.book(charge(user, "60", round_ * 10 + n))
                    for n, store in enumerate(stores * 2)
                ),
                return_exceptions=True,
            )
            won = [r for r in results if not isinstance(r, BaseException)]
            lost = [r for r in results if isinstance(r, BaseException)]
            assert len(won) == 1 and all(isinstance(r, InsufficientFunds) for r in lost), results
            assert await second.wallets.balance(user) == 40
        # the same key racing itself books once
        user = OTHER
        await first.wallets.book(topup(user, "100", "same"))
        results = await asyncio.gather(*(store.wallets.book(charge(user, "30", 99)) for store in stores * 3))
        assert sum(r.created for r in results) == 1 and len({r.entry.id for r in results}) == 1
        assert await first.wallets.balance(user) == 70
        assert await first.wallets.audit() == []


async def test_the_balance_is_read_from_the_wallet_row(database: str | Path) -> None:
    """A balance read never sums the ledger: it reports the wallet row even when the ledger
    was tampered with behind its back (which the audit then reports)."""
    async with Store(database) as store:
        await store.wallets.book(topup(7, "10", "t1"))
        async with store.db.write() as conn:
            await conn.execute(update(ledger).values(amount=Decimal(999)))
        assert await store.wallets.balance(7) == 10
        [found] = await store.wallets.audit()
        assert found.user_id == 7 and found.ledger_sum == 999 and found.balance == 10


async def test_the_audit_finds_a_corrupted_wallet(database: str | Path) -> None:
    async with Store(database) as store:
        for user in (1, 2, 3, BIG_USER):
            await store.wallets.book(topup(user, "10", f"t{user}"))
            await store.wallets.book(charge(user, "3", user))
        assert await store.wallets.audit() == []
        async with store.db.write() as conn:
            await conn.execute(update(wallets).where(wallets.c.user_id == 2).values(balance=Decimal("7.5")))
            await conn.execute(update(wallets).where(wallets.c.user_id == 3).values(balance=Decimal(-1)))
            await conn.execute(
                update(ledger)
                .where(ledger.c.user_id == BIG_USER, ledger.c.kind == "charge")
                .values(balance_after=Decimal(8))
            )
            await conn.execute(
                ledger.insert().values(
                    user_id=55,
                    kind="topup",
                    amount=Decimal(5),
                    idempotency_key="orphan",
                    balance_after=Decimal(5),
                    created_at=store.wallets._now(),
                )
            )
        found = {d.user_id: d for d in await store.wallets.audit()}
        assert set(found) == {2, 3, 55, BIG_USER}
        assert found[2].problems == ("balance is not the sum of the ledger",)
        assert found[2].balance == Decimal("7.5") and found[2].ledger_sum == 7
        assert "balance below zero" in found[3].problems
        assert found[BIG_USER].problems == ("balance_after chain broken",)
        assert found[55].balance is None and found[55].problems == ("ledger entries without a wallet",)


async def test_entries_page_newest_first(database: str | Path) -> None:
    async with Store(database) as store:
        for n in range(1, 26):
            await store.wallets.book(topup(BIG_USER, str(n), f"t{n}"))
        await store.wallets.book(topup(OTHER, "1", "other"))
        assert await store.wallets.count_entries(BIG_USER) == 25
        pages = [await store.wallets.entries(BIG_USER, limit=10, offset=o) for o in (0, 10, 20, 30)]
        assert [len(p) for p in pages] == [10, 10, 5, 0]
        amounts = [e.amount for page in pages for e in page]
        assert amounts == [Decimal(n) for n in range(25, 0, -1)]
        assert all(e.user_id == BIG_USER for page in pages for e in page)
        assert pages[0][0].balance_after == sum(range(1, 26)) == await store.wallets.balance(BIG_USER)
        assert await store.wallets.count_entries(12345) == 0 and await store.wallets.entries(12345) == []


async def test_big_user_ids_and_amounts_round_trip(database: str | Path) -> None:
    big = 2**53 - 1
    async with Store(database) as store:
        booked = await store.wallets.book(topup(big, "123456789012345.123456789", "big"))
        assert booked.entry.user_id == big
        async with store.db.read() as conn:
            stored = await conn.scalar(select(wallets.c.balance).where(wallets.c.user_id == big))
        assert stored == Decimal("123456789012345.123456789")
        assert await store.wallets.total_balances() == Decimal("123456789012345.123456789")


async def test_books_survive_a_reopen(database: str | Path) -> None:
    async with Store(database) as store:
        await store.wallets.book(topup(7, "10", "t1"))
    async with Store(database) as store:
        assert await store.wallets.balance(7) == 10
        assert not (await store.wallets.book(topup(7, "10", "t1"))).created


def test_entries_are_checked_before_anything_is_written() -> None:
    with pytest.raises(TypeError):
        NewEntry(7, EntryKind.TOPUP, 1.5, "k")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        NewEntry(7, EntryKind.TOPUP, Decimal(0), "k")
    with pytest.raises(ValueError):
        NewEntry(7, EntryKind.CHARGE, Decimal(5), "k")  # a charge is a debit
    with pytest.raises(ValueError):
        NewEntry(7, EntryKind.REFUND, Decimal(-5), "k")
    with pytest.raises(ValueError):
        NewEntry(7, EntryKind.TOPUP, Decimal("NaN"), "k")
    with pytest.raises(ValueError):
        NewEntry(7, EntryKind.TOPUP, Decimal(1), "")
    assert NewEntry(7, EntryKind.ADJUSTMENT, Decimal(-1), "k").amount == -1
