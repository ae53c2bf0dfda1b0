"""`/unknown`: admins settle orders whose outcome is unknown, and their owners are told once."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from bot.config import Settings
from bot.panel.simulator import FailureMode, PanelSimulator
from bot.runtime import BotRuntime
from bot.store import OrderState
from tests.conftest import PANEL_KEY
from tests.support.fake_telegram import FakeTelegram, FakeUser
from tests.support.runtime import running
from tests.test_e2e_wizard import SERVICES, confirm, to_summary

ADMIN, OWNER = 1001, 2002


@pytest.fixture
async def panel() -> AsyncIterator[PanelSimulator]:
    sim = PanelSimulator(api_key=PANEL_KEY, services=[dict(s) for s in SERVICES])
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
async def bot(make_settings: Callable[..., Settings]) -> AsyncIterator[BotRuntime]:
    async with running(make_settings(admin_ids=frozenset({ADMIN}))) as runtime:
        yield runtime


async def _unknown_order(telegram: FakeTelegram, panel: PanelSimulator, link: str) -> tuple[FakeUser, int]:
    """An order the panel created behind a garbled answer: (its owner, its panel ID)."""
    owner = telegram.user(OWNER, first_name="Bình", username="binh")
    await to_summary(owner, link=link)
    panel.failure = FailureMode.BAD_JSON
    assert "may or may not have been placed" in (await confirm(owner)).plain_text
    panel.failure = FailureMode.NONE
    return owner, max(panel.orders)


async def _say(user: FakeUser, text: str) -> str:
    await user.send(text)
    return (await user.reply()).plain_text


async def test_attach_the_panel_id_then_the_order_is_tracked_and_its_owner_told_once(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    owner, panel_id = await _unknown_order(telegram, panel, "https://facebook.com/posts/u1")
    [order] = await bot.store.orders.unresolved_orders(OWNER)
    admin = telegram.user(ADMIN)
    await admin.send("/unknown")
    listing = await admin.reply()
    assert f"#{order.id}" in listing.plain_text and str(OWNER) in listing.plain_text
    assert "@binh" in listing.plain_text and "https://facebook.com/posts/u1" in listing.plain_text
    await admin.tap(f"✅ #{order.id} placed…", listing)
    assert "Send the panel's order ID" in (await admin.reply()).plain_text
    assert "not an order ID" in await _say(admin, "soon")
    assert f"panel order {panel_id}" in await _say(admin, str(panel_id))

    settled = await bot.store.orders.get_order(order.id)
    assert settled is not None and settled.state is OrderState.PLACED and settled.panel_order_id == panel_id
    run = await bot.tracking.run(bot.app.bot)
    told = [m for m in owner.messages if "confirmed on the panel" in m.plain_text]
    assert len(told) == 1 and f"#{panel_id}" in told[0].plain_text
    assert run.cycle.orders_polled == 1  # tracked like any other order
    await bot.tracking.run(bot.app.bot)
    assert len([m for m in owner.messages if "confirmed on the panel" in m.plain_text]) == 1
    panel.complete(panel_id)
    await bot.tracking.run(bot.app.bot)
    assert "completed" in owner.messages[-1].plain_text.lower()
    assert "No orders of unknown outcome" in await _say(admin, "/unknown")


async def test_not_placed_asks_once_more_then_tells_the_owner(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    owner, _ = await _unknown_order(telegram, panel, "https://facebook.com/posts/u2")
    [order] = await bot.store.orders.unresolved_orders(OWNER)
    admin = telegram.user(ADMIN)
    await admin.send("/unknown")
    listing = await admin.reply()
    await admin.tap(f"✖ #{order.id} not placed", listing)
    question = await admin.reply()
    assert "not placed" in question.plain_text and question.message_id == listing.message_id
    await admin.tap("‹ Back to the list", question)
    listing = await admin.reply()
    assert (await bot.store.orders.get_order(order.id)).state is OrderState.UNKNOWN  # type: ignore[union-attr]
    await admin.tap(f"✖ #{order.id} not placed", listing)
    await admin.tap("✖ Yes, not placed", await admin.reply())
    assert "marked not placed" in (await admin.reply()).plain_text
    settled = await bot.store.orders.get_order(order.id)
    assert settled is not None and settled.state is OrderState.FAILED
    await bot.tracking.run(bot.app.bot)
    await bot.tracking.run(bot.app.bot)
    told = [m for m in owner.messages if "was not placed" in m.plain_text]
    assert len(told) == 1 and "https://facebook.com/posts/u2" in told[0].plain_text


async def test_typed_verdicts_are_checked_against_the_panel_and_other_orders(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    _, first_panel_id = await _unknown_order(telegram, panel, "https://facebook.com/posts/u3")
    [first] = await bot.store.orders.unresolved_orders(OWNER)
    admin = telegram.user(ADMIN)
    assert "/unknown 12 98765" in await _say(admin, f"/unknown {first.id}")
    assert "/unknown 12 98765" in await _say(admin, f"/unknown {first.id} maybe")
    assert "doesn't know order 999999" in await _say(admin, f"/unknown {first.id} 999999")
    assert "no order #424242" in (await _say(admin, f"/unknown 424242 {first_panel_id}")).lower()
    assert f"panel order {first_panel_id}" in await _say(admin, f"/unknown {first.id} {first_panel_id}")
    assert "already settled" in await _say(admin, f"/unknown {first.id} no")

    await _unknown_order(telegram, panel, "https://facebook.com/posts/u4")
    [second] = await bot.store.orders.unresolved_orders(OWNER)
    answer = await _say(admin, f"/unknown {second.id} {first_panel_id}")
    assert f"already belongs to order #{first.id}" in answer
    assert (await bot.store.orders.get_order(second.id)).state is OrderState.UNKNOWN  # type: ignore[union-attr]


async def test_only_admins_may_settle(bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator) -> None:
    owner, panel_id = await _unknown_order(telegram, panel, "https://facebook.com/posts/u5")
    [order] = await bot.store.orders.unresolved_orders(OWNER)
    assert "for the bot's admins" in await _say(owner, "/unknown")
    assert "for the bot's admins" in await _say(owner, f"/unknown {order.id} {panel_id}")
    for data in (f"up:{order.id}", f"uN:{order.id}", "ul"):
        answer = await owner.answered(await owner.tap_data(data))
        assert answer.get("show_alert")
    await telegram.wait_idle()
    assert (await bot.store.orders.get_order(order.id)).state is OrderState.UNKNOWN  # type: ignore[union-attr]


async def test_admins_are_alerted_once_per_new_unknown_order(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    admin = telegram.user(ADMIN)
    await admin.send("/start")
    await admin.reply()
    await _unknown_order(telegram, panel, "https://facebook.com/posts/u6")

    def alerts() -> list[str]:
        return [m.plain_text for m in admin.messages if "wait for your verdict" in m.plain_text]

    await bot.tracking.run(bot.app.bot)
    await bot.tracking.run(bot.app.bot)
    assert alerts() == ["❓ 1 order(s) of unknown outcome wait for your verdict: /unknown"]
    await _unknown_order(telegram, panel, "https://facebook.com/posts/u7")
    await bot.tracking.run(bot.app.bot)
    assert len(alerts()) == 2 and alerts()[-1].startswith("❓ 2 order(s)")
