"""Property test of the wallet books: random sequences of admin credits and debits, order
charges (one at a time and two racing), refunds from every final outcome, retries of any
earlier operation with its key, and restarts, checked after every step against a model and
against the books' own invariants:

* for every wallet, balance = sum of its ledger = the model's balance, and ≥ 0;
* every order has at most one charge and at most one refund, and the refund ≤ the charge;
* the audit finds nothing.
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
import tempfile
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from bot.panel.models import OrderStatusKind
from bot.services.wallets import WalletService
from bot.store import OrderRecord, OrderState, Store
from bot.store.ledger import Booking, EntryKind, InsufficientFunds
from bot.store.tables import ledger

T = TypeVar("T")
DECIMALS = 2
CENT = Decimal("0.01")
_instances = itertools.count(1)  # each run's users and orders are its own, even on a shared database

amounts = st.decimals(min_value=CENT, max_value=500, places=DECIMALS, allow_nan=False, allow_infinity=False)
# Partial twice: it is the outcome with arithmetic (a share of the charge, rounded down).
OUTCOMES = ("Completed", "Partial", "Partial", "Canceled", "Refunded", "Failed", "refused")
NO_REMAINS = -1  # drawn as "the panel didn't say what remains"


def order_record(order_id: int, user_id: int, quantity: int, status: str, remains: int | None) -> OrderRecord:
    """The order as the store would hand it to `refund_for` once its outcome is final."""
    now = datetime(2026, 12, 1, tzinfo=UTC)
    refused = status == "refused"
    return OrderRecord(
        id=order_id,
        panel_order_id=None if refused else order_id,
        user_id=user_id,
        chat_id=user_id,
        service_id=1,
        service_name="s",
        link="https://x.y/1",
        quantity=quantity,
        charge=Decimal(0),  # the panel's cost; refunds follow the wallet's charge, not this
        state=OrderState.FAILED if refused else OrderState.PLACED,
        status=OrderStatusKind.FAILED if refused else status,
        remains=remains,
        start_count=0,
        error=None,
        created_at=now,
        updated_at=now,
        notified_status=None,
    )


class WalletMachine(RuleBasedStateMachine):
    """One shop's books; `make_target` (set per engine) says where they are kept."""

    make_target: Callable[[], str | Path]
    orders = Bundle("orders")

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.target = type(self).make_target()
        base = next(_instances) * 10_000
        self.users = [2**31 + base + n for n in range(3)]
        self.base = base
        self.next_order = base
        self.next_key = 0
        self.model: dict[int, Decimal] = dict.fromkeys(self.users, Decimal(0))
        self.charged: dict[int, tuple[int, Decimal]] = {}  # order → (user, charge)
        self.refunded: dict[int, Decimal] = {}
        self.done: list[tuple[Callable[[], Coroutine[Any, Any, Booking]], int]] = []  # retryable
        self.store = self.run(self._open())

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coro)

    async def _open(self) -> Store:
        store = Store(self.target)
        await store.open()
        return store

    @property
    def service(self) -> WalletService:
        return WalletService(self.store, decimals=DECIMALS)

    def key(self) -> str:
        self.next_key += 1
        return f"k{self.base}-{self.next_key}"

    def teardown(self) -> None:
        try:
            self.run(self.store.close())
        finally:
            self.loop.close()
            if isinstance(self.target, Path):
                shutil.rmtree(self.target.parent, ignore_errors=True)

    # -- operations ------------------------------------------------------------------------

    @initialize(funds=st.lists(amounts.map(lambda a: a * 10), min_size=3, max_size=3))
    def open_wallets(self, funds: list[Decimal]) -> None:
        """Customers start with money, so most orders go through and reach an outcome."""
        for user_id, amount in zip(self.users, funds, strict=True):
            assert self.run(self.service.credit(user_id, amount, by_admin=1, key=self.key())).created
            self.model[user_id] += amount

    @rule(user=st.integers(0, 2), amount=amounts)
    def credit(self, user: int, amount: Decimal) -> None:
        user_id, key = self.users[user], self.key()

        def again() -> Coroutine[Any, Any, Booking]:
            return self.service.credit(user_id, amount, by_admin=1, note="n", key=key)

        booking = self.run(again())
        assert booking.created
        self.model[user_id] += amount
        self.done.append((again, user_id))

    @rule(user=st.integers(0, 2), amount=amounts)
    def debit(self, user: int, amount: Decimal) -> None:
        user_id, key = self.users[user], self.key()

        def again() -> Coroutine[Any, Any, Booking]:
            return self.service.debit(user_id, amount, by_admin=1, key=key)

        if self.model[user_id] < amount:
            try:
                self.run(again())
            except InsufficientFunds as refused:
                assert refused.balance == self.model[user_id]
            else:
                raise AssertionError("a debit past the balance was booked")
            return
        assert self.run(again()).created
        self.model[user_id] -= amount
        self.done.append((again, user_id))

    def _charge(self, user_id: int, amount: Decimal, booked: Booking | BaseException, order_id: int) -> bool:
        if isinstance(booked, InsufficientFunds):
            assert self.model[user_id] < amount
            return False
        assert isinstance(booked, Booking) and booked.created, booked
        assert self.model[user_id] >= amount
        self.model[user_id] -= amount
        self.charged[order_id] = (user_id, amount)

        def again() -> Coroutine[Any, Any, Booking]:
            return self.service.charge_order(order_id, user_id, amount)

        self.done.append((again, user_id))
        return True

    @rule(target=orders, user=st.integers(0, 2), amount=amounts, quantity=st.integers(1, 5000))
    def order(self, user: int, amount: Decimal, quantity: int) -> tuple[int, int] | None:
        user_id = self.users[user]
        self.next_order += 1
        order_id = self.next_order
        try:
            booked: Booking | BaseException = self.run(self.service.charge_order(order_id, user_id, amount))
        except InsufficientFunds as exc:
            booked = exc
        return (order_id, quantity) if self._charge(user_id, amount, booked, order_id) else None

    @rule(user=st.integers(0, 2), first=amounts, second=amounts)
    def racing_confirms(self, user: int, first: Decimal, second: Decimal) -> None:
        """Two confirms at once from two stores (two processes on PostgreSQL): the balance
        covers each, maybe not both; never both when it doesn't."""
        user_id = self.users[user]
        ids = (self.next_order + 1, self.next_order + 2)
        self.next_order += 2

        async def race() -> list[Booking | BaseException]:
            async with Store(self.target) as other:
                return await asyncio.gather(
                    WalletService(self.store).charge_order(ids[0], user_id, first),
                    WalletService(other).charge_order(ids[1], user_id, second),
                    return_exceptions=True,
                )

        before = self.model[user_id]
        results = self.run(race())
        won = [r for r in results if isinstance(r, Booking)]
        assert len(won) + sum(isinstance(r, InsufficientFunds) for r in results) == 2, results
        spent = sum((-r.entry.amount for r in won), Decimal(0))
        assert spent <= before
        for order_id, amount, result in zip(ids, (first, second), results, strict=True):
            if isinstance(result, Booking):
                self.model[user_id] -= amount
                self.charged[order_id] = (user_id, amount)
        if first + second > before:
            assert len(won) < 2
        if first + second <= before:
            assert len(won) == 2

    @rule(
        order=consumes(orders),
        outcome=st.sampled_from(OUTCOMES),
        undelivered=st.integers(NO_REMAINS, 100),  # percent of the quantity
        retries=st.integers(0, 2),
    )
    def settle(self, order: tuple[int, int] | None, outcome: str, undelivered: int, retries: int) -> None:
        """The order's final outcome arrives (and, after a crash, arrives again)."""
        if order is None:
            return
        order_id, quantity = order
        remains_or_none = None if undelivered == NO_REMAINS else quantity * undelivered // 100
        user_id, charge = self.charged[order_id]
        record = order_record(order_id, user_id, quantity, outcome, remains_or_none)
        if outcome in ("Canceled", "Refunded", "Failed", "refused"):
            due = charge
        elif outcome == "Partial" and remains_or_none is not None:
            share = charge * remains_or_none / quantity
            due = share.quantize(CENT, rounding=ROUND_FLOOR)
        else:
            due = Decimal(0)
        for attempt in range(retries + 1):
            booked = self.run(self.service.refund_for(record))
            if due == 0:
                assert booked is None
                continue
            assert booked is not None and booked.entry.amount == due
            assert booked.entry.kind is EntryKind.REFUND and booked.created == (attempt == 0)
        if due:
            self.model[user_id] += due
            self.refunded[order_id] = due

    @rule(data=st.data())
    def retry(self, data: st.DataObject) -> None:
        """Any earlier booking, done again with its key (a double tap, a retried webhook)."""
        if not self.done:
            return
        again, user_id = data.draw(st.sampled_from(self.done))
        before = self.run(self.store.wallets.count_entries(user_id))
        booking = self.run(again())
        assert not booking.created
        assert self.run(self.store.wallets.count_entries(user_id)) == before

    @rule()
    def restart(self) -> None:
        self.run(self.store.close())
        self.store = self.run(self._open())

    # -- invariants ------------------------------------------------------------------------

    @invariant()
    def books_balance(self) -> None:
        for user_id in self.users:
            balance = self.run(self.store.wallets.balance(user_id))
            entries = self.run(self.store.wallets.entries(user_id, limit=10_000))
            assert balance == self.model[user_id] == sum((e.amount for e in entries), Decimal(0))
            assert balance >= 0
            if entries:
                assert entries[0].balance_after == balance
        assert self.run(self.store.wallets.audit()) == []

    @invariant()
    def one_charge_one_refund_per_order(self) -> None:
        for order_id, (_, charge) in self.charged.items():
            kinds = self.run(self._kinds(order_id))
            assert kinds.get(EntryKind.CHARGE) == 1 and kinds.get(EntryKind.REFUND, 0) <= 1
            refund = self.refunded.get(order_id, Decimal(0))
            assert refund <= charge

    async def _kinds(self, order_id: int) -> dict[str, int]:
        query = (
            select(ledger.c.kind, func.count())
            .where(ledger.c.reference == f"order:{order_id}")
            .group_by(ledger.c.kind)
        )
        async with self.store.db.read() as conn:
            return {kind: count for kind, count in (await conn.execute(query)).all()}


def _sqlite_file() -> Path:
    return Path(tempfile.mkdtemp(prefix="wallets-")) / "bot.sqlite3"


@pytest.mark.parametrize("engine", ["sqlite"])  # counted per engine in the summary
def test_the_books_always_balance_on_sqlite(engine: str) -> None:
    machine = type("SqliteWallets", (WalletMachine,), {"make_target": staticmethod(_sqlite_file)})
    run_state_machine_as_test(
        machine, settings=settings(max_examples=40, stateful_step_count=30, deadline=None)
    )


@pytest.mark.parametrize("engine", ["postgresql"])
def test_the_books_always_balance_on_postgresql(engine: str, postgres_database: str) -> None:
    """Smaller: one shared database (each run keeps to its own users and orders)."""
    machine = type(
        "PostgresWallets", (WalletMachine,), {"make_target": staticmethod(lambda: postgres_database)}
    )
    run_state_machine_as_test(
        machine, settings=settings(max_examples=15, stateful_step_count=25, deadline=None)
    )
