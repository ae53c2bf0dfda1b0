"""Registered last: any button or command no other handler claimed gets an explanation,
never silence."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.telegram import replies
from bot.telegram.context import App, Context, t


async def stale_button(update: Update, context: Context) -> None:
    """Old messages keep their buttons forever; a tap on one must not spin and die."""
    query = update.callback_query
    assert query is not None
    await query.answer(t(context, "stale_button"), show_alert=True)


async def unknown_command(update: Update, context: Context) -> None:
    """`/foo` (a typo, or a command of another bot): point to /help instead of ignoring it."""
    await replies.reply(update, context, "unknown_command")


def register(app: App) -> None:
    app.add_handler(CallbackQueryHandler(stale_button))
    app.add_handler(MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE, unknown_command))
