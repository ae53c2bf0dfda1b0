"""A SQLite database on disk (SQLite only): owner-only folder and files, and a damaged file
refused cleanly."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from bot.store import DatabaseUnusable, Store


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def sqlite_threads() -> int:
    return sum(1 for t in threading.enumerate() if "connection_worker" in t.name)


async def test_existing_database_and_its_wal_files_become_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    async with Store(path) as store:
        await store.users.touch_user(1, "An")
    other = sqlite3.connect(path)  # another connection keeps -wal and -shm on disk
    try:
        other.execute("PRAGMA journal_mode=WAL")
        other.execute("UPDATE users SET first_name = 'Bình'")
        other.commit()
        siblings = [Path(f"{path}-wal"), Path(f"{path}-shm")]
        for file in (path, *siblings):
            os.chmod(file, 0o644)  # as an older version, a copy or a restore left them
        async with Store(path) as store:
            assert [mode(file) for file in (path, *siblings)] == [0o600, 0o600, 0o600]
            user = await store.users.get_user(1)
            assert user is not None and user.first_name == "Bình"  # same data, only the modes
    finally:
        other.close()


async def test_folders_we_create_are_owner_only_and_a_chosen_one_is_left_alone(tmp_path: Path) -> None:
    chosen = tmp_path / "volume"  # e.g. /data: the user's, with the user's mode
    chosen.mkdir()
    os.chmod(chosen, 0o755)
    path = chosen / "bot" / "db" / "bot.sqlite3"
    async with Store(path):
        pass
    assert mode(chosen) == 0o755
    assert mode(chosen / "bot") == 0o700 and mode(chosen / "bot" / "db") == 0o700
    assert mode(path) == 0o600


async def test_a_damaged_file_is_refused_naming_it_and_leaves_no_thread_behind(tmp_path: Path) -> None:
    """The store's worker thread is not a daemon: one left running keeps the process alive."""
    path = tmp_path / "bot.sqlite3"
    path.write_bytes(b"garbage, not a database " * 100)
    before = sqlite_threads()
    store = Store(path)
    with pytest.raises(DatabaseUnusable) as info:
        await store.open()
    assert info.value.damaged and str(path) in str(info.value) and "backup" in str(info.value)
    for _ in range(100):  # the thread ends right after the connection is closed
        if sqlite_threads() <= before:
            break
        await asyncio.sleep(0.02)
    assert sqlite_threads() <= before
    await store.close()  # and stopping afterwards is harmless


async def test_a_path_that_is_no_file_is_refused_as_unreachable_not_damaged(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnusable) as info:
        await Store(tmp_path).open()  # a folder
    assert not info.value.damaged and str(tmp_path) in str(info.value)


async def test_a_database_of_something_else_is_refused_and_left_untouched(tmp_path: Path) -> None:
    """A SQLite file with an `orders` table but no schema version of ours is another
    program's: refused in one line, never "migrated" over."""
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, what TEXT)")
        other.execute("INSERT INTO orders (what) VALUES ('theirs')")
    other.close()
    with pytest.raises(DatabaseUnusable) as info:
        await Store(path).open()
    assert "not one of this bot's" in str(info.value) and str(path) in str(info.value)
    with sqlite3.connect(path) as check:
        tables = {row[0] for row in check.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert tables == {"orders"}
        assert check.execute("SELECT what FROM orders").fetchall() == [("theirs",)]
    check.close()
