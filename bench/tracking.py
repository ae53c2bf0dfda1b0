"""Order tracking: one cycle of the real tracking job over a big store.

World: `tracked_orders` placed orders in the store (SQLite, or PostgreSQL: see `bench.engines`;
`active_orders` of them still running, the rest final), the simulator holding the same orders
with the same statuses, latency 0.  Timed: one `TrackingJob.run` (poll every due order in
⌈active/100⌉ multi-status calls, write each batch, look for notices, check alerts), exactly
what the job queue runs every STATUS_POLL_SECONDS.

The simulator shares this process, so the cycle's wall time includes the simulator's own work
answering 200 calls; that share is measured (time inside its request handler) and shown, and
the bot's own time is reported with it subtracted.
"""

from __future__ import annotations

import asyncio
import json
import math
import sqlite3
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bench.common import (
    PANEL_KEY,
    Check,
    Meter,
    ScenarioResult,
    Sizes,
    seed_tracking_world,
    settings_for,
    simulator,
)
from bench.engines import Engine
from bot.config import Settings
from bot.panel.client import MAX_IDS_PER_CALL
from bot.panel.simulator import PanelSimulator
from bot.runtime import BotRuntime, poll_concurrency
from bot.telegram.notifier import TrackingRun
from tests.support.runtime import free_port

TARGET_CYCLE_S = 3.0
TARGET_LATENCY_CYCLE_S = 20.0
TARGET_LOCAL_CYCLE_S = 2.0
TARGET_LOCAL_RATIO = 1.5
# The store calls of a cycle, by the part of the store that owns them.
STORE_METHODS = (
    ("orders", "due_order_ids"),
    ("orders", "apply_statuses"),
    ("refills", "due_refill_ids"),
    ("refills", "update_refill_statuses"),
    ("orders", "orders_to_notify"),
    ("refills", "refills_to_notify"),
    ("kv", "load_namespace"),
)


async def run(sizes: Sizes, engine: Engine) -> ScenarioResult:
    sim = simulator(sizes)
    sim_meter = Meter()
    # Wrapped before start(): the simulator's router binds `self._handle` when it starts.
    sim._handle = sim_meter.wrap(sim._handle)  # type: ignore[method-assign]
    with tempfile.TemporaryDirectory(prefix="bench-tracking-") as tmp:
        async with sim, engine.database(Path(tmp)) as database:
            runtime = BotRuntime(settings_for(database, "http://127.0.0.1:9/bot", sim.url))
            await runtime.store.open()
            try:
                started = time.perf_counter()
                await seed_tracking_world(runtime.store, sim, sizes.tracked_orders, sizes.active_orders)
                seed_s = time.perf_counter() - started
                return await _measure(runtime, sim, sim_meter, sizes, seed_s, engine)
            finally:
                await runtime.stop()


