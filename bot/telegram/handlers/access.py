"""The gate in front of every handler: private chats only, allowed users only.

It runs first (group -2) and stops the update with `ApplicationHandlerStop`, so
a stranger costs no panel call and no database write, whatever they send, and
nothing about orders or balance is ever said in a group.

A stranger who keeps writing is told once, then ignored for a while
(`RefusalThrottle`): refusals are messages, and messages share the rate limit
with the replies of the bot's own users.
"""

from __future__ import annotations

import logging

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultsButton,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.services.access import Role
from bot.services.refusals import RefusalThrottle
from bot.telegram.commands import set_admin_menu
from bot.telegram.context import App, Context, deps
from bot.telegram.texts import language_for, text

log = logging.getLogger(__name__)

ADMIN_MENUS_KEY = "admin_menus"  # bot_data: admins whose chat menu was set in this process
REFUSALS_KEY = "refusals"  # bot_data: the RefusalThrottle


async def gate(update: Update, context: Context) -> None:
    chat, user = update.effective_chat, update.effective_user
    if chat is not None and chat.type != ChatType.PRIVATE:
        await _outside_private_chat(update, context)
        raise ApplicationHandlerStop
    if user is None:
        raise ApplicationHandlerStop  # channel posts and the like: nothing for us to do
    access = deps(context).access
    if access.can_claim and _is_start(update) and await access.claim_admin(user.id):
        log.warning("first run: user %s sent /start first and is now the admin (demo panel)", user.id)
        await context.bot.send_message(
            user.id, text(language_for(None, user.language_code), "access_claimed_admin", user_id=user.id),
            parse_mode=ParseMode.HTML,
        )
    role = access.role(user.id)
    if role is Role.STRANGER:
        await _refuse(update, context, user.id, language_for(None, user.language_code))
        raise ApplicationHandlerStop
    refusals(context).forget(user.id)  # should /deny come later, the refusal is news again
    if role is Role.ADMIN:
        await _admin_menu_once(context, user.id)


def _is_start(update: Update) -> bool:
    message = update.message
    return bool(message and message.text and message.text.split()[0].split("@")[0] == "/start")


async def _admin_menu_once(context: Context, admin_id: int) -> None:
    done: set[int] = context.bot_data.setdefault(ADMIN_MENUS_KEY, set())
    if admin_id not in done:
        done.add(admin_id)
        await set_admin_menu(context.bot, admin_id)


def refusals(context: Context) -> RefusalThrottle:
    """The application's one refusal memory (tests swap it for one with their own clock)."""
    throttle: RefusalThrottle = context.bot_data[REFUSALS_KEY]
    return throttle


async def _refuse(update: Update, context: Context, user_id: int, lang: str) -> None:
    """Taps and inline queries are always answered: those answers are cheap, outside the
    per-chat message limit, and without one the user's client keeps spinning.  A message
    is answered only when `RefusalThrottle` says so; otherwise silence."""
    if update.callback_query is not None:
        await update.callback_query.answer(
            text(lang, "access_refused_short", user_id=user_id), show_alert=True
        )
    elif update.inline_query is not None:
        button = InlineQueryResultsButton(text=text(lang, "access_inline_button"), start_parameter="access")
        await update.inline_query.answer([], cache_time=0, is_personal=True, button=button)
    elif update.effective_message is not None and update.effective_chat is not None:
        if not refusals(context).may_tell(user_id):
            log.debug("ignored stranger %s (told recently, or too many strangers told)", user_id)
            return
        log.info("refused user %s", user_id)
        # When nobody at all may use the bot, the one writing is most likely its owner trying it.
        key = "access_refused_unconfigured" if deps(context).access.nobody_allowed else "access_refused"
        await context.bot.send_message(
            update.effective_chat.id, text(lang, key, user_id=user_id), parse_mode=ParseMode.HTML
        )


async def _outside_private_chat(update: Update, context: Context) -> None:
    """Commands in a group get a pointer to the private chat; everything else, silence
    (a bot that answers every group message is a bot that gets removed)."""
    user = update.effective_user
    lang = language_for(None, user.language_code if user else None)
    if update.callback_query is not None:
        await update.callback_query.answer(text(lang, "group_private_only_short"), show_alert=True)
        return
    message = update.message
    if message is None or not message.text or not message.text.startswith("/"):
        return
    command = message.text.split()[0]
    if "@" in command and command.split("@", 1)[1].lower() != (context.bot.username or "").lower():
        return  # addressed to another bot
    link = f"https://t.me/{context.bot.username}"
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(text(lang, "group_open_private"), url=link)]])
    await message.reply_text(text(lang, "group_private_only"), reply_markup=markup)


def register(app: App) -> None:
    app.bot_data[REFUSALS_KEY] = RefusalThrottle()
    app.add_handler(TypeHandler(Update, gate), group=-2)
