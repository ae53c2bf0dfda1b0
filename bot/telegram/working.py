"""Show a person that an answer is on its way while a slow call (the panel) runs.

A chat that stays silent for seconds reads as a dead bot, and people tap again.
Telegram's "typing…" says "working on it"; it fades after about 5 seconds or at our
next message, so it is repeated until the call is over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from telegram import Update
from telegram.constants import ChatAction
from telegram.error import TelegramError

from bot.telegram.context import Context

log = logging.getLogger(__name__)

REPEAT_SECONDS = 4.0  # a little under the ~5 s Telegram shows one chat action for


@contextlib.asynccontextmanager
async def working(update: Update, context: Context) -> AsyncIterator[None]:
    """Show "typing…" in the update's chat for as long as the block runs.

    The first action is sent before the block starts, so it is on screen before the slow
    call; it is cosmetic, so a failure to send it never stands in the way of the answer.
    """
    chat = update.effective_chat
    if chat is None:  # inline queries: there is no chat to show it in
        yield
        return
    await _typing(context, chat.id)
    repeat = asyncio.create_task(_keep_typing(context, chat.id), name="typing")
    try:
        yield
    finally:
        repeat.cancel()  # not awaited: waiting here could swallow a cancellation of our own


async def _keep_typing(context: Context, chat_id: int) -> None:
    while True:
        await asyncio.sleep(REPEAT_SECONDS)
        await _typing(context, chat_id)


async def _typing(context: Context, chat_id: int) -> None:
    try:
        await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
    except TelegramError as exc:
        log.debug("could not show typing in chat %s: %s", chat_id, exc)
