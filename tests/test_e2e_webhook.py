"""Webhook mode through the fake Bot API: updates need the secret token; health answers."""

from __future__ import annotations

from collections.abc import Callable

import aiohttp

from bot.config import Settings
from bot.runtime import BotRuntime
from tests.support.fake_telegram import FakeTelegram
from tests.support.runtime import free_port

SECRET = "webhook-secret-0123456789abcdef"


async def test_webhook_mode(make_settings: Callable[..., Settings], telegram: FakeTelegram) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    runtime = BotRuntime(
        make_settings(webhook_url=url, webhook_secret=SECRET, webhook_listen="127.0.0.1", port=port)
    )
    await runtime.start()
    try:
        assert telegram.webhook_url == url and telegram.webhook_secret == SECRET
        assert telegram.calls_of("getUpdates") == []  # no polling in webhook mode
        alice = telegram.user()

        assert await telegram.post_to_webhook({"message": alice.make_message("/start")}) == 200
        assert "Hi Alice" in (await alice.reply()).plain_text

        for forged in ("", "wrong-secret-0123456789abcdef"):
            status = await telegram.post_to_webhook({"message": alice.make_message("/help")}, secret=forged)
            assert status == 403
        await alice.silence()

        async with aiohttp.ClientSession() as session:
            async with session.post(
                url, data=b"not json", headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
            ) as response:
                assert response.status == 400
            async with session.get(f"http://127.0.0.1:{port}/health") as response:
                assert response.status == 200
                assert (await response.json())["ok"] is True
    finally:
        await runtime.stop()
