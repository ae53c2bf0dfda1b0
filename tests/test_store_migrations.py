"""The schema's history: SQLite files from before both engines shared one (`PRAGMA
user_version` 1–8) open unchanged but for what was missing; a new database on either engine
has exactly the tables and columns the queries are built from (`bot/store/tables.py`); and
numbers past 32 bits, a server that can't be reached, behave alike on both."""

from __future__ import annotations

import sqlite3
import time
import traceback
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.panel.models import MAX_PANEL_NUMBER, OrderStatus, RefillStatus
from bot.store import DatabaseUnusable, NewOrder, OrderState, Store
from bot.store.legacy import LEGACY_MIGRATIONS
from bot.store.migrate import BASELINE, current, head
from bot.store.tables import metadata

CREATED = "2026-11-01T10:00:00+00:00"
BIG_USER = 2**31 + 12_345  # Telegram user IDs pass 2**31
BIG = MAX_PANEL_NUMBER  # 2**53 - 1: the largest panel number the bot keeps


# -- legacy SQLite files ---------------------------------------------------------------------------


def statements(script: str) -> list[str]:
    """A legacy script's statements, as the bot ran them (`--` comments out, split on `;`)."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def legacy_file(path: Path, version: int) -> None:
    """A SQLite file as the bot left it at `PRAGMA user_version = version`, with a user, an
    order (placed, text charge and times as that bot wrote them) and its saved state."""
    conn = sqlite3.connect(path)
    try:
        for script in LEGACY_MIGRATIONS[:version]:
            for statement in statements(script):
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {version}")
        conn.execute(
            "INSERT INTO users (id, first_name, username, first_seen, last_seen, blocked, language)"
            " VALUES (42, 'An', 'an', ?, ?, 0, 'vi')",
            (CREATED, CREATED),
        )
        conn.execute(
            "INSERT INTO orders (panel_order_id, user_id, chat_id, service_id, service_name, link,"
            " quantity, charge, confirm_token, state, status, remains, created_at, updated_at,"
            " notified_status) VALUES (5001, 42, 42, 7, 'Tăng like 👍', 'https://facebook.com/p/1',"
            " 1500, '18750.5', 'tok-legacy', 'placed', 'In progress', 700, ?, ?, 'In progress')",
            (CREATED, CREATED),
        )
        if version >= 2:
            conn.execute(
                "INSERT INTO kv (namespace, key, value, updated_at) VALUES ('user_data', '42', ?, ?)",
                ('{"lang": "vi"}', CREATED),
            )
        conn.execute(
            "INSERT INTO refills (refill_id, order_id, user_id, status, created_at, updated_at)"
            " VALUES (9001, 1, 42, 'Pending', ?, ?)",
            (CREATED, CREATED),
        )
        conn.commit()
    finally:
        conn.close()


def snapshot(path: Path) -> dict[str, Any]:
    """Everything a second open could change: schema, version, every row."""
    conn = sqlite3.connect(path)
    try:
        schema = sorted(conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall(), key=str)
        tables = [row[1] for row in schema if row[0] == "table"]
        rows = {name: sorted(conn.execute(f'SELECT * FROM "{name}"').fetchall(), key=str) for name in tables}
        return {
            "schema": schema,
            "rows": rows,
            "user_version": conn.execute("PRAGMA user_version").fetchone()[0],
        }
    finally:
        conn.close()


async def test_a_legacy_file_at_version_8_keeps_its_data_and_is_stamped(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    legacy_file(path, 8)
    async with Store(path) as store:
        assert await current(store.db) == head()
        user = await store.users.get_user(42)
        assert user is not None and (user.first_name, user.username, user.language) == ("An", "an", "vi")
        assert not user.blocked and user.first_seen == datetime(2026, 11, 1, 10, tzinfo=UTC)
        order = await store.orders.get_order_by_panel_id(5001)
        assert order is not None and order.state is OrderState.PLACED
        assert order.charge == Decimal("18750.5") and str(order.charge) == "18750.5"  # exact, no float
        assert order.created_at == datetime(2026, 11, 1, 10, tzinfo=UTC)
        assert order.created_at.utcoffset() is not None and order.created_at.utcoffset().total_seconds() == 0
        assert (order.service_name, order.quantity, order.remains) == ("Tăng like 👍", 1500, 700)
        assert await store.orders.due_order_ids() == [5001]
        [refill] = await store.refills.list_user_refills(42)
        assert (refill.refill_id, refill.panel_order_id, refill.status) == (9001, 5001, "Pending")
        assert (await store.kv.load_namespace("user_data"))["42"] == '{"lang": "vi"}'
        # and the file goes on working: a new order follows the old one
        new = await store.orders.create_order_intent(
            NewOrder(42, 42, 7, "s", "https://x.y/2", 100, Decimal("1.25"), confirm_token="tok-new")
        )
        assert new.id == order.id + 1 and (await store.orders.get_order(new.id)).charge == Decimal("1.25")
    after_first = snapshot(path)
    assert after_first["user_version"] == 8  # the legacy counter is left as it was: frozen
    async with Store(path) as store:
        assert await current(store.db) == head()
    assert snapshot(path) == after_first  # a second open changes nothing


async def test_a_legacy_file_at_version_3_gets_the_remaining_legacy_migrations(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    legacy_file(path, 3)
    async with Store(path) as store:
        assert await current(store.db) == head()
        async with store.db.read() as conn:
            tables, columns = await conn.run_sync(
                lambda c: (
                    set(sqlalchemy.inspect(c).get_table_names()),
                    {col["name"] for col in sqlalchemy.inspect(c).get_columns("orders")},
                )
            )
            index = (
                await conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'orders_open'")
            ).scalar_one()
        assert {"access", "favorites", "kv"} <= tables
        assert {"fields", "cancel_requested_at"} <= columns
        assert "'Refunded'" in index  # version 6 recreated it
        order = await store.orders.get_order_by_panel_id(5001)
        assert order is not None and order.charge == Decimal("18750.5") and order.fields is None
        assert not order.cancel_requested
        await store.favorites.set_favorite(42, 7, True)
        assert await store.favorites.list_favorites(42) == [7]
        await store.users.set_access(43, True, 42)
        assert await store.users.access_overrides() == {43: True}
    assert snapshot(path)["user_version"] == 8


async def test_a_legacy_file_has_the_schema_a_new_one_has(tmp_path: Path) -> None:
    """Version 8 and the baseline revision are the same schema: tables, columns, indexes."""
    legacy, new = tmp_path / "legacy.sqlite3", tmp_path / "new.sqlite3"
    legacy_file(legacy, 8)
    shapes = []
    for path in (legacy, new):
        async with Store(path) as store:
            assert await current(store.db) == head()
            async with store.db.read() as conn:  # one connection at a time: SQLite has one
                shapes.append(await conn.run_sync(_shape))
    assert shapes[0] == shapes[1]
    assert BASELINE == "0001"


def _shape(conn: sqlalchemy.Connection) -> dict[str, Any]:
    inspector = sqlalchemy.inspect(conn)
    return {
        name: (
            sorted(col["name"] for col in inspector.get_columns(name)),
            sorted(index["name"] for index in inspector.get_indexes(name)),
        )
        for name in metadata.tables
    }


# -- both engines ----------------------------------------------------------------------------------


async def _columns(conn: AsyncConnection, table: str) -> list[dict[str, Any]]:
    return await conn.run_sync(lambda c: sqlalchemy.inspect(c).get_columns(table))


async def test_the_migrated_schema_is_the_one_the_queries_use(database: str | Path) -> None:
    async with Store(database) as store:
        assert await current(store.db) == head()
        async with store.db.read() as conn:
            tables = await conn.run_sync(lambda c: set(sqlalchemy.inspect(c).get_table_names()))
            shape = {name: {c["name"]: c for c in await _columns(conn, name)} for name in metadata.tables}
    assert tables == {*metadata.tables, "alembic_version"}
    for name, table in metadata.tables.items():
        found = shape[name]
        assert set(found) == set(table.c.keys()), name
        for column in table.c:
            if not column.primary_key:
                assert found[column.name]["nullable"] == column.nullable, (name, column.name)


async def test_numbers_past_32_bits_round_trip(database: str | Path) -> None:
    """A Telegram user ID past 2**31, panel IDs and counts up to 2**53 - 1: BIGINT on PostgreSQL."""
    async with Store(database) as store:
        user = await store.users.touch_user(BIG_USER, "Big", "big")
        assert user.id == BIG_USER and (await store.users.get_user(BIG_USER)) == user
        order = await store.orders.create_order_intent(
            NewOrder(
                user_id=BIG_USER,
                chat_id=BIG_USER,
                service_id=BIG,
                service_name="s",
                link="https://x.y/big",
                quantity=BIG - 1,
                charge=Decimal("123456789012.0015"),
                confirm_token="tok-big",
                runs=BIG - 2,
                interval=BIG - 3,
            )
        )
        await store.orders.mark_order_placed(order.id, BIG)
        placed = await store.orders.get_order_by_panel_id(BIG)
        assert placed is not None and placed.id == order.id
        assert (placed.user_id, placed.chat_id, placed.service_id) == (BIG_USER, BIG_USER, BIG)
        assert (placed.panel_order_id, placed.quantity, placed.remains) == (BIG, BIG - 1, BIG - 1)
        assert (placed.runs, placed.interval) == (BIG - 2, BIG - 3)
        assert placed.charge == Decimal("123456789012.0015")
        assert await store.orders.due_order_ids() == [BIG]
        assert [o.id for o in await store.orders.orders_by_panel_ids(BIG_USER, [BIG])] == [order.id]

        status = OrderStatus(BIG, "In progress", start_count=BIG, remains=BIG)
        assert await store.orders.apply_statuses([status]) == 1
        updated = await store.orders.get_order(order.id)
        assert updated is not None and (updated.start_count, updated.remains) == (BIG, BIG)

        refill = await store.refills.add_refill(order.id, BIG_USER, BIG)
        assert (refill.refill_id, refill.panel_order_id, refill.user_id) == (BIG, BIG, BIG_USER)
        assert await store.refills.due_refill_ids() == [BIG]
        assert await store.refills.update_refill_statuses([RefillStatus(BIG, "Completed")]) == 1

        await store.users.set_access(BIG_USER + 1, False, BIG_USER)
        assert await store.users.access_overrides() == {BIG_USER + 1: False}
        await store.favorites.set_favorite(BIG_USER, BIG, True)
        assert await store.favorites.list_favorites(BIG_USER) == [BIG]


async def test_an_unreachable_server_is_unusable_at_once_and_never_shows_its_password() -> None:
    store = Store("postgresql://postgres:s3cret-pw@127.0.0.1:1/nope")  # nothing listens on port 1
    started = time.monotonic()
    with pytest.raises(DatabaseUnusable) as info:
        await store.open()
    assert time.monotonic() - started < 5
    exc = info.value
    assert not exc.damaged and "127.0.0.1:1/nope" in str(exc) and "DATABASE_URL" in str(exc)
    for shown in (str(exc), repr(exc), "".join(traceback.format_exception(exc))):
        assert "s3cret-pw" not in shown
    await store.close()  # and closing afterwards is harmless


# -- start-up without Alembic -----------------------------------------------------------------------


def test_the_newest_revision_is_alembics_own_head() -> None:
    """`head()` reads the scripts' file names so that start-up need not import Alembic: each
    script's revision must be its file's number, revising the one before."""
    from alembic.script import ScriptDirectory

    from bot.store.migrate import _config

    scripts = ScriptDirectory.from_config(_config())
    assert scripts.get_current_head() == head()
    chain = list(reversed(list(scripts.walk_revisions())))
    for number, script in enumerate(chain, start=1):
        assert script.revision == f"{number:04d}" and script.path.endswith(
            f"/{number:04d}_{Path(script.path).name[5:]}"
        )
        assert script.down_revision == (None if number == 1 else f"{number - 1:04d}")


OPEN_AND_SAY = """
import asyncio, sys
from bot.store import Store
async def main():
    async with Store(sys.argv[1]) as store:
        pass
asyncio.run(main())
print("alembic" in sys.modules)
"""


def _opened_with_alembic(database: str | Path) -> bool:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", OPEN_AND_SAY, str(database)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip() == "True"


async def test_a_database_at_head_opens_without_importing_alembic(
    database: str | Path, tmp_path: Path
) -> None:
    """A fifth of start-up was Alembic; a restart of a bot whose schema is current skips it."""
    assert _opened_with_alembic(tmp_path / "new.sqlite3")  # a new file is migrated: Alembic needed
    async with Store(database):
        pass
    assert not _opened_with_alembic(database)  # at head: one query, no Alembic
    async with Store(database) as store:
        assert await current(store.db) == head()
