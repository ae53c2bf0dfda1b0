"""A user's turn: what surrounds each of their updates so that two processes sharing one
database behave as one bot.

1. the user's lock in the database (`store.locks`): their updates run one at a time across
   processes, so two taps on Confirm landing on different processes still meet the
   one-order-per-confirmation rule in order, not at once;
2. their state read afresh (`StorePersistence.reload`): the draft and the conversation step
   the other process may have just written;
3. their state written back before the lock is released (`Application.update_persistence`),
   so the next update finds it wherever it lands.

With SQLite (one process) the lock is a no-op and steps 2–3 cost a few small queries.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

from telegram import Update
from telegram.ext import Application

from bot.telegram.persistence import StorePersistence

log = logging.getLogger(__name__)


class Locks(Protocol):
    def user(self, key: int) -> AbstractAsyncContextManager[None]: ...


class UserTurns:
    def __init__(self, locks: Locks, persistence: StorePersistence) -> None:
        self._locks = locks
        self._persistence = persistence
        self._app: Application[Any, Any, Any, Any, Any, Any] | None = None

    def bind(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self._app = app

    @asynccontextmanager
    async def turn(self, key: int, update: object) -> AsyncIterator[None]:
        """Hold `key`'s turn around handling `update` (see the module's steps)."""
        app = self._app
        async with contextlib.AsyncExitStack() as held:
            try:
                await held.enter_async_context(self._locks.user(key))
                if app is not None and isinstance(update, Update):
                    await self._persistence.reload(app, update)
            except Exception as exc:
                # The database is down: the update is still handled (its handlers answer that
                # the bot can't serve right now), with the state this process holds.
                log.warning("user %s: could not read their state (%s); going on without", key, exc)
            try:
                yield
            finally:
                if app is not None:
                    try:
                        await app.update_persistence()
                    except Exception as exc:
                        log.warning("user %s: could not save their state (%s)", key, exc)

    async def idle_for(self, user_id: int, seconds: float) -> bool:
        return await self._persistence.idle_for(user_id, seconds)
