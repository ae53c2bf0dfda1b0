"""A question answered by the user's next message (/mass's lines, /topup's amount), without a
ConversationHandler: the moment it was asked sits in `user_data`, a filter lets that
message through to its handler (registered before the wizard and free-text search, so the
answer is neither an open wizard's nor a search), and any other command or button ends it,
so a user who moved on isn't taken at their next word.
"""

from __future__ import annotations

import time
from typing import Any

from telegram import Message, Update
from telegram.ext import filters

from bot.telegram.context import DEPS_KEY, App


class Waiting(filters.MessageFilter):
    """Messages of a user asked `key`'s question (and who did not move on since), within the
    wizard's timeout."""

    def __init__(self, app: App, key: str) -> None:
        super().__init__(name=f"waiting:{key}")
        self._app = app
        self.key = key

    def filter(self, message: Message) -> bool:
        if message.from_user is None:
            return False
        data = self._app.user_data.get(message.from_user.id) or {}
        timeout = self._app.bot_data[DEPS_KEY].settings.wizard_timeout_seconds
        asked_at = float(data.get(self.key, 0))  # `ask`'s time.time() stamp: seconds, not money
        return bool(time.time() - asked_at <= timeout)


def ask(user_data: dict[Any, Any] | None, key: str) -> None:
    if user_data is not None:
        user_data[key] = time.time()


def answered(user_data: dict[Any, Any] | None, key: str) -> None:
    if user_data is not None:
        user_data.pop(key, None)


def moved_on(
    update: object, user_data: dict[Any, Any] | None, key: str, command: str, buttons: tuple[str, ...]
) -> None:
    """Ends the question on a command other than `command` or a button without one of the
    `buttons` prefixes (those belong to the question)."""
    if not isinstance(update, Update) or user_data is None or key not in user_data:
        return
    query = update.callback_query
    if query is not None:
        if (query.data or "").split(":", 1)[0] not in buttons:
            user_data.pop(key, None)
        return
    message = update.effective_message
    text = (message.text or "") if message else ""
    if text.startswith("/") and (text.split(maxsplit=1)[0].split("@")[0]).lower() != f"/{command}":
        user_data.pop(key, None)
