"""What every part of the store shares: the database and the clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.store.database import Database


class StorePart:
    """One concern's table(s); the parts share one `Database` (one connection or pool)."""

    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self._db = db
        self._clock = clock

    def _now(self) -> datetime:
        return self._clock()
