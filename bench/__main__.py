"""`python -m bench [--quick] [--only NAME[,NAME]] [--engines ENGINE[,ENGINE]] [--out PATH]`
from the repository root.

Runs the scenarios one after another (never concurrently: they would steal each other's CPU on
a 2-core machine), prints each one's figures as it finishes and a summary at the end, and writes
the JSON file.  Exit status 1 if a scenario crashed; a missed target is reported, not fatal.

The store-bound scenarios (tracking, updates, wallet) run once per engine: SQLite, then PostgreSQL on a
fresh database of `BENCH_DATABASE_URL`'s server (see `bench.engines`); their PostgreSQL figures
carry a `.postgresql` suffix.  An unreachable PostgreSQL server skips those runs with a message,
except under `CI=true`, where it makes the run fail (exit status 1).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
import traceback
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

from telegram.warnings import PTBUserWarning

from bench import catalog, memory, notifications, report, startup, tracking, updates, wallet
from bench.common import FULL, QUICK, Check, ScenarioResult, Sizes
from bench.engines import ENGINES, POSTGRESQL, SQLITE, SQLITE_ENGINE, Engine, PostgresServer, in_ci

# `run(sizes)`, or `run(sizes, engine)` for the scenarios in PER_ENGINE.
Scenario = Callable[..., Awaitable[ScenarioResult]]

# Process-level scenarios first, while the benchmark process itself is still small and idle.
SCENARIOS: dict[str, Scenario] = {
    "startup": startup.run,
    "memory": memory.run,
    "catalog": catalog.run,
    "catalog_large": catalog.run_large,
    "tracking": tracking.run,
    "tracking_latency": tracking.run_latency,
    "tracking_local": tracking.run_local,
    "notifications": notifications.run,
    "updates": updates.run,
    "wallet": wallet.run,
}
# Scenarios whose figures depend on the store's engine: run on each engine asked for.  The others
# (start-up, memory, catalog, notifications) always use SQLite, the default deployment.
PER_ENGINE = ("tracking", "updates", "wallet")
DEFAULT_OUT = Path(__file__).resolve().parent / "results.json"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes everywhere (CI smoke, < 30 s)")
    parser.add_argument(
        "--only", metavar="NAME", help=f"comma-separated scenarios to run, of: {', '.join(SCENARIOS)}"
    )
    parser.add_argument(
        "--engines",
        metavar="ENGINE",
        default=",".join(ENGINES),
        help=f"comma-separated engines for {', '.join(PER_ENGINE)}, of: {', '.join(ENGINES)} (default both)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON output (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    wrong = [e for e in engines if e not in ENGINES]
    if wrong or not engines:
        parser.error(f"unknown engine(s) {', '.join(wrong) or '(none)'}; choose from {', '.join(ENGINES)}")
    args.engines = [e for e in ENGINES if e in engines]
    names = [n.strip() for n in args.only.split(",")] if args.only else list(SCENARIOS)
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario(s) {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}")
    args.names = [n for n in SCENARIOS if n in names]
    return args


async def choose_engines(wanted: list[str], names: list[str]) -> tuple[list[Engine], str | None]:
    """The engines the per-engine scenarios run on, and why PostgreSQL was left out, if it was."""
    engines = [SQLITE_ENGINE] if SQLITE in wanted else []
    if POSTGRESQL not in wanted or not any(name in PER_ENGINE for name in names):
        return engines, None
    server = PostgresServer()
    reason = await server.unreachable()
    if reason is not None:
        return engines, reason
    print(
        f"PostgreSQL {await server.version()} at {server.description}: "
        "a fresh database per scenario, dropped after it\n",
        flush=True,
    )
    return [*engines, Engine(POSTGRESQL, server)], None


def on_engine(result: ScenarioResult, engine: Engine) -> ScenarioResult:
    """A per-engine scenario's result, told apart from its other engine's: metric keys get the
    engine's suffix (none for SQLite) and the targets say which engine they were measured on."""
    return replace(
        result,
        metrics={f"{key}{engine.suffix}": value for key, value in result.metrics.items()},
        checks=[Check(f"on {engine.label}: {c.what}", c.ok) for c in result.checks],
    )


async def run_all(args: argparse.Namespace, sizes: Sizes) -> tuple[list[ScenarioResult], dict[str, str]]:
    """Results, and what failed (name → why)."""
    results: list[ScenarioResult] = []
    failed: dict[str, str] = {}
    engines, unreachable = await choose_engines(args.engines, args.names)
    if unreachable is not None:
        skipped = ", ".join(name for name in args.names if name in PER_ENGINE)
        if in_ci():
            failed[POSTGRESQL] = f"{unreachable}; CI=true requires it"
            print(f"FAILED: {unreachable}. CI=true: the PostgreSQL runs are required.\n", flush=True)
        else:
            print(f"skipping {skipped} on PostgreSQL: {unreachable}\n", flush=True)
    for name in args.names:
        for engine in engines if name in PER_ENGINE else [None]:
            label = name if engine is None else f"{name}{engine.suffix or '.' + engine.name}"
            started = time.monotonic()
            try:
                if engine is None:
                    result = await SCENARIOS[name](sizes)
                else:
                    result = on_engine(await SCENARIOS[name](sizes, engine), engine)
            except Exception:
                traceback.print_exc()
                failed[label] = "the scenario raised (see above)"
                print(f"== {label}: FAILED after {time.monotonic() - started:.1f} s ==\n", flush=True)
                continue
            results.append(result)
            print(report.scenario_block(result), flush=True)
            print(f"  ({label} took {time.monotonic() - started:.1f} s)\n", flush=True)
    return results, failed


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = QUICK if args.quick else FULL
    # Warnings from the bot stay visible; PTB's and aiohttp's chatter does not.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # The wizard's per_message=False is deliberate; pyproject.toml filters this for pytest too.
    warnings.filterwarnings("ignore", category=PTBUserWarning)
    started = time.monotonic()
    per_engine = [name for name in args.names if name in PER_ENGINE]
    on = f" ({', '.join(per_engine)} on {' and '.join(args.engines)})" if per_engine else ""
    print(f"bench ({sizes.label}): {', '.join(args.names)}{on}", flush=True)
    if args.quick:
        print("quick mode: smoke-test sizes; the figures are not comparable with the targets", flush=True)
    print(f"machine: {report.machine()}\n{report.load_line('at start')}\n", flush=True)
    results, failed = asyncio.run(run_all(args, sizes))
    print(report.summary_table(results, failed))
    print(f"\n{report.load_line('at end (includes our own load)')}")
    report.write_json(results, args.out)
    print(f"\nwrote {args.out} — total {time.monotonic() - started:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
