"""After `add` answered, nothing may read as "try again": odd answers, Telegram and database
failures, and panel text that carries secrets (issue 9, money path)."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bot.panel.client import PanelClient
from bot.panel.errors import AddOutcomeUnknown, PanelError
from bot.panel.simulator import FailureMode, PanelSimulator
from bot.runtime import BotRuntime
from bot.store import OrderState
from bot.telegram.handlers import wizard
from tests.conftest import PANEL_KEY, TOKEN
from tests.support.fake_telegram import FakeTelegram
from tests.test_e2e_wizard import SERVICES, confirm, to_summary

TRY_AGAIN = ("try again", "went wrong")


@pytest.fixture
async def panel() -> AsyncIterator[PanelSimulator]:
    sim = PanelSimulator(api_key=PANEL_KEY, services=[dict(s) for s in SERVICES])
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
async def client(panel: PanelSimulator) -> AsyncIterator[PanelClient]:
    panel_client = PanelClient(panel.url, PANEL_KEY, timeout=1.0, retries=0)
    yield panel_client
    await panel_client.close()


async def _eventually(check: Callable[[], Any], timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


# -- what `add` may answer -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        {"order": "1e30"},
        {"order": 0},
        {"order": -5},
        {"order": "-5"},
        {"order": "12.5"},
        {"order": "abc"},
        {"order": None},
        {"error": None},
        {},
        {"status": "ok"},
        [],
        "<html>502</html>",
    ],
)
async def test_add_answers_without_a_sane_id_are_unknown(
    client: PanelClient, panel: PanelSimulator, answer: Any
) -> None:
    panel.script("add", answer, execute=True)
    with pytest.raises(AddOutcomeUnknown):
        await client.add(1, "https://fb.com/p/odd", 100)


@pytest.mark.parametrize(
    ("answer", "order_id"),
    [({"order": "123"}, 123), ({"order": 77, "error": None}, 77), ({"order": "12.0"}, 12)],
)
async def test_add_answers_with_an_id_are_placed(
    client: PanelClient, panel: PanelSimulator, answer: Any, order_id: int
) -> None:
    panel.script("add", answer)
    assert await client.add(1, "https://fb.com/p/ok", 100) == order_id


async def test_an_error_without_an_order_is_a_refusal(client: PanelClient, panel: PanelSimulator) -> None:
    panel.script("add", {"error": "Not enough funds"})
    with pytest.raises(PanelError, match="Not enough funds"):
        await client.add(1, "https://fb.com/p/no", 100)


@pytest.mark.parametrize("body_format", ["json", "form"])
async def test_a_panel_echoing_the_key_never_hands_it_on(panel: PanelSimulator, body_format: str) -> None:
    panel_client = PanelClient(panel.url, PANEL_KEY, body_format=body_format, retries=0)
    panel.script("add", lambda params: {"error": f"Bad request: {json.dumps(params)} key={params['key']}"})
    panel.script("status", lambda params: {"error": f"Unknown order for key {params['key']}"})
    try:
        with pytest.raises(PanelError) as refused:
            await panel_client.add(1, "https://fb.com/p/echo", 100)
        with pytest.raises(PanelError) as unknown:
            await panel_client.status(5)
    finally:
        await panel_client.close()
    for error in (refused.value, unknown.value):
        assert PANEL_KEY not in error.message and "[REDACTED]" in error.message


# -- end to end: the wizard --------------------------------------------------------------------


@pytest.mark.parametrize("answer", [{"order": "1e30"}, {"order": 0}, {"order": -5}, {"error": None}])
async def test_confirm_with_an_insane_answer_says_unknown_never_refused(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator, answer: Any
) -> None:
    alice = telegram.user()
    await to_summary(alice)
    panel.script("add", answer, execute=True)
    text = (await confirm(alice)).plain_text
    assert "may or may not have been placed" in text
    assert "refused" not in text and "None" not in text
    assert not any(words in text.lower() for words in TRY_AGAIN)
    [order] = await bot.store.orders.unresolved_orders(alice.id)
    assert order.state is OrderState.UNKNOWN and order.panel_order_id is None
    assert len(panel.calls_for("add")) == 1


async def test_refusal_text_reaches_the_user_redacted_visible_and_short(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    await to_summary(alice)
    panel.script(
        "add",
        lambda params: {"error": f"Invalid \u202edata\u200b {params} for {TOKEN} " + "blah " * 400},
    )
    text = (await confirm(alice)).plain_text
    assert "refused the order" in text
    assert PANEL_KEY not in text and TOKEN not in text and "[REDACTED]" in text
    assert "\u202e" not in text and "\u200b" not in text
    assert len(text) < 400


async def test_receipt_arrives_after_a_telegram_outage_and_never_says_try_again(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wizard, "RECEIPT_RETRY_SECONDS", (0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2))
    alice = telegram.user()
    summary = await to_summary(alice)
    panel.failure, panel.slow_seconds = FailureMode.SLOW, 0.5
    await alice.tap("✅ Confirm", summary)
    await _eventually(lambda: _true(bool(panel.calls_for("add"))))
    telegram.outage = True  # Telegram answers 502 to the "Order placed" edit
    await _eventually(lambda: _true(any(c.method == "editMessageText" and not c.ok for c in telegram.calls)))
    await asyncio.sleep(0.5)  # a retry or two fail as well
    telegram.outage = False
    order_id = max(panel.orders)
    while True:
        message = await alice.reply()
        if "Order placed" in message.plain_text:
            break
        assert not any(words in message.plain_text.lower() for words in TRY_AGAIN), message.plain_text
    assert str(order_id) in message.plain_text
    record = await bot.store.orders.get_order_by_panel_id(order_id)
    assert record is not None and record.state is OrderState.PLACED
    await telegram.wait_idle()
    everything = " ".join(m.plain_text.lower() for m in alice.messages)
    assert not any(words in everything for words in TRY_AGAIN)
    assert len(panel.orders) == 1


async def test_database_refusing_the_placed_write_still_shows_placed_and_lands_later(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    bot.writes.delays = (0.05,)
    real = bot.store.orders.mark_order_placed
    refusals = {"left": 3}

    async def disk_full(order_id: int, panel_order_id: int) -> None:
        if refusals["left"]:
            refusals["left"] -= 1
            raise sqlite3.OperationalError("database or disk is full")
        await real(order_id, panel_order_id)

    bot.store.orders.mark_order_placed = disk_full  # type: ignore[method-assign]
    alice = telegram.user()
    await to_summary(alice)
    text = (await confirm(alice)).plain_text
    order_id = max(panel.orders)
    assert "Order placed" in text and str(order_id) in text
    assert not any(words in text.lower() for words in TRY_AGAIN)

    async def landed() -> bool:
        record = await bot.store.orders.get_order_by_panel_id(order_id)
        return record is not None and record.state is OrderState.PLACED

    await _eventually(landed)
    assert refusals["left"] == 0 and bot.writes.pending == []


async def test_a_write_still_refused_at_shutdown_is_logged_with_the_panel_id(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    bot.writes.delays = (60.0,)

    async def always_full(order_id: int, panel_order_id: int) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    bot.store.orders.mark_order_placed = always_full  # type: ignore[method-assign]
    alice = telegram.user()
    await to_summary(alice)
    assert "Order placed" in (await confirm(alice)).plain_text
    caplog.set_level(logging.ERROR)
    await bot.stop()
    lost = [r.getMessage() for r in caplog.records if "lost at shutdown" in r.getMessage()]
    assert lost and f"panel order {max(panel.orders)}" in lost[0]


async def _true(value: bool) -> bool:
    return value



# -- links that read as something else -----------------------------------------------------------


@pytest.mark.parametrize(
    "link",
    [
        "https://facebook.com/\u202egnp.exe",  # right-to-left override
        "https://face\u200bbook.com/posts/1",  # zero-width space
        "https://facebook.com/posts/1\u2066",  # bidi isolate
        "https://facebook.com/\u00adposts",  # soft hyphen
        "@user\u200d",  # zero-width joiner
    ],
)
async def test_links_with_invisible_characters_are_refused(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator, link: str
) -> None:
    alice = telegram.user()
    await alice.send("/order 1")
    await alice.reply()
    await alice.send(link)
    assert "link" in (await alice.reply()).plain_text.lower()
    await alice.send("https://facebook.com/posts/clean")
    assert "How many?" in (await alice.reply()).plain_text  # still at the link step
