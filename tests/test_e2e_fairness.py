"""One user can't stall everyone: not with a backlog behind a slow panel, not as a crowd of
strangers, not as a notification burst.  Asserted as orderings, never as durations."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import pytest

from bot.config import Settings
from bot.panel.simulator import FailureMode, PanelSimulator
from bot.runtime import BotRuntime
from bot.services.refusals import REFUSAL_WINDOW_S, REFUSALS_PER_MINUTE, RefusalThrottle
from bot.telegram.handlers.access import REFUSALS_KEY
from bot.telegram.processor import MAX_CONCURRENT_UPDATES, MAX_QUEUED_PER_USER
from tests.support.fake_telegram import FakeTelegram, FakeUser
from tests.support.orders import place_order
from tests.support.runtime import running

ALICE, BOB = 1001, 1002
MEMBER, STRANGER, FIRST_CROWD = 1001, 2002, 30_000
HELP = "What I can do"


async def _warm(runtime: BotRuntime) -> None:
    """Catalog loaded, so later panel calls are the users' doing (and searches need none)."""
    await runtime.catalog.get()


@pytest.fixture
async def patient_bot(
    make_settings: Callable[..., Settings], panel: PanelSimulator
) -> AsyncIterator[BotRuntime]:
    """A bot whose panel calls wait as long as the panel holds them: the test decides when
    a held call ends (by stopping the panel), so nothing here depends on a timeout."""
    settings = make_settings(
        panel_timeout_seconds=600, panel_interactive_timeout_seconds=600, panel_retries=0
    )
    async with running(settings) as runtime:
        await _warm(runtime)
        try:
            yield runtime
        finally:
            await panel.stop()  # ends any call still held, or the bot could not stop


@pytest.fixture
async def private_bot(make_settings: Callable[..., Settings]) -> AsyncIterator[BotRuntime]:
    settings = make_settings(allow_everyone=False, allowed_user_ids=frozenset({MEMBER}))
    async with running(settings) as runtime:
        yield runtime


async def _hold_balance(alice: FakeUser, panel: PanelSimulator, telegram: FakeTelegram) -> None:
    """Alice asks for /balance and the panel holds the call (until `panel.stop()`)."""
    panel.failure = FailureMode.HANG
    await alice.send("/balance")
    await telegram.wait_for(lambda: bool(panel.calls_for("balance")), what="Alice's balance call")


# -- 1. a backlog behind a slow call ----------------------------------------------------------


