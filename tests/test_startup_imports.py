"""Start-up imports only what the chosen mode needs (issue 15): what `python -m bot` loads
before it polls must not grow back the modules taken off its path (a fifth of start-up)."""

from __future__ import annotations

import subprocess
import sys

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
