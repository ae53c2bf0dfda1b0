"""PTB persistence backed by the bot's own store, so a wizard survives a restart.

Only what must survive is persisted: user data (the wizard's draft, the
language) and conversation states. Values are JSON, never pickle: the database
may be copied around, and JSON can't execute anything when read back.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import ConversationDict, ConversationKey

from bot.numbers import ascii_int
from bot.store.repository import Store

log = logging.getLogger(__name__)

USER_DATA = "user_data"
CONVERSATION = "conversation:"


class StorePersistence(BasePersistence[dict[str, Any], dict[str, Any], dict[str, Any]]):
    def __init__(self, store: Store, update_interval: float = 5) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=True, callback_data=False),
            update_interval=update_interval,
        )
        self._store = store

    async def get_user_data(self) -> dict[int, dict[str, Any]]:
        rows = await self._store.load_namespace(USER_DATA)
        result: dict[int, dict[str, Any]] = defaultdict(dict)
        for key, value in rows.items():
            data = _loads(value)
            user_id = ascii_int(key)
            if user_id is not None and isinstance(data, dict):
                result[user_id] = data
        return result

    async def update_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        await self._store.save_value(USER_DATA, str(user_id), json.dumps(data, default=str))

    async def drop_user_data(self, user_id: int) -> None:
        await self._store.delete_value(USER_DATA, str(user_id))

    async def refresh_user_data(self, user_id: int, user_data: dict[str, Any]) -> None:
        """In-memory data is authoritative while running; nothing to refresh."""

    async def get_conversations(self, name: str) -> ConversationDict:
        rows = await self._store.load_namespace(CONVERSATION + name)
        conversations: dict[ConversationKey, object] = {}
        for key, value in rows.items():
            parsed = _loads(key)
            if isinstance(parsed, list):
                conversations[tuple(parsed)] = _loads(value)
        return conversations

    async def update_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        namespace, row_key = CONVERSATION + name, json.dumps(list(key))
        if new_state is None:
            await self._store.delete_value(namespace, row_key)
        else:
            await self._store.save_value(namespace, row_key, json.dumps(new_state))

    # Not persisted (see `store_data`); PTB still requires the methods.
    async def get_chat_data(self) -> dict[int, dict[str, Any]]:
        return defaultdict(dict)

    async def get_bot_data(self) -> dict[str, Any]:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def update_chat_data(self, chat_id: int, data: dict[str, Any]) -> None:
        """Chat data is not persisted."""

    async def update_bot_data(self, data: dict[str, Any]) -> None:
        """Bot data is not persisted (it holds live service objects)."""

    async def update_callback_data(self, data: Any) -> None:
        """Callback data is plain strings here; nothing to persist."""

    async def drop_chat_data(self, chat_id: int) -> None:
        """Chat data is not persisted."""

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[str, Any]) -> None:
        """Chat data is not persisted."""

    async def refresh_bot_data(self, bot_data: dict[str, Any]) -> None:
        """Bot data is not persisted."""

    async def flush(self) -> None:
        """Every update is written through to the store already."""


def _loads(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        log.warning("ignoring unreadable persisted value")
        return None
