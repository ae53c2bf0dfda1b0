"""End to end through the fake Bot API: /start, /help, /balance, errors, blocked users."""

from __future__ import annotations

from telegram.ext import CommandHandler

from bot.panel.simulator import FailureMode, PanelSimulator
from bot.runtime import BotRuntime
from tests.conftest import PANEL_KEY, TOKEN
from tests.support.fake_telegram import FakeTelegram


async def test_start_greets_and_explains(bot: BotRuntime, telegram: FakeTelegram) -> None:
    alice = telegram.user(1001, first_name="Alice <3")
    await alice.send("/start")
    message = await alice.reply()
    assert "Hi Alice &lt;3!" in message.text or "Hi Alice <3!" in message.text
    assert "/help" in message.text and "orders" in message.text


async def test_vietnamese_user_gets_vietnamese(bot: BotRuntime, telegram: FakeTelegram) -> None:
    an = telegram.user(1002, first_name="An", language_code="vi")
    await an.send("/start")
    assert "Xin chào An" in (await an.reply()).text
    await an.send("/help")
    assert "Các lệnh của bot" in (await an.reply()).text


async def test_help_lists_commands(bot: BotRuntime, telegram: FakeTelegram) -> None:
    alice = telegram.user()
    await alice.send("/help")
    text = (await alice.reply()).text
    for command in ("/start", "/balance", "/help"):
        assert command in text


async def test_command_menu_registered_in_both_languages(bot: BotRuntime, telegram: FakeTelegram) -> None:
    english = telegram.commands[("default", "")]
    vietnamese = telegram.commands[("default", "vi")]
    assert [c["command"] for c in english] == [c["command"] for c in vietnamese]
    assert {"start", "help", "balance"} <= {c["command"] for c in english}
    assert english[0]["description"] != vietnamese[0]["description"]


async def test_balance_has_thousands_separators(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    await alice.send("/balance")
    assert "5,000,000 VND" in (await alice.reply()).text
    an = telegram.user(1003, language_code="vi")
    await an.send("/balance")
    assert "5.000.000 VND" in (await an.reply()).text
    assert len(panel.calls_for("balance")) == 2


async def test_balance_with_panel_down_then_recovery(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    for mode in (FailureMode.HTML_502, FailureMode.BAD_JSON, FailureMode.PHP_WARNING):
        panel.failure = mode
        await alice.send("/balance")
        text = (await alice.reply()).text
        assert "panel is not answering" in text, mode
        assert "502" not in text and "<html" not in text.lower()
    panel.failure = FailureMode.NONE
    await alice.send("/balance")
    assert "5,000,000 VND" in (await alice.reply()).text


async def test_balance_with_panel_process_gone(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    await panel.stop()  # connection refused
    alice = telegram.user()
    await alice.send("/balance")
    assert "panel is not answering" in (await alice.reply()).text
    await alice.send("/start")  # the bot itself is fine
    assert "Hi Alice" in (await alice.reply()).text


async def test_unexpected_error_gets_an_apology_not_a_traceback(
    bot: BotRuntime, telegram: FakeTelegram
) -> None:
    async def boom(update: object, context: object) -> None:
        raise RuntimeError(f"internal detail {PANEL_KEY}")

    bot.app.handlers[0].insert(0, CommandHandler("boom", boom))  # ahead of the unknown-command reply
    alice = telegram.user()
    await alice.send("/boom")
    text = (await alice.reply()).text
    assert "Sorry, something went wrong" in text
    assert "RuntimeError" not in text and PANEL_KEY not in text
    await alice.send("/start")
    assert "Hi Alice" in (await alice.reply()).text


async def test_user_who_blocked_the_bot_is_marked(bot: BotRuntime, telegram: FakeTelegram) -> None:
    alice, bob = telegram.user(1001), telegram.user(1004, first_name="Bob")
    await alice.send("/start")
    await alice.reply()
    telegram.block(1001)
    await alice.send("/help")
    await telegram.wait_idle()
    user = await bot.store.users.get_user(1001)
    assert user is not None and user.blocked
    await bob.send("/start")  # nobody else is disturbed
    assert "Hi Bob" in (await bob.reply()).text


async def test_secrets_absent_from_everything_sent(bot: BotRuntime, telegram: FakeTelegram) -> None:
    alice = telegram.user()
    for command in ("/start", "/help", "/balance"):
        await alice.send(command)
        await alice.reply()
    for call in telegram.calls:
        assert PANEL_KEY not in str(call.params)
        assert TOKEN not in str(call.params)
