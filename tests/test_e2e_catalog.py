"""End to end through the fake Bot API: /services browsing, service cards, search, inline mode.

The catalog here is big (5,000 services in 60 categories) so every screen is checked
against Telegram's limits under realistic load; tests that need exact values use a
small hand-made catalog via `@pytest.mark.parametrize("panel", [...], indirect=True)`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.panel.simulator import FailureMode, PanelSimulator
from bot.runtime import BotRuntime
from bot.services.catalog import category_key
from bot.telegram.texts import text
from tests.conftest import PANEL_KEY
from tests.support.fake_telegram import FakeTelegram, FakeUser, SentMessage

NEXT, PREV, BACK = text("en", "nav_next"), text("en", "nav_prev"), text("en", "nav_back")
STALE = text("en", "stale_button")


@pytest.fixture
async def panel(request: pytest.FixtureRequest) -> AsyncIterator[PanelSimulator]:
    """Overrides conftest's panel: a big catalog, or whatever a test passes as `param`."""
    options: dict[str, Any] = {"service_count": 5000, "categories": 60, **getattr(request, "param", {})}
    failure = options.pop("failure", FailureMode.NONE)
    sim = PanelSimulator(api_key=PANEL_KEY, **options)
    sim.failure = failure
    await sim.start()
    yield sim
    await sim.stop()


CARD_SERVICES: list[dict[str, Any]] = [
    {
        "service": 7,
        "name": "Tăng like <b>bài viết</b> & share 👍",
        "type": "Default",
        "category": "Facebook <VIP> & Co",
        "rate": "12500",
        "min": "100",
        "max": "1000000",
        "refill": True,
        "cancel": False,
        "desc": "Line & <one>\n" + "Very long description. " * 400,
    },
    {
        "service": 8,
        "name": "Gói VIP tháng",
        "type": "Package",
        "category": "Facebook <VIP> & Co",
        "rate": "250000",
        "min": "1",
        "max": "1",
        "refill": False,
        "cancel": True,
    },
    {
        "service": 9,
        "name": "Instagram Followers",
        "type": "Default",
        "category": "Instagram",
        "rate": "2.5",
        "min": "10",
        "max": "5000",
        "refill": False,
        "cancel": False,
    },
]
SMALL = pytest.mark.parametrize("panel", [{"services": CARD_SERVICES}], indirect=True)


# ------------------------------------------------------------------------------ helpers


def buttons(message: SentMessage) -> list[Any]:
    return [b for row in message.buttons for b in row]


def assert_within_limits(message: SentMessage) -> None:
    flat = buttons(message)
    assert len(flat) <= 100
    for b in flat:
        assert b.callback_data is not None and 1 <= len(b.callback_data.encode()) <= 64, b
    assert 0 < len(message.plain_text or "") <= 4096


async def command(user: FakeUser, words: str) -> SentMessage:
    await user.send(words)
    message = await user.reply()
    assert_within_limits(message)
    return message


async def tap(user: FakeUser, label: str) -> SentMessage:
    """Tap, expect the same message to be edited, and the query answered without an alert."""
    query_id = await user.tap(label)
    message = await user.reply()
    answer = await user.answered(query_id)
    assert answer["text"] is None and not answer["show_alert"]
    assert_within_limits(message)
    return message


async def tap_data(user: FakeUser, data: str) -> SentMessage:
    """Tap a button by its callback data (same as tapping it: the data came from a button)."""
    query_id = await user.tap_data(data)
    message = await user.reply()
    assert (await user.answered(query_id))["text"] is None
    assert_within_limits(message)
    return message


def service_ids(message: SentMessage) -> list[int]:
    """IDs of the service buttons (`sv:<id>:...`), in order."""
    return [int(b.callback_data.split(":")[1]) for b in buttons(message) if b.callback_data.startswith("sv:")]


def has_button(message: SentMessage, label: str) -> bool:
    return label in message.button_texts


def page_counter(message: SentMessage) -> str:
    return next(label for label in message.button_texts if re.fullmatch(r"\d+/\d+", label))


def categories_in_panel_order(panel: PanelSimulator) -> dict[str, list[int]]:
    """Category → service IDs, in the order the panel lists them (what /services shows)."""
    grouped: dict[str, list[int]] = {}
    for raw in panel.services:
        grouped.setdefault(raw["category"], []).append(int(raw["service"]))
    return grouped


