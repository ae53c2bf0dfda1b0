"""Wallets: `/balance` and the Confirm path's store work over a big ledger, and one cycle's
refunds.

World: `wallets` customer wallets holding `ledger_entries` ledger entries between them
(top-ups, charges, refunds, adjustments, interleaved in time as a live shop writes them), bulk
inserted with `executemany` straight into `ledger` and `wallets` (consistent: every balance is
its ledger's sum, every `balance_after` chain holds, keys unique) — seeding is not timed.

Timed, in process, on the scenario's engine:

* `/balance`: `WalletService.balance(user)` for random customers, one after another; the
  statements it sends are recorded to show it reads the wallet row, never the ledger.
* Confirm path: `WalletService.open_order` (the order intent and its wallet charge, one
  transaction) for random customers with enough money, as many times; the panel call is left
  out (an instant panel), `mark_order_placed` after it is timed apart.  These orders stay
  running.
* Refund cycle: `refunds` more wallet-paid placed orders, written in bulk with their charges
  (not timed), come back Canceled or Partial (`apply_statuses`, as the tracking cycle stores
  statuses); one `WalletService.settle_refunds` — what the tracking cycle runs after storing
  statuses — books every refund (a batch of orders per transaction).

Then `WalletStore.audit()` must find the books clean.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, event, func, select, text, update

from bench.common import Check, ScenarioResult, Sizes, bulk_insert, ms, percentile, seed_users
from bench.engines import Engine
from bot.panel.models import OrderStatus, OrderStatusKind
from bot.services.wallets import WalletService
from bot.store import Store, tables
from bot.store.models import NewOrder, utcnow

TARGET_BALANCE_P99_MS = 3.0
TARGET_CONFIRM_P99_MS = 10.0
TARGET_REFUND_CYCLE_S = 2.0
DECIMALS = 0  # a currency without decimals (VND-like), the shop's default
FIRST_USER = 1_000_001  # Telegram-like IDs
# The seeded history's order numbers: far above any order ID this run creates, so the seeded
# "order:N:charge" keys can never collide with a real order's.
SEED_ORDER_BASE = 10**12
PANEL_BASE = 50_000_000  # panel order IDs given to the placed orders
FIRST_TOPUP = Decimal(10_000_000)
WARM_UP = 20


async def run(sizes: Sizes, engine: Engine) -> ScenarioResult:
    with tempfile.TemporaryDirectory(prefix="bench-wallet-") as tmp:
        async with engine.database(Path(tmp)) as database:
            store = Store(database)
            await store.open()
            try:
                return await _scenario(store, sizes, engine)
            finally:
                await store.close()


async def _scenario(store: Store, sizes: Sizes, engine: Engine) -> ScenarioResult:
    rng = random.Random(20261201)
    users = list(range(FIRST_USER, FIRST_USER + sizes.wallets))
    started = time.perf_counter()
    expected = await _seed(store, users, sizes.ledger_entries, rng)
    seed_s = time.perf_counter() - started
    async with store.db.read() as conn:
        wallet_rows = int(await conn.scalar(select(func.count()).select_from(tables.wallets)) or 0)
        ledger_rows = int(await conn.scalar(select(func.count()).select_from(tables.ledger)) or 0)
    wallet = WalletService(store, decimals=DECIMALS)

    # /balance
    for user in rng.sample(users, min(WARM_UP, len(users))):
        await wallet.balance(user)
    readers = [rng.choice(users) for _ in range(sizes.wallet_reads)]
    with _Statements(store) as statements:
        balance_times, wrong = [], 0
        for user in readers:
            t0 = time.perf_counter()
            value = await wallet.balance(user)
            balance_times.append(time.perf_counter() - t0)
            wrong += value != expected[user]
    touches_ledger = [s for s in statements.seen if "ledger" in s.lower()]

    # Confirm, placed, Canceled/Partial, one settle_refunds.
    await _orders(store, wallet, users, WARM_UP, rng, "warm")  # left running: nothing to refund
    first = _Round()
    await _orders(store, wallet, users, sizes.wallet_reads, rng, "confirm", first)  # left running
    placed = await _bulk_orders(store, users, sizes.refunds, rng, "a")
    await _settle(store, placed, rng, wallet.settle_refunds, first)
    started = time.perf_counter()
    discrepancies = await store.wallets.audit()
    audit_s = time.perf_counter() - started
    owed_after = len(await store.orders.refunds_owed(sizes.refunds))

    balance_p99 = ms(percentile(balance_times, 99))
    confirm_p99 = ms(percentile(first.open_times, 99))
    rows = [
        ("database", engine.label),
        ("wallets / ledger entries", f"{wallet_rows:,} / {ledger_rows:,} (before the timed orders)"),
        ("seeding (bulk executemany), not timed", f"{seed_s:.1f} s"),
        (
            f"/balance p50 / p99 ({len(balance_times):,} reads)",
            f"{ms(percentile(balance_times, 50)):.3f} / {balance_p99:.3f} ms",
        ),
        (
            "  statements sent by those reads",
            f"{len(statements.seen):,}, {len(touches_ledger)} touching the ledger",
        ),
        (
            f"confirm: open_order p50 / p99 ({len(first.open_times):,})",
            f"{ms(percentile(first.open_times, 50)):.3f} / {confirm_p99:.3f} ms",
        ),
        (
            "  then mark_order_placed p50 / p99 (not in the figure)",
            f"{ms(percentile(first.place_times, 50)):.3f} / {ms(percentile(first.place_times, 99)):.3f} ms",
        ),
        ("refund cycle: settle_refunds", f"{first.booked:,} refunds in {first.settle_s:.3f} s"),
        ("  refunds not as the rule says (Partial: rounded down)", f"{first.wrong_amounts:,}"),
        (
            "  per refund",
            f"{ms(first.settle_s / max(first.booked, 1)):.3f} ms",
        ),
        ("audit() after the refunds", f"{len(discrepancies)} discrepancies, {audit_s:.2f} s"),
    ]
    checks = [
        Check(
            f"{sizes.wallets:,} wallets, {sizes.ledger_entries:,} entries seeded",
            (wallet_rows, ledger_rows) == (sizes.wallets, sizes.ledger_entries),
        ),
        Check("every /balance read right", wrong == 0),
        Check("/balance never reads the ledger", not touches_ledger and bool(statements.seen)),
        Check(f"/balance p99 ≤ {TARGET_BALANCE_P99_MS:g} ms", balance_p99 <= TARGET_BALANCE_P99_MS),
        Check(f"confirm p99 ≤ {TARGET_CONFIRM_P99_MS:g} ms", confirm_p99 <= TARGET_CONFIRM_P99_MS),
        Check(
            f"{sizes.refunds:,} refunds booked, amounts right", first.booked == sizes.refunds and first.exact
        ),
        Check(f"refund cycle ≤ {TARGET_REFUND_CYCLE_S:g} s", first.settle_s <= TARGET_REFUND_CYCLE_S),
        Check("ledger audit clean, nothing left owed", not discrepancies and owed_after == 0),
    ]
    notes = [
        "wallet.refund_cycle_s times settle_refunds, the method the tracking cycle calls.",
        "confirm = open_order only (intent + charge, one transaction); the panel is instant.",
    ]
    metrics = {
        "wallets": wallet_rows,
        "ledger_entries": ledger_rows,
        "balance_p99_ms": balance_p99,
        "confirm_p99_ms": confirm_p99,
        "refunds": first.booked,
        "refund_cycle_s": round(first.settle_s, 3),
    }
    title = f"Wallets on {engine.label} ({sizes.label})"
    return ScenarioResult("wallet", title, metrics, rows, checks, notes)


# ----------------------------------------------------------------------------- timed rounds


class _Round:
    def __init__(self) -> None:
        self.open_times: list[float] = []
        self.place_times: list[float] = []
        self.booked = 0
        self.settle_s = 0.0
        self.exact = False
        self.wrong_amounts = 0  # refunds whose amount isn't the rule's (or missing, or extra)


async def _settle(
    store: Store,
    placed: dict[int, tuple[int, int, Decimal]],
    rng: random.Random,
    settle: Callable[..., Awaitable[list[Any]]],
    result: _Round,
) -> None:
    """The placed orders come back Canceled or Partial (stored as the tracking cycle stores
    statuses); one `settle` books their refunds, timed."""
    count = len(placed)
    statuses, due = [], {}
    for panel_id, (order_id, quantity, price) in placed.items():
        if rng.random() < 0.5:
            statuses.append(OrderStatus(panel_id, OrderStatusKind.CANCELED, Decimal(0), 0, quantity))
            due[order_id] = price
        else:
            remains = rng.randrange(1, quantity)
            statuses.append(OrderStatus(panel_id, OrderStatusKind.PARTIAL, Decimal(0), 0, remains))
            # The rule worked out here, not by `refund_due`: the undelivered share, rounded
            # down to whole units (DECIMALS = 0), never more than was charged.
            due[order_id] = price * remains // quantity
    answered = await store.orders.apply_statuses(statuses)
    assert answered == count, (answered, count)
    started = time.perf_counter()
    booked = await settle(limit=count)
    result.settle_s = time.perf_counter() - started
    result.booked = len(booked)
    got = {int(b.entry.reference.split(":")[1]): b.entry.amount for b in booked}
    wanted = {order_id: amount for order_id, amount in due.items() if amount > 0}
    result.exact = got == wanted
    result.wrong_amounts = sum(
        got.get(order_id) != wanted.get(order_id) for order_id in got.keys() | wanted.keys()
    )


async def _orders(
    store: Store,
    wallet: WalletService,
    users: list[int],
    count: int,
    rng: random.Random,
    tag: str,
    timing: _Round | None = None,
) -> dict[int, tuple[int, int, Decimal]]:
    """`count` wallet-paid orders of random customers, each confirmed then placed:
    panel ID → (order ID, quantity, price)."""
    placed = {}
    for i in range(count):
        user = rng.choice(users)
        quantity = rng.choice((100, 500, 1_000, 2_000, 5_000))
        price = Decimal(rng.randrange(5_000, 100_001, 500))
        order = NewOrder(
            user_id=user,
            chat_id=user,
            service_id=1 + i % 50,
            service_name="Bench likes",
            link=f"https://example.com/p/{tag}{i}",
            quantity=quantity,
            charge=Decimal(quantity) / 1000,
            confirm_token=f"bench-{tag}-{i}",
            price=price,
        )
        t0 = time.perf_counter()
        intent = await wallet.open_order(order)
        t1 = time.perf_counter()
        panel_id = PANEL_BASE + intent.id
        await store.orders.mark_order_placed(intent.id, panel_id)
        if timing is not None:
            timing.open_times.append(t1 - t0)
            timing.place_times.append(time.perf_counter() - t1)
        placed[panel_id] = (intent.id, quantity, price)
    return placed


def _p50_p99(times: list[float]) -> str:
    return f"{ms(percentile(times, 50)):.3f} / {ms(percentile(times, 99)):.3f} ms"


async def _bulk_orders(
    store: Store, users: list[int], count: int, rng: random.Random, tag: str
) -> dict[int, tuple[int, int, Decimal]]:
    """What `_orders` makes, written in bulk (not timed): `count` placed wallet-paid orders,
    each with its charge booked (balances moved, `balance_after` chained), one transaction."""
    now = utcnow()
    orders = []
    for i in range(count):
        user = rng.choice(users)
        quantity = rng.choice((100, 500, 1_000, 2_000, 5_000))
        orders.append(
            {
                "user_id": user,
                "chat_id": user,
                "service_id": 1 + i % 50,
                "service_name": "Bench likes",
                "link": f"https://example.com/p/{tag}{i}",
                "quantity": quantity,
                "charge": Decimal(quantity) / 1000,
                "confirm_token": f"bench-{tag}-{i}",
                "state": "placed",
                "status": OrderStatusKind.PENDING,
                "remains": quantity,
                "created_at": now,
                "updated_at": now,
                "notified_status": OrderStatusKind.PENDING,
                "price": Decimal(rng.randrange(5_000, 100_001, 500)),
            }
        )
    insert = tables.orders.insert().returning(tables.orders.c.id, sort_by_parameter_order=True)
    async with store.db.write() as conn:
        ids = [row.id for row in await conn.execute(insert, orders)]
        wanted = sorted({row["user_id"] for row in orders})
        balances = dict(
            (await conn.execute(select(tables.wallets.c.user_id, tables.wallets.c.balance))).tuples().all()
        )
        charges = []
        for order_id, row in zip(ids, orders, strict=True):
            user, price = row["user_id"], row["price"]
            balances[user] -= price
            charges.append(
                {
                    "user_id": user,
                    "kind": "charge",
                    "amount": -price,
                    "reference": f"order:{order_id}",
                    "note": None,
                    "idempotency_key": f"order:{order_id}:charge",
                    "balance_after": balances[user],
                    "created_at": now,
                }
            )
        await conn.execute(tables.ledger.insert(), charges)
        await conn.execute(
            update(tables.wallets).where(tables.wallets.c.user_id == bindparam("uid_")),
            [{"uid_": user, "balance": balances[user], "updated_at": now} for user in wanted],
        )
        await conn.execute(
            update(tables.orders).where(tables.orders.c.id == bindparam("oid_")),
            [{"oid_": order_id, "panel_order_id": PANEL_BASE + order_id} for order_id in ids],
        )
    return {
        PANEL_BASE + order_id: (order_id, int(str(row["quantity"])), Decimal(str(row["price"])))
        for order_id, row in zip(ids, orders, strict=True)
    }


class _Statements:
    """The SQL the store sends while the block runs (to show what a read touches)."""

    def __init__(self, store: Store) -> None:
        self._engine = store.db.engine.sync_engine
        self.seen: list[str] = []

    def _record(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.seen.append(statement)

    def __enter__(self) -> _Statements:
        event.listen(self._engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self._engine, "before_cursor_execute", self._record)


# ----------------------------------------------------------------------------- seeding


async def _seed(store: Store, users: list[int], entries: int, rng: random.Random) -> dict[int, Decimal]:
    """The users, their ledger (`entries` rows, round-robin over the users so that entries of
    different users interleave as in a live shop) and their wallets; each wallet's balance."""
    await seed_users(store, users)
    balances: dict[int, Decimal] = {}
    await bulk_insert(store, tables.ledger.insert(), _history(users, entries, rng, balances))
    now = utcnow()
    await bulk_insert(
        store,
        tables.wallets.insert(),
        ({"user_id": user, "balance": balance, "updated_at": now} for user, balance in balances.items()),
    )
    if store.db.name == "postgresql":
        async with store.db.write() as conn:  # what autovacuum would have done by now
            await conn.execute(text("ANALYZE ledger, wallets, orders"))
    return balances


