"""Runs before every handler: remembers the user and resolves their language."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, TypeHandler

from bot.telegram.context import LANGUAGE_KEY, Context, deps
from bot.telegram.texts import language_for


async def remember_user(update: Update, context: Context) -> None:
    user = update.effective_user
    if user is None or context.user_data is None:
        return
    chosen = await deps(context).users.seen(
        user.id, user.first_name or "", user.username, user.language_code
    )
    context.user_data[LANGUAGE_KEY] = language_for(chosen, user.language_code)


def register(app: Application) -> None:
    # Group -1 runs before the handlers of group 0 and does not stop them.
    app.add_handler(TypeHandler(Update, remember_user), group=-1)
