"""The SQLite store: migrations, intents before `add`, one order per confirmation."""

from __future__ import annotations

import asyncio
import stat
from decimal import Decimal
from pathlib import Path

import pytest

from bot.panel.models import OrderStatus
from bot.store import DuplicateConfirmation, NewOrder, OrderState, SqliteStore
from bot.store.schema import MIGRATIONS


@pytest.fixture
async def store(tmp_path: Path):
    async with SqliteStore(tmp_path / "sub" / "bot.sqlite3") as s:
        yield s


def intent(user_id: int = 1, token: str = "tok-1", **kw) -> NewOrder:
    fields = dict(
        user_id=user_id,
        chat_id=user_id,
        service_id=7,
        service_name="Tăng like 👍",
        link="https://facebook.com/p/1",
        quantity=1500,
        charge=Decimal("18750.5"),
        confirm_token=token,
    )
    fields.update(kw)
    return NewOrder(**fields)


async def test_creates_folder_file_0600_wal_and_schema(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "bot.sqlite3"
    async with SqliteStore(path) as s:
        assert await s.schema_version() == len(MIGRATIONS)
        async with s.db.execute("PRAGMA journal_mode") as cur:
            assert (await cur.fetchone())[0] == "wal"
        async with s.db.execute("PRAGMA foreign_keys") as cur:
            assert (await cur.fetchone())[0] == 1
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_reopen_keeps_data_and_does_not_remigrate(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    async with SqliteStore(path) as s:
        await s.touch_user(1, "An")
        await s.set_language(1, "vi")
    async with SqliteStore(path) as s:
        user = await s.get_user(1)
        assert user is not None and user.language == "vi" and user.first_name == "An"
        assert await s.schema_version() == len(MIGRATIONS)


async def test_user_blocked_flag_clears_when_they_come_back(store: SqliteStore) -> None:
    await store.touch_user(5, "Bình", "binh")
    await store.set_blocked(5, True)
    assert (await store.get_user(5)).blocked
    await store.touch_user(5, "Bình", "binh")
    assert not (await store.get_user(5)).blocked


async def test_intent_is_recorded_before_placement_and_completed_after(store: SqliteStore) -> None:
    await store.touch_user(1, "A")
    order = await store.create_order_intent(intent())
    assert order.state is OrderState.INTENT and order.panel_order_id is None
    assert order.charge == Decimal("18750.5") and order.service_name == "Tăng like 👍"
    assert [o.id for o in await store.unresolved_orders(1)] == [order.id]

    await store.mark_order_placed(order.id, 100001)
    placed = await store.get_order_by_panel_id(100001)
    assert placed is not None and placed.id == order.id and placed.state is OrderState.PLACED
    assert await store.unresolved_orders(1) == []
    assert await store.due_order_ids() == [100001]


async def test_unknown_outcome_is_kept_and_surfaced(store: SqliteStore) -> None:
    await store.touch_user(1, "A")
    order = await store.create_order_intent(intent())
    await store.mark_order_unknown(order.id, "timeout")
    unresolved = await store.unresolved_orders()
    assert [(o.id, o.state, o.error) for o in unresolved] == [(order.id, OrderState.UNKNOWN, "timeout")]
    assert await store.count_user_orders(1) == 1  # still listed to its owner


async def test_failed_order_is_not_listed_as_an_order(store: SqliteStore) -> None:
    await store.touch_user(1, "A")
    order = await store.create_order_intent(intent())
    await store.mark_order_failed(order.id, "Not enough funds on balance")
    assert await store.list_user_orders(1) == []
    assert (await store.get_order(order.id)).error == "Not enough funds on balance"


async def test_one_order_per_confirmation_even_concurrently(store: SqliteStore) -> None:
    await store.touch_user(1, "A")
    results = await asyncio.gather(
        *(store.create_order_intent(intent(token="same")) for _ in range(5)), return_exceptions=True
    )
    created = [r for r in results if not isinstance(r, Exception)]
    assert len(created) == 1
    assert all(isinstance(r, DuplicateConfirmation) for r in results if isinstance(r, Exception))
    assert await store.count_user_orders(1) == 1


async def test_foreign_key_rejects_unknown_user(store: SqliteStore) -> None:
    with pytest.raises(Exception, match="FOREIGN KEY"):
        await store.create_order_intent(intent(user_id=999))


async def test_user_orders_are_their_own_newest_first(store: SqliteStore) -> None:
    for user in (1, 2):
        await store.touch_user(user, "x")
    ids = [(await store.create_order_intent(intent(token=f"a{i}"))).id for i in range(3)]
    await store.create_order_intent(intent(user_id=2, token="b"))
    assert [o.id for o in await store.list_user_orders(1)] == ids[::-1]
    assert [o.id for o in await store.list_user_orders(1, limit=2, offset=1)] == ids[1::-1]
    assert await store.count_user_orders(2) == 1


async def test_apply_statuses_updates_in_one_batch(store: SqliteStore) -> None:
    await store.touch_user(1, "A")
    a = await store.create_order_intent(intent(token="a"))
    b = await store.create_order_intent(intent(token="b"))
    await store.mark_order_placed(a.id, 11)
    await store.mark_order_placed(b.id, 12)
    changed = await store.apply_statuses(
        [
            OrderStatus(11, "Partial", charge=Decimal("100.25"), start_count=5, remains=-3),
            OrderStatus(12, "Unknown", error="Incorrect order ID"),
        ]
    )
    assert changed == 1
    a2, b2 = await store.get_order(a.id), await store.get_order(b.id)
    assert (a2.status, a2.charge, a2.remains, a2.start_count) == ("Partial", Decimal("100.25"), -3, 5)
    assert b2.status == "Pending"  # an error for one ID changes nothing about it
    assert await store.due_order_ids() == [12]


async def test_refills_are_listed_per_user(store: SqliteStore) -> None:
    await store.touch_user(1, "A")
    order = await store.create_order_intent(intent())
    await store.mark_order_placed(order.id, 55)
    refill = await store.add_refill(order.id, 1, 901)
    assert (refill.refill_id, refill.panel_order_id, refill.status) == (901, 55, "Pending")
    assert [r.refill_id for r in await store.list_user_refills(1)] == [901]
    assert await store.list_user_refills(2) == []


def test_literal_sql_conditions_match_the_final_statuses() -> None:
    """The partial-index conditions are literal SQL; they must list exactly the final statuses."""
    from bot.panel.models import FINAL_ORDER_STATUSES, FINAL_REFILL_STATUSES
    from bot.store import sqlite

    for condition, finals in (
        (sqlite._OPEN_ORDER, FINAL_ORDER_STATUSES),
        (sqlite._OPEN_REFILL, FINAL_REFILL_STATUSES),
    ):
        listed = condition.split("NOT IN (", 1)[1].rstrip(")").replace("'", "").split(", ")
        assert set(listed) == set(finals)

    def latest(index: str) -> str:  # the migration that last (re)created the index
        found = next(m for m in reversed(MIGRATIONS) if f"CREATE INDEX {index} " in m)
        return found.replace("\n        ", " ")

    assert sqlite._OPEN_ORDER in latest("orders_open") and sqlite._OPEN_REFILL in latest("refills_open")


async def test_due_orders_polls_stuck_orders_less_often(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    now = [datetime(2026, 1, 10, tzinfo=UTC)]
    async with SqliteStore(tmp_path / "d.sqlite3", clock=lambda: now[0]) as s:
        await s.touch_user(1, "A")
        old = await s.create_order_intent(intent(token="old"))
        await s.mark_order_placed(old.id, 1)
        now[0] += timedelta(days=3)
        fresh = await s.create_order_intent(intent(token="fresh"))
        await s.mark_order_placed(fresh.id, 2)
        assert set(await s.due_order_ids()) == {1, 2}
        await s.apply_statuses([OrderStatus(1, "In progress"), OrderStatus(2, "In progress")])
        now[0] += timedelta(minutes=5)
        assert await s.due_order_ids() == [2]  # the old one waits an hour
        now[0] += timedelta(hours=1)
        assert set(await s.due_order_ids()) == {1, 2}


async def test_notifications_pending_until_marked_and_never_for_blocked(store: SqliteStore) -> None:
    for user in (1, 2):
        await store.touch_user(user, "x")
    a = await store.create_order_intent(intent(token="a"))
    b = await store.create_order_intent(intent(user_id=2, token="b"))
    await store.mark_order_placed(a.id, 11)
    await store.mark_order_placed(b.id, 12)
    statuses = ("In progress", "Completed", "Partial", "Canceled")
    assert await store.orders_to_notify(statuses, 100) == []  # Pending: nothing to tell
    await store.apply_statuses([OrderStatus(11, "Completed"), OrderStatus(12, "Completed")])
    assert {o.id for o in await store.orders_to_notify(statuses, 100)} == {a.id, b.id}
    await store.set_order_notified(a.id, "Completed")
    await store.set_blocked(2, True)
    assert await store.orders_to_notify(statuses, 100) == []


async def test_a_refill_id_the_panel_repeats_is_recorded_once(store: SqliteStore) -> None:
    """Some panels answer a second refill request with the refill already running."""
    await store.touch_user(1, "A")
    order = await store.create_order_intent(intent())
    await store.mark_order_placed(order.id, 55)
    first = await store.add_refill(order.id, 1, 901)
    again = await store.add_refill(order.id, 1, 901)
    assert again.id == first.id
    assert [r.refill_id for r in await store.list_user_refills(1)] == [901]
