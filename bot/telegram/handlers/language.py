"""/language: pick English or Vietnamese; remembered in the store and used from then on."""

from __future__ import annotations

import contextlib

from telegram import BotCommandScopeChat, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.services.access import Role
from bot.telegram import callbacks, replies
from bot.telegram.commands import menu
from bot.telegram.context import LANGUAGE_KEY, App, Context, deps, t
from bot.telegram.keyboards import button
from bot.telegram.texts import LANGUAGES, text


async def language_command(update: Update, context: Context) -> None:
    markup = InlineKeyboardMarkup(
        [[button(text(lang, "language_name"), callbacks.LANGUAGE, lang) for lang in LANGUAGES]]
    )
    await replies.reply(update, context, "language_choose", markup)


async def language_chosen(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    chosen = (callbacks.parse(query.data) or [""])[0]
    if chosen not in LANGUAGES or context.user_data is None:
        await query.answer(t(context, "stale_button"), show_alert=True)
        return
    await deps(context).users.set_language(query.from_user.id, chosen)
    context.user_data[LANGUAGE_KEY] = chosen
    await query.answer()
    await replies.edit(update, context, t(context, "language_set"))
    # The command menu follows the chosen language in this chat; cosmetic, so never fatal.
    with contextlib.suppress(TelegramError):
        is_admin = deps(context).access.role(query.from_user.id) is Role.ADMIN
        await context.bot.set_my_commands(
            menu(chosen, admin=is_admin), scope=BotCommandScopeChat(query.from_user.id)
        )


def register(app: App) -> None:
    app.add_handler(CommandHandler("language", language_command))
    app.add_handler(CallbackQueryHandler(language_chosen, pattern=callbacks.pattern(callbacks.LANGUAGE)))
