"""One user's updates, one at a time, across every process sharing the database.

Within a process the update processor already queues a user's updates; with two processes
behind one webhook URL, two taps on Confirm may land on different processes.  A PostgreSQL
advisory lock per user makes the second wait for the first, wherever each runs.  It lives as
long as the connection holding it: a process that dies releases its users at once (no
expiry to wait out), which is why each held lock has a connection of its own, from a pool
apart from the queries' (a handler holding a lock can never starve itself of a query).

On SQLite there is one process by construction (one file, one writer); the lock is a no-op.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from sqlalchemy import BigInteger, bindparam, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.store.database import CONNECT_TIMEOUT_SECONDS, Database

log = logging.getLogger(__name__)

# Users being handled at once by this process, each holding a lock connection; beyond this
# an update waits for a connection (it is not refused).  PostgreSQL allows 100 by default.
LOCK_CONNECTIONS = 16

_LOCK = text("SELECT pg_advisory_lock(:key)").bindparams(bindparam("key", type_=BigInteger))
_TRY = text("SELECT pg_try_advisory_lock(:key)").bindparams(bindparam("key", type_=BigInteger))
_UNLOCK = text("SELECT pg_advisory_unlock(:key)").bindparams(bindparam("key", type_=BigInteger))


class UserLocks:
    def __init__(self, db: Database, connections: int = LOCK_CONNECTIONS) -> None:
        self._db = db
        self._connections = connections
        self._engine: AsyncEngine | None = None

    @property
    def shared(self) -> bool:
        """Whether other processes may be handling this database's users (PostgreSQL)."""
        return not self._db.is_sqlite

    async def open(self) -> None:
        if self.shared:
            self._engine = create_async_engine(
                self._db.url,
                pool_size=self._connections,
                max_overflow=0,
                pool_timeout=3600,  # waiting for a free lock connection is queuing, not an error
                isolation_level="AUTOCOMMIT",
                connect_args={"timeout": CONNECT_TIMEOUT_SECONDS},
            )

    async def close(self) -> None:
        engine, self._engine = self._engine, None
        if engine is not None:
            await engine.dispose()

    async def idle(self, keys: Iterable[int]) -> set[int]:
        """Those of `keys` whose lock nobody holds now: no process is handling an update of
        theirs (an `add` is only sent inside its user's update, lock held)."""
        wanted = set(keys)
        if self._engine is None or not wanted:
            return wanted
        idle: set[int] = set()
        async with self._engine.connect() as conn:
            for key in wanted:
                if await conn.scalar(_TRY, {"key": key}):
                    idle.add(key)
                    await conn.execute(_UNLOCK, {"key": key})
        return idle

    @asynccontextmanager
    async def user(self, key: int) -> AsyncIterator[None]:
        """Hold `key`'s lock (a user or chat ID) for the block; waits while another process
        holds it.  The lock is released with the block, or with the connection if the
        release itself fails."""
        if self._engine is None:
            yield
            return
        async with self._engine.connect() as conn:
            await conn.execute(_LOCK, {"key": key})
            try:
                yield
            finally:
                try:
                    await conn.execute(_UNLOCK, {"key": key})
                except BaseException:
                    log.warning("could not release user %s's lock; dropping its connection", key)
                    with contextlib.suppress(Exception):
                        await conn.invalidate()
                    raise
