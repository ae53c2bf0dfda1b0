"""The real `python -m bot` process: start-up, a round trip, graceful SIGTERM, demo panel."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

from bot.panel.simulator import FailureMode, PanelSimulator
from bot.store import OrderState, Store
from tests.conftest import PANEL_KEY, TOKEN, database_env
from tests.support.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parents[1]


async def spawn(env: dict[str, str], cwd: Path, *args: str) -> asyncio.subprocess.Process:
    full = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), **env}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env=full,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def answers_balance(process: asyncio.subprocess.Process, telegram: FakeTelegram) -> None:
    """The process serves a user end to end (or is killed, so a failure never leaks it)."""
    try:
        alice = telegram.user()
        await alice.send("/balance")
        assert "5,000,000 VND" in (await alice.reply(timeout=20)).text
    except BaseException:
        process.kill()
        raise


async def stop(process: asyncio.subprocess.Process, signum: int) -> tuple[float, int, str]:
    started = time.monotonic()
    process.send_signal(signum)
    _, stderr = await asyncio.wait_for(process.communicate(), 15)
    return time.monotonic() - started, process.returncode or 0, stderr.decode()


async def test_process_serves_and_stops_on_sigterm(
    telegram: FakeTelegram, panel: PanelSimulator, tmp_path: Path, database: str | Path
) -> None:
    if isinstance(database, Path):
        database = tmp_path / "db" / "bot.sqlite3"  # a folder that doesn't exist yet, too
    process = await spawn(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": telegram.base_url,
            "SMM_API_URL": panel.url,
            "SMM_API_KEY": PANEL_KEY,
            **database_env(database),
            "ALLOWED_USER_IDS": "*",
        "SHOP_MODE": "direct",  # process behaviour, as before the shop
            "LOG_LEVEL": "DEBUG",
        },
        tmp_path,
    )
    await answers_balance(process, telegram)
    elapsed, code, stderr = await stop(process, signal.SIGTERM)
    assert code == 0, stderr
    assert elapsed < 5, f"shutdown took {elapsed:.1f}s"
    assert "bot stopped" in stderr
    assert "PTBUserWarning" not in stderr and "per_message" not in stderr  # nothing that reads as an error
    # DEBUG logging, yet neither secret made it to the log.
    assert TOKEN not in stderr and PANEL_KEY not in stderr
    if isinstance(database, Path):
        # The store was closed cleanly: SQLite removes the WAL file on the last close.
        assert os.path.exists(database) and not os.path.exists(f"{database}-wal")
    async with Store(database) as store:  # what the process wrote is there
        alice = telegram.user()
        assert [(u.id, u.first_name) for u in await store.users.list_users()] == [(alice.id, "Alice")]


async def test_demo_panel_needs_only_a_token(
    telegram: FakeTelegram, tmp_path: Path, database: str | Path
) -> None:
    process = await spawn(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": telegram.base_url,
            **database_env(database),
            "ALLOWED_USER_IDS": "*",
        "SHOP_MODE": "direct",  # process behaviour, as before the shop
        },
        tmp_path,
        "--demo-panel",
    )
    await answers_balance(process, telegram)
    elapsed, code, stderr = await stop(process, signal.SIGINT)
    assert code == 0, stderr
    assert elapsed < 5


async def test_rejected_token_exits_2_with_one_line(
    telegram: FakeTelegram, tmp_path: Path, database: str | Path
) -> None:
    process = await spawn(
        {
            "TELEGRAM_BOT_TOKEN": "999:wrong-token",
            "TELEGRAM_API_URL": telegram.base_url,
            "SMM_API_KEY": PANEL_KEY,
            **database_env(database),
        },
        tmp_path,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in stderr.decode().strip().splitlines()[-1]
    assert "Traceback" not in stderr.decode()


async def test_sigkill_during_order_placement_is_recovered(
    telegram: FakeTelegram, tmp_path: Path, database: str | Path
) -> None:
    """The process dies while `add` is in flight: the intent survives, and after a restart the
    owner is told the outcome is unknown and how to check — never silence, never a re-send."""
    panel = PanelSimulator(
        api_key=PANEL_KEY,
        services=[
            {
                "service": 1,
                "name": "Tăng like",
                "type": "Default",
                "category": "Facebook",
                "rate": "25000",
                "min": "100",
                "max": "10000",
            }
        ],
    )
    await panel.start()
    env = {
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
    alice = telegram.user()
    process = await spawn(env, tmp_path)
    try:
        for text in ("/order 1", "https://facebook.com/p/1", "1000"):
            await alice.send(text)
            await alice.reply(timeout=20)
        panel.failure = FailureMode.SLOW
        panel.slow_seconds = 60
        await alice.tap("✅ Confirm")
        await telegram.wait_for(lambda: bool(panel.calls_for("add")), timeout=10, what="the add call")
        process.kill()  # SIGKILL: no shutdown code runs
        await process.communicate()  # not wait(): it would wait for pipes nobody drains
        panel.failure = FailureMode.NONE

        async with Store(database) as store:
            [intent] = await store.orders.unresolved_orders(alice.id)
            assert intent.state is OrderState.INTENT and intent.link == "https://facebook.com/p/1"

        process = await spawn(env, tmp_path)
        notice = await alice.reply(timeout=30)
        while "restarted while placing" not in notice.plain_text:
            notice = await alice.reply(timeout=30)
        assert "https://facebook.com/p/1" in notice.plain_text and "admin checks it" in notice.plain_text
        assert len(panel.calls_for("add")) == 1  # never re-sent
        _, code, stderr = await stop(process, signal.SIGTERM)
        assert code == 0 and TOKEN not in stderr and PANEL_KEY not in stderr
        async with Store(database) as store:
            [order] = await store.orders.unresolved_orders(alice.id)
            assert order.state is OrderState.UNKNOWN and order.notified_status == "Unknown"
    finally:
        if process.returncode is None:
            process.kill()
            await process.communicate()
        await panel.stop()


async def test_unreachable_telegram_says_why_before_stopping(
    tmp_path: Path, panel: PanelSimulator, database: str | Path
) -> None:
    """The cause first, then the shutdown lines, then exit 1: the last words are not 'bot stopped'
    with the reason hidden above them."""
    process = await spawn(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": "http://127.0.0.1:9/bot",  # the discard port: nothing listens
            "SMM_API_URL": panel.url,
            "SMM_API_KEY": PANEL_KEY,
            **database_env(database),
            "ALLOWED_USER_IDS": "*",
        "SHOP_MODE": "direct",  # process behaviour, as before the shop
        },
        tmp_path,
    )
    _, stderr_bytes = await asyncio.wait_for(process.communicate(), 60)
    stderr = stderr_bytes.decode()
    assert process.returncode == 1, stderr
    assert "Traceback" not in stderr and TOKEN not in stderr
    lines = stderr.splitlines()
    cause = next(i for i, line in enumerate(lines) if "could not reach the Telegram Bot API" in line)
    stopped = next(i for i, line in enumerate(lines) if "bot stopped" in line)
    assert cause < stopped
