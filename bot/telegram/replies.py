"""Sending and editing messages the way every screen of the bot needs it.

A button's message may be gone, too old to edit, or already showing exactly
this screen (a double tap). None of that is an error for the user: an
unchanged screen is left alone, and one that can't be edited arrives as a new
message instead.
"""

from __future__ import annotations

import contextlib

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.telegram.context import Context, t

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)  # links in orders and descriptions stay links


async def send(
    update: Update, context: Context, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    chat = update.effective_chat
    if chat is not None:
        await send_to(context.bot, chat.id, text, markup)


async def send_to(bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """A message outside any update (jobs): the same formatting as every reply."""
    await bot.send_message(
        chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup, link_preview_options=NO_PREVIEW
    )


async def reply(
    update: Update, context: Context, key: str, markup: InlineKeyboardMarkup | None = None, **values: object
) -> None:
    """Answer in the update's chat with the text `key`, in the user's language."""
    await send(update, context, t(context, key, **values), markup)


async def edit(
    update: Update, context: Context, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Show `text` in place of the tapped button's message (or send it, without a button)."""
    query = update.callback_query
    if query is None or query.message is None:
        await send(update, context, text, markup)
        return
    try:
        await query.edit_message_text(
            text, parse_mode=ParseMode.HTML, reply_markup=markup, link_preview_options=NO_PREVIEW
        )
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            await send(update, context, text, markup)


async def drop_keyboard(update: Update) -> None:
    """Remove the tapped message's buttons; cosmetic, so any refusal is ignored."""
    query = update.callback_query
    if query is not None and query.message is not None:
        with contextlib.suppress(BadRequest):
            await query.edit_message_reply_markup(None)
