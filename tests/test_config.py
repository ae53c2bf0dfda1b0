"""Configuration: defaults, parsing, and a one-line exit 2 on anything wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from bot.config import DEFAULT_TELEGRAM_API_URL, ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:TEST-token-not-real"
BASE = {"TELEGRAM_BOT_TOKEN": TOKEN, "SMM_API_KEY": "panel-key-123"}


def settings(**extra: str):
    return load_settings({**BASE, **extra}, dotenv=None)


def test_defaults() -> None:
    s = settings()
    assert s.telegram_api_url == DEFAULT_TELEGRAM_API_URL
    assert s.smm_api_url == "https://smm.baostar.net/api/v2"
    assert s.smm_api_format == "auto"
    assert s.database_path == Path("data/bot.sqlite3")
    assert s.status_poll_seconds == 60
    assert s.admin_ids == frozenset() and not s.allow_everyone
    assert s.log_level == "INFO"


def test_parses_lists_and_numbers() -> None:
    s = settings(
        ADMIN_IDS="1, 2,3",
        ALLOWED_USER_IDS="*",
        STATUS_POLL_SECONDS="15",
        LOG_LEVEL="debug",
        SMM_API_FORMAT="form",
        LOW_BALANCE_ALERT="100,000",
    )
    assert s.admin_ids == {1, 2, 3}
    assert s.allow_everyone and s.allowed_user_ids == frozenset()
    assert s.status_poll_seconds == 15
    assert s.log_level == "DEBUG"
    assert s.smm_api_format == "form"
    assert s.low_balance_alert == Decimal(100000)


def test_webhook_and_guards() -> None:
    s = settings(
        WEBHOOK_URL="https://bot.example.com/tg/hook",
        WEBHOOK_SECRET="s3cr3t-token-of-enough-length",
        PORT="5000",
        MAX_ORDER_CHARGE="500,000",
        USER_DAILY_LIMIT="2000000",
    )
    assert (s.webhook_path, s.port, s.webhook_listen) == ("/tg/hook", 5000, "0.0.0.0")
    assert s.max_order_charge == Decimal(500000) and s.user_daily_limit == Decimal(2000000)
    assert "s3cr3t-token-of-enough-length" in s.secrets and "s3cr3t" not in repr(s)


def test_top_up_settings() -> None:
    s = settings(
        TOPUP_AMOUNTS="20000, 100000", BANK_BIN="970436", BANK_ACCOUNT="0123456789",
        BANK_ACCOUNT_NAME="NGUYEN VAN A", SEPAY_API_KEY="sepay-secret", STARS_RATE="300",
        TOPUP_PREFIX="nap", PANEL_MAX_CONCURRENCY="8",
    )
    assert s.topup_amounts == (Decimal(20000), Decimal(100000)) and s.topup_prefix == "NAP"
    assert s.bank_transfer and s.payment_webhooks and s.stars_rate == Decimal(300)
    assert s.panel_max_concurrency == 8
    assert "sepay-secret" in s.secrets and "sepay-secret" not in repr(s)
    # An account without a service to confirm transfers is no way to pay.
    assert not settings(BANK_BIN="970436", BANK_ACCOUNT="1", BANK_ACCOUNT_NAME="A").bank_transfer
    assert settings().panel_max_concurrency == 20 and not settings().payment_webhooks


def test_secrets_are_not_in_repr() -> None:
    s = settings()
    assert TOKEN not in repr(s) and "panel-key-123" not in repr(s)
    assert set(s.secrets) == {TOKEN, "panel-key-123"}


@pytest.mark.parametrize(
    ("extra", "variable"),
    [
        ({"TELEGRAM_BOT_TOKEN": ""}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": "not-a-token"}, "TELEGRAM_BOT_TOKEN"),
        ({"SMM_API_KEY": ""}, "SMM_API_KEY"),
        ({"ADMIN_IDS": "12,abc"}, "ADMIN_IDS"),
        ({"ALLOWED_USER_IDS": "me"}, "ALLOWED_USER_IDS"),
        ({"STATUS_POLL_SECONDS": "soon"}, "STATUS_POLL_SECONDS"),
        ({"STATUS_POLL_SECONDS": "1"}, "STATUS_POLL_SECONDS"),
        ({"SMM_API_URL": "ftp://x"}, "SMM_API_URL"),
        ({"TELEGRAM_API_URL": "localhost:8081"}, "TELEGRAM_API_URL"),
        ({"SMM_API_FORMAT": "xml"}, "SMM_API_FORMAT"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"LOW_BALANCE_ALERT": "lots"}, "LOW_BALANCE_ALERT"),
        ({"MAX_ORDER_CHARGE": "-1"}, "MAX_ORDER_CHARGE"),
        ({"USER_DAILY_LIMIT": "a lot"}, "USER_DAILY_LIMIT"),
        ({"WEBHOOK_URL": "https://bot.example.com/hook"}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_URL": "https://bot.example.com/hook", "WEBHOOK_SECRET": "short"}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_URL": "bot.example.com"}, "WEBHOOK_URL"),
        ({"PORT": "http"}, "PORT"),
        ({"TIMEZONE": "Mars/Olympus"}, "TIMEZONE"),
        ({"TIMEZONE": "../../etc/passwd"}, "TIMEZONE"),
        ({"PANEL_MAX_CONCURRENCY": "0"}, "PANEL_MAX_CONCURRENCY"),
        ({"PANEL_MAX_CONCURRENCY": "500"}, "PANEL_MAX_CONCURRENCY"),
        ({"TOPUP_AMOUNTS": "50000,abc"}, "TOPUP_AMOUNTS"),
        ({"TOPUP_AMOUNTS": "5000"}, "TOPUP_AMOUNTS"),  # below TOPUP_MIN
        ({"TOPUP_MIN": "900000", "TOPUP_MAX": "1000"}, "TOPUP_MIN"),
        ({"TOPUP_EXPIRY_MINUTES": "0"}, "TOPUP_EXPIRY_MINUTES"),
        ({"TOPUP_PREFIX": "N-P"}, "TOPUP_PREFIX"),
        ({"BANK_BIN": "970436", "BANK_ACCOUNT": "0123456789"}, "BANK_ACCOUNT_NAME"),
        ({"BANK_BIN": "97043", "BANK_ACCOUNT": "0123", "BANK_ACCOUNT_NAME": "A"}, "BANK_BIN"),
        ({"BANK_BIN": "970436", "BANK_ACCOUNT": "01 23", "BANK_ACCOUNT_NAME": "A"}, "BANK_ACCOUNT"),
        ({"BANK_BIN": "970436", "BANK_ACCOUNT": "0123", "BANK_ACCOUNT_NAME": "A", "PRICE_DECIMALS": "2"},
         "PRICE_DECIMALS"),
        ({"STARS_RATE": "-300"}, "STARS_RATE"),
    ],
)
def test_bad_values_name_the_variable(extra: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        settings(**extra)


def test_dotenv_is_read_and_environment_wins(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        f"# comment\nTELEGRAM_BOT_TOKEN='{TOKEN}'\nSMM_API_KEY=from-file\n"
        "export ADMIN_IDS=5 # inline comment\n"
    )
    s = load_settings({"SMM_API_KEY": "from-env"}, dotenv=dotenv)
    assert s.telegram_bot_token == TOKEN
    assert s.smm_api_key == "from-env"
    assert s.admin_ids == {5}


def test_demo_mode_needs_no_panel_key() -> None:
    s = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN}, dotenv=None, demo=True)
    assert s.smm_api_key


def run_bot(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), **env}
    return subprocess.run(
        [sys.executable, "-m", "bot"], cwd=cwd, env=clean, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN}, "SMM_API_KEY"),
        ({**BASE, "ADMIN_IDS": "x"}, "ADMIN_IDS"),
    ],
)
def test_process_exits_2_with_one_line(tmp_path: Path, env: dict[str, str], variable: str) -> None:
    result = run_bot(env, tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]
    assert "Traceback" not in result.stderr
    assert TOKEN not in result.stderr and "panel-key-123" not in result.stderr


def test_every_variable_is_documented_in_env_example() -> None:
    """`.env.example` is the documentation of configuration: it must list every variable read."""
    import re

    read = set(re.findall(r'get\("([A-Z_]+)"\)', (ROOT / "bot" / "config.py").read_text()))
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert read and read <= documented, read - documented
