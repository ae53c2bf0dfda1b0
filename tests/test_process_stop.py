"""The real `python -m bot` process stops in bounded time, whatever the panel does, and a
database it can't use ends the start at once with one line instead of a hang.

SIGTERM is followed by the platform's SIGKILL about 10 s later (Docker, Heroku): the process
must be gone by then, and what was cut off must be recoverable after the restart.  The 10 s
bound asserted here is that requirement itself, not a measurement (see bench/startup.py).
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

from bot.panel.simulator import FailureMode, PanelSimulator
from bot.store import OrderState, Store
from tests.conftest import PANEL_KEY, TOKEN, database_env
from tests.support.fake_telegram import FakeTelegram, FakeUser
from tests.test_process import spawn

STOP_DEADLINE = 10.0  # seconds from SIGTERM to exit: the platform's SIGKILL comes then
CONFIRM = "✅ Confirm"
SERVICE = {
    "service": 1,
    "name": "Tăng like",
    "type": "Default",
    "category": "Facebook",
    "rate": "25000",
    "min": "100",
    "max": "10000",
}


def bot_env(telegram: FakeTelegram, panel: PanelSimulator, database: str | Path) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": telegram.base_url,
        "SMM_API_URL": panel.url,
        "SMM_API_KEY": PANEL_KEY,
        **database_env(database),
        "ALLOWED_USER_IDS": "*",
        "SHOP_MODE": "direct",  # process behaviour, as before the shop
        "STATUS_POLL_SECONDS": "5",
        "LOG_LEVEL": "DEBUG",
    }


async def sigterm(process: asyncio.subprocess.Process) -> tuple[float, int | None, str]:
    """SIGTERM, then wait up to the deadline; a process still alive then is killed (as the
    platform would) and reported with return code None."""
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), STOP_DEADLINE)
    except TimeoutError:
        process.kill()
        await process.wait()
        return time.monotonic() - started, None, await _stderr(process)
    return time.monotonic() - started, process.returncode, await _stderr(process)


async def _stderr(process: asyncio.subprocess.Process) -> str:
    assert process.stderr is not None
    return (await process.stderr.read()).decode()


async def wizard_until_summary(user: FakeUser, link: str) -> None:
    for text in ("/order 1", link, "1000"):
        await user.send(text)
        await user.reply(timeout=20)


async def test_sigterm_while_add_hangs_exits_in_time_and_the_owner_is_told_after_restart(
    telegram: FakeTelegram, tmp_path: Path, database: str | Path
) -> None:
    """The panel holds Alice's `add` (it would for up to 300 s) while Bob is half-way through
    the wizard.  SIGTERM: the process is gone well before SIGKILL; after the restart Alice is
    told her order's outcome is unknown (never re-sent), and Bob's wizard carries on."""
    panel = PanelSimulator(api_key=PANEL_KEY, services=[SERVICE])
    await panel.start()
    env = bot_env(telegram, panel, database)
    alice, bob = telegram.user(1001), telegram.user(1002, first_name="Bob")
    process = await spawn(env, tmp_path)
    try:
        await wizard_until_summary(alice, "https://facebook.com/p/1")
        for text in ("/order 1", "https://facebook.com/p/2"):  # Bob: the quantity is next
            await bob.send(text)
            await bob.reply(timeout=20)
        panel.failure = FailureMode.HANG
        await alice.tap(CONFIRM)
        await telegram.wait_for(lambda: bool(panel.calls_for("add")), timeout=10, what="the add call")

        elapsed, code, stderr = await sigterm(process)
        assert code == 0, f"exit code {code} after {elapsed:.1f}s\n{stderr[-3000:]}"
        assert TOKEN not in stderr and PANEL_KEY not in stderr
        panel.failure = FailureMode.NONE
        async with Store(database) as store:
            [cut_off] = await store.orders.unresolved_orders(alice.id)
            assert cut_off.link == "https://facebook.com/p/1"

        process = await spawn(env, tmp_path)
        notice = await alice.reply(timeout=30)
        while "restarted while placing" not in notice.plain_text:
            notice = await alice.reply(timeout=30)
        assert "https://facebook.com/p/1" in notice.plain_text
        await bob.send("1000")
        assert CONFIRM in (await bob.reply(timeout=20)).button_texts  # the summary: wizard kept
        assert len(panel.calls_for("add")) == 1  # never re-sent
        _, code, stderr = await sigterm(process)
        assert code == 0, stderr[-3000:]
        async with Store(database) as store:
            [order] = await store.orders.unresolved_orders(alice.id)
            assert order.state is OrderState.UNKNOWN and order.notified_status == "Unknown"
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await panel.stop()


async def test_sigterm_while_the_poller_hangs_exits_in_time(
    telegram: FakeTelegram, tmp_path: Path, database: str | Path
) -> None:
    """A tracking cycle is stuck on the panel (3 attempts × 25 s with the defaults): SIGTERM
    still ends the process in time, cleanly (the database is closed: on SQLite no WAL file left)."""
    panel = PanelSimulator(api_key=PANEL_KEY, services=[SERVICE])
    await panel.start()
    alice = telegram.user()
    process = await spawn(bot_env(telegram, panel, database), tmp_path)
    try:
        await wizard_until_summary(alice, "https://facebook.com/p/3")
        await alice.tap(CONFIRM)
        await telegram.wait_for(lambda: bool(panel.calls_for("add")), timeout=10, what="the add call")
        await alice.reply(timeout=20)  # placed: the poller now has an order to ask about
        panel.failure = FailureMode.HANG
        await telegram.wait_for(
            lambda: bool(panel.calls_for("status")), timeout=20, what="the poller's status call"
        )
        elapsed, code, stderr = await sigterm(process)
        assert code == 0, f"exit code {code} after {elapsed:.1f}s\n{stderr[-3000:]}"
        assert "bot stopped" in stderr
        if isinstance(database, Path):
            assert os.path.exists(database) and not os.path.exists(f"{database}-wal")
        async with Store(database) as store:  # the placed order was kept
            [order] = await store.orders.list_user_orders(alice.id)
            assert order.state is OrderState.PLACED and order.link == "https://facebook.com/p/3"
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await panel.stop()


async def exits_1(process: asyncio.subprocess.Process, within: float) -> tuple[str, str]:
    """The process ends by itself within `within` seconds with exit code 1; its stderr and
    that stderr's last line."""
    try:
        _, stderr_bytes = await asyncio.wait_for(process.communicate(), within)
    finally:
        if process.returncode is None:
            process.kill()
            await process.communicate()
    stderr = stderr_bytes.decode()
    assert process.returncode == 1, stderr
    return stderr, stderr.strip().splitlines()[-1]


