"""Notifications: a burst of completions delivered under Telegram's global rate limit.

World: `notifications` users, one running order each, every one of them completed on the panel
at once.  The fake Bot API enforces 30 messages/s overall and 1/s per chat, answering 429 with
`retry_after` above that, as Telegram does.  Timed: one `TrackingJob.run` (poll, then deliver
through the application's bot and its `AIORateLimiter`), in process.

Users "start" the bot with a `my_chat_member` update rather than /start: Telegram lets a bot
write only to users who have, and a greeting per user would spend the very rate limit under
measurement before the clock starts.

While the burst is delivered, one more user sends /help every 2 s: notices and interactive
replies share the application's rate limiter, so this shows what the burst does to everyone
else's response time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import (
    BenchTelegram,
    Check,
    Meter,
    ScenarioResult,
    Sizes,
    seed_orders,
    seed_users,
    settings_for,
    simulator,
    wait_until,
)
from bot.panel.simulator import PanelSimulator
from bot.runtime import BotRuntime

GLOBAL_RATE = 30.0  # messages/s, Telegram's broadcast limit
PER_CHAT_RATE = 1.0
FIRST_USER = 10_001
SLACK = 1.15  # "≈ the floor": within 15 %, i.e. no time lost to 429 pauses beyond pacing jitter
PROBE_USER = 9_999
PROBE_EVERY_S = 2.0


async def run(sizes: Sizes) -> ScenarioResult:
    fake = BenchTelegram(rate_limit_per_s=GLOBAL_RATE, per_chat_per_s=PER_CHAT_RATE)
    with tempfile.TemporaryDirectory(prefix="bench-notify-") as tmp:
        async with simulator(sizes) as sim, fake:
            runtime = BotRuntime(settings_for(Path(tmp) / "bot.sqlite3", fake.base_url, sim.url))
            await runtime.start(poll_timeout=1)
            try:
                await _prepare(runtime, fake, sim, sizes)
                return await _measure(runtime, fake, sizes)
            finally:
                await runtime.stop()


async def _prepare(runtime: BotRuntime, fake: BenchTelegram, sim: PanelSimulator, sizes: Sizes) -> None:
    """Users who started the bot, one running order each, then every order completes."""
    users = list(range(FIRST_USER, FIRST_USER + sizes.notifications))
    await seed_users(runtime.store, users)
    for user_id in users:
        fake.chat_member_update(user_id)
    app = runtime.app
    # PTB's counters see only updates holding a slot; the bot's per-user processor also has
    # updates waiting for, or finishing, their user's turn (state read before, written after:
    # `bot.telegram.turns`), which use the store.  Its lanes (one per user with updates not yet
    # done) say when that is over too; were they renamed, the wait falls back to PTB's view.
    await wait_until(
        lambda: (
            not fake.pending_updates
            and app.update_queue.empty()
            and app.update_processor.current_concurrent_updates == 0
            and not getattr(app.update_processor, "_lanes", None)
        ),
        timeout=60,
        what="the bot to take in every user",
    )
    panel_ids = sim.seed_orders(sizes.notifications, status="In progress")
    await seed_orders(runtime.store, sim, panel_ids, lambda i: users[i])
    await runtime.catalog.get()  # warm, as in a bot that has been up for a while
    await runtime.deps.account.currency()
    for panel_id in panel_ids:
        sim.complete(panel_id)


async def _measure(runtime: BotRuntime, fake: BenchTelegram, sizes: Sizes) -> ScenarioResult:
    poll = Meter()
    poller = runtime.deps.poller
    poller.cycle = poll.wrap(poller.cycle)  # type: ignore[method-assign]
    throttled_before, calls_before = fake.throttled, len(fake.calls)
    counter = _RateLimiterLog()
    logging.getLogger("telegram.ext.AIORateLimiter").addFilter(counter)
    probe_latencies: list[float] = []
    done = asyncio.Event()
    probe = asyncio.create_task(_probe(fake, done, probe_latencies))
    try:
        started = time.perf_counter()
        outcome = await runtime.tracking.run(runtime.app.bot)
        total_s = time.perf_counter() - started
    finally:
        done.set()
        await probe
        logging.getLogger("telegram.ext.AIORateLimiter").removeFilter(counter)

    sends = [
        c
        for c in fake.calls[calls_before:]
        if c.method.lower() == "sendmessage" and str(c.params.get("chat_id")) != str(PROBE_USER)
    ]
    accepted = sum(1 for c in sends if c.ok)
    throttled = fake.throttled - throttled_before
    delivery_s = total_s - poll.seconds
    floor_s = sizes.notifications / GLOBAL_RATE
    delivery = outcome.delivery
    rows = [
        ("completions (one per user)", f"{sizes.notifications:,}"),
        ("fake Bot API limits", f"{GLOBAL_RATE:g} msg/s overall, {PER_CHAT_RATE:g}/s per chat, 429 above"),
        ("delivered (bot's count / accepted by the fake)", f"{delivery.sent:,} / {accepted:,}"),
        ("postponed to next cycle (gave up after retries)", f"{delivery.failed:,}"),
        ("429 answers received", f"{throttled:,} (of {len(sends):,} sendMessage attempts)"),
        ("rate limiter gave up (RetryAfter after 3 retries)", f"{counter.gave_up:,}"),
        ("cycle total", f"{total_s:.1f} s"),
        ("  poll (⌈n/100⌉ status calls + store)", f"{poll.seconds:.2f} s"),
        ("  delivery", f"{delivery_s:.1f} s = {delivery.sent / delivery_s if delivery_s else 0:.1f} msg/s"),
        (f"30 msg/s floor for {sizes.notifications:,}", f"{floor_s:.1f} s"),
        ("a user's /help answered during the burst, median / max", _median_max(probe_latencies)),
    ]
    checks = [
        Check(f"all {sizes.notifications:,} delivered in one cycle", delivery.sent == sizes.notifications),
        Check(f"delivery within {SLACK:g}× the 30/s floor", delivery_s <= floor_s * SLACK),
    ]
    metrics = {"sent": delivery.sent, "throttled_429": throttled, "seconds": round(total_s, 2)}
    return ScenarioResult("notifications", f"Notification burst ({sizes.label})", metrics, rows, checks)


async def _probe(fake: BenchTelegram, done: asyncio.Event, latencies: list[float]) -> None:
    """Every PROBE_EVERY_S, an unrelated user asks for /help and we note how long the answer takes."""
    user = fake.user(PROBE_USER, first_name="Probe")
    while not done.is_set():
        waiter = fake.expect_reply(user.chat_id)
        pushed = time.monotonic()
        await user.send("/help")
        try:
            latencies.append((await asyncio.wait_for(waiter, 60)).at - pushed)
        except TimeoutError:
            latencies.append(float("inf"))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), PROBE_EVERY_S)


def _median_max(latencies: list[float]) -> str:
    if not latencies:
        return "—"
    return f"{statistics.median(latencies):.2f} / {max(latencies):.2f} s ({len(latencies)} probes)"


class _RateLimiterLog(logging.Filter):
    """Counts PTB's "Rate limit hit after maximum of 3 retries" records (and keeps their
    tracebacks off the console: there may be hundreds, the count says it all)."""

    def __init__(self) -> None:
        super().__init__()
        self.gave_up = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR:
            self.gave_up += 1
            return False
        return True
