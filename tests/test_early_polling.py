"""The bot's connection to Telegram (`bot.telegram.polling`): long polling begins before the
bot has loaded (`bot.launch`), without losing or confirming an update early (a failed start is
covered end to end in test_process_stop.py), and sends keep to Telegram's pace."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from telegram.request import BaseRequest

from bot.config import Settings, load_settings
from bot.telegram.polling import Confirmations, build_updater
from bot.telegram.ratelimit import BACKGROUND
from tests.support.fake_telegram import FakeTelegram
from tests.support.runtime import running


async def test_a_message_sent_while_the_bot_starts_is_answered_once_it_runs(
    make_settings: Callable[..., Settings], telegram: FakeTelegram
) -> None:
    alice = telegram.user()
    await alice.send("/balance")  # waiting before the bot exists, as after a deploy
    async with running(make_settings()):
        assert "5,000,000 VND" in (await alice.reply()).text
        await telegram.wait_for(lambda: not telegram.pending_updates, what="the message confirmed")
        await alice.silence(0.3)  # answered once
    order = [call.method.lower() for call in telegram.calls]
    # Telegram was asked for updates before the bot had loaded and set its commands.
    assert order.index("getupdates") < order.index("setmycommands")


ANSWER = b'{"ok": true, "result": [{"update_id": 1}]}'


class _Transport(BaseRequest):
    """Stands in for the network: records what reaches it, answers at once."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(self, url: str, method: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        self.sent.append(url)
        return 200, ANSWER


async def test_the_second_get_updates_waits_until_the_bot_runs() -> None:
    network = _Transport()
    gate = Confirmations(network)
    assert await gate.do_request("u/getUpdates?1", "POST") == (200, ANSWER)
    second = asyncio.ensure_future(gate.do_request("u/getUpdates?2", "POST"))
    await asyncio.sleep(0.05)
    assert not second.done() and network.sent == ["u/getUpdates?1"]  # it would confirm update 1
    gate.open()
    assert await asyncio.wait_for(second, 1) == (200, ANSWER)
    assert network.sent == ["u/getUpdates?1", "u/getUpdates?2"]


async def test_after_a_failed_start_nothing_is_confirmed() -> None:
    network = _Transport()
    gate = Confirmations(network)
    await gate.do_request("u/getUpdates?1", "POST")
    parked = asyncio.ensure_future(gate.do_request("u/getUpdates?2", "POST"))
    await asyncio.sleep(0.05)
    gate.refuse()
    # Shutdown's last call (PTB confirms what it fetched) is answered "nothing", unsent.
    assert await gate.do_request("u/getUpdates?3", "POST") == (200, b'{"ok": true, "result": []}')
    await asyncio.sleep(0.05)
    assert not parked.done() and network.sent == ["u/getUpdates?1"]
    parked.cancel()  # as stopping the updater does


async def test_a_burst_of_notices_stays_under_telegrams_limit() -> None:
    """The bot as `build_updater` makes it (the pace of its rate limiter) sends 75 notices to
    75 chats at once to a Bot API that answers 429 past 30 messages in any second: none is
    refused, and all arrive."""
    async with FakeTelegram(rate_limit_per_s=30) as fake:
        users = [fake.user(5000 + i) for i in range(75)]
        for user in users:
            await user.send("/start")  # a chat the bot may write to
        chats = [user.chat_id for user in users]
        env = {
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_URL": fake.base_url,
            "SMM_API_URL": "http://127.0.0.1:9/api/v2",
            "SMM_API_KEY": "not-real",
        }
        bot = build_updater(load_settings(env, dotenv=None)).bot
        async with bot:
            await asyncio.gather(
                *(bot.send_message(chat, "done", rate_limit_args=BACKGROUND) for chat in chats)
            )
        assert fake.throttled == 0
        assert sorted(call.params["chat_id"] for call in fake.calls_of("sendMessage")) == chats
