"""Builds the PTB `Application`: transport settings and handler registration, nothing else."""

from __future__ import annotations

from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, BasePersistence

from bot.config import Settings
from bot.telegram.context import DEPS_KEY, Deps
from bot.telegram.handlers import (
    access,
    admin,
    basic,
    catalog,
    errors,
    fallback,
    language,
    orders,
    search,
    users,
    wizard,
)
from bot.telegram.processor import PerUserUpdateProcessor


def build_application(settings: Settings, deps: Deps, persistence: BasePersistence) -> Application:
    app = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_api_url)
        .persistence(persistence)
        # Retries 429s after the delay Telegram asks for, and keeps under its limits.
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(PerUserUpdateProcessor())
        .build()
    )
    app.bot_data[DEPS_KEY] = deps
    # Order matters within group 0: the wizard must see its text replies before the
    # free-text search does, and the stale-button fallback comes last.
    access.register(app)
    users.register(app)
    basic.register(app)
    admin.register(app)
    language.register(app)
    wizard.register(app)
    catalog.register(app)
    orders.register(app)
    search.register(app)
    fallback.register(app)
    errors.register(app)
    return app
