"""`python -m bench [--quick] [--only NAME[,NAME]] [--out PATH]` from the repository root.

Runs the scenarios one after another (never concurrently: they would steal each other's CPU on
a 2-core machine), prints each one's figures as it finishes and a summary at the end, and writes
the JSON file.  Exit status 1 if a scenario crashed; a missed target is reported, not fatal.
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
from pathlib import Path

from telegram.warnings import PTBUserWarning

from bench import catalog, memory, notifications, report, startup, tracking, updates
from bench.common import FULL, QUICK, ScenarioResult, Sizes

Scenario = Callable[[Sizes], Awaitable[ScenarioResult]]

# Process-level scenarios first, while the benchmark process itself is still small and idle.
SCENARIOS: dict[str, Scenario] = {
    "startup": startup.run,
    "memory": memory.run,
    "catalog": catalog.run,
    "tracking": tracking.run,
    "notifications": notifications.run,
    "updates": updates.run,
}
DEFAULT_OUT = Path(__file__).resolve().parent / "results.json"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes everywhere (CI smoke, < 30 s)")
    parser.add_argument(
        "--only", metavar="NAME", help=f"comma-separated scenarios to run, of: {', '.join(SCENARIOS)}"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON output (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",")] if args.only else list(SCENARIOS)
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario(s) {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}")
    args.names = [n for n in SCENARIOS if n in names]
    return args


async def run_all(names: list[str], sizes: Sizes) -> tuple[list[ScenarioResult], list[str]]:
    results: list[ScenarioResult] = []
    failed: list[str] = []
    for name in names:
        started = time.monotonic()
        try:
            result = await SCENARIOS[name](sizes)
        except Exception:
            traceback.print_exc()
            failed.append(name)
            print(f"== {name}: FAILED after {time.monotonic() - started:.1f} s ==\n", flush=True)
            continue
        results.append(result)
        print(report.scenario_block(result), flush=True)
        print(f"  ({name} took {time.monotonic() - started:.1f} s)\n", flush=True)
    return results, failed


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = QUICK if args.quick else FULL
    # Warnings from the bot stay visible; PTB's and aiohttp's chatter does not.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # The wizard's per_message=False is deliberate; pyproject.toml filters this for pytest too.
    warnings.filterwarnings("ignore", category=PTBUserWarning)
    started = time.monotonic()
    print(f"bench ({sizes.label}): {', '.join(args.names)}", flush=True)
    if args.quick:
        print("quick mode: smoke-test sizes; the figures are not comparable with the targets", flush=True)
    print(f"machine: {report.machine()}\n{report.load_line('at start')}\n", flush=True)
    results, failed = asyncio.run(run_all(args.names, sizes))
    print(report.summary_table(results, failed))
    print(f"\n{report.load_line('at end (includes our own load)')}")
    report.write_json(results, args.out)
    print(f"\nwrote {args.out} — total {time.monotonic() - started:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
