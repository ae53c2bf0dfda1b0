"""Search results at the customer's prices on every page: only the page shown is priced
(pricing thousands of matches to show ten was most of a search's time), and every page shown
is priced, the first and the later ones alike."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable

import pytest

from bot.config import Settings
from bot.panel.simulator import PanelSimulator
from bot.runtime import BotRuntime
from tests.conftest import PANEL_KEY
from tests.support.fake_telegram import FakeTelegram
from tests.support.runtime import running
from tests.test_e2e_shop import CUSTOMER, _warm, say, wallet_settings

SERVICES = [
    {
        "service": 100 + n,
        "name": f"Like bài viết gói {n}",
        "type": "Default",
        "category": "Facebook",
        "rate": str(1000 * (n + 1)),
        "min": "100",
        "max": "10000",
    }
    for n in range(25)
]


@pytest.fixture
async def panel() -> AsyncIterator[PanelSimulator]:
    sim = PanelSimulator(api_key=PANEL_KEY, services=[dict(s) for s in SERVICES])
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
async def shop(make_settings: Callable[..., Settings], panel: PanelSimulator) -> AsyncIterator[BotRuntime]:
    async with running(wallet_settings(make_settings)) as runtime:  # 40 % markup
        await _warm(runtime)
        yield runtime


def prices(text: str) -> set[int]:
    return {int(p.replace(",", "")) for p in re.findall(r"([\d,]+)/1000", text)}


async def test_every_page_of_results_is_at_retail(shop: BotRuntime, telegram: FakeTelegram) -> None:
    customer = telegram.user(CUSTOMER)
    costs = {1000 * (n + 1) for n in range(25)}
    retail = {cost * 14 // 10 for cost in costs}
    seen: set[int] = set()
    page = await say(customer, "/search like bài viết")
    assert "<b>25</b>" in (page.text or "") or "25" in page.plain_text
    for _ in range(3):
        shown = prices(" ".join(page.button_texts))
        assert shown and shown <= retail, (shown, page.button_texts)
        seen |= shown
        if "Next ›" not in page.button_texts:
            break
        await customer.tap("Next ›", message=page)
        page = await customer.reply()
    assert seen == retail  # all 25 seen over the pages, each at its retail price
