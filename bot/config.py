"""Settings: the one place where configuration is read and validated.

Everything the bot can be told comes from environment variables (optionally
loaded from a `.env` file).  Validation happens once, at start-up, so a typo in
the deployment fails fast with one readable line instead of a traceback deep
inside a handler hours later.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.numbers import ascii_int

DEFAULT_TELEGRAM_API_URL = "https://api.telegram.org/bot"
DEFAULT_SMM_API_URL = "https://smm.baostar.net/api/v2"
DEFAULT_DATABASE_PATH = "data/bot.sqlite3"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it and says what to put there."""


@dataclass(frozen=True)
class Settings:
    telegram_bot_token: str = field(repr=False)
    smm_api_key: str = field(repr=False)
    telegram_api_url: str = DEFAULT_TELEGRAM_API_URL
    smm_api_url: str = DEFAULT_SMM_API_URL
    smm_api_format: str = "auto"  # auto: found by the first read-only call, then kept
    database_path: Path = Path(DEFAULT_DATABASE_PATH)
    # PostgreSQL (platforms' DATABASE_URL) instead of the SQLite file; it may hold a password.
    database_url: str | None = field(default=None, repr=False)
    admin_ids: frozenset[int] = frozenset()
    allowed_user_ids: frozenset[int] = frozenset()
    allow_everyone: bool = False
    status_poll_seconds: int = 60
    log_level: str = "INFO"
    catalog_ttl_seconds: int = 600
    panel_timeout_seconds: float = 25.0
    panel_add_timeout_seconds: float = 300.0
    panel_retries: int = 2
    # A person waiting for an answer gets one attempt bounded by this, never the background
    # read's retries and back-off (3 × 25 s + pauses is 79 s of silence in a chat).
    panel_interactive_timeout_seconds: float = 10.0
    # Requests in flight to the panel at once, all kinds together: the tracking cycle overlaps
    # its status calls up to this (less two, kept for people waiting), and never more.
    panel_max_concurrency: int = 20
    low_balance_alert: Decimal | None = None
    # The shop (see bot/services/shop.py): wallet = customers pay retail from wallets,
    # direct = everyone orders at cost from the panel balance.
    shop_mode: str = "wallet"
    markup_percent: Decimal = Decimal(0)
    price_decimals: int = 0
    shop_currency: str = ""  # empty: the panel's
    wizard_timeout_seconds: float = 600.0
    max_order_charge: Decimal | None = None
    user_daily_limit: Decimal | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_listen: str = "0.0.0.0"
    port: int = 8080
    timezone: tzinfo = UTC  # for dates shown to people and "today" in /stats
    # Top-ups (see bot/services/topups.py): the amounts offered, the range typed ones must be
    # in, and how long a top-up waits for its money.
    topup_amounts: tuple[Decimal, ...] = tuple(Decimal(n) for n in (50_000, 100_000, 200_000, 500_000))
    topup_min: Decimal = Decimal(10_000)
    topup_max: Decimal = Decimal(50_000_000)
    topup_expiry_minutes: int = 30
    topup_prefix: str = "NAP"
    # Bank transfer by VietQR (all three, or none): the bank's NAPAS BIN, the account, its name.
    bank_bin: str = ""
    bank_account: str = ""
    bank_account_name: str = ""
    # The bank-notification services that confirm transfers (either or both).
    sepay_api_key: str | None = field(default=None, repr=False)
    casso_secure_token: str | None = field(default=None, repr=False)
    stars_rate: Decimal | None = None  # shop currency per Telegram Star; None: no Stars

    @property
    def bank_transfer(self) -> bool:
        """Bank transfers are offered: an account to pay into and a service to confirm them."""
        return bool(self.bank_account and (self.sepay_api_key or self.casso_secure_token))

    @property
    def payment_webhooks(self) -> bool:
        """A bank-notification service will post to us: the HTTP server must run (even when
        Telegram is long-polled)."""
        return bool(self.sepay_api_key or self.casso_secure_token)

    @property
    def webhook_path(self) -> str:
        """The URL path Telegram posts to (the path part of `WEBHOOK_URL`)."""
        return urlsplit(self.webhook_url or "").path or "/"

    @property
    def database(self) -> str | Path:
        """What the store opens: the PostgreSQL URL if one is set, else the SQLite file."""
        return self.database_url or self.database_path

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never reach a log line or a message."""
        password = urlsplit(self.database_url).password if self.database_url else None
        values = (
            self.telegram_bot_token,
            self.smm_api_key,
            self.webhook_secret,
            self.sepay_api_key,
            self.casso_secure_token,
            password,
            unquote(password) if password else None,
        )
        return tuple(dict.fromkeys(s for s in values if s))


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse a minimal `.env` file (KEY=VALUE, comments, optional quotes).

    Kept in-house so the runtime needs no extra dependency for a 20-line format.
    """
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip().removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key] = value
    return values