async def _measure(
    runtime: BotRuntime, sim: PanelSimulator, sim_meter: Meter, sizes: Sizes, seed_s: float, engine: Engine
) -> ScenarioResult:
    await runtime.panel.balance()  # open the panel client's connection pool, as a running bot has
    store_meters = {name: Meter() for _, name in STORE_METHODS}
    panel_meter = Meter()
    for part, name in STORE_METHODS:
        _instrument(getattr(runtime.store, part), (name,), store_meters[name])
    _instrument(runtime.panel, ("statuses", "refill_statuses"), panel_meter)
    calls_before = len(sim.calls_for("status"))
    sim_meter.seconds = 0.0

    started = time.perf_counter()
    outcome = await runtime.tracking.run(runtime.app.bot)
    cycle_s = time.perf_counter() - started

    status_calls = len(sim.calls_for("status")) - calls_before
    expected_calls = math.ceil(sizes.active_orders / MAX_IDS_PER_CALL)
    own_s = cycle_s - sim_meter.seconds
    store_s = sum(m.seconds for m in store_meters.values())
    store_calls = sum(m.calls for m in store_meters.values())
    busiest = sorted(store_meters.items(), key=lambda item: -item[1].seconds)[:2]
    rows = [
        ("database", engine.label),
        ("tracked orders / still running", f"{sizes.tracked_orders:,} / {sizes.active_orders:,}"),
        ("seeding (bulk insert + simulator), not timed", f"{seed_s:.1f} s"),
        ("orders polled", f"{outcome.cycle.orders_polled:,}"),
        ("panel status calls", f"{status_calls} (expected ⌈{sizes.active_orders:,}/100⌉ = {expected_calls})"),
        ("cycle wall time (simulator latency 0)", f"{cycle_s:.3f} s"),
        (f"  store ({runtime.store.db.url.drivername})", f"{store_s:.3f} s in {store_calls} calls"),
        *((f"    {name}", f"{m.seconds:.3f} s in {m.calls} calls") for name, m in busiest),
        (
            "  panel client (HTTP + parsing, incl. simulator)",
            f"{panel_meter.seconds:.3f} s in {panel_meter.calls} calls",
        ),
        ("  simulator's own request handling", f"{sim_meter.seconds:.3f} s"),
        ("cycle minus simulator = bot's own time", f"{own_s:.3f} s"),
        ("notices sent / alerts", f"{outcome.delivery.sent} / {len(outcome.alerts)}"),
    ]
    checks = [
        Check(
            f"status calls = {expected_calls}", status_calls == expected_calls == outcome.cycle.status_calls
        ),
        Check(
            f"all {sizes.active_orders:,} running orders polled",
            outcome.cycle.orders_polled == sizes.active_orders,
        ),
        Check(f"cycle < {TARGET_CYCLE_S:g} s", cycle_s < TARGET_CYCLE_S),
    ]
    notes = ["tracking.cycle_s is the whole wall time, simulator work included (conservative)."]
    metrics = {
        "orders": sizes.tracked_orders,
        "active": sizes.active_orders,
        "status_calls": status_calls,
        "cycle_s": round(cycle_s, 3),
    }
    title = f"Tracking cycle on {engine.label} ({sizes.label})"
    return ScenarioResult("tracking", title, metrics, rows, checks, notes)


def _instrument(target: object, names: tuple[str, ...], meter: Meter) -> None:
    """Time these coroutine methods of one object (instance attributes shadow the class's)."""
    for name in names:
        method: Callable[..., Awaitable[Any]] = getattr(target, name)
        setattr(target, name, meter.wrap(method))


async def run_latency(sizes: Sizes) -> ScenarioResult:
    """One cycle over `latency_orders` running orders with a panel taking `panel_latency_s` per
    call: what bounds the cycle there is waiting for the panel, which overlapping calls
    (PANEL_MAX_CONCURRENCY less two in flight) divides.  SQLite: the store is not the limit."""
    with tempfile.TemporaryDirectory(prefix="bench-tracking-latency-") as tmp:
        run = await _all_running_cycle(sizes, Path(tmp) / "bench.sqlite3", sizes.panel_latency_s)
    outcome, cycle_s, status_calls, orders = run.outcome, run.cycle_s, run.status_calls, len(run.polled)
    in_flight = poll_concurrency(run.settings.panel_max_concurrency)
    expected_calls = math.ceil(orders / MAX_IDS_PER_CALL)
    waiting_floor = math.ceil(expected_calls / in_flight) * sizes.panel_latency_s
    one_by_one = expected_calls * sizes.panel_latency_s
    rows = [
        ("running orders", f"{orders:,}"),
        ("panel latency per call", f"{sizes.panel_latency_s:g} s"),
        ("status calls", f"{status_calls} (expected ⌈{orders:,}/100⌉ = {expected_calls})"),
        ("calls in flight (PANEL_MAX_CONCURRENCY − 2)", f"{in_flight}"),
        ("cycle wall time", f"{cycle_s:.3f} s"),
        ("floor: waiting alone, ⌈calls / in flight⌉ × latency", f"{waiting_floor:.3f} s"),
        ("ratio to the floor", f"{cycle_s / waiting_floor:.2f}×"),
        ("the same calls one after another (before)", f"{one_by_one:.1f} s"),
    ]
    checks = [
        Check(
            f"status calls = {expected_calls}", status_calls == expected_calls == outcome.cycle.status_calls
        ),
        Check(f"all {orders:,} running orders polled", outcome.cycle.orders_polled == orders),
        Check(
            f"cycle ≤ {TARGET_LATENCY_CYCLE_S:g} s at {sizes.panel_latency_s:g} s per call",
            cycle_s <= TARGET_LATENCY_CYCLE_S,
        ),
    ]
    metrics = {
        "orders": orders,
        "status_calls": status_calls,
        "panel_latency_s": sizes.panel_latency_s,
        "cycle_s": round(cycle_s, 3),
    }
    notes = ["The simulator sleeps panel_latency_s in every call; its own work shares this process."]
    title = f"Tracking at panel latency ({sizes.label})"
    return ScenarioResult("tracking_latency", title, metrics, rows, checks, notes)


