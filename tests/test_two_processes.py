"""Two real `python -m bot` processes in webhook mode sharing one PostgreSQL database, the
fake Bot API delivering updates to each in turn (as a load balancer would): a wizard whose
steps alternate between them, one order for a double Confirm split across them, one poller
at a time, and a failover when the poller's process is killed, with no notice lost or sent
twice.  PostgreSQL only: SQLite is one process by design.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select

from bot.panel.simulator import PanelSimulator
from bot.store import OrderState, Store
from bot.store.tables import leases
from tests.conftest import PANEL_KEY, TOKEN
from tests.support.fake_telegram import FakeTelegram, FakeUser, SentMessage
from tests.support.runtime import free_port

ROOT = Path(__file__).resolve().parents[1]
SECRET = "two-processes-secret-0123456789"
POLL_SECONDS = 5  # the smallest STATUS_POLL_SECONDS allows: the failover bound is 2 × this


class BotProcess:
    def __init__(self, name: str, env: dict[str, str], folder: Path) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/telegram/hook"
        self.env = {
            **env,
            "WEBHOOK_URL": self.url,
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_LISTEN": "127.0.0.1",
            "PORT": str(self.port),
        }
        self.log = folder / f"{name}.log"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        full = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), **self.env}
        with self.log.open("wb") as out:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", cwd=self.log.parent, env=full, stdout=out, stderr=out
            )

    async def healthy(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as session:
            while True:
                try:
                    async with session.get(f"http://127.0.0.1:{self.port}/health") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                assert self.process is not None and self.process.returncode is None, self.output()
                assert time.monotonic() < deadline, f"{self.name} did not start:\n{self.output()}"
                await asyncio.sleep(0.1)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 15)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


@pytest.fixture
async def pair(
    telegram: FakeTelegram, panel: PanelSimulator, postgres_database: str, tmp_path: Path
) -> AsyncIterator[tuple[BotProcess, BotProcess]]:
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": telegram.base_url,
        "SMM_API_URL": panel.url,
        "SMM_API_KEY": PANEL_KEY,
        "DATABASE_URL": postgres_database,
        "ALLOWED_USER_IDS": "*",
            "SHOP_MODE": "direct",  # process behaviour, as before the shop
        "STATUS_POLL_SECONDS": str(POLL_SECONDS),
    }
    a, b = BotProcess("a", env, tmp_path), BotProcess("b", env, tmp_path)
    try:
        await asyncio.gather(a.start(), b.start())
        await asyncio.gather(a.healthy(), b.healthy())
        telegram.deliver_to([a.url, b.url])
        yield a, b
    finally:
        await asyncio.gather(a.stop(), b.stop())


async def say(user: FakeUser, text: str) -> SentMessage:
    await user.send(text)
    return await user.reply(timeout=15)


async def lease_holder(url: str) -> tuple[str, float] | None:
    async with Store(url) as store, store.db.read() as conn:
        row = (await conn.execute(select(leases).where(leases.c.name == "tracking"))).first()
    if row is None:
        return None
    return row.holder, (row.expires_at.timestamp() - time.time())


async def wait_for_holder(url: str, not_pid: int | None = None, timeout: float = 30) -> int:
    """The PID of the process holding the tracking lease (a live, unexpired one)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = await lease_holder(url)
        if found is not None and found[1] > 0:
            pid = int(found[0].split(":")[1])
            if pid != not_pid:
                return pid
        await asyncio.sleep(0.2)
    raise AssertionError("no process took the tracking lease")


def notices(user: FakeUser, order_id: int) -> list[SentMessage]:
    return [m for m in user.messages if f"Order {order_id} is completed" in m.plain_text]


async def place_order(user: FakeUser, panel: PanelSimulator, link: str) -> int:
    """The wizard, each step landing on the other process than the one before."""
    service = next(s for s in panel.services if s.get("type", "Default") == "Default")
    assert "link" in (await say(user, f"/order {service['service']}")).plain_text.lower()
    assert "how many" in (await say(user, link)).plain_text.lower()
    summary = await say(user, str(service["min"]))
    assert summary.button_texts[0] == "✅ Confirm", summary.plain_text
    adds_before = len(panel.calls_for("add"))
    # Two taps on Confirm at once: one goes to each process.
    await user.tap("✅ Confirm", message=summary)
    await user.tap("✅ Confirm", message=summary)
    await user.fake.wait_for(lambda: len(panel.calls_for("add")) > adds_before, timeout=20, what="add")
    await asyncio.sleep(1.5)  # room for a second `add`, were there going to be one
    assert len(panel.calls_for("add")) == adds_before + 1
    return max(panel.orders)


async def test_two_processes_share_one_database(
    pair: tuple[BotProcess, BotProcess], telegram: FakeTelegram, panel: PanelSimulator, postgres_database: str
) -> None:
    a, b = pair
    alice = telegram.user()

    first = await place_order(alice, panel, "https://facebook.com/posts/1")
    delivered = {url for url, status in telegram.deliveries if status == 200}
    assert delivered == {a.url, b.url}  # both processes served the wizard
    async with Store(postgres_database) as store:
        orders = await store.orders.list_user_orders(alice.id)
        assert [(o.panel_order_id, o.state) for o in orders] == [(first, OrderState.PLACED)]

    # A language chosen on one process is spoken by the other at once.
    await alice.send("/language")
    await alice.reply(timeout=15)
    await alice.tap("🇻🇳 Tiếng Việt")
    assert "Đã chuyển sang Tiếng Việt" in (await alice.reply(timeout=15)).plain_text
    for _ in (a, b):
        assert "Các lệnh của bot" in (await say(alice, "/help")).plain_text
    await alice.send("/language")
    await alice.reply(timeout=15)
    await alice.tap("🇬🇧 English")
    assert "Language set to English" in (await alice.reply(timeout=15)).plain_text

    # One poller: the lease holder tells alice once that her order completed.
    holder = await wait_for_holder(postgres_database)
    assert holder in (a.process.pid, b.process.pid)  # type: ignore[union-attr]
    panel.complete(first)
    await telegram.wait_for(lambda: bool(notices(alice, first)), timeout=3 * POLL_SECONDS)
    await asyncio.sleep(POLL_SECONDS * 1.5)  # both processes had a cycle's chance to repeat it
    assert len(notices(alice, first)) == 1

    # Failover: kill the holder between cycles; the other takes over within two intervals.
    dead, alive = (a, b) if a.process and a.process.pid == holder else (b, a)
    await dead.kill()
    killed_at = time.monotonic()
    telegram.deliver_to([alive.url])
    new_holder = await wait_for_holder(postgres_database, not_pid=holder, timeout=4 * POLL_SECONDS)
    took_over = time.monotonic() - killed_at
    assert new_holder == alive.process.pid  # type: ignore[union-attr]
    assert took_over <= 2 * POLL_SECONDS + 1, f"took over after {took_over:.1f}s"

    second = await place_order(alice, panel, "https://facebook.com/posts/2")
    panel.complete(second)
    await telegram.wait_for(lambda: bool(notices(alice, second)), timeout=3 * POLL_SECONDS)
    await asyncio.sleep(POLL_SECONDS * 1.5)
    assert len(notices(alice, second)) == 1
    assert len(notices(alice, first)) == 1  # nothing of before the hand-over was repeated
    assert "Traceback" not in alive.output(), alive.output()
