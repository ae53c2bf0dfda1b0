"""`python -m bot copy-db --to …`: a populated SQLite file moved into an empty PostgreSQL
database without losing a row or a cent, refused into a database that holds rows, and rolled
back whole when the copy reads back differently."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.panel.models import OrderStatus, RefillStatus
from bot.payments.transfers import IncomingTransfer
from bot.services.topups import BankAccount, TopupRules, TopupService
from bot.store import NewOrder, Store, copy
from bot.store.tables import metadata
from bot.store.topups import TopupMethod
from tests.support.databases import PostgresServer

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "copy-db-secret-pw"


@pytest.fixture
async def empty_postgres(postgres: PostgresServer) -> AsyncIterator[str]:
    await postgres.require()
    url = await postgres.empty_database()
    yield url
    await postgres.drop(url)


async def populate(path: Path) -> None:
    """A SQLite database as an owner's months of use leave it: users, orders in every state
    with odd amounts, refills, saved chat state, access changes, favorites."""
    async with Store(path) as store:
        for uid, name in ((1001, "Alice"), (2**40 + 7, "Bảo 👍")):
            await store.users.touch_user(uid, name, "user" if uid == 1001 else None, "vi")
        await store.users.set_language(1001, "en")
        await store.users.set_blocked(2**40 + 7, True)
        charges = ["18750.5", "0.0015", "28.139999999999997", "1000000", "0.10"]
        for index, charge in enumerate(charges):
            uid = 1001 if index % 2 == 0 else 2**40 + 7
            order = await store.orders.create_order_intent(
                NewOrder(
                    uid, uid, 7 + index, f"Service {index}", f"https://x.y/{index}", 100 * (index + 1),
                    Decimal(charge), f"tok-{index}", fields={"usernames": "a\nb"} if index == 1 else None,
                )
            )
            if index < 3:
                await store.orders.mark_order_placed(order.id, 90_000 + index)
            elif index == 3:
                await store.orders.mark_order_failed(order.id, "not enough funds")
            else:
                await store.orders.mark_order_unknown(order.id, "timeout")
        partial = OrderStatus(90_000, "Partial", charge=Decimal("9000.25"), remains=40)
        await store.orders.apply_statuses([partial])
        first = await store.orders.get_order_by_panel_id(90_001)
        assert first is not None
        await store.refills.add_refill(first.id, first.user_id, 555)
        await store.refills.update_refill_statuses([RefillStatus(555, "Completed")])
        await store.kv.save_value("user_data", "1001", '{"language": "en", "draft": {"link": "x"}}')
        await store.users.set_access(3003, False, 1001)
        await store.favorites.set_favorite(1001, 7, True)
        # A top-up paid by a bank transfer of an odd amount, and a transfer nobody claimed.
        rules = TopupRules((Decimal(50000),), Decimal(1), Decimal(10**9), timedelta(minutes=30), "NAP",
                           BankAccount("970436", "0123456789", "A"), None)
        topups = TopupService(store, rules)
        topup = await topups.open(1001, 1001, Decimal(50000), TopupMethod.BANK)
        paid = IncomingTransfer("sepay", "92704", Decimal(49999), True, f"NAP{topup.code}", None, None, None)
        assert (await topups.receive(paid)).credit is not None
        stray = IncomingTransfer(
            "casso", "7", Decimal(1234567), True, "tien nha", "0123", "FT1", "2026-12-01"
        )
        assert (await topups.receive(stray)).credit is None


async def rows(target: str | Path) -> dict[str, list[dict[str, Any]]]:
    async with Store(target) as store, store.db.read() as conn:
        found = {}
        for table in metadata.sorted_tables:
            result = await conn.execute(select(table).order_by(*table.primary_key.columns))
            found[table.name] = [dict(row._mapping) for row in result]
        return found


async def run_cli(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args,
        cwd=ROOT / "tests",  # no .env there
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, out.decode(), err.decode()


def with_password(url: str) -> str:
    with_it = url.replace("://postgres@", f"://postgres:{PASSWORD}@", 1)
    assert PASSWORD in with_it
    return with_it


async def test_copy_db_moves_every_row_and_amount_into_postgresql(
    tmp_path: Path, empty_postgres: str
) -> None:
    source = tmp_path / "bot.sqlite3"
    await populate(source)
    before = await rows(source)

    target = with_password(empty_postgres)
    code, out, err = await run_cli("copy-db", "--to", target, env={"DATABASE_PATH": str(source)})
    assert code == 0, err
    assert "copy complete" in out and "MISMATCH" not in out
    total = "1009028.491499999999997"  # the charges the panel last reported, to the last digit
    assert "orders             5         5" in out and f"charge Σ {total} → {total}" in out
    assert PASSWORD not in out + err  # trust auth ignores it; it must still never be shown

    after = await rows(empty_postgres)
    assert after == before  # every column of every row, amounts exact, times the same moments
    counts = {name: len(table_rows) for name, table_rows in after.items()}
    expected = {"users": 2, "orders": 5, "refills": 1, "kv": 1, "access": 1, "favorites": 1}
    top_ups = {"wallets": 1, "ledger": 1, "topups": 1, "transfers": 2}
    assert counts == {**expected, **top_ups, "leases": 0}
    assert "leases" not in out  # who runs the poller is the running processes' business

    # The copy is a working database: a new order gets the next ID, not a copied one's.
    async with Store(empty_postgres) as store:
        order = await store.orders.create_order_intent(
            NewOrder(1001, 1001, 9, "New", "https://x.y/new", 10, Decimal("1"), "tok-new")
        )
        assert order.id == max(row["id"] for row in before["orders"]) + 1
        rules = TopupRules(
            (Decimal(1),), Decimal(1), Decimal(9), timedelta(minutes=1), "NAP", None, Decimal(1)
        )
        topup = await TopupService(store, rules).open(1001, 1001, Decimal(5), TopupMethod.STARS)
        assert topup.id == max(row["id"] for row in before["topups"]) + 1

    # A second copy into it is refused, and changes nothing.
    code, out, err = await run_cli("copy-db", "--to", empty_postgres, env={"DATABASE_PATH": str(source)})
    assert code == 1 and "copy refused" in err and "not empty" in err
    assert len((await rows(empty_postgres))["orders"]) == len(before["orders"]) + 1


async def test_a_copy_that_reads_back_differently_is_rolled_back_whole(
    tmp_path: Path, empty_postgres: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "bot.sqlite3"
    await populate(source)
    real = copy._copy_table

    async def lossy(reader: Any, writer: Any, table: Any) -> None:
        if table.name != "orders":
            await real(reader, writer, table)
            return
        result = await reader.execute(select(table).order_by(table.c.id))
        every = [dict(row._mapping) for row in result]
        every[1]["charge"] = every[1]["charge"] + Decimal("0.01")  # a cent off in transit
        await writer.execute(table.insert(), every)

    monkeypatch.setattr(copy, "_copy_table", lossy)
    with pytest.raises(copy.CopyMismatch) as info:
        await copy.copy_database(source, empty_postgres)
    source_figures, copied = info.value.report.tables["orders"]
    assert source_figures.rows == copied.rows and source_figures.digest != copied.digest
    assert any("MISMATCH" in line for line in info.value.report.lines())
    assert all(not table_rows for table_rows in (await rows(empty_postgres)).values())


async def test_migrate_command_reports_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    code, out, err = await run_cli("migrate", env={"DATABASE_PATH": str(path)})
    assert code == 0, err
    assert f"database {path}: schema empty → " in out
    code, out, err = await run_cli("migrate", env={"DATABASE_PATH": str(path)})
    assert code == 0 and " is current" in out


async def test_database_commands_refuse_a_bad_url_in_one_line() -> None:
    code, _, err = await run_cli("copy-db", "--to", "mysql://root:pw@localhost/x", env={})
    assert code == 2 and err.strip().startswith("configuration error:") and "pw" not in err
    code, _, err = await run_cli("migrate", env={"DATABASE_URL": "http://nope"})
    assert code == 2 and "DATABASE_URL must be a PostgreSQL URL" in err
