"""The process whose memory `bench.memory` measures: the bot, as `python -m bot` builds it.

Run as `python -m bench.memory_child` with the bot's environment variables.  It imports what
`python -m bot` imports (and nothing of the benchmark: the fake Bot API or the seeding helpers
would inflate the figure), starts the real `BotRuntime` (store, panel client, Telegram
application, long polling), loads the catalog and its search index, runs one tracking cycle
over the whole store, stops, and prints one JSON line: resident set size after each stage and
the peak.  The peak is VmHWM from /proc: `ru_maxrss` would also count the parent's memory,
because Linux carries the maximum across fork and exec.
"""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import bot.__main__  # noqa: F401 - the entry point's imports are part of the bot's footprint
from bot.config import load_settings
from bot.logs import setup_logging
from bot.runtime import BotRuntime


def status_kb(field_name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    raise KeyError(field_name)


async def measure() -> dict[str, Any]:
    settings = replace(load_settings(dotenv=None), status_poll_seconds=0)  # the cycle is run below
    setup_logging(settings.log_level, settings.secrets)
    stages = {"imports": status_kb("VmRSS")}
    runtime = BotRuntime(settings)
    await runtime.start()
    try:
        stages["start (store, PTB, polling)"] = status_kb("VmRSS")
        catalog = await runtime.catalog.get()
        runtime.deps.search.prepare(catalog)
        stages["catalog + search index loaded"] = status_kb("VmRSS")
        outcome = await runtime.tracking.run(runtime.app.bot)
        stages["one tracking cycle"] = status_kb("VmRSS")
    finally:
        await runtime.stop()
    return {
        "stages_kb": stages,
        "peak_kb": status_kb("VmHWM"),
        "services": len(catalog.services),
        "polled": outcome.cycle.orders_polled,
        "status_calls": outcome.cycle.status_calls,
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(measure())))
    sys.exit(0)
