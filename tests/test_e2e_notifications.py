"""Push notifications end to end: the real tracking job, the simulator, the fake Bot API."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from bot.config import Settings
from bot.panel.simulator import FailureMode, PanelSimulator
from bot.runtime import BotRuntime
from bot.services.money import format_money
from tests.support.fake_telegram import FakeTelegram, FakeUser
from tests.support.orders import pick_service, place_order
from tests.support.runtime import running

ALICE, BOB = 1001, 1002


async def hello(telegram: FakeTelegram, user_id: int, **kw: object) -> FakeUser:
    """A user who has talked to the bot (Telegram only lets bots write to those)."""
    user = telegram.user(user_id, **kw)  # type: ignore[arg-type]
    await user.send("/start")
    await user.reply()
    return user


def sent_to(telegram: FakeTelegram, chat_id: int) -> list[str]:
    return [c.params["text"] for c in telegram.calls_of("sendMessage") if int(c.params["chat_id"]) == chat_id]


async def test_completion_notifies_the_owner_once(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice, bob = await hello(telegram, ALICE), await hello(telegram, BOB, first_name="Bob")
    order = await place_order(bot, ALICE, refill=True)
    other = await place_order(bot, BOB)
    panel.complete(order.panel_order_id)

    run = await bot.tracking.run(bot.app.bot)
    assert run.delivery.sent == 1
    message = await alice.reply()
    assert f"Order {order.panel_order_id} is completed" in message.plain_text
    assert order.link in message.plain_text
    assert message.button_texts == ["♻️ Refill", "🛒 Order again"]
    await bob.silence()

    again = await bot.tracking.run(bot.app.bot)
    assert again.delivery.sent == 0
    await alice.silence()
    assert str(other.panel_order_id) not in " ".join(sent_to(telegram, ALICE))


async def test_started_partial_and_canceled(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = await hello(telegram, ALICE)
    service = await pick_service(bot)
    first = await place_order(bot, ALICE, service=service, quantity=max(service.min, 1000))
    second = await place_order(bot, ALICE, service=service)
    panel.set_status(first.panel_order_id, "In progress")
    await bot.tracking.run(bot.app.bot)
    assert f"Order {first.panel_order_id} has started" in (await alice.reply()).plain_text

    panel.partial(first.panel_order_id, remains=400)
    panel.cancel_order(second.panel_order_id)
    await bot.tracking.run(bot.app.bot)
    texts = {m.plain_text for m in await alice.replies(2)}
    partial = next(t for t in texts if "partially" in t)
    delivered = first.quantity - 400
    assert f"{delivered:,} of {first.quantity:,} delivered" in partial and "400 not delivered" in partial
    final_charge = service.rate * delivered / 1000
    assert f"Final charge: {format_money(final_charge, 'VND')}" in partial  # format: test_panel_models
    assert any(f"Order {second.panel_order_id} was canceled" in t for t in texts)
    stored = await bot.store.orders.get_order(first.id)
    assert stored is not None and stored.remains == 400 and stored.charge == final_charge


async def test_notification_survives_a_restart(
    make_settings: Callable[..., Settings], telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    settings = make_settings()
    async with running(settings) as first:
        alice = await hello(telegram, ALICE)
        order = await place_order(first, ALICE)
        panel.complete(order.panel_order_id)
        await first.deps.poller.cycle()  # the change is stored… and then the bot stops
    assert sent_to(telegram, ALICE) == [sent_to(telegram, ALICE)[0]]  # only the /start greeting

    async with running(settings) as second:
        assert (await second.tracking.run(second.app.bot)).delivery.sent == 1
        assert "is completed" in (await alice.reply()).plain_text
        assert (await second.tracking.run(second.app.bot)).delivery.sent == 0
        await alice.silence()


async def test_blocked_user_is_marked_and_others_still_notified(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    await hello(telegram, ALICE)
    bob = await hello(telegram, BOB, first_name="Bob")
    orders = [await place_order(bot, ALICE), await place_order(bot, ALICE), await place_order(bot, BOB)]
    for order in orders:
        panel.complete(order.panel_order_id)
    telegram.block(ALICE)

    run = await bot.tracking.run(bot.app.bot)
    assert (run.delivery.sent, run.delivery.blocked) == (1, 1)  # Alice's second notice isn't even tried
    assert "is completed" in (await bob.reply()).plain_text
    user = await bot.store.users.get_user(ALICE)
    assert user is not None and user.blocked

    attempts = len([c for c in telegram.calls_of("sendMessage") if int(c.params["chat_id"]) == ALICE])
    await bot.tracking.run(bot.app.bot)
    after = len([c for c in telegram.calls_of("sendMessage") if int(c.params["chat_id"]) == ALICE])
    assert after == attempts  # not messaged again


async def test_transient_failure_is_retried_next_cycle(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = await hello(telegram, ALICE)
    order = await place_order(bot, ALICE)
    panel.complete(order.panel_order_id)
    telegram.outage = True  # Telegram answers 502: a transient error, not a refusal
    run = await bot.tracking.run(bot.app.bot)
    assert (run.delivery.sent, run.delivery.failed) == (0, 1)
    telegram.outage = False
    assert (await bot.tracking.run(bot.app.bot)).delivery.sent == 1
    assert "is completed" in (await alice.reply()).plain_text


async def test_refill_completion_is_notified(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = await hello(telegram, ALICE)
    order = await place_order(bot, ALICE, refill=True)
    panel.complete(order.panel_order_id)
    await bot.tracking.run(bot.app.bot)
    await alice.reply()
    refill = await bot.deps.tracking.request_refill(ALICE, order.id)
    assert refill.refill_id is not None
    await bot.tracking.run(bot.app.bot)
    await alice.silence()  # Pending refill: nothing to tell yet
    panel.finish_refill(refill.refill_id, "Completed")
    await bot.tracking.run(bot.app.bot)
    message = await alice.reply()
    assert f"Refill {refill.refill_id} of order {order.panel_order_id} is completed" in message.plain_text


async def test_vietnamese_owner_gets_vietnamese(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    an = await hello(telegram, 1005, first_name="An", language_code="vi")
    order = await place_order(bot, 1005)
    panel.complete(order.panel_order_id)
    await bot.tracking.run(bot.app.bot)
    assert "đã hoàn thành" in (await an.reply()).plain_text


async def test_low_balance_alert_once_per_crossing(
    make_settings: Callable[..., Settings], telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    async with running(
        make_settings(admin_ids=frozenset({9000}), low_balance_alert=Decimal(1_000_000))
    ) as runtime:
        admin = await hello(telegram, 9000, first_name="Owner")
        await runtime.tracking.run(runtime.app.bot)
        await admin.silence()  # 5,000,000 is above the threshold
        panel.balance = Decimal(250_000)
        await runtime.tracking.run(runtime.app.bot)
        assert "balance is low: 250,000 VND" in (await admin.reply()).plain_text
        await runtime.tracking.run(runtime.app.bot)
        await admin.silence()  # still low: no repeat
        panel.balance = Decimal(2_000_000)
        await runtime.tracking.run(runtime.app.bot)
        panel.balance = Decimal(10)
        await runtime.tracking.run(runtime.app.bot)
        assert "balance is low: 10 VND" in (await admin.reply()).plain_text  # a new crossing


async def test_panel_down_alert_and_recovery(
    make_settings: Callable[..., Settings], telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    runtime = BotRuntime(make_settings(admin_ids=frozenset({9000})))
    await runtime.start(poll_timeout=1)
    clock = [0.0]
    runtime.deps.poller._clock = lambda: clock[0]  # drive time by hand
    try:
        admin = await hello(telegram, 9000, first_name="Owner")
        await place_order(runtime, 9000)
        panel.failure = FailureMode.HTML_502
        for _ in range(12):  # twelve minutes of outage, one cycle a minute
            await runtime.tracking.run(runtime.app.bot)
            clock[0] += 60
        alerts = [m.plain_text for m in admin.messages if "unreachable" in m.plain_text]
        assert len(alerts) == 1 and ("10 minutes" in alerts[0] or "11 minutes" in alerts[0])
        panel.failure = FailureMode.NONE
        clock[0] += 600
        await runtime.tracking.run(runtime.app.bot)
        await telegram.wait_idle()
        assert "reachable again" in admin.messages[-1].plain_text
    finally:
        await runtime.stop()


async def test_job_runs_by_itself(
    make_settings: Callable[..., Settings], telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    async with running(make_settings(status_poll_seconds=1)) as runtime:
        alice = await hello(telegram, ALICE)
        order = await place_order(runtime, ALICE)
        panel.complete(order.panel_order_id)
        assert "is completed" in (await alice.reply(timeout=10)).plain_text
