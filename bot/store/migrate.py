"""Bring a database to the newest schema: one Alembic history for both engines
(`migrations/versions`), run at every start and by `python -m bot migrate`.

A SQLite file from before that history (it counted its version in `PRAGMA user_version`) is
first brought to the last of its own migrations (`legacy.py`), which made exactly the
schema of the first shared revision, and then stamped with it: nothing is rebuilt or copied.

Alembic (with Mako and Pygments under it, a fifth of the bot's start-up) is imported only when
there is something to do: a database already at this code's revision is recognised by one
query of `alembic_version`, and the newest revision is known from the scripts' file names.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect

from bot.store.database import Database
from bot.store.errors import DatabaseUnusable
from bot.store.legacy import LEGACY_MIGRATIONS

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

BASELINE = "0001"  # the shared history's first revision: the legacy history's version 8
MIGRATIONS = Path(__file__).parent / "migrations"


def _config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest revision this code knows.  Revisions are numbered like their scripts
    (`0005_topups.py` is revision 0005, revising 0004): a test holds Alembic's own head to this."""
    return max(script.name[:4] for script in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))


async def migrate(database: Database) -> tuple[str | None, str]:
    """Apply what is missing; returns (revision before, revision after).  Safe to run by two
    processes at once (see `Database.lock_for_migrations`) and on a database at head."""
    stored = await current(database)
    if stored == head():  # nothing to do, and nothing to lock: no revision is newer than head
        return stored, stored
    async with database.write() as conn:
        await database.lock_for_migrations(conn)
        return await conn.run_sync(_upgrade, database.description)


async def current(database: Database) -> str | None:
    """The database's revision: `alembic_version`'s one row, read as Alembic stores it.  None
    when there is no such table (empty, or a SQLite file from before the shared history) or it
    holds anything but one row (`migrate` then leaves it to Alembic)."""
    async with database.read() as conn:
        return await conn.run_sync(_stored_revision)


def _stored_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version").fetchall()
    return str(rows[0][0]) if len(rows) == 1 else None


def _upgrade(connection: Connection, description: str) -> tuple[str | None, str]:
    from alembic import command
    from alembic.runtime.migration import MigrationContext

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
