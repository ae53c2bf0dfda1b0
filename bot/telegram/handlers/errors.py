"""The last line of defence: no update ever ends in silence or a traceback for the user."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError

from bot.panel.errors import OutcomeUnknown, PanelError, PanelKeyRefused, PanelUnavailable
from bot.telegram.context import App, Context, deps, language, t
from bot.telegram.views import refusal_line

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    error = context.error
    if isinstance(error, OutcomeUnknown):
        log.warning("panel write outcome unknown while handling an update: %s", error.reason)
        message = t(context, "panel_outcome_unknown")
    elif isinstance(error, PanelKeyRefused):  # the owner was alerted once; users read "not now"
        log.debug("panel refused the API key while handling an update")
        message = t(context, "refusal_shop_unavailable")
    elif isinstance(error, PanelUnavailable):
        log.warning("panel unavailable while handling an update: %s", error.reason)
        message = t(context, "panel_unavailable")
    elif isinstance(error, PanelError):
        message = refusal_line(language(context), error.message)
    elif isinstance(error, Forbidden) and isinstance(update, Update) and update.effective_user:
        log.info("user %s blocked the bot", update.effective_user.id)
        await deps(context).users.mark_blocked(update.effective_user.id)
        return
    else:
        log.error("unhandled error while handling an update", exc_info=error)
        message = t(context, "error_generic")
    if not isinstance(update, Update):
        return
    await _tell(update, context, message)


async def _tell(update: Update, context: Context, message: str) -> None:
    """Best effort: the user may have blocked us or the network may be down."""
    try:
        if update.callback_query is not None:
            await update.callback_query.answer()
        if update.effective_chat is not None and update.inline_query is None:
            await context.bot.send_message(update.effective_chat.id, message, parse_mode=ParseMode.HTML)
    except TelegramError as exc:
        log.info("could not tell the user about an error: %s", exc)


def register(app: App) -> None:
    app.add_error_handler(on_error)
