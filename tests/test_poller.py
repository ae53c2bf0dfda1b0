"""Status polling against the simulator: batching, back-off, recovery, refills."""

from __future__ import annotations

import itertools
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.panel.client import PanelClient
from bot.panel.simulator import FailureMode, PanelSimulator
from bot.services.poller import MAX_BACKOFF_SECONDS, StatusPoller
from bot.store import NewOrder, Store


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def env(database: str | Path) -> AsyncIterator[tuple[StatusPoller, Store, PanelSimulator, Clock]]:
    sim = PanelSimulator(api_key="k", service_count=50)
    await sim.start()
    panel = PanelClient(sim.url, "k", timeout=1, retries=0)
    store = Store(database)
    await store.open()
    await store.users.touch_user(1, "A")
    clock = Clock()
    yield StatusPoller(store, panel, base_backoff=60, clock=clock), store, sim, clock
    await store.close()
    await panel.close()
    await sim.stop()


async def track(store: Store, panel_ids: list[int]) -> None:
    for panel_id in panel_ids:
        intent = await store.orders.create_order_intent(
            NewOrder(1, 1, 1, "s", f"https://x.y/{panel_id}", 100, 1, confirm_token=f"t{panel_id}")  # type: ignore[arg-type]
        )
        await store.orders.mark_order_placed(intent.id, panel_id)


async def test_250_active_orders_take_3_status_calls(env) -> None:
    poller, store, sim, _ = env
    ids = sim.seed_orders(250)
    await track(store, ids)
    sim.set_status(ids[0], "Completed")
    sim.set_status(ids[1], "cancelled")
    report = await poller.cycle()
    assert (report.orders_polled, report.status_calls) == (250, 3)
    assert len(sim.calls_for("status")) == 3
    assert report.changed == 250  # every row got its first check (checked_at) or a new status
    assert (await store.orders.get_order_by_panel_id(ids[1])).status == "Canceled"  # normalised
    # Final orders are not asked about again.
    sim.calls.clear()
    assert (await poller.cycle()).orders_polled == 248
    assert len(sim.calls_for("status")) == 3


async def test_no_active_orders_no_calls(env) -> None:
    poller, _, sim, _ = env
    report = await poller.cycle()
    assert report.status_calls == 0 and sim.calls == []


async def test_outage_backs_off_doubling_then_recovers(env, caplog: pytest.LogCaptureFixture) -> None:
    poller, store, sim, clock = env
    ids = sim.seed_orders(3)
    await track(store, ids)
    sim.failure = FailureMode.HTML_502
    caplog.set_level(logging.INFO)
    attempts = []
    for _minute in range(40):  # 40 one-minute cycles of outage
        report = await poller.cycle()
        if not report.skipped:
            attempts.append(clock.now)
        clock.now += 60
    gaps = [b - a for a, b in itertools.pairwise(attempts)]
    assert gaps[:6] == [60, 120, 240, 480, 600, 600]  # doubling, capped at 10 minutes
    assert max(gaps) <= MAX_BACKOFF_SECONDS
    assert len(sim.calls_for("status")) == len(attempts) < 10  # 40 cycles cost < 10 calls
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith("bot")]
    assert len(warnings) == 1 and "backs off" in warnings[0].getMessage()  # logged once per outage
    assert poller.outage_seconds >= 30 * 60

    sim.failure = FailureMode.NONE
    clock.now += MAX_BACKOFF_SECONDS
    report = await poller.cycle()
    assert report.status_calls == 1 and report.failed is None and poller.outage_seconds == 0
    assert any("reachable again" in r.getMessage() for r in caplog.records)
    assert not (await poller.cycle()).skipped  # back to every cycle


async def test_refills_are_tracked_in_one_multi_call(env) -> None:
    poller, store, sim, _ = env
    refillable = next(s for s in sim.services if s.get("refill") and s["type"] == "Default")
    ids = sim.seed_orders(2, status="Completed", service_id=int(refillable["service"]))
    await track(store, ids)
    client = PanelClient(sim.url, "k")
    try:
        refill_ids = [await client.refill(i) for i in ids]
    finally:
        await client.close()
    for panel_id, refill_id in zip(ids, refill_ids, strict=True):
        order = await store.orders.get_order_by_panel_id(panel_id)
        await store.refills.add_refill(order.id, 1, refill_id)
    sim.finish_refill(refill_ids[0], "Completed")
    report = await poller.cycle()
    assert (report.refills_polled, report.refill_calls) == (2, 1)
    refills = {r.refill_id: r.status for r in await store.refills.list_user_refills(1)}
    assert refills[refill_ids[0]] == "Completed"
    assert (await poller.cycle()).refills_polled == 1  # the finished one is done
