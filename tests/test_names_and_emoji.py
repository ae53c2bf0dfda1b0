"""Service names as panels really send them (issue 12): HTML entities (`&amp;`, `&#39;`) shown
decoded once, and emoji (`💧`, `🇻🇳`) that can be searched for.

Unit tests of the parsing and the search normalisation, then the same through the real bot
and the fake Bot API: category lists, cards, search results, inline results, the order
summary, /orders and notices.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

from bot.panel.models import Service
from bot.panel.simulator import PanelSimulator
from bot.runtime import BotRuntime
from bot.services.catalog import Catalog
from bot.services.search import ServiceSearch, normalize
from tests.conftest import PANEL_KEY
from tests.support.fake_telegram import FakeTelegram, FakeUser, SentMessage
from tests.support.orders import place_order

# -- names with HTML entities ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("Likes &amp; Views", "Likes & Views"),
        ("Today&#39;s &quot;best&quot;", 'Today\'s "best"'),
        ("&#x1F4A7; Water &lt;HQ&gt;", "💧 Water <HQ>"),
        ("Double &amp;amp; escaped", "Double &amp; escaped"),  # decoded once, not twice
        ("R&D & co", "R&D & co"),  # a bare "&" is just an ampersand
        ("AT&T &copy", "AT&T &copy"),  # no semicolon: not a reference
        ("<b>bold</b> & 👍", "<b>bold</b> & 👍"),  # tags are text, escaped where shown
    ],
)
def test_service_names_are_decoded_once(raw: str, name: str) -> None:
    service = Service.from_api({"service": 1, "rate": "1", "name": raw})
    assert service is not None and service.name == name


# -- emoji in search ---------------------------------------------------------------------------


def entry(service_id: int, name: str, category: str = "Misc") -> Service:
    return Service(service_id, name, "Default", category, Decimal("1000"), 10, 1000)


EMOJI_CATALOG = Catalog(
    (
        entry(1, "💧 Instagram Likes"),
        entry(2, "Instagram Followers 🇻🇳 Việt Nam"),
        entry(3, "TikTok Views 🇺🇸"),
        entry(4, "Water💧drops"),  # no space around the emoji
        entry(5, "❤️ Hearts"),  # with the emoji presentation selector
        entry(6, "Plain likes"),
        entry(7, "Likes 👍🏽 Vietnam", "🇻🇳 Vietnam"),  # a skin tone; a flag in the category
        entry(8, "Flags 🇻🇬🇳🇱"),  # 🇻🇬 + 🇳🇱: its middle is not 🇬🇳 nor 🇻🇳
    ),
    fetched_at=0.0,
)


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("💧Nước", "💧 nuoc"),
        ("🇻🇳 Việt Nam", "🇻🇳 viet nam"),
        ("🇻🇳🇺🇸", "🇻🇳 🇺🇸"),
        ("❤️ tim ❤", "❤ tim ❤"),
        ("👍🏽like", "👍 like"),
        ("👨‍👩‍👧", "👨 👩 👧"),
        ("!!", ""),
    ],
)
def test_emoji_are_words_of_their_own(raw: str, plain: str) -> None:
    assert normalize(raw) == plain


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("💧", [1, 4]),
        ("🇻🇳", [2, 7]),
        ("🇺🇸", [3]),
        ("💧 likes", [1]),
        ("💧likes", [1]),
        ("❤", [5]),
        ("❤️", [5]),
        ("👍", [7]),
        ("🇻🇬", [8]),
        ("🇬🇳", []),
        ("🔥", []),
    ],
)
def test_searching_an_emoji_finds_the_names_carrying_it(query: str, found: list[int]) -> None:
    assert [s.id for s in ServiceSearch().search(EMOJI_CATALOG, query)] == found


# -- end to end --------------------------------------------------------------------------------

ALICE = 6001
SERVICES: list[dict[str, Any]] = [
    {
        "service": 201,
        "name": "💧 Instagram Likes &amp; Views &#39;HQ&#39;",
        "type": "Default",
        "category": "Instagram",
        "rate": "0.0015",
        "min": "10",
        "max": "100000",
        "refill": True,
        "cancel": True,
    },
    {
        "service": 202,
        "name": "🇻🇳 Facebook Followers Việt Nam",
        "type": "Default",
        "category": "Facebook",
        "rate": "0.0575",
        "min": "100",
        "max": "50000",
    },
    {
        "service": 203,
        "name": "Water 💧 Drops",
        "type": "Default",
        "category": "Instagram",
        "rate": "2.5",
        "min": "10",
        "max": "1000",
    },
    {
        "service": 204,
        "name": "TikTok Views 🇺🇸",
        "type": "Default",
        "category": "TikTok",
        "rate": "12",
        "min": "10",
        "max": "1000",
    },
]
SHOWN = "💧 Instagram Likes & Views 'HQ'"


@pytest.fixture
async def panel() -> AsyncIterator[PanelSimulator]:
    sim = PanelSimulator(api_key=PANEL_KEY, services=[dict(s) for s in SERVICES], currency="USD")
    await sim.start()
    yield sim
    await sim.stop()


async def say(user: FakeUser, words: str) -> SentMessage:
    await user.send(words)
    return await user.reply()


def listed(message: SentMessage) -> list[int]:
    """IDs of the service buttons (`sv:<id>:…`), in order."""
    data = [b.callback_data or "" for row in message.buttons for b in row]
    return [int(d.split(":")[1]) for d in data if d.startswith("sv:")]


def assert_decoded_once(message: SentMessage) -> None:
    """Shown with `&` and `'`, sent as HTML escaped exactly once."""
    assert SHOWN in (message.plain_text or "")
    assert "&amp;amp;" not in (message.text or "") and "&#39;" not in (message.plain_text or "")


async def test_entities_are_decoded_in_lists_cards_and_search(
    bot: BotRuntime, telegram: FakeTelegram
) -> None:
    alice = telegram.user(ALICE)
    categories = await say(alice, "/services")
    await alice.tap("Instagram", categories)
    category = await alice.reply()
    assert category.button_texts[0] == f"#201 · {SHOWN} · 0.0015/1000"
    await alice.tap("💧 Instagram", category)
    card = await alice.reply()
    assert card.plain_text.splitlines()[0] == SHOWN
    assert_decoded_once(card)
    assert "Price: 0.0015 USD per 1000" in card.plain_text

    results = await say(alice, "/search likes views")
    assert listed(results) == [201]
    assert results.button_texts[0].startswith(f"#201 · {SHOWN}")
    assert telegram.errors == []


async def test_entities_are_decoded_in_summaries_orders_and_notices(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user(ALICE)
    await say(alice, "/order 201")
    await say(alice, "https://instagram.com/p/abc")
    assert_decoded_once(await say(alice, "1000"))
    await say(alice, "/cancel")

    service = (await bot.catalog.get()).get(201)
    assert service is not None
    order = await place_order(bot, ALICE, service=service, quantity=1000)
    listing = await say(alice, "/orders")
    assert_decoded_once(listing)
    await alice.tap(f"#{order.panel_order_id}", listing)
    assert_decoded_once(await alice.reply())
    panel.complete(order.panel_order_id)
    await bot.tracking.run(bot.app.bot)
    assert_decoded_once(await alice.reply())


@pytest.mark.parametrize(
    ("query", "found"), [("💧", [201, 203]), ("🇻🇳", [202]), ("🇺🇸", [204]), ("💧 views", [201])]
)
async def test_searching_an_emoji_in_the_chat(
    bot: BotRuntime, telegram: FakeTelegram, query: str, found: list[int]
) -> None:
    alice = telegram.user(ALICE)
    assert listed(await say(alice, f"/search {query}")) == found
    assert listed(await say(alice, query)) == found  # typed as plain text


async def test_searching_an_emoji_inline(bot: BotRuntime, telegram: FakeTelegram) -> None:
    alice = telegram.user(ALICE)
    query_id = await alice.inline("💧")
    await telegram.wait_for(lambda: alice.inline_results(query_id) is not None)
    results = alice.inline_results(query_id) or []
    assert [r["id"] for r in results] == ["201", "203"]
    first = results[0]
    assert first["title"] == SHOWN
    assert first["description"] == "0.0015/1000 · 10–100,000"
    content = first["input_message_content"]["message_text"]
    assert "Likes &amp; Views &#x27;HQ&#x27;" in content and "0.0015 USD per 1000" in content
