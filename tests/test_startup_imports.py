"""Start-up imports only what the chosen mode needs (issue 15): what `python -m bot` loads
before it polls must not grow back the modules taken off its path (a fifth of start-up)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import TOKEN
from tests.test_process import ROOT

# Loaded only when used: migrations to run, a webhook or payment server, the demo panel, a
# QR code, PostgreSQL.  Tornado comes with PTB's webhooks extra, which the bot doesn't use.
NOT_AT_START = (
    "alembic",
    "mako",
    "pygments",
    "tornado",
    "aiohttp.web",
    "segno",
    "sqlalchemy.dialects.postgresql",
)

PROBE = """
import sys
import bot.__main__, bot.runtime
print(" ".join(sorted(name for name in sys.argv[1:] if name in sys.modules)))
"""


def test_polling_on_sqlite_imports_none_of_what_it_does_not_use() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *NOT_AT_START], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == []


def test_the_probe_sees_a_module_that_is_imported() -> None:
    """The check above can fail: the same probe names what the demo path does import."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            PROBE.replace("bot.runtime", "bot.runtime, bot.panel.simulator"),
            *NOT_AT_START,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "aiohttp.web" in done.stdout.split()


# Before Telegram is contacted only PTB and the settings are loaded (`bot.launch`): the store,
# the panel client and the handlers load while Telegram answers.
NOT_BEFORE_POLLING = ("sqlalchemy", "aiohttp", "aiosqlite", "bot.store", "bot.panel", "bot.runtime")


def test_telegram_is_contacted_with_nothing_but_ptb_and_the_settings_loaded(tmp_path: Path) -> None:
    """`python -m bot` against a Bot API nobody answers (the discard port) gives up at getMe,
    its first call, before anything else loads: what it imported by then is what it imports
    before it polls."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": "http://127.0.0.1:9/bot",
        "SMM_API_URL": "http://127.0.0.1:9/api/v2",
        "SMM_API_KEY": "not-real",
        "DATABASE_PATH": str(tmp_path / "bot.sqlite3"),
    }
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 1 and "could not reach the Telegram Bot API" in done.stderr, done.stderr
    lines = done.stderr.splitlines()
    imported = {line.rsplit("|", 1)[-1].strip() for line in lines if line.startswith("import time:")}
    assert "telegram.ext" in imported  # the probe sees imports
    assert sorted(imported & set(NOT_BEFORE_POLLING)) == []
