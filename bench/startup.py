"""Start-up: from spawning `python -m bot` to the bot asking Telegram for updates.

Measured at the fake Bot API, at the *arrival* of each request (`BenchTelegram.first_arrival`):
getMe marks "interpreter up, code imported, settings read, Telegram being contacted", the first
getUpdates marks "polling, ready to receive".  Then a user sends /start and we note when the
answer arrives (the first update is the one that pays for lazily created things).  The first
run creates the database (migrations included) and is reported apart; the timed runs are
restarts on it, as a deployed bot starts almost every time.  Each ends with SIGTERM, whose
handling is timed too.
Bytecode caches are warmed once beforehand, untimed: a deployed bot has them.
One more run times SIGTERM while a user's panel call hangs (the panel never answers): the
shutdown's worst realistic case, a grace period and then the call is cancelled.

The floor, `bench.floor_bot` (the smallest PTB polling bot that answers /start), is spawned
and timed the same way in the same run, its runs alternating with the bot's so that a busy
moment of the machine weighs on both alike: the bot is reported as a ratio to it.

The bot polls before it has loaded (`bot.launch`), so its first getUpdates is mostly PTB's
own cost; what loading the rest costs shows in the first answer, reported beside the floor's.
The same pair is then timed with every Bot API call answered 0.1 s late, as from a server far
from Telegram's: there the bot's loading overlaps those round trips.
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

TARGET_S = 0.4
TARGET_RATIO = 1.3  # to the minimal PTB bot, in the same run
TIMEOUT_S = 30.0
HUNG_STOP_LIMIT_S = 10.0  # a platform's SIGKILL follows SIGTERM after about this long
DISTANT_S = 0.1  # a Bot API this far away per call, from a server far from Telegram's


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
        with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
            workdir = Path(tmp)
            first = await _one_start(sim.url, workdir, "-m", "bot")
            starts: list[Start] = []
            floors: list[Start] = []
            for _ in range(sizes.startup_runs):
                starts.append(await _one_start(sim.url, workdir, "-m", "bot"))
                floors.append(await _one_start(sim.url, workdir, "-m", "bench.floor_bot"))
            distant: list[Start] = []
            distant_floors: list[Start] = []
            for _ in range(sizes.startup_runs):
                distant.append(await _one_start(sim.url, workdir, "-m", "bot", latency=DISTANT_S))
                distant_floors.append(
                    await _one_start(sim.url, workdir, "-m", "bench.floor_bot", latency=DISTANT_S)
                )
        hung_stop_s = await _stop_with_a_hung_call(sim)
    return _result(sizes, first, starts, floors, hung_stop_s, distant, distant_floors)


async def _warm_bytecode(panel_url: str) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        workdir = Path(tmp)
        env = bot_env(workdir / "bot.sqlite3", "http://127.0.0.1:9/bot", panel_url)
        imports = "import bot.__main__, bot.runtime, bot.panel.simulator, bench.floor_bot"
        process = await spawn(env, workdir, "-c", imports)
        await asyncio.wait_for(process.wait(), TIMEOUT_S)


async def _one_start(panel_url: str, workdir: Path, *command: str, latency: float = 0.0) -> Start:
    async with BenchTelegram(latency=latency) as fake:
        env = bot_env(workdir / "data" / "bot.sqlite3", fake.base_url, panel_url)
        spawned = time.monotonic()
        process = await spawn(env, workdir, *command)
        try:
            await _polling(fake, process, workdir)
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


async def _polling(fake: BenchTelegram, process: asyncio.subprocess.Process, workdir: Path) -> None:
    """Until the process asks Telegram for updates; its stderr's end if it exits first."""
    await wait_until(
        lambda: "getupdates" in fake.first_arrival or process.returncode is not None,
        TIMEOUT_S,
        "the first getUpdates",
    )
    if process.returncode is not None:
        raise RuntimeError(f"exited with {process.returncode}\n{stderr_tail(workdir)}")


