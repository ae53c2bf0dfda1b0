"""Long polling begins before the bot has loaded (`bot.launch`), without losing or confirming
an update early.  A failed start is covered end to end in test_process_stop.py."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from telegram.request import BaseRequest

from bot.config import Settings
from bot.telegram.polling import Confirmations
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
