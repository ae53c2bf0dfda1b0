"""Access control, admin commands, spending guards and group chats, end to end."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from bot.panel.models import Service
from bot.panel.simulator import PanelSimulator
from bot.runtime import BotRuntime
from bot.services.catalog import Catalog
from tests.support.fake_telegram import FakeTelegram, FakeUser
from tests.support.orders import place_order
from tests.support.runtime import running

ADMIN, MEMBER, STRANGER = 9000, 1001, 2002


@pytest.fixture
async def private_bot(
    make_settings: Callable[..., Settings], telegram: FakeTelegram, panel: PanelSimulator
) -> AsyncIterator[BotRuntime]:
    settings = make_settings(
        allow_everyone=False, allowed_user_ids=frozenset({MEMBER}), admin_ids=frozenset({ADMIN})
    )
    async with running(settings) as runtime:
        await _warm(runtime)
        yield runtime


async def _warm(runtime: BotRuntime) -> None:
    """Let the start-up catalog load finish, so later panel calls are the users' doing."""
    for _ in range(100):
        if runtime.catalog.current is not None:
            return
        await asyncio.sleep(0.02)


def spanning(catalog: Catalog, amount: Decimal) -> Service:
    """A plain service whose min costs less than `amount` and whose max costs more."""
    return next(
        s
        for s in catalog.services
        if s.type == "Default" and not s.dripfeed and s.charge_for(s.min) < amount < s.charge_for(s.max)
    )


async def say(user: FakeUser, text: str) -> str:
    await user.send(text)
    return (await user.reply()).plain_text


