"""The store, on both engines: intents before `add`, one order per confirmation; and what is
SQLite-specific about a file (WAL, foreign keys, partial indexes)."""

from __future__ import annotations

import asyncio
import re
import stat
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from bot.panel.models import OrderStatus
from bot.store import DuplicateConfirmation, NewOrder, OrderState, Store
from bot.store.migrate import current, head


@pytest.fixture
async def store(database: str | Path):
    async with Store(database) as s:
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


async def test_sqlite_creates_folder_file_0600_wal_and_schema(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "bot.sqlite3"
    async with Store(path) as s:
        assert s.engine == "sqlite"
        assert await current(s.db) == head()
        async with s.db.read() as conn:
            assert (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"
            assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1
        async with s.db.write() as conn:  # a writing connection is set up alike
            assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


async def test_reopen_keeps_data_and_does_not_remigrate(database: str | Path) -> None:
    async with Store(database) as s:
        await s.users.touch_user(1, "An")
        await s.users.set_language(1, "vi")
        revision = await current(s.db)
    assert revision == head()
    async with Store(database) as s:
        user = await s.users.get_user(1)
        assert user is not None and user.language == "vi" and user.first_name == "An"
        assert await current(s.db) == revision


async def test_user_blocked_flag_clears_when_they_come_back(store: Store) -> None:
    await store.users.touch_user(5, "Bình", "binh")
    await store.users.set_blocked(5, True)
    assert (await store.users.get_user(5)).blocked
    await store.users.touch_user(5, "Bình", "binh")
    assert not (await store.users.get_user(5)).blocked


async def test_intent_is_recorded_before_placement_and_completed_after(store: Store) -> None:
    await store.users.touch_user(1, "A")
    order = await store.orders.create_order_intent(intent())
    assert order.state is OrderState.INTENT and order.panel_order_id is None
    assert order.charge == Decimal("18750.5") and order.service_name == "Tăng like 👍"
    assert [o.id for o in await store.orders.unresolved_orders(1)] == [order.id]

    await store.orders.mark_order_placed(order.id, 100001)
    placed = await store.orders.get_order_by_panel_id(100001)
    assert placed is not None and placed.id == order.id and placed.state is OrderState.PLACED
    assert await store.orders.unresolved_orders(1) == []
    assert await store.orders.due_order_ids() == [100001]


async def test_unknown_outcome_is_kept_and_surfaced(store: Store) -> None:
    await store.users.touch_user(1, "A")
    order = await store.orders.create_order_intent(intent())
    await store.orders.mark_order_unknown(order.id, "timeout")
    unresolved = await store.orders.unresolved_orders()
    assert [(o.id, o.state, o.error) for o in unresolved] == [(order.id, OrderState.UNKNOWN, "timeout")]
    assert await store.orders.count_user_orders(1) == 1  # still listed to its owner


async def test_failed_order_is_not_listed_as_an_order(store: Store) -> None:
    await store.users.touch_user(1, "A")
    order = await store.orders.create_order_intent(intent())
    await store.orders.mark_order_failed(order.id, "Not enough funds on balance")
    assert await store.orders.list_user_orders(1) == []
    assert (await store.orders.get_order(order.id)).error == "Not enough funds on balance"


async def test_one_order_per_confirmation_even_concurrently(store: Store) -> None:
    await store.users.touch_user(1, "A")
    results = await asyncio.gather(
        *(store.orders.create_order_intent(intent(token="same")) for _ in range(5)), return_exceptions=True
    )
    created = [r for r in results if not isinstance(r, Exception)]
    assert len(created) == 1
    assert all(isinstance(r, DuplicateConfirmation) for r in results if isinstance(r, Exception))
    assert await store.orders.count_user_orders(1) == 1


async def test_foreign_key_rejects_unknown_user(store: Store) -> None:
    with pytest.raises(IntegrityError, match=r"(?i)foreign key"):
        await store.orders.create_order_intent(intent(user_id=999))


async def test_user_orders_are_their_own_newest_first(store: Store) -> None:
    for user in (1, 2):
        await store.users.touch_user(user, "x")
    ids = [(await store.orders.create_order_intent(intent(token=f"a{i}"))).id for i in range(3)]
    await store.orders.create_order_intent(intent(user_id=2, token="b"))
    assert [o.id for o in await store.orders.list_user_orders(1)] == ids[::-1]
    assert [o.id for o in await store.orders.list_user_orders(1, limit=2, offset=1)] == ids[1::-1]
    assert await store.orders.count_user_orders(2) == 1


async def test_apply_statuses_updates_in_one_batch(store: Store) -> None:
    await store.users.touch_user(1, "A")
    a = await store.orders.create_order_intent(intent(token="a"))
    b = await store.orders.create_order_intent(intent(token="b"))
    await store.orders.mark_order_placed(a.id, 11)
    await store.orders.mark_order_placed(b.id, 12)
    changed = await store.orders.apply_statuses(
        [
            OrderStatus(11, "Partial", charge=Decimal("100.25"), start_count=5, remains=-3),
            OrderStatus(12, "Unknown", error="Incorrect order ID"),
        ]
    )
    assert changed == 1
    a2, b2 = await store.orders.get_order(a.id), await store.orders.get_order(b.id)
    assert (a2.status, a2.charge, a2.remains, a2.start_count) == ("Partial", Decimal("100.25"), -3, 5)
    assert b2.status == "Pending"  # an error for one ID changes nothing about it
    assert await store.orders.due_order_ids() == [12]


async def test_refills_are_listed_per_user(store: Store) -> None:
    await store.users.touch_user(1, "A")
    order = await store.orders.create_order_intent(intent())
    await store.orders.mark_order_placed(order.id, 55)
    refill = await store.refills.add_refill(order.id, 1, 901)
    assert (refill.refill_id, refill.panel_order_id, refill.status) == (901, 55, "Pending")
    assert [r.refill_id for r in await store.refills.list_user_refills(1)] == [901]
    assert await store.refills.list_user_refills(2) == []


def test_literal_sql_conditions_match_the_final_statuses() -> None:
    """The partial-index conditions are literal SQL; they must list exactly the final statuses,
    and read exactly as the indexes' WHERE in the migration that creates them."""
    from bot.panel.models import FINAL_ORDER_STATUSES, FINAL_REFILL_STATUSES
    from bot.store.tables import OPEN_ORDER_SQL, OPEN_REFILL_SQL

    for condition, finals in (
        (OPEN_ORDER_SQL, FINAL_ORDER_STATUSES),
        (OPEN_REFILL_SQL, FINAL_REFILL_STATUSES),
    ):
        listed = condition.split("NOT IN (", 1)[1].rstrip(")").replace("'", "").split(", ")
        assert len(listed) == len(set(listed)) and set(listed) == set(finals)

    baseline = (Path(__file__).parents[1] / "bot/store/migrations/versions/0001_baseline.py").read_text()
    assert "_FINAL_ORDER = " in baseline and "_FINAL_REFILL = " in baseline
    # The migration spells the lists as constants: substitute them as Python would.
    constants = dict(re.findall(r'^(_FINAL_\w+) = "(.*)"$', baseline, flags=re.MULTILINE))
    wheres = [
        re.sub(r"\{(_FINAL_\w+)\}", lambda m: constants[m.group(1)], where)
        for where in re.findall(r'\*\*_partial\(f"(.*)"\)', baseline)
    ]
    assert OPEN_ORDER_SQL in wheres and OPEN_REFILL_SQL in wheres


async def test_due_orders_polls_stuck_orders_less_often(database: str | Path) -> None:
    from datetime import UTC, datetime, timedelta

    now = [datetime(2026, 1, 10, tzinfo=UTC)]
    async with Store(database, clock=lambda: now[0]) as s:
        await s.users.touch_user(1, "A")
        old = await s.orders.create_order_intent(intent(token="old"))
        await s.orders.mark_order_placed(old.id, 1)
        now[0] += timedelta(days=3)
        fresh = await s.orders.create_order_intent(intent(token="fresh"))
        await s.orders.mark_order_placed(fresh.id, 2)
        assert set(await s.orders.due_order_ids()) == {1, 2}
        await s.orders.apply_statuses([OrderStatus(1, "In progress"), OrderStatus(2, "In progress")])
        now[0] += timedelta(minutes=5)
        assert await s.orders.due_order_ids() == [2]  # the old one waits an hour
        now[0] += timedelta(hours=1)
        assert set(await s.orders.due_order_ids()) == {1, 2}


async def test_notifications_pending_until_marked_and_never_for_blocked(store: Store) -> None:
    for user in (1, 2):
        await store.users.touch_user(user, "x")
    a = await store.orders.create_order_intent(intent(token="a"))
    b = await store.orders.create_order_intent(intent(user_id=2, token="b"))
    await store.orders.mark_order_placed(a.id, 11)
    await store.orders.mark_order_placed(b.id, 12)
    statuses = ("In progress", "Completed", "Partial", "Canceled")
    assert await store.orders.orders_to_notify(statuses, 100) == []  # Pending: nothing to tell
    await store.orders.apply_statuses([OrderStatus(11, "Completed"), OrderStatus(12, "Completed")])
    assert {o.id for o in await store.orders.orders_to_notify(statuses, 100)} == {a.id, b.id}
    await store.orders.set_order_notified(a.id, "Completed")
    await store.users.set_blocked(2, True)
    assert await store.orders.orders_to_notify(statuses, 100) == []


async def test_a_refill_id_the_panel_repeats_is_recorded_once(store: Store) -> None:
    """Some panels answer a second refill request with the refill already running."""
    await store.users.touch_user(1, "A")
    order = await store.orders.create_order_intent(intent())
    await store.orders.mark_order_placed(order.id, 55)
    first = await store.refills.add_refill(order.id, 1, 901)
    again = await store.refills.add_refill(order.id, 1, 901)
    assert again.id == first.id
    assert [r.refill_id for r in await store.refills.list_user_refills(1)] == [901]
