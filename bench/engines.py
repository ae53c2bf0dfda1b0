"""The database engines a scenario can run on: SQLite (a file in the scenario's temporary
folder) and PostgreSQL (a fresh database created for the run on the server
`BENCH_DATABASE_URL` names, default `postgresql://postgres@127.0.0.1:5432/postgres`, dropped
afterwards).

Figures measured on SQLite keep their plain keys (`tracking.cycle_s`); the same figure on
PostgreSQL gets the engine's suffix (`tracking.cycle_s.postgresql`).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from bot.store.database import database_url, describe
from tests.support.databases import admin, asyncpg_dsn, drop_abandoned, in_ci

__all__ = ["ENGINES", "POSTGRESQL", "SQLITE", "SQLITE_ENGINE", "Engine", "PostgresServer", "in_ci"]

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
ENGINES = (SQLITE, POSTGRESQL)
DEFAULT_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
_PREFIX = "bench_"  # databases this benchmark creates: bench_<pid>_<random>


def server_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or DEFAULT_SERVER_URL


class PostgresServer:
    """The run's handle on the server: is it reachable, and fresh databases on it."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or server_url()
        self.description = describe(database_url(self.url))  # never shows a password

    async def unreachable(self) -> str | None:
        """None if the server answers (and databases a killed run left behind are dropped),
        else why not, in one line."""
        try:
            conn = await asyncpg.connect(asyncpg_dsn(self.url), timeout=5)
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            return f"PostgreSQL at {self.description} is unreachable ({type(exc).__name__}: {exc})"
        try:
            await drop_abandoned(conn, _PREFIX)
        finally:
            await conn.close()
        return None

    @asynccontextmanager
    async def fresh_database(self) -> AsyncIterator[str]:
        """A new, empty database (the store migrates it when it opens); its URL.  Dropped at
        the end even if the bot still holds connections to it."""
        name = f"{_PREFIX}{os.getpid()}_{uuid.uuid4().hex[:12]}"
        await self._admin(f'CREATE DATABASE "{name}"')
        try:
            yield database_url(self.url).set(database=name).render_as_string(hide_password=False)
        finally:
            await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    async def version(self) -> str:
        conn = await asyncpg.connect(asyncpg_dsn(self.url), timeout=5)
        try:
            return str(await conn.fetchval("SHOW server_version"))
        finally:
            await conn.close()

    async def _admin(self, sql: str) -> None:
        await admin(self.url, sql)


@dataclass(frozen=True)
class Engine:
    """Where a scenario's store lives.  `database(workdir)` yields what the bot is given: a
    SQLite path or a PostgreSQL URL."""

    name: str
    server: PostgresServer | None = None

    @property
    def suffix(self) -> str:
        """Appended to the metric keys: "" for SQLite (the keys as they always were)."""
        return "" if self.name == SQLITE else f".{self.name}"

    @property
    def label(self) -> str:
        return "SQLite" if self.name == SQLITE else "PostgreSQL"

    @asynccontextmanager
    async def database(self, workdir: Path) -> AsyncIterator[str | Path]:
        if self.name == SQLITE:
            yield workdir / "bot.sqlite3"
            return
        if self.server is None:
            raise RuntimeError("no PostgreSQL server for this run")
        async with self.server.fresh_database() as url:
            yield url


SQLITE_ENGINE = Engine(SQLITE)
