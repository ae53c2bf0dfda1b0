"""Bring a database to the newest schema: one Alembic history for both engines
(`migrations/versions`), run at every start and by `python -m bot migrate`.

A SQLite file from before that history (it counted its version in `PRAGMA user_version`) is
first brought to the last of its own migrations (`legacy.py`), which made exactly the
schema of the first shared revision, and then stamped with it: nothing is rebuilt or copied.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

from bot.store.database import Database
from bot.store.errors import DatabaseUnusable
from bot.store.legacy import LEGACY_MIGRATIONS

log = logging.getLogger(__name__)

BASELINE = "0001"  # the shared history's first revision: the legacy history's version 8


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest revision this code knows."""
    revision = ScriptDirectory.from_config(_config()).get_current_head()
    assert revision is not None
    return revision


async def migrate(database: Database) -> tuple[str | None, str]:
    """Apply what is missing; returns (revision before, revision after).  Safe to run by two
    processes at once (see `Database.lock_for_migrations`) and on a database at head."""
    async with database.write() as conn:
        await database.lock_for_migrations(conn)
        return await conn.run_sync(_upgrade, database.description)


async def current(database: Database) -> str | None:
    """The database's revision (None: empty, or a SQLite file from before the shared history)."""
    async with database.read() as conn:
        return await conn.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())


def _upgrade(connection: Connection, description: str) -> tuple[str | None, str]:
    before = MigrationContext.configure(connection).get_current_revision()
    if before is None and connection.dialect.name == "sqlite":
        legacy = _legacy_version(connection, description)
        if legacy:
            _finish_legacy(connection, legacy)
            command.stamp(_config(connection), BASELINE)
            before = f"legacy {legacy}"
    command.upgrade(_config(connection), "head")
    after = MigrationContext.configure(connection).get_current_revision()
    assert after is not None
    if before != after:
        log.info("database schema: %s → %s", before or "empty", after)
    return before, after


def _legacy_version(connection: Connection, description: str) -> int:
    version = connection.exec_driver_sql("PRAGMA user_version").scalar()
    if not version and inspect(connection).has_table("orders"):
        reason = "it has tables but no schema version: not one of this bot's databases"
        raise DatabaseUnusable(description, reason, damaged=False)
    return int(version or 0)


def _finish_legacy(connection: Connection, version: int) -> None:
    for number, script in enumerate(LEGACY_MIGRATIONS[version:], start=version + 1):
        for statement in _statements(script):
            connection.exec_driver_sql(statement)
        connection.exec_driver_sql(f"PRAGMA user_version = {number}")


def _statements(script: str) -> list[str]:
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
