"""End to end through the fake Bot API: finding the right service (issue 13).

Service buttons that tell neighbours apart (the ID first, then what differs), /services
grouped by platform, and ⭐ favorites that survive a restart.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bot.config import Settings
from bot.panel.simulator import PanelSimulator
from bot.runtime import BotRuntime
from bot.services import platforms
from bot.services.catalog import category_key
from bot.telegram import views
from bot.telegram.texts import text
from tests.conftest import PANEL_KEY
from tests.support.fake_telegram import FakeTelegram, FakeUser, SentMessage
from tests.support.runtime import running

NEXT, BACK = text("en", "nav_next"), text("en", "nav_back")
STALE = text("en", "stale_button")


def _service(service_id: int, name: str, category: str, rate: str = "1200.28") -> dict[str, Any]:
    return {
        "service": service_id,
        "name": name,
        "type": "Default",
        "category": category,
        "rate": rate,
        "min": "100",
        "max": "10000",
        "refill": False,
        "cancel": False,
    }


NEIGHBOURS: list[dict[str, Any]] = [
    # Equal for their first 40 characters: cut at ~30 they used to look identical.
    _service(1234, "Facebook Likes — Chia sẻ bài viết Việt Nam — S1 bảo hành 30 ngày", "Facebook Likes"),
    _service(1235, "Facebook Likes — Chia sẻ bài viết Việt Nam — S2 không bảo hành", "Facebook Likes"),
    _service(1236, "Facebook Likes — Chia sẻ bài viết Việt Nam — Server 3 tốc độ 5K/ngày", "Facebook Likes"),
    _service(2001, "Instagram Followers Real", "Instagram Followers"),
    _service(3001, "Gói chăm sóc tài khoản trọn gói", "Dịch vụ khác"),
    _service(3002, "Tăng lượt truy cập website", "Traffic Website Việt"),
]


@pytest.fixture
async def panel(request: pytest.FixtureRequest) -> AsyncIterator[PanelSimulator]:
    """A generated catalog of 80 categories (the issue's "80+ in one flat list"), or `param`."""
    options: dict[str, Any] = {"service_count": 3000, "categories": 80, **getattr(request, "param", {})}
    sim = PanelSimulator(api_key=PANEL_KEY, **options)
    await sim.start()
    yield sim
    await sim.stop()


SMALL = pytest.mark.parametrize("panel", [{"services": NEIGHBOURS}], indirect=True)


def buttons(message: SentMessage) -> list[Any]:
    return [b for row in message.buttons for b in row]


def datas(message: SentMessage, prefix: str) -> list[str]:
    return [b.callback_data for b in buttons(message) if b.callback_data.startswith(prefix + ":")]


def within_limits(message: SentMessage) -> SentMessage:
    for b in buttons(message):
        assert b.callback_data is not None and len(b.callback_data.encode()) <= 64, b
    assert 0 < len(message.plain_text or "") <= 4096
    return message


async def command(user: FakeUser, words: str) -> SentMessage:
    await user.send(words)
    return within_limits(await user.reply())


async def tap(user: FakeUser, label: str) -> SentMessage:
    query_id = await user.tap(label)
    message = await user.reply()
    assert (await user.answered(query_id))["text"] is None
    return within_limits(message)


async def tap_data(user: FakeUser, data: str) -> SentMessage:
    query_id = await user.tap_data(data)
    message = await user.reply()
    assert (await user.answered(query_id))["text"] is None
    return within_limits(message)


def grouped(panel: PanelSimulator) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for raw in panel.services:
        found.setdefault(raw["category"], []).append(int(raw["service"]))
    return found


# ------------------------------------------------------------------------------ service buttons


@SMALL
async def test_neighbours_whose_names_differ_late_get_distinguishable_buttons(
    bot: BotRuntime, telegram: FakeTelegram
) -> None:
    alice = telegram.user()
    await command(alice, "/services")
    category = await tap(alice, "Facebook (3)")  # the platform's only category: straight to it
    labels = [b.text for b in buttons(category) if b.callback_data.startswith("sv:")]
    assert labels == [
        "#1234 · S1 bảo hành 30 ngày · 1,200.28/1000",
        "#1235 · S2 không bảo hành · 1,200.28/1000",
        "#1236 · Server 3 tốc độ 5K/ngày · 1,200.28/1000",
    ]
    assert len(set(labels)) == 3 and all(len(label) <= views.SERVICE_LABEL_LIMIT for label in labels)
    card = await tap(alice, "#1235")
    assert card.plain_text.startswith("Facebook Likes — Chia sẻ bài viết Việt Nam — S2 không bảo hành")

    results = await command(alice, "/search chia se")  # search shows IDs too
    found = [b.text for b in buttons(results) if b.callback_data.startswith("sv:")]
    assert [label.split(" · ")[0] for label in found] == ["#1234", "#1235", "#1236"]
    assert telegram.errors == []


async def test_generated_catalog_labels_are_short_unique_and_drop_the_category_words(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    categories = grouped(panel)
    name = next(
        n for n in categories if n.startswith("Facebook - Tăng like bài viết") and len(categories[n]) > 5
    )
    page = await command(alice, "/services")
    page = await tap_data(alice, f"cs:{category_key(name)}:0")
    labels = [b.text for b in buttons(page) if b.callback_data.startswith("sv:")]
    assert len(labels) == 10 and len(set(labels)) == 10
    for label in labels:
        assert re.fullmatch(r"#\d+ · .+ · [\d,.]+/(1000|pkg)", label), label
        assert len(label) <= views.SERVICE_LABEL_LIMIT
        assert "Tăng like bài viết" not in label  # said by the category title, above the buttons
    assert telegram.errors == []


# ------------------------------------------------------------------------------ platforms


def test_platform_detection_ignores_case_and_accents() -> None:
    assert platforms.detect("FACEBOOK - Tăng Like", []) == "fb"
    assert platforms.detect("Tík Tók Việt Nam 🇻🇳", []) == "tt"
    assert platforms.detect("Dịch vụ VIP", ["Tăng view YouTube giá rẻ", "Tăng sub youtube"]) == "yt"
    assert platforms.detect("Twitter/X Followers", []) == "tw"
    assert platforms.detect("Traffic Website Việt", []) == "web"
    assert platforms.detect("Instagram + Facebook combo", []) == "ig"  # the one named first
    assert platforms.detect("Dịch vụ khác", ["Gói chăm sóc tài khoản"]) == platforms.OTHER


async def test_services_groups_80_categories_by_platform(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    categories = grouped(panel)
    assert len(categories) == 80
    first = await command(alice, "/services")
    assert "Choose a platform" in first.plain_text
    assert f"categories: {len(categories)} · services: 3,000" in first.plain_text
    top = [first]
    while NEXT in first.button_texts and len(top) < 5:
        top.append(await tap(alice, NEXT))
        first = top[-1]
    top_buttons = [b for page in top for b in buttons(page) if b.callback_data.split(":")[0] in ("pf", "cs")]
    names = [b.text.split(" (")[0] for b in top_buttons]
    assert len(names) == len(set(names)) and len(names) <= 20  # a short list, not 80 categories
    assert {"Facebook", "Instagram", "TikTok", "YouTube", "Telegram", "Shopee"} <= set(names)
    assert f"Platforms: {len(names)}" in top[0].plain_text

    # Every category sits under exactly one platform, whose counts add up.
    seen: list[str] = []
    for b in top_buttons:
        if b.callback_data.startswith("cs:"):
            seen.append(b.callback_data)
            continue
        platform = b.text.split(" (")[0]
        page = await tap_data(alice, b.callback_data)
        pages = [page]
        while NEXT in page.button_texts:
            page = await tap(alice, NEXT)
            pages.append(page)
        listed = [d for p in pages for d in datas(p, "cs")]
        assert f"({len(listed)} categories)" in b.text
        assert f"Categories: {len(listed)}" in pages[0].plain_text
        by_key = {f"cs:{category_key(n)}:0": n for n in categories}
        assert sum(len(categories[by_key[d]]) for d in listed) == int(
            re.search(r"services: ([\d,]+)", pages[0].plain_text).group(1).replace(",", "")  # type: ignore[union-attr]
        )
        for data in listed:
            assert platform.split("/")[0].lower() in platforms.fold(by_key[data]), (platform, by_key[data])
        seen += listed
        back = await tap(alice, BACK)  # back to the platforms page that lists it
        assert b.callback_data in [x.callback_data for x in buttons(back)]
    assert sorted(seen) == sorted(f"cs:{category_key(n)}:0" for n in categories)
    assert telegram.errors == []


async def test_category_back_leads_to_its_platform(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    await command(alice, "/services")
    tiktok = await tap(alice, "TikTok")
    assert tiktok.plain_text.startswith("📂 TikTok")
    first_category = datas(tiktok, "cs")[0]
    category = await tap_data(alice, first_category)
    service = await tap_data(alice, datas(category, "sv")[0])
    assert "ID: " in service.plain_text
    category_again = await tap(alice, BACK)
    assert datas(category_again, "sv") == datas(category, "sv")
    platform_again = await tap(alice, BACK)
    assert datas(platform_again, "cs") == datas(tiktok, "cs")
    top = await tap(alice, BACK)
    assert "Choose a platform" in top.plain_text
    assert len(alice.messages) == 1 and telegram.errors == []


@SMALL
async def test_single_category_platforms_open_it_and_other_comes_last(
    bot: BotRuntime, telegram: FakeTelegram
) -> None:
    alice = telegram.user()
    top = await command(alice, "/services")
    assert top.button_texts == ["Facebook (3)", "Instagram (1)", "Website traffic (1)", "Other (1)"]
    assert all(d.startswith("cs:") for d in datas(top, "cs")) and not datas(top, "pf")
    other = await tap(alice, "Other (1)")
    assert "Dịch vụ khác" in other.plain_text
    assert (await tap(alice, BACK)).button_texts == top.button_texts  # back to the platforms

    an = telegram.user(1002, first_name="An", language_code="vi")
    vi = await command(an, "/services")
    assert "Chọn một nền tảng" in vi.plain_text and "Khác (1)" in vi.button_texts
    assert telegram.errors == []


async def test_forged_platform_and_favorite_buttons_are_stale(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    await command(alice, "/services")
    for data in ("pf:zz:0", "pf", "pf:fb:x", "fav:abc", "fav", "fav:999999999", "fl:x"):
        query_id = await alice.tap_data(data)
        answer = await alice.answered(query_id)
        assert answer["text"] == STALE and answer["show_alert"], data
    await alice.silence()
    assert telegram.errors == []


# ------------------------------------------------------------------------------ favorites


async def test_favorites_toggle_list_and_survive_a_restart(
    make_settings: Callable[..., Settings], telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    settings = make_settings()
    wanted = [int(panel.services[10]["service"]), int(panel.services[500]["service"])]
    async with running(settings):
        alice = telegram.user()
        empty = await command(alice, "/favorites")
        assert "no favorite services yet" in empty.plain_text and "⭐ Add to favorites" in empty.plain_text
        assert not empty.buttons

        results = await command(alice, f"/search {wanted[0]}")
        card = await tap_data(alice, datas(results, "sv")[0])
        assert card.button_texts[-1] == "⭐ Add to favorites"
        query_id = await alice.tap("⭐ Add to favorites")
        starred = await alice.reply()
        assert (await alice.answered(query_id))["text"] == "⭐ Added to /favorites"
        assert starred.button_texts[-1] == "💔 Remove from favorites"
        back = await tap(alice, BACK)  # Back still leads to the search results
        assert datas(back, "sv") == datas(results, "sv")

        await command(alice, f"/search {wanted[1]}")
        await tap_data(alice, f"sv:{wanted[1]}")
        await alice.tap("⭐ Add to favorites")
        await alice.reply()

        listed = await command(alice, "/favorites")
        assert "Services: 2" in listed.plain_text
        ids = [int(d.split(":")[1]) for d in datas(listed, "sv")]
        assert ids == [wanted[1], wanted[0]]  # newest first
        assert buttons(listed)[0].text.startswith(f"#{wanted[1]} · ")
        card = await tap(alice, f"#{wanted[0]}")
        assert f"ID: {wanted[0]}" in card.plain_text
        assert datas(await tap(alice, BACK), "sv") == datas(listed, "sv")  # back to /favorites

        bob = telegram.user(1003, first_name="Bob")
        assert "no favorite services yet" in (await command(bob, "/favorites")).plain_text  # per user

    async with running(settings):  # a restart: favorites come from the database
        listed = await command(alice, "/favorites")
        assert [int(d.split(":")[1]) for d in datas(listed, "sv")] == [wanted[1], wanted[0]]
        card = await tap(alice, f"#{wanted[1]}")
        assert card.button_texts[-1] == "💔 Remove from favorites"
        query_id = await alice.tap("💔 Remove from favorites")
        unstarred = await alice.reply()
        assert (await alice.answered(query_id))["text"] == "Removed from your favorites"
        assert unstarred.button_texts[-1] == "⭐ Add to favorites"
        listed = await command(alice, "/favorites")
        assert [int(d.split(":")[1]) for d in datas(listed, "sv")] == [wanted[0]]
    assert telegram.errors == []


async def test_favorites_in_vietnamese_and_in_the_menu(bot: BotRuntime, telegram: FakeTelegram) -> None:
    an = telegram.user(1002, first_name="An", language_code="vi")
    empty = await command(an, "/favorites")
    assert "Bạn chưa có dịch vụ yêu thích nào" in empty.plain_text
    results = await command(an, "/search tang like")
    card = await tap_data(an, datas(results, "sv")[0])
    assert card.button_texts[-1] == "⭐ Thêm vào yêu thích"
    query_id = await an.tap("⭐ Thêm vào yêu thích")
    await an.reply()
    assert (await an.answered(query_id))["text"] == "⭐ Đã thêm vào /favorites"
    assert "Dịch vụ yêu thích" in (await command(an, "/favorites")).plain_text
    from bot.telegram.commands import menu

    assert "favorites" in [c.command for c in menu("vi")]
    assert telegram.errors == []
