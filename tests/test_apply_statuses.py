"""Storing a status answer rewrites only the rows it changes: the others just get their
`checked_at` (most polls change nothing, and every rewritten row costs index updates)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from bot.panel.models import OrderStatus
from bot.store import NewOrder, Store
from bot.store.tables import orders


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


async def test_only_changed_rows_are_rewritten(database: str | Path) -> None:
    clock = Clock()
    async with Store(database, clock=clock) as store:
        await store.users.touch_user(1, "A")
        for panel_id in (11, 12, 13):
            intent = await store.orders.create_order_intent(
                NewOrder(1, 1, 1, "s", f"https://x.y/{panel_id}", 100, Decimal(1), f"t{panel_id}")
            )
            await store.orders.mark_order_placed(intent.id, panel_id)
        placed = clock.now
        first = [OrderStatus(pid, "In progress", Decimal("0.5"), 10, 90) for pid in (11, 12, 13)]
        clock.now += timedelta(minutes=1)
        assert await store.orders.apply_statuses(first) == 3

        clock.now += timedelta(minutes=1)
        second = [
            OrderStatus(11, "In progress", Decimal("0.50"), 10, 90),  # the same, spelled otherwise
            OrderStatus(12, "In progress", None, None, 40),  # progress: remains changed
            OrderStatus(13, "Completed", None, None, None),  # status changed, nothing else said
            OrderStatus(99, "Completed"),  # not ours
        ]
        assert await store.orders.apply_statuses(second) == 3
        same, progressed, done = [await store.orders.get_order_by_panel_id(p) for p in (11, 12, 13)]
        async with store.db.read() as conn:
            query = select(orders.c.panel_order_id, orders.c.checked_at, orders.c.updated_at)
            stamps = {row[0]: (row[1], row[2]) for row in await conn.execute(query)}
    assert all(checked == clock.now for checked, _ in stamps.values())  # every answered row checked
    assert stamps[11][1] == placed + timedelta(minutes=1)  # untouched by the unchanged answer
    assert same is not None and progressed is not None and done is not None
    assert (same.status, same.remains, same.charge) == ("In progress", 90, Decimal("0.5"))
    assert (progressed.remains, progressed.start_count, progressed.charge) == (40, 10, Decimal("0.5"))
    assert (done.status, done.remains, done.charge) == ("Completed", 90, Decimal("0.5"))  # kept
    assert stamps[13][1] == clock.now  # a new status is news: the notifier looks at updated_at


async def test_a_charge_is_rewritten_when_its_amount_changes_not_its_spelling(database: str | Path) -> None:
    """The stored charge is compared as the driver reads it (text on SQLite, a Decimal on
    PostgreSQL): a new spelling of the same amount leaves the row alone, a new amount is kept."""
    async with Store(database) as store:
        await store.users.touch_user(1, "A")
        for panel_id in (21, 22):
            intent = await store.orders.create_order_intent(
                NewOrder(1, 1, 1, "s", f"https://x.y/{panel_id}", 100, Decimal(1), f"t{panel_id}")
            )
            await store.orders.mark_order_placed(intent.id, panel_id)
        await store.orders.apply_statuses(
            [OrderStatus(pid, "In progress", Decimal("0.5"), 10, 90) for pid in (21, 22)]
        )
        await store.orders.apply_statuses(
            [
                OrderStatus(21, "In progress", Decimal("0.500"), 10, 90),
                OrderStatus(22, "In progress", Decimal("0.4999"), 10, 90),
            ]
        )
        same, cheaper = [await store.orders.get_order_by_panel_id(p) for p in (21, 22)]
    assert same is not None and cheaper is not None
    assert str(same.charge) == "0.5"  # as first written: the row was not rewritten
    assert cheaper.charge == Decimal("0.4999")
