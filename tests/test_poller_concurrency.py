"""The status poll at a real panel's pace: its ⌈n/100⌉ calls overlap (never more than the
poller's bound in flight, never more than the client's connection limit), each answer is
written as it arrives, and a call that fails mid-cycle stops the cycle without losing what
was written."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.panel.client import PanelClient
from bot.panel.simulator import FailureMode, PanelSimulator
from bot.services.poller import StatusPoller
from tests.test_poller import track

LATENCY = 0.2


@dataclass
class InFlight:
    now: int = 0
    most: int = 0
    arrived: int = 0
    fail_after: int | None = None  # requests answered normally before the panel breaks


def counting(sim: PanelSimulator) -> InFlight:
    """Wraps the simulator's handler (before it starts) to count requests in flight."""
    seen = InFlight()
    handle: Callable[[web.Request], Awaitable[web.StreamResponse]] = sim._handle

    async def counted(request: web.Request) -> web.StreamResponse:
        seen.now += 1
        seen.arrived += 1
        seen.most = max(seen.most, seen.now)
        if seen.fail_after is not None and seen.arrived > seen.fail_after:
            sim.failure = FailureMode.HTML_502
        try:
            return await handle(request)
        finally:
            seen.now -= 1

    sim._handle = counted  # type: ignore[method-assign]
    return seen


@pytest.fixture
async def world(database: str | Path) -> AsyncIterator[tuple[Any, ...]]:
    from bot.store import Store

    sim = PanelSimulator(api_key="k", service_count=20, latency=LATENCY)
    seen = counting(sim)
    await sim.start()
    store = Store(database)
    await store.open()
    await store.users.touch_user(1, "A")
    clients: list[PanelClient] = []

    def client(limit: int) -> PanelClient:
        made = PanelClient(sim.url, "k", timeout=5, retries=0, max_concurrency=limit)
        clients.append(made)
        return made

    yield store, sim, seen, client
    for made in clients:
        await made.close()
    await store.close()
    await sim.stop()


async def test_calls_overlap_within_the_bound(world: tuple[Any, ...]) -> None:
    store, sim, seen, client = world
    ids = sim.seed_orders(1_000, status="In progress")
    await track(store, ids)
    sim.set_status(ids[0], "Completed")
    sim.set_status(ids[-1], "Partial")
    poller = StatusPoller(store, client(20), concurrency=5)
    started = asyncio.get_running_loop().time()
    report = await poller.cycle()
    took = asyncio.get_running_loop().time() - started
    assert (report.orders_polled, report.status_calls) == (1_000, 10)
    assert len(sim.calls_for("status")) == 10  # still ⌈n/100⌉ calls
    assert seen.most == 5  # overlapped, and never past the bound
    assert took < 10 * LATENCY  # one after another would take 2 s
    assert (await store.orders.get_order_by_panel_id(ids[0])).status == "Completed"
    assert (await store.orders.get_order_by_panel_id(ids[-1])).status == "Partial"


async def test_the_clients_connection_limit_holds_whatever_asks(world: tuple[Any, ...]) -> None:
    store, sim, seen, client = world
    ids = sim.seed_orders(600, status="In progress")
    await track(store, ids)
    panel = client(3)
    poller = StatusPoller(store, panel, concurrency=10)  # asks for more than the client allows
    await asyncio.gather(poller.cycle(), panel.balance(), panel.balance())
    assert seen.most == 3


async def test_a_failing_call_stops_the_cycle_and_keeps_what_was_written(world: tuple[Any, ...]) -> None:
    store, sim, seen, client = world
    ids = sim.seed_orders(500, status="In progress")
    await track(store, ids)
    for panel_id in ids:
        sim.set_status(panel_id, "Completed")
    poller = StatusPoller(store, client(20), concurrency=2)
    seen.fail_after = 2
    report = await poller.cycle()
    assert report.failed is not None  # an outage: the poller backs off
    completed = [
        o for o in [await store.orders.get_order_by_panel_id(i) for i in ids] if o.status == "Completed"
    ]
    assert len(completed) == 200  # the two batches answered before it failed, no more, no fewer
    await asyncio.sleep(LATENCY * 2)
    assert seen.now == 0  # nothing left running after the cycle
