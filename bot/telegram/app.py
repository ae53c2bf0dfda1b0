"""Builds the PTB `Application`: transport settings and handler registration, nothing else."""

from __future__ import annotations

import warnings
from typing import Any

from telegram.ext import AIORateLimiter, ApplicationBuilder, BasePersistence
from telegram.warnings import PTBUserWarning

from bot.config import Settings
from bot.telegram.context import DEPS_KEY, App, Deps
from bot.telegram.handlers import (
    access,
    admin,
    basic,
    catalog,
    errors,
    fallback,
    language,
    mass,
    orders,
    search,
    topup,
    unknown,
    users,
    wallet,
    wizard,
)
from bot.telegram.processor import PerUserUpdateProcessor
from bot.telegram.ratelimit import PriorityRateLimiter

# Our conversations (the order wizard, /unknown's panel-ID question) are per user on purpose:
# one wizard spans several messages, and taps on buttons of older messages are checked by
# confirmation token and step instead.  PTB warns at every start that per_message=False
# won't track callback queries per message; to a newcomer that reads like an error.
warnings.filterwarnings("ignore", message=r".*per_message=False.*", category=PTBUserWarning)


def build_application(settings: Settings, deps: Deps, persistence: BasePersistence[Any, Any, Any]) -> App:
    app = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_api_url)
        .persistence(persistence)
        # Keeps under Telegram's ~30 messages/s and retries 429s after the delay it asks for.
        # Paced, not bursty: the default is a 30-message bucket that also refills at 30/s, so
        # a burst puts up to ~60 into one second, and every 429 pauses *all* sends for
        # retry_after + 0.1 s.  A one-message bucket refilled 28 times a second never does.
        # Replies go ahead of notifications in it (see ratelimit.py).
        .rate_limiter(
            PriorityRateLimiter(AIORateLimiter(overall_max_rate=1, overall_time_period=1 / 28, max_retries=3))
        )
        .concurrent_updates(PerUserUpdateProcessor())
        .build()
    )
    app.bot_data[DEPS_KEY] = deps
    # Order matters within group 0: the wizard must see its text replies before the
    # free-text search does, and the stale-button fallback comes last.
    topup.register_payments(app)
    access.register(app)
    users.register(app)
    basic.register(app)
    admin.register(app)
    wallet.register(app)
    language.register(app)
    unknown.register(app)
    mass.register(app)
    topup.register(app)
    wizard.register(app)
    catalog.register(app)
    orders.register(app)
    search.register(app)
    fallback.register(app)
    errors.register(app)
    return app
