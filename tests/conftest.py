"""Shared fixtures: the panel simulator, the fake Bot API, and the real bot wired to both."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings, load_settings
from bot.panel.simulator import PanelSimulator
from bot.runtime import BotRuntime
from tests.support.databases import ENGINES, PostgresServer
from tests.support.fake_telegram import FakeTelegram
from tests.support.runtime import running

TOKEN = "123456:TEST-token-not-real"
PANEL_KEY = "sim-secret-key-42"


_postgres = PostgresServer()


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """Every test that keeps data runs on both engines (see `database`)."""
    return str(request.param)


@pytest.fixture
async def database(engine: str, tmp_path: Path) -> AsyncIterator[str | Path]:
    """What the store opens: a SQLite file in the test's folder, or a fresh PostgreSQL
    database (dropped afterwards).  No reachable PostgreSQL skips, except in CI (`CI=true`),
    where it fails: a green CI must have run both engines."""
    if engine == "sqlite":
        yield tmp_path / "bot.sqlite3"
        return
    await _postgres.require()
    url = await _postgres.fresh_database()
    yield url
    await _postgres.recycle(url)


@pytest.fixture
def postgres() -> PostgresServer:
    return _postgres


@pytest.fixture
async def postgres_database() -> AsyncIterator[str]:
    """For tests about PostgreSQL alone (processes sharing it, its locks): a database of the
    test's own with the current schema.  Skipped without a server, failed so in CI."""
    await _postgres.require()
    url = await _postgres.fresh_database()
    yield url
    await _postgres.recycle(url)


_outcomes: dict[str, dict[str, int]] = {}
_engine_of: dict[str, str] = {}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        engine = callspec.params.get("engine") if callspec is not None else None
        _engine_of[item.nodeid] = engine or "no database"


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" or (report.when == "setup" and not report.passed):
        counts = _outcomes.setdefault(_engine_of.get(report.nodeid, "no database"), {})
        counts[report.outcome] = counts.get(report.outcome, 0) + 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """How many tests ran on each engine (`.ci/run` shows this)."""
    terminalreporter.section("tests per engine")
    for engine in (*ENGINES, "no database"):
        counts = _outcomes.get(engine, {})
        line = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())) or "none"
        terminalreporter.write_line(f"{engine}: {line}")


def pytest_sessionfinish() -> None:
    asyncio.run(_postgres.close())


@pytest.fixture
async def panel() -> AsyncIterator[PanelSimulator]:
    sim = PanelSimulator(api_key=PANEL_KEY, service_count=400, categories=12)
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram(token=TOKEN)
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def make_settings(
    database: str | Path, panel: PanelSimulator, telegram: FakeTelegram
) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        env = {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": telegram.base_url,
            "SMM_API_URL": panel.url,
            "SMM_API_KEY": PANEL_KEY,
            "ALLOWED_USER_IDS": "*",
            **database_env(database),
        }
        settings = load_settings(env, dotenv=None)
        # Short panel timeouts keep outage tests fast; behaviour is the same.
        # The tracking job is driven by hand in tests (runtime.tracking.run), so it is off here.
        # Direct mode (everyone orders at cost, as before the shop): the suite written before
        # the shop proves `SHOP_MODE=direct` behaves exactly as it did; shop tests ask for wallets.
        defaults: dict[str, Any] = {
            "shop_mode": "direct",
            "panel_timeout_seconds": 2.0,
            "panel_retries": 1,
            "status_poll_seconds": 0,
        }
        return replace(settings, **{**defaults, **overrides})

    return make


def database_env(database: str | Path) -> dict[str, str]:
    """The environment variable that points the bot at `database`."""
    if isinstance(database, Path):
        return {"DATABASE_PATH": str(database)}
    return {"DATABASE_URL": database}


@pytest.fixture
async def bot(make_settings: Callable[..., Settings]) -> AsyncIterator[BotRuntime]:
    async with running(make_settings()) as runtime:
        yield runtime
