"""/language: the choice wins over Telegram's language and survives a restart."""

from __future__ import annotations

from collections.abc import Callable

from bot.config import Settings
from bot.runtime import BotRuntime
from tests.support.fake_telegram import FakeTelegram
from tests.support.runtime import running


async def test_language_switch_is_remembered(
    make_settings: Callable[..., Settings], telegram: FakeTelegram
) -> None:
    settings = make_settings()
    runtime = BotRuntime(settings)
    await runtime.start(poll_timeout=1)
    alice = telegram.user(1001, language_code="en")
    try:
        await alice.send("/language")
        menu = await alice.reply()
        assert menu.button_texts == ["🇬🇧 English", "🇻🇳 Tiếng Việt"]
        query = await alice.tap("🇻🇳 Tiếng Việt")
        assert "Đã chuyển sang Tiếng Việt" in (await alice.reply()).plain_text
        await alice.answered(query)
        # This chat's command menu now speaks Vietnamese too.
        await telegram.wait_idle()
        chat_menu = telegram.commands[(f"chat:{alice.chat_id}", "")]
        assert any(c["description"] == "Đặt đơn" for c in chat_menu)
    finally:
        await runtime.stop()

    async with running(settings):
        await alice.send("/help")
        assert "Các lệnh của bot" in (await alice.reply()).plain_text
        await alice.send("/language")
        await alice.reply()
        await alice.tap("🇬🇧 English")
        assert "Language set to English" in (await alice.reply()).plain_text
        await alice.send("/help")
        assert "What I can do" in (await alice.reply()).plain_text


async def test_forged_language_is_refused(bot: BotRuntime, telegram: FakeTelegram) -> None:
    alice = telegram.user()
    await alice.send("/language")
    menu = await alice.reply()
    answer = await alice.answered(await alice.tap_data("lang:xx", message=menu))
    assert "no longer active" in answer["text"]
    await alice.send("/help")
    assert "What I can do" in (await alice.reply()).plain_text
