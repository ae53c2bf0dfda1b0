"""/start, /help (/balance is the shop's: see `wallet`)."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import CommandHandler

from bot.telegram import replies
from bot.telegram.context import App, Context


async def start(update: Update, context: Context) -> None:
    user = update.effective_user
    name = escape(user.first_name) if user and user.first_name else ""
    await replies.reply(update, context, "start", name=name)


async def help_command(update: Update, context: Context) -> None:
    await replies.reply(update, context, "help", bot=context.bot.username or "bot")


def register(app: App) -> None:
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("help", help_command))