def _history(
    users: list[int], entries: int, rng: random.Random, balances: dict[int, Decimal]
) -> Iterator[dict[str, object]]:
    """Ledger rows: a first top-up each, then charges (most), refunds of earlier charges,
    top-ups and admin adjustments; `balances` ends up holding each wallet's balance."""
    per_user, extra = divmod(entries, len(users))
    rounds = per_user + (1 if extra else 0)
    start = utcnow() - timedelta(hours=rounds + 1)
    open_charges: dict[int, list[tuple[int, Decimal]]] = {user: [] for user in users}
    serial = 0
    for r in range(rounds):
        at = start + timedelta(hours=r)
        for index, user in enumerate(users):
            if r == per_user and index >= extra:
                break
            serial += 1
            balance = balances.get(user, Decimal(0))
            roll = rng.random()
            charges = open_charges[user]
            if r == 0:
                kind, amount, key, ref = "topup", FIRST_TOPUP, f"topup:{serial}", f"topup:{serial}"
            elif roll < 0.10 and charges:
                order, charged = charges.pop(rng.randrange(len(charges)))
                share = rng.randrange(1, 11)  # tenths given back
                amount = max(Decimal(1), charged * share // 10)
                kind, key, ref = "refund", f"order:{order}:refund", f"order:{order}"
            elif roll < 0.15:
                amount = Decimal(rng.randrange(50_000, 1_000_001, 50_000))
                kind, key, ref = "topup", f"topup:{serial}", f"topup:{serial}"
            elif roll < 0.18:
                amount = Decimal(rng.randrange(1_000, 20_001, 1_000)) * (1 if rng.random() < 0.7 else -1)
                if balance + amount < 0:
                    amount = -amount
                word = "credit" if amount > 0 else "debit"
                kind, key, ref = "adjustment", f"{word}:bench-{serial}", "admin:1"
            else:
                amount = -Decimal(rng.randrange(1_000, 60_001, 500))
                if balance + amount < 0:
                    amount = Decimal(1_000_000)
                    kind, key, ref = "topup", f"topup:{serial}", f"topup:{serial}"
                else:
                    order = SEED_ORDER_BASE + serial
                    kind, key, ref = "charge", f"order:{order}:charge", f"order:{order}"
                    charges.append((order, -amount))
            balance += amount
            balances[user] = balance
            yield {
                "user_id": user,
                "kind": kind,
                "amount": amount,
                "reference": ref,
                "note": None,
                "idempotency_key": key,
                "balance_after": balance,
                "created_at": at,
            }
