"""A catalog and answers shaped like a real panel's, end to end (issue 12's 'done when').

Strings and numbers mixed, fields missing (no refill/cancel/dripfeed), `max` 2147483647,
rates `"0.0015"` and `28.139999999999997` (a float in the JSON), IDs as strings,
Vietnamese and emoji names, a form-only panel with the default settings.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.panel.simulator import PanelSimulator
from bot.runtime import BotRuntime
from tests.conftest import PANEL_KEY
from tests.support.fake_telegram import FakeTelegram, FakeUser, SentMessage

CATALOG = [
    {  # USD-panel style: everything a string, no refill/cancel field at all
        "service": "308",
        "name": "💧 Instagram Likes [Real] &amp; fast",
        "type": "Default",
        "category": "Instagram Likes",
        "rate": "0.0015",
        "min": "100",
        "max": "2147483647",
    },
    {  # numbers as numbers, a float rate with its noise, a huge minimum
        "service": 1201,
        "name": "Tăng view TikTok 🇻🇳 không bảo hành",
        "type": "Default",
        "category": "TikTok",
        "rate": 28.139999999999997,
        "min": 500000,
        "max": 2147483647,
        "platform": "TikTok",
    },
]


@pytest.fixture
async def panel() -> AsyncIterator[PanelSimulator]:
    sim = PanelSimulator(
        api_key=PANEL_KEY, services=[dict(s) for s in CATALOG], currency="USD", body_formats=("form",)
    )
    await sim.start()
    yield sim
    await sim.stop()


async def say(user: FakeUser, words: str) -> SentMessage:
    await user.send(words)
    return await user.reply()


async def test_a_real_shaped_catalog_orders_end_to_end_with_default_settings(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    assert bot.settings.smm_api_format == "auto"
    alice = telegram.user()
    found = await say(alice, "💧")
    [result] = [b for b in found.button_texts if "Instagram" in b]
    assert "& fast" in result and "&amp;" not in result

    assert "Send the <b>link</b>" in (await say(alice, "/order 308")).text
    assert "2,147,483,647" in (await say(alice, "https://instagram.com/p/xyz")).plain_text
    summary = (await say(alice, "383")).plain_text
    assert "0.0005745 USD" in summary  # 383 × 0.0015 / 1000, never "0"
    await alice.tap("✅ Confirm")
    placed = await alice.reply()
    while placed.plain_text.startswith("⏳"):
        placed = await alice.reply()
    assert "Order placed" in placed.plain_text
    [add] = panel.calls_for("add")
    assert add["service"] == "308" and add["quantity"] == "383"
    assert panel.formats_for("add") == ["form"]

    await alice.send("/order 1201")
    await alice.reply()
    await alice.send("https://tiktok.com/@vn/video/1")
    await alice.reply()
    assert "500,000" in (await say(alice, "1000")).plain_text  # below the minimum: said so
    summary = (await say(alice, "500000")).plain_text
    assert "14,070 USD" in summary  # 28.14 × 500 — the float's noise is gone

    order_id = min(panel.orders)
    panel.complete(order_id)
    await bot.tracking.run(bot.app.bot)
    await alice.send(f"/refill {order_id}")  # the catalog doesn't say: the panel decides
    await telegram.wait_idle()
    assert [call["order"] for call in panel.calls_for("refill")] == [str(order_id)]
