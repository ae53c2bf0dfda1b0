"""Property test of the shop through its services, against the panel simulator: random
sequences of admin credits, customer orders whose `add` is placed, refused or of unknown
outcome, two confirms racing on one wallet, the panel finishing orders (Completed, Partial,
Canceled, Refunded), admins settling unknown orders, tracking cycles run again, and
restarts — checked after every step:

* for every wallet: balance = sum of its ledger = the model's balance, and ≥ 0;
* every order a customer placed has exactly one charge, equal to its retail price;
* every refused order, and every Partial / Canceled / Refunded one, exactly one refund of
  what its outcome calls for (Partial: remains × price / quantity, rounded down), never
  more than the charge; a Completed one none;
* the ledger audit finds nothing.

Unlike `test_wallet_properties.py` (the books alone), the orders here are real: placed by
`OrderingService.place` (intent and charge in one transaction), tracked by `StatusPoller`,
refunded by `WalletService.settle_refunds`, with a Shop applying a markup.
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
import tempfile
from collections.abc import Coroutine
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any, ClassVar, TypeVar

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

from bot.panel.client import PanelClient
from bot.panel.simulator import PanelSimulator
from bot.services.account import AccountService
from bot.services.catalog import CatalogCache
from bot.services.ordering import Draft, OrderFailed, OrderingService, Outcome
from bot.services.poller import StatusPoller
from bot.services.shop import Shop, ShopMode
from bot.services.wallets import InsufficientFunds, WalletService
from bot.store import OrderState, Store
from bot.store.ledger import EntryKind
from bot.store.tables import ledger

T = TypeVar("T")
KEY = "shop-props-key"
RATE = Decimal("7300")  # per 1000, so retail amounts need rounding
MARKUP = Decimal(37)
SERVICE = {
    "service": 1,
    "name": "Likes",
    "type": "Default",
    "category": "Facebook",
    "rate": str(RATE),
    "min": "10",
    "max": "5000",
}
_instances = itertools.count(1)
OUTCOMES = ("Completed", "Partial", "Partial", "Canceled", "Refunded")


@dataclass
class Placed:
    order_id: int
    user_id: int
    panel_id: int | None
    quantity: int
    price: Decimal


class ShopMachine(RuleBasedStateMachine):
    make_target: ClassVar[Any]
    orders = Bundle("orders")

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.target = type(self).make_target()
        base = next(_instances) * 1000
        self.users = [3**30 + base + n for n in range(2)]
        self.links = itertools.count(base * 100)
        self.model: dict[int, Decimal] = dict.fromkeys(self.users, Decimal(0))
        self.charges: dict[int, Decimal] = {}  # order → price charged
        self.refunds: dict[int, Decimal] = {}  # order → refund expected
        self.next_key = 0
        self.run(self._start())

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coro)

    async def _start(self) -> None:
        self.sim = PanelSimulator(api_key=KEY, services=[dict(SERVICE)], balance=Decimal(10) ** 12)
        # Panel order IDs are unique in the store, which runs on PostgreSQL share: each run's
        # simulator numbers its orders apart from the others'.
        self.sim._next_order_id = 10**9 + self.users[0] % 10**6 * 1000
        await self.sim.start()
        await self._open()

    async def _open(self) -> None:
        """The services as a process builds them (a restart builds them again)."""
        self.store = Store(self.target)
        await self.store.open()
        self.panel = PanelClient(self.sim.url, KEY, timeout=5, retries=0)
        self.catalog = CatalogCache(self.panel.services)
        account = AccountService(self.panel)
        self.shop = Shop(
            self.store, account, self.catalog, mode=ShopMode.WALLET, is_admin=lambda _: False,
            markup_percent=MARKUP,
        )
        self.wallet = WalletService(self.store)
        self.ordering = OrderingService(
            self.store, self.panel, self.catalog, shop=self.shop, wallet=self.wallet
        )
        self.poller = StatusPoller(self.store, self.panel)

    async def _close(self) -> None:
        await self.panel.close()
        await self.store.close()

    def teardown(self) -> None:
        try:
            self.run(self._close())
            self.run(self.sim.stop())
        finally:
            self.loop.close()
            if isinstance(self.target, Path):
                shutil.rmtree(self.target.parent, ignore_errors=True)

    def price(self, quantity: int) -> Decimal:
        cost = RATE * quantity / 1000
        return (cost * (1 + MARKUP / 100)).quantize(Decimal(1), rounding="ROUND_CEILING")

    async def _draft(self, user_id: int, quantity: int) -> Draft:
        await self.store.users.touch_user(user_id)
        draft = Draft(1, link=f"https://example.com/p/{next(self.links)}", quantity=quantity)
        ready, priced = await self.ordering.prepare(user_id, draft)
        assert priced.price == self.price(quantity) and priced.charge == RATE * quantity / 1000
        return ready

    # -- operations ------------------------------------------------------------------------

    @initialize(funds=st.lists(st.integers(0, 100_000), min_size=2, max_size=2))
    def open_wallets(self, funds: list[int]) -> None:
        for user_id, amount in zip(self.users, funds, strict=True):
            if amount:
                self._credit(user_id, Decimal(amount))

    def _credit(self, user_id: int, amount: Decimal) -> None:
        self.next_key += 1
        self.run(self.wallet.credit(user_id, amount, by_admin=1, key=f"{user_id}-{self.next_key}"))
        self.model[user_id] += amount

    @rule(user=st.integers(0, 1), amount=st.integers(1, 30_000))
    def credit(self, user: int, amount: int) -> None:
        self._credit(self.users[user], Decimal(amount))

    @rule(
        target=orders,
        user=st.integers(0, 1),
        quantity=st.integers(10, 1000),
        outcome=st.sampled_from(("placed", "placed", "refused", "low funds", "unknown")),
    )
    def order(self, user: int, quantity: int, outcome: str) -> Placed | None:
        user_id = self.users[user]
        draft = self.run(self._draft(user_id, quantity))
        price = self.price(quantity)
        if outcome == "refused":
            self.sim.script("add", {"error": "Incorrect link"})
        elif outcome == "low funds":
            self.sim.script("add", {"error": "Not enough funds on balance"})
        elif outcome == "unknown":
            self.sim.script("add", "{garbled", execute=True)
        calls = len(self.sim.calls_for("add"))
        before = self.model[user_id]
        try:
            placement = self.run(self.ordering.place(user_id, user_id, draft))
        except InsufficientFunds:
            assert before < price and len(self.sim.calls_for("add")) == calls  # refused before the panel
            self.sim._scripts.pop("add", None)  # the scripted answer was never used
            return None
        except OrderFailed as failure:
            assert outcome in ("refused", "low funds") and failure.refund is not None
            assert failure.refund.entry.amount == price and failure.refund.entry.balance_after == before
            order = self.run(self.store.orders.get_order_by_confirmation(draft.token or ""))
            assert order is not None and order.state is OrderState.FAILED and order.refunded == price
            self.charges[order.id] = price
            self.refunds[order.id] = price
            return None
        assert before >= price
        self.model[user_id] -= price
        order = placement.order
        self.charges[order.id] = price
        assert order.price == price
        if outcome == "unknown":
            assert placement.outcome is Outcome.UNKNOWN
            return None  # left for `settle_unknown`
        assert placement.outcome is Outcome.PLACED and order.panel_order_id is not None
        return Placed(order.id, user_id, order.panel_order_id, quantity, price)

    @rule(user=st.integers(0, 1), first=st.integers(10, 3000), second=st.integers(10, 3000))
    def racing_confirms(self, user: int, first: int, second: int) -> None:
        """Two summaries that each fit, confirmed at once: never both when together they don't."""
        user_id = self.users[user]
        drafts = [self.run(self._draft(user_id, q)) for q in (first, second)]
        prices = [self.price(first), self.price(second)]
        before = self.model[user_id]

        async def race() -> list[Any]:
            return await asyncio.gather(
                *(self.ordering.place(user_id, user_id, d) for d in drafts), return_exceptions=True
            )

        results = self.run(race())
        won = [(r, p) for r, p in zip(results, prices, strict=True) if not isinstance(r, BaseException)]
        assert all(isinstance(r, InsufficientFunds) for r in results if isinstance(r, BaseException)), results
        spent = sum((p for _, p in won), Decimal(0))
        assert spent <= before
        if sum(prices) <= before:
            assert len(won) == 2
        for placement, price in won:
            self.charges[placement.order.id] = price
            self.model[user_id] -= price

    @rule(
        order=consumes(orders),
        status=st.sampled_from(OUTCOMES),
        undelivered=st.integers(0, 100),
        cycles=st.integers(1, 2),
    )
    def panel_finishes(self, order: Placed | None, status: str, undelivered: int, cycles: int) -> None:
        """The panel finishes the order; tracking stores it and books the refund (again on a
        second cycle, which must book nothing more)."""
        if order is None:
            return
        assert order.panel_id is not None
        remains = order.quantity * undelivered // 100
        if status == "Partial":
            self.sim.partial(order.panel_id, remains)
        elif status == "Canceled":
            self.sim.cancel_order(order.panel_id)
        else:
            left = 0 if status == "Completed" else order.quantity
            self.sim.set_status(order.panel_id, status, remains=left)
        for _ in range(cycles):
            self.run(self.poller.cycle())
            self.run(self.wallet.settle_refunds())
        if status == "Partial":
            due = (order.price * remains / order.quantity).quantize(Decimal(1), rounding=ROUND_FLOOR)
        elif status in ("Canceled", "Refunded"):
            due = order.price
        else:
            due = Decimal(0)
        if due:
            self.refunds[order.order_id] = due
            self.model[order.user_id] += due
        stored = self.run(self.store.orders.get_order(order.order_id))
        assert stored is not None and stored.status == status
        assert stored.refunded == (None if status == "Completed" else due)

    @rule()
    def settle_unknown(self) -> None:
        """An admin rules every order of unknown outcome not placed: its charge comes back."""
        unresolved = self.run(self.store.orders.unresolved_orders())
        unknown = [o for o in unresolved if o.state is OrderState.UNKNOWN]
        for order in unknown:
            if order.user_id not in self.users:
                continue
            assert self.run(self.store.orders.settle_unknown(order.id, None, "not placed"))
            self.run(self.wallet.settle_refunds())
            self.refunds[order.id] = self.charges[order.id]
            self.model[order.user_id] += self.charges[order.id]

    @rule()
    def restart(self) -> None:
        self.run(self._close())
        self.run(self._open())
        self.run(self.wallet.settle_refunds())  # what the first cycle after a start does

    # -- invariants ------------------------------------------------------------------------

    @invariant()
    def books_balance(self) -> None:
        for user_id in self.users:
            balance = self.run(self.store.wallets.balance(user_id))
            entries = self.run(self.store.wallets.entries(user_id, limit=100_000))
            assert balance == self.model[user_id] == sum((e.amount for e in entries), Decimal(0))
            assert balance >= 0
        assert self.run(self.store.wallets.audit()) == []

    @invariant()
    def one_charge_and_the_right_refund_per_order(self) -> None:
        booked = self.run(self._booked())
        for order_id, price in self.charges.items():
            charges, refunds = booked.get(order_id, ([], []))
            assert charges == [-price], (order_id, charges)
            expected = self.refunds.get(order_id)
            assert refunds == ([] if expected is None else [expected]), (order_id, refunds, expected)

    async def _booked(self) -> dict[int, tuple[list[Decimal], list[Decimal]]]:
        found: dict[int, tuple[list[Decimal], list[Decimal]]] = {}
        query = select(ledger.c.reference, ledger.c.kind, ledger.c.amount).where(
            ledger.c.user_id.in_(self.users), ledger.c.reference.like("order:%")
        )
        async with self.store.db.read() as conn:
            rows = (await conn.execute(query.order_by(ledger.c.id))).all()
            assert await conn.scalar(select(func.count()).select_from(ledger)) is not None
        for reference, kind, amount in rows:
            charges, refunds = found.setdefault(int(reference.split(":")[1]), ([], []))
            (charges if kind == EntryKind.CHARGE else refunds).append(amount)
        return found


def _sqlite_file() -> Path:
    return Path(tempfile.mkdtemp(prefix="shop-")) / "bot.sqlite3"


@pytest.mark.parametrize("engine", ["sqlite"])  # counted per engine in the summary
def test_the_shop_books_always_balance_on_sqlite(engine: str) -> None:
    machine = type("SqliteShop", (ShopMachine,), {"make_target": staticmethod(_sqlite_file)})
    run_state_machine_as_test(
        machine, settings=settings(max_examples=25, stateful_step_count=20, deadline=None)
    )


@pytest.mark.parametrize("engine", ["postgresql"])
def test_the_shop_books_always_balance_on_postgresql(engine: str, postgres_database: str) -> None:
    """One shared database: each run keeps to its own customers."""
    machine = type("PostgresShop", (ShopMachine,), {"make_target": staticmethod(lambda: postgres_database)})
    run_state_machine_as_test(
        machine, settings=settings(max_examples=12, stateful_step_count=20, deadline=None)
    )
