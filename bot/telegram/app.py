"""Builds the PTB `Application` around the bot and updater of `polling`: handler registration,
nothing else."""

from __future__ import annotations

import warnings
from typing import Any

from telegram.ext import ApplicationBuilder, BasePersistence, Updater
from telegram.warnings import PTBUserWarning

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

# Our conversations (the order wizard, /unknown's panel-ID question) are per user on purpose:
# one wizard spans several messages, and taps on buttons of older messages are checked by
# confirmation token and step instead.  PTB warns at every start that per_message=False
# won't track callback queries per message; to a newcomer that reads like an error.
warnings.filterwarnings("ignore", message=r".*per_message=False.*", category=PTBUserWarning)


def build_application(deps: Deps, persistence: BasePersistence[Any, Any, Any], updater: Updater) -> App:
    """`updater` (see `polling.build_updater`) brings the bot, and may be polling already."""
    app = (
        ApplicationBuilder()
        .updater(updater)
        .persistence(persistence)
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