def load_settings(
    env: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env"), *, demo: bool = False
) -> Settings:
    """Build `Settings` from `env` (default: the process environment over `.env`).

    Real environment variables win over `.env`, as platforms like Heroku expect.
    With `demo`, no panel key is needed: the built-in simulator accepts any.
    """
    merged: dict[str, str] = {}
    if dotenv is not None:
        merged.update(read_dotenv(dotenv))
    merged.update(os.environ if env is None else env)
    if demo and not merged.get("SMM_API_KEY", "").strip():
        merged["SMM_API_KEY"] = "demo-key"
    return _parse(merged)


@dataclass(frozen=True)
class DatabaseSettings:
    """What the database commands (`migrate`, `copy-db`, `audit`) need: no bot token, no panel key."""

    database: str | Path
    secrets: tuple[str, ...]
    log_level: str = "INFO"
    price_decimals: int = 0  # the audit rounds partial refunds as the shop does


def load_database_settings(
    env: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")
) -> DatabaseSettings:
    """The database settings alone, read and checked exactly as `load_settings` does."""
    merged: dict[str, str] = {}
    if dotenv is not None:
        merged.update(read_dotenv(dotenv))
    merged.update(os.environ if env is None else env)
    # The full parse with placeholders for what these commands don't use: one set of rules.
    placeholders = {"TELEGRAM_BOT_TOKEN": "1:unused", "SMM_API_KEY": "unused"}
    settings = _parse({**merged, **{k: v for k, v in placeholders.items() if not merged.get(k, "").strip()}})
    secrets = tuple(s for s in settings.secrets if s not in placeholders.values())
    return DatabaseSettings(settings.database, secrets, settings.log_level, settings.price_decimals)


