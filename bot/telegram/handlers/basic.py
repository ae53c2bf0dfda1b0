"""/start, /help, /balance."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import CommandHandler

from bot.services.money import format_money
from bot.telegram import replies
from bot.telegram.context import App, Context, deps, language
from bot.telegram.working import working


async def start(update: Update, context: Context) -> None:
    user = update.effective_user
    name = escape(user.first_name) if user and user.first_name else ""
    await replies.reply(update, context, "start", name=name)


async def help_command(update: Update, context: Context) -> None:
    await replies.reply(update, context, "help", bot=context.bot.username or "bot")


async def balance(update: Update, context: Context) -> None:
    """Live balance; panel failures are turned into plain words by the error handler.

    Interactive: one attempt within the short deadline, "typing…" meanwhile."""
    async with working(update, context):
        result = await deps(context).account.balance(interactive=True)
    amount = format_money(result.amount, escape(result.currency), language(context))
    await replies.reply(update, context, "balance", amount=amount)


def register(app: App) -> None:
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("help", help_command))
    app.add_handler(CommandHandler("balance", balance))
