"""Runs before every handler: remembers the user and resolves their language."""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.telegram.context import LANGUAGE_KEY, App, Context, deps
from bot.telegram.texts import language_for


async def remember_user(update: Update, context: Context) -> None:
    user = update.effective_user
    if user is None or context.user_data is None:
        return
    if update.my_chat_member is not None:
        await _membership_changed(update, context)
        raise ApplicationHandlerStop
    chosen = await deps(context).users.seen(user.id, user.first_name or "", user.username, user.language_code)
    context.user_data[LANGUAGE_KEY] = language_for(chosen, user.language_code)


async def _membership_changed(update: Update, context: Context) -> None:
    """The user blocked (or unblocked) the bot: Telegram tells us before any send fails."""
    change = update.my_chat_member
    assert change is not None and update.effective_user is not None
    users = deps(context).users
    if change.new_chat_member.status in (ChatMember.BANNED, ChatMember.LEFT):
        await users.mark_blocked(update.effective_user.id)
    else:
        user = update.effective_user
        await users.seen(user.id, user.first_name or "", user.username, user.language_code)


def register(app: App) -> None:
    # Group -1 runs before the handlers of group 0 and does not stop them.
    app.add_handler(TypeHandler(Update, remember_user), group=-1)