async def test_stranger_is_refused_with_their_id_and_costs_nothing(
    private_bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    stranger = telegram.user(STRANGER, first_name="Eve")
    calls_before = len(panel.calls)
    answer = await say(stranger, "/start")
    assert "ask the bot's owner" in answer and str(STRANGER) in answer
    for command in (
        "/balance",
        "/order 1",
        "/services",
        "/search like",
        "/orders",
        "/status 100001",
        "hello",
        "/allow 2002",
    ):
        await stranger.send(command)
    await stranger.silence()  # told once (tests/test_e2e_fairness.py), then silence
    hello = stranger.last
    assert hello is not None
    for data in ("cat:0", "sv:1", "ord:1", "od:1", "wok:abc", "lang:vi"):
        answer = await stranger.answered(await stranger.tap_data(data, message=hello))
        assert str(STRANGER) in answer["text"] and answer["show_alert"], data
    query = await stranger.inline("likes")
    await telegram.wait_idle()
    assert stranger.inline_results(query) == []
    assert len(panel.calls) == calls_before  # not one panel call: not even services or balance
    assert await private_bot.store.users.get_user(STRANGER) is None  # nor a database row


async def test_vietnamese_stranger_is_refused_in_vietnamese(
    private_bot: BotRuntime, telegram: FakeTelegram
) -> None:
    stranger = telegram.user(STRANGER, language_code="vi")
    answer = await say(stranger, "/start")
    assert "Bot này là bot riêng" in answer and str(STRANGER) in answer


async def test_members_and_admins_are_served(private_bot: BotRuntime, telegram: FakeTelegram) -> None:
    assert "5,000,000 VND" in await say(telegram.user(MEMBER), "/balance")
    assert "5,000,000 VND" in await say(telegram.user(ADMIN, first_name="Owner"), "/balance")


async def test_allow_and_deny_take_effect_without_restart(
    private_bot: BotRuntime, telegram: FakeTelegram
) -> None:
    admin, stranger, member = telegram.user(ADMIN), telegram.user(STRANGER), telegram.user(MEMBER)
    assert "ask the bot's owner" in await say(stranger, "/balance")
    assert "may use the bot now" in await say(admin, f"/allow {STRANGER}")
    assert "5,000,000 VND" in await say(stranger, "/balance")
    assert "can no longer use" in await say(admin, f"/deny {STRANGER}")
    assert "ask the bot's owner" in await say(stranger, "/balance")
    # /deny also overrides the environment's ALLOWED_USER_IDS…
    assert "can no longer use" in await say(admin, f"/deny {MEMBER}")
    assert "ask the bot's owner" in await say(member, "/balance")
    # …but can't lock out an admin.
    assert "is an admin" in await say(admin, f"/deny {ADMIN}")
    for junk in ("/allow", "/allow abc", "/allow 1 2", "/deny -5"):
        assert "Usage" in await say(admin, junk), junk


async def test_access_changes_survive_a_restart(
    make_settings: Callable[..., Settings], telegram: FakeTelegram
) -> None:
    settings = make_settings(allow_everyone=False, admin_ids=frozenset({ADMIN}))
    async with running(settings):
        await say(telegram.user(ADMIN), f"/allow {STRANGER}")
    async with running(settings):
        assert "Hi" in await say(telegram.user(STRANGER), "/start")


async def test_admin_commands_are_refused_to_non_admins(
    private_bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    member = telegram.user(MEMBER)
    services_calls = len(panel.calls_for("services"))
    for command in ("/users", "/stats", f"/allow {STRANGER}", f"/deny {ADMIN}", "/refresh"):
        assert "for the bot's admins" in await say(member, command), command
    assert "ask the bot's owner" in await say(telegram.user(STRANGER), "/start")  # /allow did nothing
    assert len(panel.calls_for("services")) == services_calls  # /refresh did nothing


async def test_admin_menu_is_only_in_the_admins_chat(private_bot: BotRuntime, telegram: FakeTelegram) -> None:
    await say(telegram.user(ADMIN), "/start")
    await telegram.wait_idle()
    admin_menu = {c["command"] for c in telegram.commands[(f"chat:{ADMIN}", "")]}
    default_menu = {c["command"] for c in telegram.commands[("default", "")]}
    assert {"users", "stats", "allow", "deny", "refresh"} <= admin_menu
    assert not {"users", "stats", "allow", "deny", "refresh"} & default_menu


async def test_users_and_stats(private_bot: BotRuntime, telegram: FakeTelegram) -> None:
    admin, member = telegram.user(ADMIN, first_name="Owner"), telegram.user(MEMBER, first_name="Mai")
    await say(member, "/start")
    first = await place_order(private_bot, MEMBER, quantity=1000)
    second = await place_order(private_bot, MEMBER, quantity=1000)
    spend = first.charge + second.charge
    users = await say(admin, "/users")
    member_line = next(line for line in users.splitlines() if str(MEMBER) in line)
    assert "Mai" in member_line and " 2 " in member_line.replace("·", " ")
    assert f"{spend:,.0f}" in member_line or f"{spend:,}" in member_line
    stats = await say(admin, "/stats")
    for period in ("Today", "Last 7 days", "Last 30 days"):
        line = next(line for line in stats.splitlines() if line.startswith(period))
        assert "2 orders" in line
    assert "Mai" in stats and first.service_name[:10] in stats


async def test_refresh_reloads_the_catalog(
    private_bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    panel.services.append(
        {
            "service": 999_999,
            "name": "Brand new",
            "type": "Default",
            "category": "New",
            "rate": "100",
            "min": "10",
            "max": "100",
        }
    )
    answer = await say(telegram.user(ADMIN), "/refresh")
    assert f"{len(panel.services):,} services" in answer
    catalog = private_bot.catalog.current
    assert catalog is not None and catalog.get(999_999) is not None


async def test_group_chats_get_a_pointer_and_nothing_private(
    private_bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    member = telegram.user(MEMBER)
    await place_order(private_bot, MEMBER)
    balance_calls = len(panel.calls_for("balance"))
    for command in ("/orders", "/balance", f"/start@{telegram.bot_username}"):
        await member.send_raw(
            {"text": command, "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}]},
            chat_type="group",
            chat_id=-100,
        )
    await telegram.wait_idle()
    group_messages = telegram.messages.get(-100, [])
    assert len(group_messages) == 3
    for message in group_messages:
        assert "only work in private chat" in message.plain_text
        assert message.buttons[0][0].url == f"https://t.me/{telegram.bot_username}"
    await member.send_raw({"text": "hello everyone"}, chat_type="supergroup", chat_id=-200)
    await member.send_raw(
        {"text": "/orders@other_bot", "entities": [{"type": "bot_command", "offset": 0, "length": 17}]},
        chat_type="group",
        chat_id=-100,
    )
    await telegram.wait_idle()
    assert telegram.messages.get(-200, []) == [] and len(telegram.messages[-100]) == 3
    assert len(panel.calls_for("balance")) == balance_calls


async def test_max_order_charge_guard(
    make_settings: Callable[..., Settings], telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    async with running(make_settings(max_order_charge=Decimal(50_000))) as runtime:
        catalog = await runtime.catalog.get()
        service = spanning(catalog, Decimal(50_000))
        user = telegram.user(MEMBER)
        await say(user, f"/order {service.id}")
        await say(user, "https://example.com/p/1")
        answer = await say(user, str(service.max))
        assert "more than the limit of 50,000 VND per order" in answer
        assert "Total" in await say(user, str(service.min))  # the quantity step repeated
        assert panel.calls_for("add") == []


async def test_daily_limit_guard(
    make_settings: Callable[..., Settings], telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    async with running(make_settings(user_daily_limit=Decimal(100_000))) as runtime:
        catalog = await runtime.catalog.get()
        service = spanning(catalog, Decimal(60_000))
        quantity = max(service.min, math.ceil(60_000 * 1000 / service.rate))
        await place_order(runtime, MEMBER, service=service, quantity=quantity)
        user = telegram.user(MEMBER)
        await say(user, f"/order {service.id}")
        await say(user, "https://example.com/p/2")
        answer = await say(user, str(quantity))
        assert "limit 100,000 VND a day" in answer and "you can spend only" in answer
        assert len(panel.calls_for("add")) == 1  # only the first order


async def test_today_starts_at_the_owners_midnight(database: str | Path) -> None:
    """At 17:30 UTC it is 00:30 the next day in Hanoi: an order from 16:30 UTC is "yesterday" there."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from bot.services.access import AccessService
    from bot.services.admin import AdminService
    from bot.store import NewOrder, Store

    clock = [datetime(2026, 11, 26, 16, 30, tzinfo=UTC)]
    async with Store(database, clock=lambda: clock[0]) as store:
        await store.users.touch_user(1, "A")
        order = await store.orders.create_order_intent(
            NewOrder(1, 1, 1, "s", "https://x.y/1", 100, Decimal(5), confirm_token="t")
        )
        await store.orders.mark_order_placed(order.id, 1)
        clock[0] = datetime(2026, 11, 26, 17, 30, tzinfo=UTC)
        settings = load_settings({"TELEGRAM_BOT_TOKEN": "1:x", "SMM_API_KEY": "k"}, dotenv=None)
        access = AccessService(settings, store)
        utc_today, *_ = await AdminService(store, access, lambda: clock[0]).stats()
        hanoi_today, hanoi_week, _ = await AdminService(
            store, access, lambda: clock[0], zone=ZoneInfo("Asia/Ho_Chi_Minh")
        ).stats()
    assert utc_today.totals.orders == 1
    assert hanoi_today.totals.orders == 0 and hanoi_week.totals.orders == 1
