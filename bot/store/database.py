"""The connection to either engine: which one a setting names, how to open it safely, and the
two ways the stores talk to it (`read`, `write`).

SQLite (`DATABASE_PATH`) is one file and one connection, as before: every task of the
process queues for it, so a transaction is never interleaved with another.  PostgreSQL
(`DATABASE_URL`) is a small pool, shared by processes that may run side by side; the
database itself then keeps transactions apart.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import stat
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Table, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool, StaticPool
from sqlalchemy.sql import ColumnCollection
from sqlalchemy.sql.dml import Insert

from bot.store.errors import DatabaseUnusable

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import Insert as PostgresInsert
    from sqlalchemy.dialects.sqlite import Insert as SqliteInsert

log = logging.getLogger(__name__)

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
CONNECT_TIMEOUT_SECONDS = 10.0
# A PostgreSQL server that answers nothing must not hold a handler for ever (asyncpg has no
# default); generous, since the tracking cycle's batch writes are the longest statements.
STATEMENT_TIMEOUT_SECONDS = 60.0


class UnsupportedDatabase(ValueError):
    """The setting names no database this bot can use (the message says what it accepts)."""


def database_url(target: str | Path) -> URL:
    """The SQLAlchemy URL for a setting: a path is a SQLite file; `postgres://` and
    `postgresql://` (what platforms put in DATABASE_URL) are PostgreSQL through asyncpg.

    libpq's `sslmode=require` (Heroku's and Railway's URLs carry it) is asyncpg's `ssl`.
    """
    if isinstance(target, Path) or "://" not in target:
        return URL.create("sqlite+aiosqlite", database=str(target))
    try:
        url = make_url(target)
    except ArgumentError:
        raise UnsupportedDatabase("not a database URL (postgresql://user:password@host:5432/name)") from None
    backend = url.get_backend_name()
    if backend in ("postgres", POSTGRESQL):
        query = dict(url.query)
        if "sslmode" in query:
            query["ssl"] = query.pop("sslmode")
        return url.set(drivername="postgresql+asyncpg", query=query)
    if backend == SQLITE:
        return url.set(drivername="sqlite+aiosqlite")
    raise UnsupportedDatabase(f"{backend!r} is not supported: use postgresql://… or a SQLite path")


def describe(url: URL) -> str:
    """The database as the operator may read it in logs: never its password."""
    if url.get_backend_name() == SQLITE:
        return str(url.database)
    return url.set(drivername=url.get_backend_name()).render_as_string(hide_password=True)


class Database:
    """One engine, opened once per process; the stores share it."""

    def __init__(self, target: str | Path) -> None:
        self.url = database_url(target)
        self.name = str(self.url.get_backend_name())  # SQLITE or POSTGRESQL
        self.description = describe(self.url)
        self._engine: AsyncEngine | None = None
        self._reader: AsyncEngine | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.name == SQLITE

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            raise RuntimeError("store is not open")
        return self._engine

    async def open(self) -> None:
        """Connect and check the database answers.  Raises `DatabaseUnusable` (one line for
        the operator) when it can't be used; whatever fails, what was opened is closed."""
        try:
            if self.is_sqlite and self.url.database not in (None, "", ":memory:"):
                _owner_only(Path(str(self.url.database)))
            self._engine = self._create_engine()
            self._reader = self._engine.execution_options(**self._read_options())
            async with self._engine.connect() as conn:
                await conn.exec_driver_sql("SELECT 1")
        except BaseException as exc:
            await self.close()
            unusable = self.unusable(exc)
            if unusable is None:
                raise
            raise unusable from None

    async def close(self) -> None:
        engine, self._engine, self._reader = self._engine, None, None
        if engine is None:
            return
        try:
            if self.is_sqlite:
                with contextlib.suppress(Exception):
                    async with engine.connect() as conn:
                        await conn.exec_driver_sql("PRAGMA optimize")  # fresh planner statistics
        finally:
            await engine.dispose()

    def unusable(self, exc: BaseException) -> DatabaseUnusable | None:
        """The operator's one line for an error that means the database can't be used at all,
        or None for any other error.  A damaged SQLite file is told apart from one that can't
        be reached; a server's error never shows its password."""
        if isinstance(exc, DatabaseUnusable):
            return exc
        cause: BaseException = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
        if self.is_sqlite:
            if not isinstance(cause, sqlite3.Error | OSError):
                return None
            name = getattr(cause, "sqlite_errorname", "")
            damaged = name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT"))
            reason = cause.strerror if isinstance(cause, OSError) and cause.strerror else str(cause)
            return DatabaseUnusable(self.description, reason, damaged=damaged)
        if not isinstance(exc, DBAPIError | OSError | TimeoutError):
            return None
        reason = type(cause).__name__ if isinstance(cause, TimeoutError) else str(cause).splitlines()[0]
        password = self.url.password
        if password:
            reason = reason.replace(str(password), "***")
        return DatabaseUnusable(self.description, reason or type(cause).__name__, damaged=False, server=True)

    def _create_engine(self) -> AsyncEngine:
        if self.is_sqlite:
            memory = self.url.database in (None, "", ":memory:")
            engine = create_async_engine(
                self.url,
                # One connection, as one file allows one writer: tasks queue for it.
                poolclass=StaticPool if memory else AsyncAdaptedQueuePool,
                **({} if memory else {"pool_size": 1, "max_overflow": 0, "pool_timeout": 60}),
            )
            event.listen(engine.sync_engine, "connect", _sqlite_connect)
            event.listen(engine.sync_engine, "begin", _sqlite_begin)
            return engine
        return create_async_engine(
            self.url,
            pool_size=5,
            max_overflow=5,
            pool_pre_ping=True,  # a server restarted under us costs one reconnect, not an error
            connect_args={"timeout": CONNECT_TIMEOUT_SECONDS, "command_timeout": STATEMENT_TIMEOUT_SECONDS},
        )

    def _read_options(self) -> dict[str, Any]:
        """Reads run without a transaction of their own: one round trip each instead of three
        (BEGIN, SELECT, ROLLBACK), and on SQLite no lock held meanwhile."""
        return {"bot_read": True} if self.is_sqlite else {"isolation_level": "AUTOCOMMIT"}

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A connection for reading; several statements may see different moments."""
        if self._reader is None:
            raise RuntimeError("store is not open")
        async with self._reader.connect() as conn:
            yield conn

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[AsyncConnection]:
        """A read-only transaction whose statements all see one moment (an audit comparing
        tables must not see a booking between two of its reads): PostgreSQL's REPEATABLE
        READ, READ ONLY; on SQLite a deferred transaction, which in WAL mode reads one
        snapshot and never holds the writers up.  Always rolled back: it writes nothing."""
        if self._reader is None:
            raise RuntimeError("store is not open")
        if self.is_sqlite:
            async with self._reader.connect() as conn:
                await conn.exec_driver_sql("BEGIN")  # the reader's own BEGIN emits nothing
                try:
                    yield conn
                finally:
                    await conn.rollback()  # the driver ends the transaction BEGIN opened
            return
        async with self.engine.connect() as conn:
            await conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            async with conn.begin() as transaction:
                yield conn
                await transaction.rollback()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        async with self.engine.begin() as conn:
            yield conn

    def upsert(
        self,
        table: Table,
        values: Mapping[str, Any],
        keys: list[str],
        update: Callable[[ColumnCollection[str, Any]], Mapping[str, Any]] | None = None,
        where: ColumnElement[bool] | None = None,
    ) -> Insert:
        """INSERT … ON CONFLICT (keys) DO UPDATE SET update(excluded) [WHERE where] — or DO
        NOTHING when `update` is None; both engines spell it alike, each dialect builds it."""
        statement = self._dialect_insert()(table).values(**values)
        if update is None:
            return statement.on_conflict_do_nothing(index_elements=keys)
        return statement.on_conflict_do_update(
            index_elements=keys, set_=dict(update(statement.excluded)), where=where
        )

    def insert_missing(self, table: Table, keys: list[str]) -> Insert:
        """INSERT … ON CONFLICT (keys) DO NOTHING without values: for an executemany of rows
        of which some may exist already."""
        return self._dialect_insert()(table).on_conflict_do_nothing(index_elements=keys)

    def _dialect_insert(self) -> Callable[[Table], PostgresInsert | SqliteInsert]:
        """This engine's INSERT with ON CONFLICT; the other engine's dialect is not imported
        (a SQLite bot need not load PostgreSQL's: 21 modules at start-up)."""
        if self.name == POSTGRESQL:
            from sqlalchemy.dialects.postgresql import insert as postgresql_insert

            return postgresql_insert
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert

    async def lock_for_migrations(self, conn: AsyncConnection) -> None:
        """Two processes starting at once on a new PostgreSQL database must not both create
        it: the second waits for the first (the lock ends with the transaction).  A SQLite
        file has one writer already."""
        if self.name == POSTGRESQL:
            await conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7261530001)")


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """Per connection: write-ahead log (readers never wait for the writer), foreign keys
    enforced, and a wait instead of an error while another process holds the file.
    The driver's own transaction handling is switched off so `_sqlite_begin` decides."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=5000"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    """Writes take the file's write lock up front (BEGIN IMMEDIATE): a transaction that
    read first and upgraded later could fail instead of waiting.  Reads begin nothing."""
    if not conn.get_execution_options().get("bot_read"):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _owner_only(path: Path) -> None:
    """The database holds who ordered what, for how much: it is readable by its owner only.

    Folders we create are 0700 (every missing level, not just the last); a folder that
    already exists was chosen by the user (e.g. `/data` on a volume) and is left alone.  The
    file is created 0600, and an existing one (and its `-wal`/`-shm` siblings, which SQLite
    would otherwise create with the file's old mode) is tightened to 0600.
    """
    missing: list[Path] = []
    folder = path.parent
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            continue  # created meanwhile by someone else: theirs, not ours to change
        os.chmod(folder, 0o700)  # `mode` is filtered through the umask
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            if name.exists() and stat.S_IMODE(name.stat().st_mode) != 0o600:
                os.chmod(name, 0o600)
        except PermissionError:  # someone else's file we may still write to: say so, go on
            log.warning("could not make %s owner-only (not its owner)", name)
