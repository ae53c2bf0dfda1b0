"""Who talks to the bot, in which language, and whether they can still be reached."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.store import Store

TOUCH_INTERVAL_SECONDS = 60.0


class UserService:
    """Records users and their language.

    `last_seen` is refreshed at most once a minute per user: writing it on every
    button tap would put the database on every update's hot path for no gain.
    With other processes sharing the database (`shared`), the language is read on every
    update instead of remembered: the user may have just changed it in another process.
    """

    def __init__(
        self, store: Store, clock: Callable[[], float] = time.monotonic, *, shared: bool = False
    ) -> None:
        self._store = store
        self._clock = clock
        self._shared = shared
        self._languages: dict[int, str | None] = {}
        self._touched: dict[int, float] = {}

    async def seen(
        self, user_id: int, first_name: str, username: str | None, telegram_language: str | None = None
    ) -> str | None:
        """Note the user's visit; returns the language they chose, if any."""
        now = self._clock()
        if user_id not in self._languages or now - self._touched.get(user_id, 0.0) >= TOUCH_INTERVAL_SECONDS:
            record = await self._store.users.touch_user(user_id, first_name, username, telegram_language)
            self._languages[user_id] = record.language
            self._touched[user_id] = now
        elif self._shared:
            fresh = await self._store.users.get_user(user_id)
            self._languages[user_id] = fresh.language if fresh is not None else None
        return self._languages[user_id]

    async def set_language(self, user_id: int, language: str) -> None:
        await self._store.users.set_language(user_id, language)
        self._languages[user_id] = language

    async def mark_blocked(self, user_id: int) -> None:
        """The user blocked the bot: stop messaging them until they write again."""
        await self._store.users.set_blocked(user_id, True)
        self._touched.pop(user_id, None)
