"""Interactive load: many users at once against the real bot process.

The bot runs as `python -m bot` (its own process and CPU core, as deployed) against the fake Bot
API and the panel simulator, which live in this process.  Every user walks through one session:
/start, /services, tap a platform (a big catalog's menu lists platforms first), tap a category,
"Next ›", open a service, /search words, /balance, /orders, each step sent as soon as the
previous one was answered (closed loop, all users concurrently).

Latency of a step = from pushing the update into the fake to the fake accepting the bot's reply
(sendMessage, or editMessageText for taps).  The fake imposes no rate limit here; the bot's own
`AIORateLimiter` (30 messages/s overall, edits included) still paces its replies, as it would
in production, so with hundreds of users the throughput is the limiter's and the latency is
mostly time queued behind it.  The bot's own tracking job fires once during the load (10 s after
start, over the seeded orders), as it would in production.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import (
    QUERIES,
    BenchTelegram,
    Check,
    ScenarioResult,
    Sizes,
    bot_env,
    cpu_seconds,
    ms,
    percentile,
    seed_orders,
    seed_users,
    simulator,
    spawn,
    stderr_tail,
    terminate,
    wait_until,
)
from bench.engines import Engine
from bot.panel.simulator import PanelSimulator
from bot.store import Store
from bot.telegram import callbacks
from tests.support.fake_telegram import FakeUser, SentMessage

STEPS = (
    "/start",
    "/services",
    "tap platform",
    "tap category",
    "next page",
    "open service",
    "/search",
    "/balance",
    "/orders",
)
FIRST_USER = 20_001
ORDERS_PER_USER = 5  # so /orders lists something
REPLY_TIMEOUT_S = 120.0
WARM_UP_USER = 19_999


@dataclass
class Log:
    """Latencies per step, reply times (for throughput) and what went wrong."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {step: [] for step in STEPS})
    replies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


async def run(sizes: Sizes, engine: Engine) -> ScenarioResult:
    fake = BenchTelegram()
    users = list(range(FIRST_USER, FIRST_USER + sizes.update_users))
    with tempfile.TemporaryDirectory(prefix="bench-updates-") as tmp:
        workdir = Path(tmp)
        async with simulator(sizes) as sim, fake, engine.database(workdir) as database:
            await _seed(database, sim, users)
            process = await spawn(bot_env(database, fake.base_url, sim.url), workdir, "-m", "bot")
            try:
                await _warm_up(fake, process)
                cpu_before = cpu_seconds(process.pid)
                log, wall_s = await _load(fake, users)
                cpu_s = cpu_seconds(process.pid) - cpu_before
            except (TimeoutError, AssertionError) as exc:
                raise RuntimeError(f"{exc}\nbot stderr:\n{stderr_tail(workdir)}") from exc
            finally:
                await terminate(process)
    return _result(sizes, engine, log, wall_s, cpu_s)