async def test_damaged_database_exits_1_at_once_naming_the_file(
    telegram: FakeTelegram, panel: PanelSimulator, tmp_path: Path
) -> None:
    db = tmp_path / "bot.sqlite3"
    db.write_bytes(b"this is not an SQLite database, just garbage " * 200)
    stderr, last = await exits_1(await spawn(bot_env(telegram, panel, db), tmp_path), 5)
    assert str(db) in last and "damaged" in last and "backup" in last and "move it aside" in last
    assert "Traceback" not in stderr
    assert TOKEN not in stderr and PANEL_KEY not in stderr
    assert db.read_bytes().startswith(b"this is not an SQLite database")  # left for the owner


async def test_a_message_fetched_by_a_start_that_fails_is_answered_by_the_next(
    telegram: FakeTelegram, panel: PanelSimulator, tmp_path: Path
) -> None:
    """Polling begins before the database is opened (`bot.launch`).  A message fetched then,
    by a start that fails on the database, is never confirmed to Telegram: the next start,
    the database moved aside, answers it."""
    db = tmp_path / "bot.sqlite3"
    db.write_bytes(b"this is not an SQLite database, just garbage " * 200)
    alice = telegram.user()
    await alice.send("/balance")
    [message] = telegram.pending_updates
    stderr, _ = await exits_1(await spawn(bot_env(telegram, panel, db), tmp_path), 5)
    assert "took too long" not in stderr, "every shutdown step ended by itself"
    polls = telegram.calls_of("getUpdates")
    assert polls, "polling began before the database was opened"
    assert all(int(p.params.get("offset") or 0) <= message["update_id"] for p in polls)
    assert telegram.pending_updates == [message]  # Telegram still holds it
    assert alice.messages == [], "nothing was answered by the failed start"

    db.rename(tmp_path / "damaged.sqlite3")
    process = await spawn(bot_env(telegram, panel, db), tmp_path)
    try:
        assert "5,000,000 VND" in (await alice.reply(timeout=20)).text
    finally:
        _, code, stderr = await sigterm(process)
    assert code == 0, stderr


async def test_unreachable_database_server_exits_1_at_once_without_its_password(
    telegram: FakeTelegram, panel: PanelSimulator, tmp_path: Path
) -> None:
    """PostgreSQL's counterpart: nothing listens at DATABASE_URL (port 1), and the one line
    names the server but never the password."""
    url = "postgresql://postgres:s3cret-pw@127.0.0.1:1/nope"
    stderr, last = await exits_1(await spawn(bot_env(telegram, panel, url), tmp_path), 15)
    assert last.startswith("database error:") and "127.0.0.1:1/nope" in last and "DATABASE_URL" in last
    assert "s3cret-pw" not in stderr and "Traceback" not in stderr
    assert TOKEN not in stderr and PANEL_KEY not in stderr
