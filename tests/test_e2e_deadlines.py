"""Answers in bounded time: a person asking the panel something gets one attempt with a short
deadline, "typing…" while it runs, and "the panel is not answering" when it hangs.

The bots here have production-like background reads (a 30 s timeout, 2 retries with back-off)
and a 1 s interactive deadline: were a user's read made like a background one, the reply would
take over a minute and the panel would see three calls.  Replies are awaited with a bound well
above the deadline and far below the background path, so no test leans on a precise duration.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from bot.config import ConfigError, Settings, load_settings
from bot.panel.client import PanelClient
from bot.panel.errors import PanelUnavailable
from bot.panel.simulator import FailureMode, PanelSimulator
from bot.runtime import BotRuntime
from bot.services.catalog import CatalogCache
from tests.conftest import PANEL_KEY, TOKEN
from tests.support.fake_telegram import FakeTelegram
from tests.support.orders import place_order
from tests.support.runtime import running

NOT_ANSWERING = "panel is not answering"
ANSWER_WITHIN = 8.0  # seconds: the 1 s deadline with room to spare; the background path takes > 60
BACKGROUND = {"panel_timeout_seconds": 30.0, "panel_retries": 2, "panel_interactive_timeout_seconds": 1.0}


@pytest.fixture
async def bot(make_settings: Callable[..., Settings]) -> AsyncIterator[BotRuntime]:
    async with running(make_settings(**BACKGROUND)) as runtime:
        await runtime.catalog.get()  # warmed, so the panel calls below are the users' doing
        yield runtime


def typing_in(telegram: FakeTelegram, chat_id: int) -> bool:
    return (chat_id, "typing") in telegram.chat_actions


async def test_balance_on_a_hung_panel_is_answered_in_time(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    panel.failure = FailureMode.HANG
    await alice.send("/balance")
    assert NOT_ANSWERING in (await alice.reply(timeout=ANSWER_WITHIN)).plain_text
    assert len(panel.calls_for("balance")) == 1  # one attempt, no retries
    assert typing_in(telegram, alice.chat_id)
    panel.failure = FailureMode.NONE
    await alice.send("/balance")
    assert "5,000,000 VND" in (await alice.reply(timeout=ANSWER_WITHIN)).text


async def test_status_on_a_hung_panel_is_answered_in_time(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    order = await place_order(bot, alice.id)
    panel.failure = FailureMode.HANG
    await alice.send(f"/status {order.panel_order_id}")
    assert NOT_ANSWERING in (await alice.reply(timeout=ANSWER_WITHIN)).plain_text
    assert len(panel.calls_for("status")) == 1
    assert typing_in(telegram, alice.chat_id)


async def test_first_catalog_load_on_a_hung_panel_is_answered_in_time(
    make_settings: Callable[..., Settings], telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    """The start-up warm-up hangs (retrying, as background work may); a user's /services
    waits for it no longer than the interactive deadline and adds no call of its own."""
    panel.failure = FailureMode.HANG
    async with running(make_settings(**BACKGROUND)):
        alice = telegram.user()
        await alice.send("/services")
        assert NOT_ANSWERING in (await alice.reply(timeout=ANSWER_WITHIN)).plain_text
        assert typing_in(telegram, alice.chat_id)
        assert len(panel.calls_for("services")) == 1  # the warm-up's, still hanging


async def test_catalog_already_loaded_shows_no_typing(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    await alice.send("/services")
    assert "Service categories" in (await alice.reply()).plain_text
    assert not typing_in(telegram, alice.chat_id)  # nothing to wait for: no extra Bot API call


# -- the client and the cache on their own -----------------------------------------------------


@pytest.mark.parametrize("mode", [FailureMode.HANG, FailureMode.HTML_502])
async def test_interactive_read_is_one_attempt_background_read_retries(
    panel: PanelSimulator, mode: FailureMode
) -> None:
    panel.failure = mode
    client = PanelClient(panel.url, PANEL_KEY, timeout=30, retries=2, backoff=0.01, interactive_timeout=0.3)
    try:
        with pytest.raises(PanelUnavailable):
            await asyncio.wait_for(client.balance(interactive=True), ANSWER_WITHIN)
        assert len(panel.calls_for("balance")) == 1
        if mode is FailureMode.HTML_502:  # fast failures: the background read still retries
            with pytest.raises(PanelUnavailable):
                await client.balance()
            assert len(panel.calls_for("balance")) == 1 + 3
    finally:
        await client.close()


async def test_interactive_deadline_never_exceeds_the_read_timeout(panel: PanelSimulator) -> None:
    panel.failure = FailureMode.HANG
    client = PanelClient(panel.url, PANEL_KEY, timeout=0.3, retries=0, interactive_timeout=600)
    try:
        with pytest.raises(PanelUnavailable, match="timeout"):
            await asyncio.wait_for(client.status(1, interactive=True), ANSWER_WITHIN)
    finally:
        await client.close()


async def test_cache_waits_for_a_load_in_flight_only_up_to_the_deadline() -> None:
    release = asyncio.Event()
    calls: list[str] = []

    async def slow() -> list:
        calls.append("background")
        await release.wait()
        return []

    async def now() -> list:
        calls.append("interactive")
        return []

    cache = CatalogCache(slow, fetch_now=now, interactive_wait=0.2)
    warmup = asyncio.create_task(cache.get(interactive=False))
    await asyncio.sleep(0)
    with pytest.raises(PanelUnavailable):
        await asyncio.wait_for(cache.get(), ANSWER_WITHIN)
    assert calls == ["background"]  # the person waited for it, and added no call of their own
    release.set()
    first = await warmup
    assert await cache.get() is first
    await cache.refresh()
    assert calls == ["background", "interactive"]


def test_the_interactive_deadline_is_a_setting() -> None:
    base = {"TELEGRAM_BOT_TOKEN": TOKEN, "SMM_API_KEY": PANEL_KEY}
    assert load_settings(base, dotenv=None).panel_interactive_timeout_seconds == 10
    custom = load_settings({**base, "PANEL_INTERACTIVE_TIMEOUT_SECONDS": "4"}, dotenv=None)
    assert custom.panel_interactive_timeout_seconds == 4
    with pytest.raises(ConfigError, match="PANEL_INTERACTIVE_TIMEOUT_SECONDS"):
        load_settings({**base, "PANEL_INTERACTIVE_TIMEOUT_SECONDS": "0"}, dotenv=None)