def _parse(env: Mapping[str, str]) -> Settings:
    def get(name: str) -> str:
        return env.get(name, "").strip()

    token = _required(get("TELEGRAM_BOT_TOKEN"), "TELEGRAM_BOT_TOKEN", "the token from @BotFather")
    if ":" not in token or ascii_int(token.split(":", 1)[0]) is None:
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN looks malformed: expected '<digits>:<secret>' as given by @BotFather"
        )
    key = _required(get("SMM_API_KEY"), "SMM_API_KEY", "your panel account's API key")
    allowed_raw = get("ALLOWED_USER_IDS")
    allow_everyone = allowed_raw == "*"
    low_balance = get("LOW_BALANCE_ALERT")
    max_charge, daily_limit = get("MAX_ORDER_CHARGE"), get("USER_DAILY_LIMIT")
    webhook_url = get("WEBHOOK_URL")
    webhook_secret = get("WEBHOOK_SECRET")
    if webhook_url:
        _url(webhook_url, "WEBHOOK_URL")
        if not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", webhook_secret):
            raise ConfigError(
                "WEBHOOK_SECRET must be set with WEBHOOK_URL: 16-256 characters of A-Z, a-z, 0-9, _ "
                "or -, e.g. the output of: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
    decimals = _decimals(get("PRICE_DECIMALS"))
    topups = _topups(get, decimals)
    return Settings(
        **topups,
        telegram_bot_token=token,
        smm_api_key=key,
        telegram_api_url=_url(get("TELEGRAM_API_URL") or DEFAULT_TELEGRAM_API_URL, "TELEGRAM_API_URL"),
        smm_api_url=_url(get("SMM_API_URL") or DEFAULT_SMM_API_URL, "SMM_API_URL"),
        smm_api_format=_choice(get("SMM_API_FORMAT") or "auto", "SMM_API_FORMAT", ("auto", "json", "form")),
        database_path=Path(get("DATABASE_PATH") or DEFAULT_DATABASE_PATH),
        database_url=_database_url(get("DATABASE_URL")),
        admin_ids=_ids(get("ADMIN_IDS"), "ADMIN_IDS"),
        allowed_user_ids=frozenset() if allow_everyone else _ids(allowed_raw, "ALLOWED_USER_IDS"),
        allow_everyone=allow_everyone,
        status_poll_seconds=_int(get("STATUS_POLL_SECONDS"), "STATUS_POLL_SECONDS", 60, minimum=5),
        log_level=_choice((get("LOG_LEVEL") or "INFO").upper(), "LOG_LEVEL", LOG_LEVELS),
        catalog_ttl_seconds=_int(get("CATALOG_TTL_SECONDS"), "CATALOG_TTL_SECONDS", 600, minimum=0),
        panel_interactive_timeout_seconds=_int(
            get("PANEL_INTERACTIVE_TIMEOUT_SECONDS"), "PANEL_INTERACTIVE_TIMEOUT_SECONDS", 10, minimum=1
        ),
        panel_max_concurrency=_concurrency(get("PANEL_MAX_CONCURRENCY")),
        low_balance_alert=_money(low_balance, "LOW_BALANCE_ALERT") if low_balance else None,
        shop_mode=_choice((get("SHOP_MODE") or "wallet").lower(), "SHOP_MODE", ("wallet", "direct")),
        markup_percent=_percent(get("MARKUP_PERCENT")),
        price_decimals=decimals,
        shop_currency=_currency(get("SHOP_CURRENCY")),
        max_order_charge=_money(max_charge, "MAX_ORDER_CHARGE") if max_charge else None,
        user_daily_limit=_money(daily_limit, "USER_DAILY_LIMIT") if daily_limit else None,
        webhook_url=webhook_url or None,
        webhook_secret=webhook_secret or None,
        webhook_listen=get("WEBHOOK_LISTEN") or "0.0.0.0",
        port=_int(get("PORT"), "PORT", 8080, minimum=1),
        timezone=_zone(get("TIMEZONE") or "UTC"),
    )


def _required(value: str, name: str, what: str) -> str:
    if not value:
        raise ConfigError(f"{name} is not set: put {what} in .env or the environment")
    return value


def _url(value: str, name: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ConfigError(f"{name} must be an http(s) URL, e.g. {name}=https://example.com/...")
    return value.rstrip("/") if name != "TELEGRAM_API_URL" else value


def _database_url(value: str) -> str | None:
    """A PostgreSQL URL as platforms give it (`postgres://` or `postgresql://`), or nothing:
    then the SQLite file at DATABASE_PATH.  The message never repeats the value (a password)."""
    if not value:
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        parts = None
    schemes = ("postgres", "postgresql", "postgresql+asyncpg")
    if parts is None or parts.scheme not in schemes or not (parts.hostname or "host=" in parts.query):
        raise ConfigError(
            "DATABASE_URL must be a PostgreSQL URL, e.g. DATABASE_URL=postgresql://user:password@host:5432/"
            "dbname (leave it empty to use the SQLite file at DATABASE_PATH)"
        )
    return value


def _choice(value: str, name: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)} (got {value!r})")
    return value


def _ids(value: str, name: str) -> frozenset[int]:
    ids: set[int] = set()
    for part in value.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        user_id = ascii_int(part, max_digits=15)
        if user_id is None:
            raise ConfigError(
                f"{name} must be comma-separated numeric Telegram user IDs, e.g. {name}=123456789,"
                f"987654321 (got {part!r})"
            )
        ids.add(user_id)
    return frozenset(ids)


def _int(value: str, name: str, default: int, *, minimum: int) -> int:
    if not value:
        return default
    number = ascii_int(value, max_digits=9)
    if number is None or number < minimum:
        raise ConfigError(f"{name} must be a whole number ≥ {minimum}, e.g. {name}={default}")
    return number


def _concurrency(value: str) -> int:
    limit = _int(value, "PANEL_MAX_CONCURRENCY", 20, minimum=1)
    if limit > 100:
        raise ConfigError("PANEL_MAX_CONCURRENCY must be 1 to 100: requests in flight to the panel at once")
    return limit


def _zone(value: str) -> tzinfo:
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"TIMEZONE must be an IANA time zone name, e.g. TIMEZONE=Asia/Ho_Chi_Minh (got {value!r})"
        ) from None


def _money(value: str, name: str) -> Decimal:
    try:
        amount = Decimal(value.replace(",", "").replace("_", ""))
    except InvalidOperation:
        amount = Decimal(-1)
    if not amount.is_finite() or amount < 0:
        raise ConfigError(f"{name} must be a non-negative amount in the panel currency, e.g. 100000")
    return amount


def _percent(value: str) -> Decimal:
    if not value:
        return Decimal(0)
    try:
        percent = Decimal(value.removesuffix("%").strip())
    except InvalidOperation:
        percent = Decimal(-1)
    if not percent.is_finite() or not 0 <= percent <= 10_000:
        raise ConfigError("MARKUP_PERCENT must be a percentage from 0 to 10000, e.g. MARKUP_PERCENT=40")
    return percent