async def test_a_users_backlog_does_not_hold_up_other_users(
    patient_bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice, bob = telegram.user(ALICE), telegram.user(BOB, first_name="Bob")
    await _hold_balance(alice, panel, telegram)
    flood = MAX_CONCURRENT_UPDATES + 44  # more than the application's slots
    for i in range(flood):
        await alice.send(f"like {i}")
    await bob.send("/help")
    assert HELP in (await bob.reply()).plain_text
    # …while Alice's balance call is still held: she has heard nothing but "slow down".
    assert [m.plain_text for m in alice.messages if "Slow down" not in (m.plain_text or "")] == []


async def test_a_users_queue_is_bounded_told_once_and_kept_in_order(
    patient_bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user(ALICE)
    await _hold_balance(alice, panel, telegram)
    queued = list(range(1, MAX_QUEUED_PER_USER))  # with /balance: exactly the bound
    for i in [*queued, 901, 902, 903]:  # the last three are past it
        await alice.send(f"like {i}")
    slow_down = await alice.reply()
    assert "Slow down" in slow_down.plain_text
    tap = await alice.tap_data("cat:0", message=slow_down)  # past the bound too
    assert (await alice.answered(tap)).get("text") in (None, "")  # spinner stopped, not told twice
    await alice.send("like 904")
    await alice.silence()  # one "slow down" per burst, nothing else while the call is held

    await panel.stop()  # the held call ends (the panel is gone): the queue drains, in order
    balance, *searches = await alice.replies(len(queued) + 1)
    assert "panel" in balance.plain_text.lower()
    assert [next(i for i in queued if f"“like {i}”" in m.plain_text) for m in searches] == queued
    await alice.silence()  # the dropped ones never run


# -- 2. strangers -------------------------------------------------------------------------------


def _clock(runtime: BotRuntime) -> list[float]:
    """Give the bot's refusal memory a clock the test moves by hand."""
    now = [1_000.0]
    runtime.app.bot_data[REFUSALS_KEY] = RefusalThrottle(clock=lambda: now[0])
    return now


async def test_a_stranger_is_refused_once_per_window(private_bot: BotRuntime, telegram: FakeTelegram) -> None:
    now = _clock(private_bot)
    stranger, member = telegram.user(STRANGER, first_name="Eve"), telegram.user(MEMBER)
    for i in range(20):
        await stranger.send(f"hello {i}")
    await member.send("/help")
    assert HELP in (await member.reply()).plain_text
    # The refusal may come while the others are still being sent: counted once all is quiet.
    await telegram.wait_idle()
    [refusal] = stranger.messages
    assert "ask the bot's owner" in refusal.plain_text
    tap = await stranger.tap_data("cat:0", message=stranger.last)
    assert str(STRANGER) in (await stranger.answered(tap))["text"]  # taps: always answered

    now[0] += REFUSAL_WINDOW_S - 1
    await stranger.send("still there?")
    await stranger.silence()
    now[0] += 2
    await stranger.send("and now?")
    assert "ask the bot's owner" in (await stranger.reply()).plain_text


async def test_a_crowd_of_strangers_is_refused_within_a_budget(
    private_bot: BotRuntime, telegram: FakeTelegram
) -> None:
    now = _clock(private_bot)
    crowd = [telegram.user(FIRST_CROWD + i, first_name="X") for i in range(3 * REFUSALS_PER_MINUTE)]
    for stranger in crowd:
        await stranger.send("hi")
    member = telegram.user(MEMBER)
    await member.send("/help")
    assert HELP in (await member.reply()).plain_text
    await telegram.wait_idle()
    told = [s for s in crowd if s.messages]
    assert len(told) == REFUSALS_PER_MINUTE

    now[0] += 61  # a minute later the budget is back, for those not told yet
    untold = next(s for s in crowd if not s.messages)
    await untold.send("hi again")
    assert "ask the bot's owner" in (await untold.reply()).plain_text
    await told[0].send("hi again")
    await told[0].silence()  # still within their own window


def test_refusal_memory_stays_bounded() -> None:
    """A stream of fresh IDs for an hour: only the strangers told within the window are kept."""
    now = [0.0]
    throttle = RefusalThrottle(clock=lambda: now[0])
    largest = 0
    for user_id in range(100_000):
        now[0] += 0.036  # about 28 new strangers a second
        throttle.may_tell(user_id)
        largest = max(largest, len(throttle))
    assert largest <= REFUSALS_PER_MINUTE * REFUSAL_WINDOW_S / 60


# -- 3. notifications vs replies -----------------------------------------------------------------

NOTIFIED_USERS, NOTICES_EACH = 12, 10  # more users than the notifier sends to at once
PROBE = 9_999


def _open_chat(telegram: FakeTelegram, user_id: int) -> None:
    """The user starts the bot without a greeting (`my_chat_member`): the bot may now write to
    them, and no reply has spent the rate limit before the burst."""
    user = telegram.user(user_id, first_name=f"U{user_id}")
    telegram.push_update(
        {
            "my_chat_member": {
                "chat": user.private_chat(),
                "from": user.user_dict(),
                "date": int(time.time()),
                "old_chat_member": {"status": "kicked", "user": telegram.bot_user, "until_date": 0},
                "new_chat_member": {"status": "member", "user": telegram.bot_user},
            }
        }
    )


async def test_replies_go_ahead_of_a_notification_burst(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    users = [5_000 + i for i in range(NOTIFIED_USERS)]
    for user_id in users:
        _open_chat(telegram, user_id)
    await telegram.wait_idle()
    for user_id in users:
        for _ in range(NOTICES_EACH):
            panel.complete((await place_order(bot, user_id)).panel_order_id)
    probe = telegram.user(PROBE, first_name="Probe")

    def notices() -> list[int]:
        """Positions, in the fake's call log, of the notices sent so far."""
        return [
            i
            for i, call in enumerate(telegram.calls)
            if call.method == "sendMessage" and int(call.params["chat_id"]) in users
        ]

    burst = asyncio.create_task(bot.tracking.run(bot.app.bot))
    await telegram.wait_for(lambda: len(notices()) >= 10, what="the burst to be under way")
    asked_at = len(telegram.calls)
    await probe.send("/help")
    assert HELP in (await probe.reply()).plain_text
    answered_at = next(
        i
        for i, call in enumerate(telegram.calls)
        if call.method == "sendMessage" and int(call.params["chat_id"]) == PROBE
    )
    run = await burst
    assert run.delivery.sent == NOTIFIED_USERS * NOTICES_EACH  # replies first, notices all the same
    ahead = [i for i in notices() if asked_at <= i < answered_at]
    # At most the one notice queued in the limiter goes first, plus any sent while the bot
    # fetched and handled /help (a notice every 1/28 s).  First come, first served, the
    # notifier's ten queued notices all went first.
    assert len(ahead) <= 3, f"{len(ahead)} notices went ahead of the /help answer"
    assert answered_at < notices()[-1]


async def test_a_throttled_notice_is_still_retried_after_telegrams_delay(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    """Background sends keep PTB's 429 handling: wait `retry_after`, send again."""
    _open_chat(telegram, ALICE)
    await telegram.wait_idle()
    for _ in range(2):
        panel.complete((await place_order(bot, ALICE)).panel_order_id)
    telegram.per_chat_per_s = 1.0  # the second notice to Alice within a second gets a 429
    run = await bot.tracking.run(bot.app.bot)
    assert (run.delivery.sent, run.delivery.failed) == (2, 0)
    assert telegram.throttled >= 1