async def run_local(sizes: Sizes) -> ScenarioResult:
    """One cycle over `latency_orders` orders, all running, with an instant panel: the bot's own
    work (HTTP round trips, parsing, writing), beside a floor measured on the same file in the
    same run: raw `sqlite3` doing the reads and writes a cycle can't avoid (each batch of
    1,000 answers: read the stored values, stamp `checked_at`, commit).

    The panel answers from a process of its own (`_REPLAY_PANEL`, serving the simulator's own
    answers, recorded beforehand): a real panel's work is not done by the bot's CPU, and with
    the simulator in this process its request handling was a third of the cycle."""
    with tempfile.TemporaryDirectory(prefix="bench-tracking-local-") as tmp:
        database = Path(tmp) / "bench.sqlite3"
        run = await _all_running_cycle(sizes, database, 0.0, replay=Path(tmp) / "entries.json")
        floor_s = _sqlite_floor(database, run.polled)
    outcome, cycle_s, active = run.outcome, run.cycle_s, len(run.polled)
    ratio = cycle_s / floor_s if floor_s else 0.0
    rows = [
        ("running orders (all polled, panel instant)", f"{active:,}"),
        ("status calls", f"{outcome.cycle.status_calls}"),
        ("cycle wall time", f"{cycle_s:.3f} s"),
        ("floor: raw sqlite3, read + stamp checked_at per 1,000, commit", f"{floor_s:.3f} s"),
        ("ratio to the floor", f"{ratio:.2f}×"),
    ]
    expected_calls = math.ceil(active / MAX_IDS_PER_CALL)
    checks = [
        Check(
            f"status calls = {expected_calls} (counted by the panel)",
            run.status_calls == expected_calls == outcome.cycle.status_calls,
        ),
        Check(f"all {active:,} running orders polled", outcome.cycle.orders_polled == active),
        Check(f"cycle ≤ {TARGET_LOCAL_CYCLE_S:g} s", cycle_s <= TARGET_LOCAL_CYCLE_S),
        Check(f"cycle ≤ {TARGET_LOCAL_RATIO:g}× the raw sqlite3 floor", ratio <= TARGET_LOCAL_RATIO),
    ]
    notes = [
        "The cycle includes 1,000 HTTP round trips to a panel in another process; the floor has no "
        "HTTP and no parsing at all, so the ratio is a bound, not a like-for-like figure.",
    ]
    metrics = {"active": active, "cycle_s": round(cycle_s, 3), "floor_s": round(floor_s, 3)}
    title = f"Tracking, local work ({sizes.label})"
    return ScenarioResult("tracking_local", title, metrics, rows, checks, notes)


@dataclass
class _Cycle:
    outcome: TrackingRun
    cycle_s: float
    status_calls: int  # as the simulator counted them
    polled: list[int]  # the panel IDs that were due
    settings: Settings


async def _all_running_cycle(
    sizes: Sizes, database: Path, latency: float, *, replay: Path | None = None
) -> _Cycle:
    """`latency_orders` orders, all running, in a SQLite store at `database` and a simulator
    answering in `latency` s per call; one tracking cycle over them, timed.  With `replay`
    (a file to write), the simulator's answers are recorded there and a panel in another
    process replays them for the timed cycle."""
    async with simulator(sizes, latency=latency) as sim:
        runtime = None
        try:
            runtime = BotRuntime(settings_for(database, "http://127.0.0.1:9/bot", sim.url))
            await runtime.store.open()
            await seed_tracking_world(runtime.store, sim, sizes.latency_orders, sizes.latency_orders)
            due = await runtime.store.orders.due_order_ids()
            if replay is not None:
                await runtime.stop()
                await _record_entries(sim.url, due, replay)
                async with _replay_panel(replay) as (url, counted):
                    runtime = BotRuntime(settings_for(database, "http://127.0.0.1:9/bot", url))
                    await runtime.store.open()
                    outcome, cycle_s = await _timed_cycle(runtime)
                    calls = await counted()
            else:
                calls_before = len(sim.calls_for("status"))
                outcome, cycle_s = await _timed_cycle(runtime)
                calls = len(sim.calls_for("status")) - calls_before
        finally:
            if runtime is not None:
                await runtime.stop()
    return _Cycle(outcome, cycle_s, calls, due, runtime.settings)