def _decimals(value: str) -> int:
    places = _int(value, "PRICE_DECIMALS", 0, minimum=0)
    if places > 8:
        raise ConfigError("PRICE_DECIMALS must be 0 to 8: the places of the shop currency (0 for VND)")
    return places


def _currency(value: str) -> str:
    if value and not re.fullmatch(r"[A-Za-z]{3}", value):
        raise ConfigError("SHOP_CURRENCY must be a three-letter currency code, e.g. SHOP_CURRENCY=VND")
    return value.upper()


def _topups(get: Callable[[str], str], decimals: int) -> dict[str, Any]:
    """The top-up settings, checked together: a range that holds its quick amounts, a bank
    account complete or absent, a VietQR transfer in whole dong."""
    amounts = tuple(_amount(part, "TOPUP_AMOUNTS", decimals) for part in _list(get("TOPUP_AMOUNTS")))
    low = _amount(get("TOPUP_MIN"), "TOPUP_MIN", decimals) if get("TOPUP_MIN") else Decimal(10_000)
    high = _amount(get("TOPUP_MAX"), "TOPUP_MAX", decimals) if get("TOPUP_MAX") else Decimal(50_000_000)
    if low > high:
        raise ConfigError("TOPUP_MIN must not be above TOPUP_MAX")
    if not get("TOPUP_AMOUNTS"):
        amounts = tuple(a for a in Settings.topup_amounts if low <= a <= high) or (low,)
    for amount in amounts:
        if not low <= amount <= high:
            raise ConfigError(f"TOPUP_AMOUNTS: {amount} is outside TOPUP_MIN..TOPUP_MAX ({low}..{high})")
    prefix = (get("TOPUP_PREFIX") or "NAP").upper()
    if not re.fullmatch(r"[A-Z]{2,8}", prefix):
        raise ConfigError("TOPUP_PREFIX must be 2 to 8 letters A-Z, e.g. TOPUP_PREFIX=NAP")
    bank = {name: get(name) for name in ("BANK_BIN", "BANK_ACCOUNT", "BANK_ACCOUNT_NAME")}
    if any(bank.values()) and not all(bank.values()):
        missing = ", ".join(name for name, value in bank.items() if not value)
        raise ConfigError(
            f"bank transfers need BANK_BIN, BANK_ACCOUNT and BANK_ACCOUNT_NAME; missing: {missing}"
        )
    if bank["BANK_BIN"] and not re.fullmatch(r"\d{6}", bank["BANK_BIN"]):
        raise ConfigError("BANK_BIN must be the bank's 6-digit NAPAS BIN, e.g. BANK_BIN=970436 (Vietcombank)")
    if bank["BANK_ACCOUNT"] and not re.fullmatch(r"[0-9A-Za-z]{1,19}", bank["BANK_ACCOUNT"]):
        raise ConfigError("BANK_ACCOUNT must be the account number: 1 to 19 letters or digits, no spaces")
    if bank["BANK_ACCOUNT"] and decimals:
        raise ConfigError("bank transfers are in whole dong: set PRICE_DECIMALS=0 (or leave BANK_* empty)")
    rate = get("STARS_RATE")
    stars_rate = _amount(rate, "STARS_RATE", decimals) if rate else None
    return {
        "topup_amounts": amounts,
        "topup_min": low,
        "topup_max": high,
        "topup_expiry_minutes": _int(get("TOPUP_EXPIRY_MINUTES"), "TOPUP_EXPIRY_MINUTES", 30, minimum=1),
        "topup_prefix": prefix,
        "bank_bin": bank["BANK_BIN"],
        "bank_account": bank["BANK_ACCOUNT"],
        "bank_account_name": bank["BANK_ACCOUNT_NAME"],
        "sepay_api_key": get("SEPAY_API_KEY") or None,
        "casso_secure_token": get("CASSO_SECURE_TOKEN") or None,
        "stars_rate": stars_rate,
    }


def _list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _amount(value: str, name: str, decimals: int) -> Decimal:
    """A positive amount in the shop currency, with no more places than it has."""
    try:
        amount = Decimal(value.replace("_", ""))
    except InvalidOperation:
        amount = Decimal(-1)
    if not amount.is_finite() or amount <= 0 or -amount.as_tuple().exponent > decimals:  # type: ignore[operator]
        raise ConfigError(
            f"{name} must be positive amounts in the shop currency with at most {decimals} decimals"
        )
    return amount
