"""Shared fixtures: the panel simulator, the fake Bot API, and the real bot wired to both."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings, load_settings
from bot.panel.simulator import PanelSimulator
from bot.runtime import BotRuntime
from tests.support.fake_telegram import FakeTelegram
from tests.support.runtime import running

TOKEN = "123456:TEST-token-not-real"
PANEL_KEY = "sim-secret-key-42"


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
def make_settings(tmp_path: Path, panel: PanelSimulator, telegram: FakeTelegram) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        env = {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": telegram.base_url,
            "SMM_API_URL": panel.url,
            "SMM_API_KEY": PANEL_KEY,
            "DATABASE_PATH": str(tmp_path / "bot.sqlite3"),
            "ALLOWED_USER_IDS": "*",
        }
        settings = load_settings(env, dotenv=None)
        # Short panel timeouts keep outage tests fast; behaviour is the same.
        # The tracking job is driven by hand in tests (runtime.tracking.run), so it is off here.
        defaults: dict[str, Any] = {
            "panel_timeout_seconds": 2.0,
            "panel_retries": 1,
            "status_poll_seconds": 0,
        }
        return replace(settings, **{**defaults, **overrides})

    return make


@pytest.fixture
async def bot(make_settings: Callable[..., Settings]) -> AsyncIterator[BotRuntime]:
    async with running(make_settings()) as runtime:
        yield runtime
