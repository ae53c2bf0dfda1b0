"""Memory: peak resident set of a bot process holding the big catalog and the big store.

The bot runs in its own process (`bench.memory_child`, see there for what it does) so the
figure is the bot's alone: this process holds the simulator's 100,000 orders and the fake Bot
API, which a deployed bot doesn't.
"""

from __future__ import annotations

import asyncio
import json
import math
import tempfile
from pathlib import Path
from typing import Any

from bench.common import (
    BenchTelegram,
    Check,
    ScenarioResult,
    Sizes,
    bot_env,
    seed_tracking_world,
    simulator,
    spawn,
    stderr_tail,
    terminate,
)
from bot.panel.client import MAX_IDS_PER_CALL
from bot.store import Store

TARGET_MB = 150.0
CHILD_TIMEOUT_S = 120.0


async def run(sizes: Sizes) -> ScenarioResult:
    return _result(sizes, await measure_child(sizes))


async def measure_child(sizes: Sizes) -> dict[str, Any]:
    """The child's report (see `bench.memory_child`) for a world of this size: the catalog
    of `catalog_services`, `tracked_orders` in the store, `active_orders` of them running."""
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        workdir = Path(tmp)
        database = workdir / "bot.sqlite3"
        async with simulator(sizes) as sim, BenchTelegram() as fake:
            async with Store(database) as store:
                await seed_tracking_world(store, sim, sizes.tracked_orders, sizes.active_orders)
            env = bot_env(database, fake.base_url, sim.url, LOG_LEVEL="WARNING")
            return await _run_child(env, workdir)


async def _run_child(env: dict[str, str], workdir: Path) -> dict[str, Any]:
    process = await spawn(env, workdir, "-m", "bench.memory_child", stdout=True)
    try:
        stdout, _ = await asyncio.wait_for(process.communicate(), CHILD_TIMEOUT_S)
    except TimeoutError:
        await terminate(process)
        raise RuntimeError(f"memory child timed out\n{stderr_tail(workdir)}") from None
    if process.returncode != 0 or not stdout.strip():
        raise RuntimeError(f"memory child exited with {process.returncode}\n{stderr_tail(workdir)}")
    report: dict[str, Any] = json.loads(stdout.decode().strip().splitlines()[-1])
    return report


def _result(sizes: Sizes, child: dict[str, Any]) -> ScenarioResult:
    peak_mb = child["peak_kb"] / 1024
    expected_calls = math.ceil(sizes.active_orders / MAX_IDS_PER_CALL)
    rows = [
        (
            "world",
            f"{child['services']:,} services, {sizes.tracked_orders:,} orders "
            f"({sizes.active_orders:,} running)",
        ),
        *((f"RSS after {stage}", f"{kb / 1024:.1f} MB") for stage, kb in child["stages_kb"].items()),
        ("peak RSS (VmHWM)", f"{peak_mb:.1f} MB"),
        ("tracking cycle in the child", f"{child['polled']:,} polled in {child['status_calls']} calls"),
    ]
    checks = [
        Check(f"peak RSS < {TARGET_MB:g} MB", peak_mb < TARGET_MB),
        Check("the child really ran the full cycle", child["status_calls"] == expected_calls),
    ]
    notes = [
        "Measured in a dedicated child process running the real BotRuntime (python -m bench.memory_child)."
    ]
    metrics = {"peak_rss_mb": round(peak_mb, 1)}
    return ScenarioResult("memory", f"Memory ({sizes.label})", metrics, rows, checks, notes)
