"""Start-up: from spawning `python -m bot` to the bot asking Telegram for updates.

Measured at the fake Bot API, at the *arrival* of each request (`BenchTelegram.first_arrival`):
getMe marks "interpreter up, code imported, settings read, Telegram being contacted", the first
getUpdates marks "polling, ready to receive".  Then a user sends /start and we note when the
answer arrives (the first update is the one that pays for lazily created things).  Every run
uses a fresh database (migrations included) and ends with SIGTERM, whose handling is timed too.
Bytecode caches are warmed once beforehand, untimed: a deployed bot has them.
One more run times SIGTERM while a user's panel call hangs (the panel never answers): the
shutdown's worst realistic case, a grace period and then the call is cancelled.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import (
    BenchTelegram,
    Check,
    ScenarioResult,
    Sizes,
    bot_env,
    simulator,
    spawn,
    stderr_tail,
    terminate,
    wait_until,
)
from bot.panel.simulator import FailureMode, PanelSimulator

TARGET_S = 2.0
TIMEOUT_S = 30.0
HUNG_STOP_LIMIT_S = 10.0  # a platform's SIGKILL follows SIGTERM after about this long


@dataclass(frozen=True)
class Start:
    get_me_s: float  # spawn → first getMe arrives
    polling_s: float  # spawn → first getUpdates arrives
    first_answer_s: float  # spawn → the answer to a /start sent right after polling began
    stop_s: float  # SIGTERM → process exited
    exit_code: int


async def run(sizes: Sizes) -> ScenarioResult:
    async with simulator(sizes) as sim:
        await _warm_bytecode(sim.url)
        starts = [await _one_start(sim.url) for _ in range(sizes.startup_runs)]
        hung_stop_s = await _stop_with_a_hung_call(sim)
    return _result(sizes, starts, hung_stop_s)


async def _warm_bytecode(panel_url: str) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        workdir = Path(tmp)
        env = bot_env(workdir / "bot.sqlite3", "http://127.0.0.1:9/bot", panel_url)
        process = await spawn(env, workdir, "-c", "import bot.__main__, bot.runtime, bot.panel.simulator")
        await asyncio.wait_for(process.wait(), TIMEOUT_S)


async def _one_start(panel_url: str) -> Start:
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        workdir = Path(tmp)
        async with BenchTelegram() as fake:
            env = bot_env(workdir / "data" / "bot.sqlite3", fake.base_url, panel_url)
            spawned = time.monotonic()
            process = await spawn(env, workdir, "-m", "bot")
            try:
                await wait_until(
                    lambda: "getupdates" in fake.first_arrival or process.returncode is not None,
                    TIMEOUT_S,
                    "the first getUpdates",
                )
                if process.returncode is not None:
                    raise RuntimeError(f"bot exited with {process.returncode}\n{stderr_tail(workdir)}")
                user = fake.user(1001)
                waiter = fake.expect_reply(user.chat_id)
                await user.send("/start")
                answered = (await asyncio.wait_for(waiter, TIMEOUT_S)).at
            finally:
                stop_s = await terminate(process)
            arrival = fake.first_arrival
            return Start(
                arrival["getme"] - spawned,
                arrival["getupdates"] - spawned,
                answered - spawned,
                stop_s,
                process.returncode or 0,
            )


async def _stop_with_a_hung_call(sim: PanelSimulator) -> float:
    """SIGTERM while a user's /balance is held by a panel that never answers."""
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        workdir = Path(tmp)
        async with BenchTelegram() as fake:
            env = bot_env(workdir / "bot.sqlite3", fake.base_url, sim.url)
            process = await spawn(env, workdir, "-m", "bot")
            try:
                await wait_until(
                    lambda: "getupdates" in fake.first_arrival or process.returncode is not None,
                    TIMEOUT_S,
                    "the first getUpdates",
                )
                if process.returncode is not None:
                    raise RuntimeError(f"bot exited with {process.returncode}\n{stderr_tail(workdir)}")
                before = len(sim.calls_for("balance"))
                sim.failure = FailureMode.HANG
                await fake.user(1001).send("/balance")
                await wait_until(lambda: len(sim.calls_for("balance")) > before, TIMEOUT_S, "/balance")
            finally:
                stop_s = await terminate(process)
                sim.failure = FailureMode.NONE
            if process.returncode != 0:
                raise RuntimeError(f"bot exited with {process.returncode}\n{stderr_tail(workdir)}")
            return stop_s


def _result(sizes: Sizes, starts: list[Start], hung_stop_s: float) -> ScenarioResult:
    def spread(values: list[float]) -> str:
        text = f"{statistics.median(values):.2f} s"
        return text if len(values) == 1 else f"{text} (min {min(values):.2f}, max {max(values):.2f})"

    polling = statistics.median(s.polling_s for s in starts)
    rows = [
        ("runs (fresh database each)", f"{len(starts)}"),
        ("spawn → first getMe (imports, settings)", spread([s.get_me_s for s in starts])),
        ("spawn → first getUpdates (median)", spread([s.polling_s for s in starts])),
        ("spawn → first /start answered", spread([s.first_answer_s for s in starts])),
        ("SIGTERM → exited", spread([s.stop_s for s in starts])),
        ("SIGTERM → exited, a panel call hanging", f"{hung_stop_s:.2f} s"),
    ]
    checks = [
        Check(f"first getUpdates < {TARGET_S:g} s", polling < TARGET_S),
        Check("clean exit (code 0) on SIGTERM", all(s.exit_code == 0 for s in starts)),
        Check(f"exit < {HUNG_STOP_LIMIT_S:g} s with a panel call hanging", hung_stop_s < HUNG_STOP_LIMIT_S),
    ]
    return ScenarioResult(
        "startup", f"Start-up ({sizes.label})", {"seconds": round(polling, 3)}, rows, checks
    )
