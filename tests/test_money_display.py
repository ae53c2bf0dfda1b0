"""Amounts as users see them (issue 12): exact or at least 3 significant digits, never a
non-zero amount as 0, the reader's separators, and the panel's currency with every amount.

The end-to-end tests run the real bot against a USD panel with tiny rates (as USD panels of
this family price: `"rate": "0.0015"`), through the fake Bot API, on every screen that shows
money: the service card, /balance, /orders and the order card, /users, /stats, the order
summary and the completion notice.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any

import pytest

from bot.config import Settings
from bot.panel.models import Service
from bot.panel.simulator import PanelSimulator
from bot.runtime import BotRuntime
from bot.services.money import format_amount, format_money
from tests.conftest import PANEL_KEY
from tests.support.fake_telegram import FakeTelegram, FakeUser, SentMessage
from tests.support.orders import place_order
from tests.support.runtime import running

# -- the one formatting function ---------------------------------------------------------------

# (amount, English, Vietnamese): rates from 0.0001 to 10,000,000 as panels write them, charges
# computed from them, balances with the panel's own decimals.
TABLE: list[tuple[str, str, str]] = [
    ("0.0001", "0.0001", "0,0001"),
    ("0.00015", "0.00015", "0,00015"),
    ("0.0015", "0.0015", "0,0015"),
    ("0.000575", "0.000575", "0,000575"),  # a charge that used to show as 0
    ("0.0005745", "0.0005745", "0,0005745"),  # 383 × 0.0015 / 1000, exactly
    ("0.0575", "0.0575", "0,0575"),  # used to show as 0.06
    ("0.5", "0.5", "0,5"),
    ("1", "1", "1"),
    ("2.5", "2.5", "2,5"),
    ("3.755", "3.755", "3,755"),
    ("12.50", "12.5", "12,5"),
    ("28.14", "28.14", "28,14"),
    ("100.84292", "100.84292", "100,84292"),  # a balance that used to show as 100.84
    ("999.999", "999.999", "999,999"),
    ("1000", "1,000", "1.000"),
    ("18000", "18,000", "18.000"),  # VND
    ("12500.5", "12,500.5", "12.500,5"),
    ("250000", "250,000", "250.000"),
    ("1234567.89", "1,234,567.89", "1.234.567,89"),
    ("10000000", "10,000,000", "10.000.000"),
    ("-0.0015", "-0.0015", "-0,0015"),
    ("0", "0", "0"),
    ("0.00", "0", "0"),
    ("0.0000012345", "0.0000012345", "0,0000012345"),
    ("0.0000000012345", "0.00000000123", "0,00000000123"),  # past 10 places: 3 digits
    ("0.000000000123456", "0.000000000123", "0,000000000123"),
    ("0.33333333333333333333", "0.3333333333", "0,3333333333"),  # a quotient: rounded
]


@pytest.mark.parametrize(("amount", "en", "vi"), TABLE)
def test_amounts_are_exact_with_the_readers_separators(amount: str, en: str, vi: str) -> None:
    assert format_amount(Decimal(amount)) == en
    assert format_amount(Decimal(amount), "vi") == vi
    assert format_money(Decimal(amount), "USD") == f"{en} USD"
    assert format_money(Decimal(amount), "VND", "vi") == f"{vi} VND"


@pytest.mark.parametrize("language", ["en", "vi"])
def test_integer_quantities_are_unchanged(language: str) -> None:
    separator = "," if language == "en" else "."
    for quantity, shown in ((0, "0"), (7, "7"), (1500, "1{}500"), (2147483647, "2{0}147{0}483{0}647")):
        assert format_amount(quantity, language) == shown.format(separator)


@pytest.mark.parametrize("language", ["en", "vi"])
@pytest.mark.parametrize("exponent", range(-12, 21))
@pytest.mark.parametrize("digits", ["1", "15", "123456", "987654321987"])
def test_never_zero_and_at_least_three_significant_digits(language: str, exponent: int, digits: str) -> None:
    """Any magnitude a panel or a sum can produce: the shown number reads back as the amount
    itself, or as the amount to at least 3 significant digits; never as 0."""
    amount = Decimal(f"{digits}E{exponent}")
    thousands, point = (".", ",") if language == "vi" else (",", ".")
    shown = format_amount(amount, language)
    back = Decimal(shown.replace(thousands, "").replace(point, "."))
    assert back != 0
    if back != amount:
        assert abs(back - amount) <= abs(amount) * Decimal("0.005"), (amount, shown)


# -- end to end with a USD panel ---------------------------------------------------------------

ALICE, ADMIN, ADMIN_VI = 5001, 5999, 5998
USD_SERVICES: list[dict[str, Any]] = [
    {
        "service": 101,
        "name": "Instagram Likes",
        "type": "Default",
        "category": "Instagram",
        "rate": "0.0015",
        "min": "10",
        "max": "100000",
        "refill": True,
        "cancel": True,
    },
    {
        "service": 102,
        "name": "Facebook Followers",
        "type": "Default",
        "category": "Facebook",
        "rate": "0.0575",
        "min": "100",
        "max": "50000",
        "refill": False,
        "cancel": False,
    },
    {
        "service": 103,
        "name": "Starter Package",
        "type": "Package",
        "category": "Facebook",
        "rate": "0.0001",
        "min": "1",
        "max": "1",
    },
    {
        "service": 104,
        "name": "Premium Views",
        "type": "Default",
        "category": "TikTok",
        "rate": "10000000",
        "min": "1",
        "max": "1000",
    },
]
BALANCE = Decimal("100.84292")


@pytest.fixture
async def panel() -> AsyncIterator[PanelSimulator]:
    services = [dict(s) for s in USD_SERVICES]
    sim = PanelSimulator(api_key=PANEL_KEY, services=services, currency="USD", balance=BALANCE)
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
async def usd_bot(make_settings: Callable[..., Settings]) -> AsyncIterator[BotRuntime]:
    async with running(make_settings(admin_ids=frozenset({ADMIN, ADMIN_VI}))) as runtime:
        yield runtime


async def say(user: FakeUser, words: str) -> SentMessage:
    await user.send(words)
    return await user.reply()


async def service(bot: BotRuntime, service_id: int) -> Service:
    found = (await bot.catalog.get()).get(service_id)
    assert found is not None
    return found


async def card(user: FakeUser, service_id: int) -> str:
    """The service card, opened the way its button opens it."""
    await user.tap_data(f"sv:{service_id}", message=await say(user, "/services"))
    return (await user.reply()).plain_text


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            {
                101: "Price: 0.0015 USD per 1000",
                102: "Price: 0.0575 USD per 1000",
                103: "Price: 0.0001 USD per package",
                104: "Price: 10,000,000 USD per 1000",
            },
        ),
        (
            "vi",
            {
                101: "Giá: 0,0015 USD / 1000",
                102: "Giá: 0,0575 USD / 1000",
                103: "Giá: 0,0001 USD / gói",
                104: "Giá: 10.000.000 USD / 1000",
            },
        ),
    ],
)
async def test_service_cards_show_tiny_rates_exactly(
    usd_bot: BotRuntime, telegram: FakeTelegram, language: str, expected: dict[int, str]
) -> None:
    user = telegram.user(ALICE, language_code=language)
    for service_id, price in expected.items():
        assert price in await card(user, service_id)
    assert telegram.errors == []


async def test_balance_keeps_the_panels_decimals(usd_bot: BotRuntime, telegram: FakeTelegram) -> None:
    assert "100.84292 USD" in (await say(telegram.user(ALICE), "/balance")).plain_text
    an = telegram.user(ALICE + 1, language_code="vi")
    assert "100,84292 USD" in (await say(an, "/balance")).plain_text


async def _two_orders(bot: BotRuntime) -> None:
    """0.0005745 USD (383 × 0.0015 / 1000) and 0.0575 USD (1000 × 0.0575 / 1000)."""
    await place_order(bot, ALICE, service=await service(bot, 101), quantity=383)
    await place_order(bot, ALICE, service=await service(bot, 102), quantity=1000)


async def test_orders_list_and_card_show_charges_with_the_currency(
    usd_bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    await _two_orders(usd_bot)
    alice = telegram.user(ALICE)
    listing = await say(alice, "/orders")
    assert "Quantity: 383 · Charge: 0.0005745 USD" in listing.plain_text
    assert "Quantity: 1,000 · Charge: 0.0575 USD" in listing.plain_text
    first = min(panel.orders)
    await alice.tap(f"#{first}", listing)
    order_card = (await alice.reply()).plain_text
    assert "Charge: 0.0005745 USD" in order_card and "Quantity: 383" in order_card
    assert telegram.errors == []


async def test_orders_in_vietnamese(
    usd_bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    an = telegram.user(ALICE + 2, first_name="An", language_code="vi")
    await place_order(usd_bot, an.id, service=await service(usd_bot, 101), quantity=383)
    listing = await say(an, "/orders")
    assert "Số lượng: 383 · Thành tiền: 0,0005745 USD" in listing.plain_text
    await an.tap(f"#{max(panel.orders)}", listing)
    assert "0,0005745 USD" in (await an.reply()).plain_text


async def test_users_and_stats_show_spend_with_the_currency(
    usd_bot: BotRuntime, telegram: FakeTelegram
) -> None:
    await _two_orders(usd_bot)
    admin = telegram.user(ADMIN, first_name="Owner")
    users = (await say(admin, "/users")).plain_text
    line = next(line for line in users.splitlines() if str(ALICE) in line)
    assert line.endswith("· 2 · 0.0580745 USD")
    stats = (await say(admin, "/stats")).plain_text.splitlines()
    assert stats[0] == "Today: 2 orders · 0.0580745 USD"
    # the three period totals, then one top list of the last 30 days (issue 13)
    assert "(2 · 0.0580745 USD)" in stats[-2]  # top users
    assert "Instagram Likes (1 · 0.0005745 USD)" in stats[-1]  # top services
    assert "Facebook Followers (1 · 0.0575 USD)" in stats[-1]

    owner_vi = telegram.user(ADMIN_VI, first_name="Chủ", language_code="vi")
    stats_vi = (await say(owner_vi, "/stats")).plain_text
    assert "2 đơn · 0,0580745 USD" in stats_vi and "(1 · 0,0005745 USD)" in stats_vi
    users_vi = (await say(owner_vi, "/users")).plain_text
    assert "· 2 · 0,0580745 USD" in users_vi


async def test_summary_and_completion_notice_show_the_exact_total(
    usd_bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user(ALICE)
    await say(alice, "/order 101")
    await say(alice, "https://instagram.com/p/abc")
    summary = (await say(alice, "383")).plain_text
    assert "Total: 0.0005745 USD" in summary and "0.0015 USD per 1000" in summary
    order = await place_order(usd_bot, ALICE, service=await service(usd_bot, 101), quantity=1234)
    panel.complete(order.panel_order_id)
    await usd_bot.tracking.run(usd_bot.app.bot)
    notice = (await alice.reply()).plain_text
    assert "Charge: 0.001851 USD" in notice  # 1234 × 0.0015 / 1000
