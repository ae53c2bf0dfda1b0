"""Test databases on both engines: a SQLite file in the test's folder, or a PostgreSQL
database of its own per test on the server `TEST_DATABASE_URL` names.

A PostgreSQL database is copied from a template migrated once per test session (`CREATE
DATABASE … TEMPLATE`), so every test starts from an empty, current schema and no test sees
another's rows.  Creating and dropping a database costs 50–300 ms on a busy machine (each
forces a checkpoint), so a test's database is not dropped but emptied when it ends
(`TRUNCATE … RESTART IDENTITY`: no rows, IDs from 1 again, the same as new) and handed to
a later test; one that can't be emptied cleanly (a connection left holding a lock) is
dropped.  Databases are named after the pytest process, so two runs on one server (two
sessions, a helper) never touch each other's; those a crashed run left are dropped by the
next one.
"""

from __future__ import annotations

import asyncio
import os
import re
import uuid

import asyncpg
import pytest

from bot.store import Store
from bot.store.database import database_url
from bot.store.migrate import head
from bot.store.tables import metadata

DEFAULT_TEST_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
ENGINES = ("sqlite", "postgresql")
_PREFIX = "bot_test_"


def server_url() -> str:
    return os.environ.get("TEST_DATABASE_URL") or DEFAULT_TEST_DATABASE_URL


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def asyncpg_dsn(url: str) -> str:
    """asyncpg's own connect() takes libpq's form, not SQLAlchemy's driver name."""
    return re.sub(r"^postgres(ql)?(\+asyncpg)?://", "postgresql://", url)


def url_for(database: str) -> str:
    """`TEST_DATABASE_URL` with another database name."""
    return database_url(server_url()).set(database=database).render_as_string(hide_password=False)


class PostgresServer:
    """The test session's handle on the server: reachable or not, the template, cleanup."""

    def __init__(self) -> None:
        self.reason: str | None = None  # why PostgreSQL tests can't run, once checked
        self._checked = False
        self._template: str | None = None
        self._lock = asyncio.Lock()
        self._created: list[str] = []
        self._recycled: list[str] = []  # emptied databases, as good as new

    async def available(self) -> bool:
        if not self._checked:
            self._checked = True
            try:
                conn = await asyncpg.connect(asyncpg_dsn(server_url()), timeout=5)
            except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
                self.reason = f"PostgreSQL at {server_url()} is unreachable ({type(exc).__name__}: {exc})"
            else:
                try:
                    await drop_abandoned(conn, _PREFIX)
                finally:
                    await conn.close()
        return self.reason is None

    async def require(self) -> None:
        """Skip the test when the server can't be reached; in CI (`CI=true`) fail it instead:
        a green CI must have run both engines."""
        if not await self.available():
            reason = self.reason or "PostgreSQL unavailable"
            if in_ci():
                pytest.fail(reason)
            pytest.skip(reason)

    async def fresh_database(self) -> str:
        """An empty database with the current schema, used by nobody else; returns its URL."""
        if self._recycled:
            return self._recycled.pop()
        async with self._lock:
            if self._template is None:
                self._template = await self._make_template()
        name = f"{_PREFIX}{os.getpid()}_{uuid.uuid4().hex[:12]}"
        await self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"')
        self._created.append(name)
        return url_for(name)

    async def empty_database(self) -> str:
        """A new database with nothing in it (not even the schema), e.g. for `copy-db --to`."""
        name = f"{_PREFIX}{os.getpid()}_{uuid.uuid4().hex[:12]}"
        await self._admin(f'CREATE DATABASE "{name}"')
        self._created.append(name)
        return url_for(name)

    async def drop(self, url: str) -> None:
        name = database_url(url).database
        assert name and name.startswith(_PREFIX)
        await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    async def recycle(self, url: str) -> None:
        """The test is over: empty its database for the next one, or drop it."""
        tables = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
        try:
            conn = await asyncpg.connect(asyncpg_dsn(url), timeout=10)
            try:
                await conn.execute("SET lock_timeout = '2s'")
                await conn.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
                current = await conn.fetchval("SELECT version_num FROM alembic_version")
            finally:
                await conn.close()
        except (OSError, asyncpg.PostgresError, TimeoutError):
            current = None
        if current == head():
            self._recycled.append(url)
        else:
            await self.drop(url)

    async def close(self) -> None:
        """Drop the template and the emptied databases (a test's own are recycled or dropped)."""
        names = [database_url(url).database for url in self._recycled]
        self._recycled.clear()
        if self._template is not None:
            names.append(self._template)
            self._template = None
        for name in names:
            await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    async def _make_template(self) -> str:
        name = f"{_PREFIX}{os.getpid()}_template"
        await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await self._admin(f'CREATE DATABASE "{name}"')
        async with Store(url_for(name)):
            pass  # migrated
        return name

    async def _admin(self, sql: str) -> None:
        await admin(server_url(), sql)


async def admin(url: str, sql: str) -> None:
    """One statement on the server, on a connection of its own (CREATE/DROP DATABASE can't
    run inside a transaction or a pool)."""
    conn = await asyncpg.connect(asyncpg_dsn(url), timeout=10)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def drop_abandoned(conn: asyncpg.Connection, prefix: str) -> None:
    """Databases named `<prefix><pid>_…` whose process is gone (a run killed or crashed)."""
    for row in await conn.fetch("SELECT datname FROM pg_database"):
        match = re.match(rf"{re.escape(prefix)}(\d+)_", row["datname"])
        if match and not alive(int(match.group(1))):
            await conn.execute(f'DROP DATABASE IF EXISTS "{row["datname"]}" WITH (FORCE)')


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

