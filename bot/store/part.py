"""What every part of the store shares: the database and the clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.database import Database


class StorePart:
    """One concern's table(s); the parts share one `Database` (one connection or pool)."""

    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self._db = db
        self._clock = clock

    def _now(self) -> datetime:
        return self._clock()

    @asynccontextmanager
    async def _writing(self, conn: AsyncConnection | None) -> AsyncIterator[AsyncConnection]:
        """The caller's transaction when given one (so writes of several parts commit or roll
        back together, e.g. an order intent and its wallet charge), else a transaction of its own."""
        if conn is not None:
            yield conn
            return
        async with self._db.write() as own:
            yield own