async def _seed(database: str | Path, sim: PanelSimulator, users: list[int]) -> None:
    async with Store(database) as store:
        await seed_users(store, users)
        panel_ids = sim.seed_orders(len(users) * ORDERS_PER_USER, status="In progress")
        await seed_orders(store, sim, panel_ids, lambda i: users[i // ORDERS_PER_USER])


async def _warm_up(fake: BenchTelegram, process: asyncio.subprocess.Process) -> None:
    """Wait until the bot polls, then make sure its catalog and search index are loaded: a
    production bot has them long before the crowd arrives."""
    await wait_until(
        lambda: "getupdates" in fake.first_arrival or process.returncode is not None,
        timeout=60,
        what="the bot's first getUpdates",
    )
    if process.returncode is not None:
        raise RuntimeError(f"the bot exited with {process.returncode} before polling")
    user = fake.user(WARM_UP_USER)
    for text in ("/services", "/search like"):
        waiter = fake.expect_reply(user.chat_id)
        await user.send(text)
        await asyncio.wait_for(waiter, 60)


async def _load(fake: BenchTelegram, users: list[int]) -> tuple[Log, float]:
    log = Log()
    started = time.monotonic()
    await asyncio.gather(*(_session(fake, user_id, random.Random(user_id), log) for user_id in users))
    wall_s = (max(log.replies) if log.replies else time.monotonic()) - started
    return log, wall_s


async def _session(fake: BenchTelegram, user_id: int, rng: random.Random, log: Log) -> None:
    """One user's walk; a step that gets no answer ends the walk (and is reported)."""
    user = fake.user(user_id, first_name=f"User{user_id}")

    async def step(
        name: str, act: Callable[[], Awaitable[object]], edits: SentMessage | None = None
    ) -> SentMessage:
        waiter = fake.expect_reply(user.chat_id)
        pushed = time.monotonic()
        await act()
        try:
            reply = await asyncio.wait_for(waiter, REPLY_TIMEOUT_S)
        except TimeoutError:
            raise AssertionError(
                f"user {user_id}: no answer to {name!r} within {REPLY_TIMEOUT_S:g} s"
            ) from None
        if edits is not None and reply.message.message_id != edits.message_id:
            log.errors.append(f"user {user_id}: {name!r} answered with a new message instead of an edit")
        log.latencies[name].append(reply.at - pushed)
        log.replies.append(reply.at)
        return reply.message

    try:
        await _walk(user, rng, step)
    except AssertionError as exc:
        log.errors.append(str(exc))


async def _walk(user: FakeUser, rng: random.Random, step: Callable[..., Awaitable[SentMessage]]) -> None:
    await step("/start", lambda: user.send("/start"))
    menu = await step("/services", lambda: user.send("/services"))
    platforms = _data(menu, callbacks.PLATFORM, required=False)
    if platforms:  # a big catalog opens on its platforms; a small one on its categories directly
        platform = rng.choice(platforms)
        menu = await step("tap platform", lambda: user.tap_data(platform, menu), edits=menu)
    category = rng.choice(_data(menu, callbacks.CATEGORY))
    listing = await step("tap category", lambda: user.tap_data(category, menu), edits=menu)
    next_page = [d for d in _data(listing, callbacks.CATEGORY, required=False) if d.endswith(":1")]
    if next_page:  # a category that fits one page has no "Next ›"; the step is skipped
        listing = await step("next page", lambda: user.tap_data(next_page[0], listing), edits=listing)
    service = rng.choice(_data(listing, callbacks.SERVICE))
    await step("open service", lambda: user.tap_data(service, listing), edits=listing)
    query = rng.choice(QUERIES)
    await step("/search", lambda: user.send(f"/search {query}"))
    await step("/balance", lambda: user.send("/balance"))
    await step("/orders", lambda: user.send("/orders"))


def _data(message: SentMessage, prefix: str, *, required: bool = True) -> list[str]:
    """Callback data of the message's buttons with this prefix (e.g. every category button)."""
    found = [b.callback_data for row in message.buttons for b in row if b.callback_data]
    matching = [d for d in found if d.split(":", 1)[0] == prefix]
    if required and not matching:
        raise AssertionError(f"no {prefix!r} button in {message.plain_text[:80]!r}")
    return matching


def _result(sizes: Sizes, engine: Engine, log: Log, wall_s: float, cpu_s: float) -> ScenarioResult:
    every = [t for step in STEPS for t in log.latencies[step]]
    answered = len(every)
    per_s = answered / wall_s if wall_s > 0 else 0.0

    def p50_p99(values: list[float]) -> str:
        if not values:
            return "—"
        return f"{ms(percentile(values, 50)):,.0f} / {ms(percentile(values, 99)):,.0f} ms"

    rows = [
        ("database", engine.label),
        ("users (concurrent, closed loop)", f"{sizes.update_users}"),
        ("updates answered / wall time", f"{answered:,} in {wall_s:.1f} s"),
        ("throughput", f"{per_s:.1f} updates/s"),
        ("latency p50 / p99, all steps", p50_p99(every)),
        *((f"  {step} ({len(log.latencies[step])})", p50_p99(log.latencies[step])) for step in STEPS),
        (
            "bot process CPU during the load",
            f"{cpu_s:.1f} s = {ms(cpu_s / max(answered, 1)):.1f} ms per update"
            f" (≈ {answered / cpu_s if cpu_s else 0:,.0f} updates/s per core without the rate limiter)",
        ),
        ("errors", f"{len(log.errors)}"),
    ]
    checks = [Check("every update answered as expected (no target set for speed)", not log.errors)]
    notes = [
        "Real `python -m bot` process; latency = update pushed → reply accepted by the fake Bot API. "
        "The bot's AIORateLimiter (30 msg/s incl. edits) is active, the fake imposes no limit.",
        *log.errors[:5],
    ]
    metrics = {"per_s": round(per_s, 2), "p99_ms": round(ms(percentile(every, 99)), 1)}
    title = f"Interactive load on {engine.label} ({sizes.label})"
    return ScenarioResult("updates", title, metrics, rows, checks, notes)