async def _timed_cycle(runtime: BotRuntime) -> tuple[TrackingRun, float]:
    await runtime.panel.balance()  # the connection pool open, as in a running bot
    started = time.perf_counter()
    outcome = await runtime.tracking.run(runtime.app.bot)
    return outcome, time.perf_counter() - started


async def _record_entries(url: str, ids: list[int], path: Path) -> None:
    """The simulator's status entry of every order, as JSON text keyed by panel ID."""
    entries: dict[str, str] = {}
    async with aiohttp.ClientSession() as session:
        for start in range(0, len(ids), MAX_IDS_PER_CALL):
            batch = ",".join(map(str, ids[start : start + MAX_IDS_PER_CALL]))
            form = {"key": PANEL_KEY, "action": "status", "orders": batch}
            async with session.post(url, data=form) as response:
                answer = await response.json(content_type=None)
            entries.update({key: json.dumps(entry) for key, entry in answer.items()})
    path.write_text(json.dumps(entries))


@asynccontextmanager
async def _replay_panel(entries: Path) -> AsyncIterator[tuple[str, Callable[[], Awaitable[int]]]]:
    """The replaying panel's URL, and a way to ask it how many status calls it answered."""
    port = free_port()
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _REPLAY_PANEL, str(entries), str(port), stdout=asyncio.subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}/api/v2"

    async def counted() -> int:
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            return int(await response.text())

    try:
        assert server.stdout is not None
        await asyncio.wait_for(server.stdout.readline(), 30)  # "ready"
        yield url, counted
    finally:
        server.terminate()
        await server.wait()


# A panel answering `status` (one order or many, form or JSON bodies) from recorded entries,
# `balance` with a constant; GET tells how many status calls it answered.
_REPLAY_PANEL = """
import json, sys
from aiohttp import web
entries = json.load(open(sys.argv[1]))
calls = 0
async def answer(request):
    global calls
    if request.content_type == "application/json":
        params = await request.json()
    else:
        params = dict(await request.post())
    action = params.get("action")
    if action == "balance":
        return web.json_response({"balance": "100.00", "currency": "USD"})
    if action != "status":
        return web.json_response({"error": "Incorrect request"})
    calls += 1
    if "order" in params:
        return web.Response(text=entries.get(str(params["order"]), '{"error": "Incorrect order ID"}'),
                            content_type="application/json")
    refused = '{"error": "Incorrect order ID"}'
    ids = str(params.get("orders", "")).split(",")
    body = "{" + ",".join('"%s": %s' % (i, entries.get(i, refused)) for i in ids) + "}"
    return web.Response(text=body, content_type="application/json")
async def count(request):
    return web.Response(text=str(calls))
app = web.Application()
app.router.add_post("/api/v2", answer)
app.router.add_get("/api/v2", count)
async def ready(app):
    print("ready", flush=True)
app.on_startup.append(ready)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[2]), print=None, access_log=None)
"""


def _sqlite_floor(database: Path, ids: list[int]) -> float:
    """What a cycle must do to the store, done with nothing in between (no SQLAlchemy, no
    asyncio thread hop, no HTTP): on a copy of the bot's own file, after the cycle."""
    stamp = "2030-01-01T00:00:00+00:00"
    connection = sqlite3.connect(database, isolation_level=None)
    try:
        started = time.perf_counter()
        for start in range(0, len(ids), 1000):
            chunk = ids[start : start + 1000]
            marks = ",".join("?" * len(chunk))
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(
                "SELECT panel_order_id, status, remains, start_count, charge FROM orders"
                f" WHERE panel_order_id IN ({marks})",
                chunk,
            ).fetchall()
            connection.execute(
                f"UPDATE orders SET checked_at = ? WHERE panel_order_id IN ({marks})", [stamp, *chunk]
            )
            connection.execute("COMMIT")
        return time.perf_counter() - started
    finally:
        connection.close()
