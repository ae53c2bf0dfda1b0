"""Bugs the fuzz test found, each pinned by the smallest reproduction (they failed before the fix)."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable

import pytest

from bot.config import ConfigError, Settings, load_settings
from bot.numbers import ascii_int
from bot.panel.simulator import PanelSimulator
from bot.runtime import BotRuntime
from bot.services.ordering import parse_whole_number
from bot.telegram.callbacks import int_arg
from tests.conftest import PANEL_KEY
from tests.support.fake_telegram import FakeTelegram, FakeUser
from tests.support.runtime import running

UNICODE_DIGITS = ["²", "①", "١٢٣", "𝟙𝟚"]  # isdigit() says yes, int() disagrees or shouldn't parse them


@pytest.fixture
async def panel() -> AsyncIterator[PanelSimulator]:
    sim = PanelSimulator(
        api_key=PANEL_KEY,
        services=[
            {
                "service": 4,
                "name": "Views drip",
                "type": "Default",
                "category": "TikTok",
                "rate": "1000",
                "min": "10",
                "max": "1000",
                "dripfeed": True,
            }
        ],
    )
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
def errors(caplog: pytest.LogCaptureFixture) -> Callable[[], list[str]]:
    caplog.set_level(logging.ERROR)
    return lambda: [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("text", UNICODE_DIGITS)
def test_only_ascii_digits_are_numbers(text: str) -> None:
    assert ascii_int(text) is None
    assert parse_whole_number(text) is None
    assert int_arg([text], 0) is None
    with pytest.raises(ConfigError, match="ADMIN_IDS"):
        load_settings({"TELEGRAM_BOT_TOKEN": "1:x", "SMM_API_KEY": "k", "ADMIN_IDS": text}, dotenv=None)
    with pytest.raises(ConfigError, match="PORT"):
        load_settings({"TELEGRAM_BOT_TOKEN": "1:x", "SMM_API_KEY": "k", "PORT": text}, dotenv=None)


async def test_unicode_digits_in_commands_and_buttons(
    make_settings: Callable[..., Settings], telegram: FakeTelegram, errors: Callable[[], list[str]]
) -> None:
    async with running(make_settings(admin_ids=frozenset({1001}))):
        alice = telegram.user(1001)
        for text in ("/status ²", "/refill ²", "/order ①", "/allow ²", "/deny ①"):
            await alice.send(text)
            assert "Sorry" not in (await alice.reply()).plain_text, text
        await alice.send("/order 4")
        await alice.reply()
        await alice.send("https://tiktok.com/@a/video/1")
        await alice.reply()
        await alice.send("²")
        assert "from 10 to 1,000" in (await alice.reply()).plain_text
        answer = await alice.answered(await alice.tap_data("od:²"))
        assert answer["text"]
        await telegram.wait_idle()
        assert errors() == []


def _callback_on_unknown_message(user: FakeUser, telegram: FakeTelegram, data: str) -> str:
    query_id = f"q{time.monotonic_ns()}"
    telegram.push_update(
        {
            "callback_query": {
                "id": query_id,
                "from": user.user_dict(),
                "chat_instance": "1",
                "data": data,
                "message": {
                    "message_id": 999,
                    "date": int(time.time()),
                    "chat": user.private_chat(),
                    "from": telegram.bot_user,
                    "text": "old",
                },
            }
        }
    )
    return query_id


@pytest.mark.parametrize("data", ["cat:0", "lang:vi", "wno"])
async def test_buttons_on_messages_that_cannot_be_edited(
    bot: BotRuntime, telegram: FakeTelegram, errors: Callable[[], list[str]], data: str
) -> None:
    alice = telegram.user()
    await alice.send("/start")
    await alice.reply()
    if data == "wno":  # a wizard waiting at its summary
        for text in ("/order 4", "https://tiktok.com/@a/video/2", "100"):
            await alice.send(text)
            await alice.reply()
        await alice.tap("Skip ›")
        await alice.replies(2)
    await alice.answered(_callback_on_unknown_message(alice, telegram, data))
    reply = await alice.reply()  # the screen arrives as a new message instead
    assert reply.message_id != 999 and reply.plain_text
    await telegram.wait_idle()
    assert errors() == []


async def test_double_tap_on_a_language_button(
    bot: BotRuntime, telegram: FakeTelegram, errors: Callable[[], list[str]]
) -> None:
    alice = telegram.user()
    await alice.send("/language")
    menu = await alice.reply()
    await alice.answered(await alice.tap("🇬🇧 English", menu))
    await alice.answered(await alice.tap("🇬🇧 English", menu))
    await telegram.wait_idle()
    assert errors() == []


async def test_skip_tapped_on_a_prompt_without_keyboard(
    bot: BotRuntime, telegram: FakeTelegram, errors: Callable[[], list[str]]
) -> None:
    alice = telegram.user()
    await alice.send("/order 4")
    await alice.reply()
    await alice.send("https://tiktok.com/@a/video/3")
    await alice.reply()  # the quantity prompt (with quick buttons since issue 13)
    await alice.send("lots")
    refusal = await alice.reply()  # has no keyboard
    await alice.send("100")
    await alice.reply()  # the runs prompt, with Skip
    await alice.answered(await alice.tap_data("wsk", refusal))
    assert "Total" in (await alice.reply()).plain_text  # skipped all the same
    await telegram.wait_idle()
    assert errors() == []