async def _stop_with_a_hung_call(sim: PanelSimulator) -> float:
    """SIGTERM while a user's /balance is held by a panel that never answers."""
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        workdir = Path(tmp)
        async with BenchTelegram() as fake:
            env = bot_env(workdir / "bot.sqlite3", fake.base_url, sim.url)
            process = await spawn(env, workdir, "-m", "bot")
            try:
                await _polling(fake, process, workdir)
                # Running, not only polling (which begins before the bot has loaded), and its
                # start-up catalog read answered: the one call left to hang is the user's.
                user = fake.user(1001)
                waiter = fake.expect_reply(user.chat_id)
                await user.send("/start")
                await asyncio.wait_for(waiter, TIMEOUT_S)
                await wait_until(lambda: bool(sim.calls_for("services")), TIMEOUT_S, "the catalog read")
                before = len(sim.calls_for("balance"))
                sim.failure = FailureMode.HANG
                await user.send("/balance")
                await wait_until(lambda: len(sim.calls_for("balance")) > before, TIMEOUT_S, "/balance")
            finally:
                stop_s = await terminate(process)
                sim.failure = FailureMode.NONE
            if process.returncode != 0:
                raise RuntimeError(f"bot exited with {process.returncode}\n{stderr_tail(workdir)}")
            return stop_s


def _result(
    sizes: Sizes,
    first: Start,
    starts: list[Start],
    floors: list[Start],
    hung_stop_s: float,
    distant: list[Start],
    distant_floors: list[Start],
) -> ScenarioResult:
    def spread(values: list[float]) -> str:
        text = f"{statistics.median(values):.2f} s"
        return text if len(values) == 1 else f"{text} (min {min(values):.2f}, max {max(values):.2f})"

    polling = statistics.median(s.polling_s for s in starts)
    floor = statistics.median(s.polling_s for s in floors)
    ratio = polling / floor
    answered = statistics.median(s.first_answer_s for s in starts)
    floor_answered = statistics.median(s.first_answer_s for s in floors)
    rows = [
        ("first start: new database, migrations → /start answered", f"{first.first_answer_s:.2f} s"),
        ("restarts (the database at the newest schema)", f"{len(starts)}"),
        ("spawn → first getMe (imports, settings)", spread([s.get_me_s for s in starts])),
        ("spawn → first getUpdates (median)", spread([s.polling_s for s in starts])),
        ("spawn → first /start answered", spread([s.first_answer_s for s in starts])),
        ("SIGTERM → exited", spread([s.stop_s for s in starts])),
        ("SIGTERM → exited, a panel call hanging", f"{hung_stop_s:.2f} s"),
        ("floor: minimal PTB bot, spawn → first getMe", spread([s.get_me_s for s in floors])),
        ("floor: minimal PTB bot, spawn → first getUpdates", spread([s.polling_s for s in floors])),
        ("floor: minimal PTB bot, spawn → /start answered", spread([s.first_answer_s for s in floors])),
        ("ratio to the floor (first getUpdates)", f"{ratio:.2f}×"),
        ("ratio to the floor (/start answered)", f"{answered / floor_answered:.2f}×"),
        (
            f"Bot API {DISTANT_S * 1000:.0f} ms away: spawn → /start answered",
            spread([s.first_answer_s for s in distant]),
        ),
        (
            f"floor, Bot API {DISTANT_S * 1000:.0f} ms away: spawn → /start answered",
            spread([s.first_answer_s for s in distant_floors]),
        ),
    ]
    checks = [
        Check(f"first getUpdates ≤ {TARGET_S:g} s", polling <= TARGET_S),
        Check(f"first getUpdates ≤ {TARGET_RATIO:g}× the minimal PTB bot", ratio <= TARGET_RATIO),
        Check("clean exit (code 0) on SIGTERM", all(s.exit_code == 0 for s in starts)),
        Check(f"exit < {HUNG_STOP_LIMIT_S:g} s with a panel call hanging", hung_stop_s < HUNG_STOP_LIMIT_S),
    ]
    return ScenarioResult(
        "startup",
        f"Start-up ({sizes.label})",
        {
            "seconds": round(polling, 3),
            "floor_seconds": round(floor, 3),
            "first_answer_seconds": round(answered, 3),
        },
        rows,
        checks,
        [
            "Polling begins before the bot has loaded (bot.launch): the first getUpdates is "
            "PTB's own cost, and what the bot adds shows in the first answer.",
        ],
    )
