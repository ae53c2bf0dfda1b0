"""First run: a bot nobody configured says what to do, and the demo's first /start owns it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

import pytest

from bot.config import Settings
from bot.runtime import BotRuntime
from tests.support.fake_telegram import FakeTelegram


def _unconfigured(make_settings: Callable[..., Settings]) -> Settings:
    return replace(make_settings(), allow_everyone=False, allowed_user_ids=frozenset(), admin_ids=frozenset())


async def test_demo_first_start_becomes_the_admin_and_stays_it_after_a_restart(
    make_settings: Callable[..., Settings], telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    settings = _unconfigured(make_settings)
    caplog.set_level(logging.WARNING)
    runtime = BotRuntime(settings, demo=True)
    await runtime.start(poll_timeout=1)
    try:
        assert any("first person to send /start" in r.getMessage() for r in caplog.records)
        owner, other = telegram.user(1001), telegram.user(2002, first_name="Bob")
        await other.send("/help")  # not /start: claims nothing
        assert "nobody may use it yet" in (await other.reply()).plain_text
        await owner.send("/start")
        claimed, welcome = await owner.replies(2)
        assert "You are this bot's admin" in claimed.plain_text and "1001" in claimed.plain_text
        assert "Hi Alice" in welcome.plain_text
        await owner.send("/users")
        assert "Users" in (await owner.reply()).plain_text
        await other.send("/start")  # too late to claim; refused once already, so silence
        await other.silence(1)
        late = telegram.user(3003, first_name="Chi")
        await late.send("/start")
        refusal = (await late.reply()).plain_text
        assert "ask the bot's owner" in refusal and "ADMIN_IDS" not in refusal
    finally:
        await runtime.stop()
    again = BotRuntime(settings, demo=True)
    await again.start(poll_timeout=1)
    try:
        owner = telegram.user(1001)
        await owner.send("/stats")
        assert "Today" in (await owner.reply()).plain_text
    finally:
        await again.stop()


async def test_without_the_demo_nobody_is_let_in_and_the_owner_is_told_the_fix(
    make_settings: Callable[..., Settings], telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    runtime = BotRuntime(_unconfigured(make_settings))
    await runtime.start(poll_timeout=1)
    try:
        warning = [r.getMessage() for r in caplog.records if "nobody may use the bot yet" in r.getMessage()]
        assert warning and "ADMIN_IDS" in warning[0]
        owner = telegram.user(1001)
        await owner.send("/start")
        refusal = (await owner.reply()).plain_text
        assert "ADMIN_IDS" in refusal and "1001" in refusal
        await telegram.wait_idle()
        assert not runtime.access.has_admin
    finally:
        await runtime.stop()


async def test_a_configured_bot_refuses_strangers_without_setup_advice(
    make_settings: Callable[..., Settings], telegram: FakeTelegram
) -> None:
    settings = replace(_unconfigured(make_settings), admin_ids=frozenset({1001}))
    runtime = BotRuntime(settings, demo=True)  # an admin is configured: nothing to claim
    await runtime.start(poll_timeout=1)
    try:
        stranger = telegram.user(3003)
        await stranger.send("/start")
        refusal = (await stranger.reply()).plain_text
        assert "ask the bot's owner" in refusal and "ADMIN_IDS" not in refusal
    finally:
        await runtime.stop()


async def test_an_unknown_command_points_to_help(bot: BotRuntime, telegram: FakeTelegram) -> None:
    alice = telegram.user()
    for command in ("/foo", "/ordr 12", "/help@other_bot"):
        await alice.send(command)
        assert "/help" in (await alice.reply()).plain_text, command