def plain(value: str) -> str:
    """Accent-free lowercase words, computed by the test itself."""
    value = value.replace("đ", "d").replace("Đ", "D")
    value = "".join(c for c in unicodedata.normalize("NFD", value) if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", " ", value.lower())


# ------------------------------------------------------------------------------ browsing


async def test_services_lists_categories_with_counts(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    """/services opens on platforms (tests/test_e2e_catalog_ux.py); each platform's page lists
    its categories with their service counts."""
    alice = telegram.user()
    message = await command(alice, "/services")
    grouped = categories_in_panel_order(panel)
    assert f"categories: {len(grouped)}" in message.plain_text
    assert "services: 5,000" in message.plain_text
    facebook = await tap(alice, "Facebook")
    category_buttons = [b for b in buttons(facebook) if b.callback_data.startswith("cs:")]
    facebook_categories = [n for n in grouped if n.startswith("Facebook")]
    assert [b.callback_data for b in category_buttons] == [
        f"cs:{category_key(n)}:0" for n in facebook_categories[:10]
    ]
    for b, name in zip(category_buttons, facebook_categories, strict=False):
        assert b.text.endswith(f" ({len(grouped[name]):,})")


async def test_walk_every_page_of_a_5000_service_catalog(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    grouped = categories_in_panel_order(panel)
    page = await command(alice, "/services")
    pages = [page]
    while has_button(page, NEXT):
        page = await tap(alice, NEXT)
        pages.append(page)
    platform_pages = len(pages)
    shown = [b.callback_data for p in pages for b in buttons(p) if b.callback_data.startswith("cs:")]
    for platform in [b.callback_data for p in pages for b in buttons(p) if b.callback_data.startswith("pf:")]:
        page = await tap_data(alice, platform)
        pages.append(page)
        shown += [b.callback_data for b in buttons(page) if b.callback_data.startswith("cs:")]
        while has_button(page, NEXT):
            page = await tap(alice, NEXT)
            pages.append(page)
            shown += [b.callback_data for b in buttons(page) if b.callback_data.startswith("cs:")]
    assert sorted(shown) == sorted(f"cs:{category_key(name)}:0" for name in grouped)  # each exactly once

    page = await tap_data(alice, f"cat:{platform_pages - 1}")
    pages.append(page)
    while has_button(page, PREV):  # and all the way back
        page = await tap(alice, PREV)
        pages.append(page)
    assert page_counter(page) == f"1/{platform_pages}"

    biggest = max(grouped, key=lambda name: len(grouped[name]))
    page = await tap_data(alice, f"cs:{category_key(biggest)}:0")
    pages.append(page)
    listed = service_ids(page)
    while has_button(page, NEXT):
        page = await tap(alice, NEXT)
        pages.append(page)
        listed += service_ids(page)
    assert listed == grouped[biggest]
    service_pages = math.ceil(len(grouped[biggest]) / 10)
    assert service_pages >= 10 and page_counter(page) == f"{service_pages}/{service_pages}"
    service_buttons = [b for p in pages for b in buttons(p) if b.callback_data.startswith("sv:")]
    assert all(re.search(r"^#\d+ · .+ · [\d,.]+/(1000|pkg)$", b.text) for b in service_buttons)

    assert len(alice.messages) == 1  # all of it in one message, edited in place
    assert alice.messages[0].edits == len(pages) - 1
    assert telegram.errors == []


async def test_card_and_back_to_the_page_it_came_from(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    grouped = categories_in_panel_order(panel)
    biggest = max(grouped, key=lambda name: len(grouped[name]))
    await command(alice, "/services")
    await tap_data(alice, f"cs:{category_key(biggest)}:0")
    second_page = await tap(alice, NEXT)
    assert page_counter(second_page).startswith("2/")
    opened = service_ids(second_page)[3]
    raw = next(s for s in panel.services if s["service"] == opened)

    card = await tap(alice, second_page.button_texts[3])
    assert f"ID: {opened}" in card.plain_text
    assert f"Min: {int(raw['min']):,} · Max: {int(raw['max']):,}" in card.plain_text
    assert f"Refill: {'✅ yes' if raw['refill'] else '❌ no'}" in card.plain_text
    assert card.button("🛒 Order").callback_data == f"ord:{opened}"

    back = await tap(alice, BACK)
    assert back.button_texts == second_page.button_texts  # the same page, not page 1
    categories = await tap(alice, BACK)  # its platform's page that lists it
    assert f"cs:{category_key(biggest)}:0" in [b.callback_data for b in buttons(categories)]
    assert len(alice.messages) == 1 and telegram.errors == []


@SMALL
async def test_service_card_fields(bot: BotRuntime, telegram: FakeTelegram) -> None:
    alice = telegram.user()
    await command(alice, "/services")
    category = await tap(alice, "Facebook (2)")  # its platform's only category: straight to it
    long_name, package = category.button_texts[:2]
    assert long_name == "#7 · Tăng like <b>bài viết</b> & share 👍 · 12,500/1000"
    assert package == "#8 · Gói VIP tháng · 250,000/pkg"
    card = await tap(alice, "Tăng like")
    lines = card.plain_text.splitlines()
    assert lines[0] == "Tăng like <b>bài viết</b> & share 👍"  # escaped, shown literally
    for line in (
        "ID: 7",
        "Category: Facebook <VIP> & Co",
        "Type: Default",
        "Price: 12,500 VND per 1000",
        "Min: 100 · Max: 1,000,000",
        "Refill: ✅ yes",
        "Cancel: ❌ no",
        "Line & <one>",
    ):
        assert line in lines
    assert card.plain_text.endswith("…") and len(card.plain_text) <= 4096  # description cut to fit

    await tap(alice, BACK)
    package = await tap(alice, "Gói VIP")
    assert "Price: 250,000 VND per package" in package.plain_text
    assert "Cancel: ✅ yes" in package.plain_text and "Refill: ❌ no" in package.plain_text
    await command(alice, "/search instagram")
    small_rate = await tap(alice, "Instagram Followers")
    assert "Price: 2.5 VND per 1000" in small_rate.plain_text
    assert telegram.errors == []


@SMALL
async def test_vietnamese_user_sees_vietnamese(bot: BotRuntime, telegram: FakeTelegram) -> None:
    an = telegram.user(1002, first_name="An", language_code="vi")
    categories = await command(an, "/services")
    assert "Danh mục dịch vụ" in categories.plain_text
    await tap(an, "Facebook")
    card = await tap(an, "Tăng like")
    assert "Giá: 12.500 VND / 1000" in card.plain_text
    assert "Tối thiểu: 100 · Tối đa: 1.000.000" in card.plain_text
    assert "Bảo hành: ✅ có" in card.plain_text
    assert "Loại: Tiêu chuẩn" in card.plain_text  # the panel's "Default", said in Vietnamese
    assert card.button_texts == ["🛒 Đặt đơn", text("vi", "nav_back"), text("vi", "fav_add")]
    assert "Không tìm thấy" in (await command(an, "/search khongcodau")).plain_text
    assert "/search tang like" in (await command(an, "/search")).plain_text
    query_id = await an.tap_data("sv:999999999")
    assert (await an.answered(query_id))["text"] == text("vi", "stale_button")


async def test_forged_and_stale_buttons_are_answered_not_crashed(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    message = await command(alice, "/services")
    real_key = buttons(message)[0].callback_data.split(":")[1]
    forged = [
        "cs:zzzzzzzzzz:0",
        "sv:999999999",
        "cat:abc",
        "sq:nope:3",
        "cs",
        f"cs:{real_key}:x",
        "sv:abc",
        "sv:-1",
        "sq",
    ]
    for data in forged:
        query_id = await alice.tap_data(data)
        answer = await alice.answered(query_id)
        assert answer["text"] == STALE and answer["show_alert"], data
    await alice.silence()
    assert alice.messages[0].edits == 0 and len(alice.messages) == 1

    last = await tap_data(alice, "cat:999")  # out of range: the nearest page, not an error
    pages = int(page_counter(message).split("/")[1])
    assert page_counter(last) == f"{pages}/{pages}"
    query_id = await alice.tap(f"{pages}/{pages}")  # the page counter is a label
    assert (await alice.answered(query_id))["text"] is None
    await alice.silence()
    assert telegram.errors == []


@pytest.mark.parametrize("panel", [{"failure": FailureMode.HTML_502}], indirect=True)
async def test_panel_down_on_first_load_is_explained(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    await alice.send("/services")
    assert "panel is not answering" in (await alice.reply()).plain_text
    query_id = await alice.tap_data("cat:1")
    await alice.answered(query_id)  # answered, not left spinning
    assert "panel is not answering" in (await alice.reply()).plain_text
    panel.failure = FailureMode.NONE
    assert "Service categories" in (await command(alice, "/services")).plain_text


# ------------------------------------------------------------------------------ search


async def test_search_ignores_accents_and_case(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    plain_results = await command(alice, "/search tang like")
    accented = await command(alice, "/search Tăng LIKE")
    typed = await command(alice, "tang like")  # plain text in a private chat is a search too
    assert service_ids(plain_results) and len(service_ids(plain_results)) == 10
    assert service_ids(plain_results) == service_ids(accented) == service_ids(typed)
    count = re.search(r": (\d[\d,]*)$", plain_results.plain_text.splitlines()[0])
    assert count is not None
    assert count.group(1) == re.search(r": (\d[\d,]*)$", accented.plain_text.splitlines()[0]).group(1)
    by_id = {int(s["service"]): s for s in panel.services}
    expected = [
        i
        for i, s in by_id.items()
        if all(w in plain(f"{s['name']} {s['category']}") for w in ("tang", "like"))
    ]
    assert int(count.group(1).replace(",", "")) == len(expected)
    for service_id in service_ids(plain_results):
        assert "tang like" in plain(by_id[service_id]["name"])  # best matches first: the phrase


async def test_search_pages_card_and_back(bot: BotRuntime, telegram: FakeTelegram) -> None:
    alice = telegram.user()
    first = await command(alice, "/search facebook")
    second = await tap(alice, NEXT)
    assert page_counter(second).startswith("2/")
    assert set(service_ids(first)).isdisjoint(service_ids(second))
    card = await tap(alice, second.button_texts[0])
    assert f"ID: {service_ids(second)[0]}" in card.plain_text
    assert (await tap(alice, BACK)).button_texts == second.button_texts
    assert len(alice.messages) == 1 and telegram.errors == []


async def test_search_by_id_puts_that_service_first(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    wanted = int(panel.services[1234]["service"])
    results = await command(telegram.user(), f"/search {wanted}")
    assert service_ids(results)[0] == wanted


async def test_search_without_words_or_results(bot: BotRuntime, telegram: FakeTelegram) -> None:
    alice = telegram.user()
    hint = await command(alice, "/search")
    assert "/search tang like" in hint.plain_text and not hint.buttons
    nothing = await command(alice, "/search qqqzzzxx")
    assert "Nothing matches “qqqzzzxx”" in nothing.plain_text and "/services" in nothing.plain_text
    assert not nothing.buttons
    escaped = await command(alice, "<b>nope</b> & co")
    assert "<b>nope</b> & co" in escaped.plain_text
    assert telegram.errors == []


async def test_inline_query_lists_services_with_prices(bot: BotRuntime, telegram: FakeTelegram) -> None:
    alice = telegram.user()
    query_id = await alice.inline("tang like")
    await telegram.wait_for(lambda: alice.inline_results(query_id) is not None)
    results = alice.inline_results(query_id) or []
    assert len(results) == 50
    assert len({r["id"] for r in results}) == 50
    for result in results:
        assert result["type"] == "article" and result["title"]
        assert re.fullmatch(r"[\d,.]+/(1000|pkg) · [\d,]+–[\d,]+", result["description"]), result[
            "description"
        ]
        content = result["input_message_content"]
        assert f"ID: <code>{result['id']}</code>" in content["message_text"]
        assert content["parse_mode"] == "HTML"
    answer = telegram.inline_answers[query_id]
    assert answer["cache_time"] == 60 and answer["is_personal"] is True  # cards are in the asker's language
    assert answer["next_offset"] == "50"  # there are more than 50 matches

    empty_id = await alice.inline("")
    await telegram.wait_for(lambda: alice.inline_results(empty_id) is not None)
    assert alice.inline_results(empty_id) == []
    assert telegram.errors == []


@SMALL
async def test_search_ranks_names_before_categories(bot: BotRuntime, telegram: FakeTelegram) -> None:
    results = await command(telegram.user(), "/search vip")
    assert service_ids(results) == [8, 7]  # "Gói VIP" by name, then the "… <VIP> …" category
