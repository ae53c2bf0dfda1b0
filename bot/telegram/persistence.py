"""PTB persistence backed by the bot's own store, so a wizard survives a restart and can
go on in another process.

Only what must survive is persisted: user data (the wizard's draft, the
language) and conversation states. Values are JSON, never pickle: the database
may be copied around, and JSON can't execute anything when read back.

PTB reads persistence once, at start.  Two processes sharing a database would each keep
their own copy and overwrite each other's, so a user's state is also read afresh before each
of their updates (`reload`) and written back right after it (`bot.telegram.turns`).
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from typing import Any

from telegram import Update
from telegram.ext import Application, BasePersistence, PersistenceInput
from telegram.ext._utils.trackingdict import TrackingDict
from telegram.ext._utils.types import ConversationDict, ConversationKey

from bot.numbers import ascii_int
from bot.store import Store
from bot.store.models import utcnow

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
        rows = await self._store.kv.load_namespace(USER_DATA)
        result: dict[int, dict[str, Any]] = defaultdict(dict)
        for key, value in rows.items():
            data = _loads(value)
            user_id = ascii_int(key)
            if user_id is not None and isinstance(data, dict):
                result[user_id] = data
        return result

    async def update_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        await self._store.kv.save_value(USER_DATA, str(user_id), json.dumps(data, default=str))

    async def drop_user_data(self, user_id: int) -> None:
        await self._store.kv.delete_value(USER_DATA, str(user_id))

    async def refresh_user_data(self, user_id: int, user_data: dict[str, Any]) -> None:
        """PTB calls this before every handler of an update; the user's data was read once
        already, before the update (`reload`, in the user's turn), and a second read here
        would undo what an earlier handler of the same update changed."""

    async def reload(self, app: Application[Any, Any, Any, Any, Any, Any], update: Update) -> None:
        """Replace what this process holds of the update's user (their user data, their state
        in every persistent conversation) with what the database holds now: the other
        process may have handled their previous update."""
        user, chat = update.effective_user, update.effective_chat
        if user is None:
            return
        key = (chat.id if chat is not None else 0, user.id)  # PTB's per-chat, per-user key
        conversations = _conversations(app) if chat is not None else {}
        wanted = [(USER_DATA, str(user.id))]
        wanted += [(CONVERSATION + name, json.dumps(list(key))) for name in conversations]
        found = await self._store.kv.get_values(wanted)  # one round trip for all of it
        raw = found.get(wanted[0])
        fresh = _loads(raw) if raw is not None else {}
        data = app.user_data[user.id]  # created if missing (PTB's mapping is a defaultdict)
        data.clear()
        data.update(fresh if isinstance(fresh, dict) else {})
        for (namespace, row_key), (name, states) in zip(wanted[1:], conversations.items(), strict=True):
            assert namespace == CONVERSATION + name
            raw = found.get((namespace, row_key))
            if raw is None:
                states.data.pop(key, None)  # not tracked: nothing to write back
            else:
                states.update_no_track({key: _loads(raw)})

    async def idle_for(self, user_id: int, seconds: float) -> bool:
        """Whether the user's last update, handled by any process, was `seconds` ago or more
        (their data is written after each update, so its time says when)."""
        written = await self._store.kv.updated_at(USER_DATA, str(user_id))
        return written is None or (utcnow() - written).total_seconds() >= seconds - 1

    async def get_conversations(self, name: str) -> ConversationDict:
        rows = await self._store.kv.load_namespace(CONVERSATION + name)
        conversations: dict[ConversationKey, object] = {}
        for key, value in rows.items():
            parsed = _loads(key)
            if isinstance(parsed, list):
                conversations[tuple(parsed)] = _loads(value)
        return conversations

    async def update_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        namespace, row_key = CONVERSATION + name, json.dumps(list(key))
        if new_state is None:
            await self._store.kv.delete_value(namespace, row_key)
        else:
            await self._store.kv.save_value(namespace, row_key, json.dumps(new_state))

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
        """Every update's changes are written when it ends (`bot.telegram.turns`)."""


def _conversations(app: Application[Any, Any, Any, Any, Any, Any]) -> dict[str, TrackingDict[Any, Any]]:
    """The live state dict of each persistent conversation, by name.  PTB keeps them in a
    private attribute (the one its own `update_persistence` reads); should an upgrade rename
    it, conversations are simply not reloaded and a single process still works."""
    found = getattr(app, "_conversation_handler_conversations", {})
    return {name: states for name, states in found.items() if isinstance(states, TrackingDict)}


def _loads(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        log.warning("ignoring unreadable persisted value")
        return None
