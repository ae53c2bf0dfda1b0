"""Builds the PTB `Application`: transport settings and handler registration, nothing else."""

from __future__ import annotations

from telegram.ext import AIORateLimiter, Application, ApplicationBuilder

from bot.config import Settings
from bot.telegram.context import DEPS_KEY, Deps
from bot.telegram.handlers import basic, errors, users
from bot.telegram.processor import PerUserUpdateProcessor


def build_application(settings: Settings, deps: Deps) -> Application:
    app = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_api_url)
        # Retries 429s after the delay Telegram asks for, and keeps under its limits.
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(PerUserUpdateProcessor())
        .build()
    )
    app.bot_data[DEPS_KEY] = deps
    users.register(app)
    basic.register(app)
    errors.register(app)
    return app
