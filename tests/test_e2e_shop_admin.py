"""The shop's books as the owner reads them: /stats' sales, cost and margin and what customers'
wallets hold, and the alert when the panel balance no longer covers those wallets."""

from __future__ import annotations

from decimal import Decimal

from bot.panel.simulator import PanelSimulator
from bot.runtime import BotRuntime
from tests.support.fake_telegram import FakeTelegram, FakeUser
from tests.test_e2e_shop import (  # the shop's catalog, settings and helpers
    CUSTOMER,
    OTHER,
    panel,
    people,
    place_retail,
    say,
    shop,
    top_up,
)

__all__ = ["panel", "shop"]  # fixtures, used by name
UNCOVERED = "below what customers' wallets hold"


async def test_stats_show_sales_cost_margin_and_what_the_wallets_hold(
    shop: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    admin, customer = await people(telegram)
    _, panel_id = await place_retail(admin, customer, panel)  # 3,500 retail, 2,500 at cost
    panel.partial(panel_id, remains=30)  # the panel keeps 1,750; 1,050 goes back to the wallet
    await shop.tracking.run(shop.app.bot)
    await customer.reply()  # the Partial notice

    stats = (await say(admin, "/stats")).plain_text
    today = stats.split("\n")[:2]
    assert "Today: 1 orders · 1,750 VND" in today[0], stats
    assert "sales 2,450 VND · cost 1,750 VND · margin 700 VND" in today[1], stats
    assert "Customers' wallets: 7,550 VND" in stats and "panel balance: 4,998,250 VND" in stats

    other = telegram.user(OTHER)
    await say(other, "/start")
    await top_up(admin, other, "1000")
    stats = (await say(admin, "/stats")).plain_text
    assert "Customers' wallets: 8,550 VND" in stats  # every customer's wallet, not one


async def test_customers_cannot_read_stats(shop: BotRuntime, telegram: FakeTelegram) -> None:
    customer = telegram.user(CUSTOMER)
    answer = (await say(customer, "/stats")).plain_text
    assert "for the bot's admins" in answer and "wallets" not in answer


async def _alerts(telegram: FakeTelegram, admin: FakeUser) -> list[str]:
    await telegram.wait_idle()
    return [m.plain_text for m in admin.messages if UNCOVERED in m.plain_text]


async def test_admins_are_alerted_once_when_the_panel_no_longer_covers_the_wallets(
    shop: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    admin, customer = await people(telegram)
    await top_up(admin, customer, "10000")
    await shop.tracking.run(shop.app.bot)
    assert await _alerts(telegram, admin) == []  # 5,000,000 covers 10,000

    panel.balance = Decimal(9000)
    await shop.tracking.run(shop.app.bot)
    [alert] = await _alerts(telegram, admin)
    assert "9,000 VND" in alert and "10,000 VND" in alert
    await shop.tracking.run(shop.app.bot)
    assert len(await _alerts(telegram, admin)) == 1  # once per crossing, not once per cycle
    assert not [m for m in customer.messages if UNCOVERED in m.plain_text]  # admins only

    panel.balance = Decimal(20000)
    await shop.tracking.run(shop.app.bot)
    panel.balance = Decimal(5000)
    await shop.tracking.run(shop.app.bot)
    assert len(await _alerts(telegram, admin)) == 2  # covered again, then not: told again
