"""`python -m bot copy-db --to …`: move every row to another database (typically an owner's
SQLite file into PostgreSQL), and prove nothing was lost before keeping the copy.

The target must be empty.  Both databases are first brought to the same schema, then every
table is copied inside ONE transaction on the target; before it commits, the target's row
counts and a checksum of its money columns are read back and compared with the source's.
Any difference rolls the whole copy back: the target is left as empty as it was found.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.database import POSTGRESQL
from bot.store.store import Store
from bot.store.tables import leases, ledger, metadata, orders, refills, topups, transfers

CHUNK_ROWS = 2000  # rows read and written at a time: bounded memory for any size of database
# table → its money columns, summed and hashed
_MONEY = {
    "orders": ("charge",),
    "wallets": ("balance",),
    "ledger": ("amount", "balance_after"),
    "topups": ("amount", "credited"),
    "transfers": ("amount",),
}


class CopyRefused(Exception):
    """The copy can't start (the target holds data, or is the source): no row was written."""


class CopyMismatch(Exception):
    """The copy read back differently from the source: it was rolled back."""

    def __init__(self, report: CopyReport) -> None:
        super().__init__("the copy does not match the source; nothing was kept")
        self.report = report


@dataclass
class TableFigures:
    rows: int = 0
    money: dict[str, Decimal] = field(default_factory=dict)  # column → sum
    digest: str = ""  # SHA-256 over (key, money) of every row, in key order


@dataclass
class CopyReport:
    source: str
    target: str
    tables: dict[str, tuple[TableFigures, TableFigures]] = field(default_factory=dict)  # source, target

    @property
    def matches(self) -> bool:
        return all(a == b for a, b in self.tables.values())

    def lines(self) -> list[str]:
        """The table the command prints: rows and money checksums, source beside target."""
        out = [f"copy {self.source} → {self.target}", f"{'table':<10} {'rows':>9} {'copied':>9}  money"]
        for name, (src, dst) in self.tables.items():
            money = "; ".join(
                f"{column} Σ {src.money[column]} → {dst.money.get(column)}" for column in src.money
            )
            mark = "ok" if src == dst else "MISMATCH"
            out.append(f"{name:<10} {src.rows:>9} {dst.rows:>9}  {money or '-'}  {mark}")
        digests = [f"{name}:{src.digest[:12]}" for name, (src, _) in self.tables.items() if src.digest]
        if digests:
            out.append("money checksums (SHA-256, source = copy): " + ", ".join(digests))
        return out


async def copy_database(source: str | Path, target: str | Path) -> CopyReport:
    """Copy every row of `source` into the empty `target`; raises `CopyRefused` before
    writing anything, `CopyMismatch` after rolling back, `DatabaseUnusable` for either
    database that can't be opened."""
    async with Store(source) as src, Store(target) as dst:
        if src.db.url == dst.db.url:
            raise CopyRefused("the source and the target are the same database")
        report = CopyReport(src.db.description, dst.db.description)
        async with src.db.read() as reader:
            for table in _tables():
                report.tables[table.name] = (await _figures(reader, table), TableFigures())
        async with dst.db.write() as writer:
            for table in _tables():
                if await writer.scalar(select(func.count()).select_from(table)):
                    raise CopyRefused(f"the target is not empty (table {table.name} has rows)")
            async with src.db.read() as reader:
                for table in _tables():
                    await _copy_table(reader, writer, table)
            if dst.db.name == POSTGRESQL:
                await _advance_sequences(writer)
            for table in _tables():
                source_figures, _ = report.tables[table.name]
                report.tables[table.name] = (source_figures, await _figures(writer, table))
            if not report.matches:
                raise CopyMismatch(report)  # leaving the block rolls the copy back
        return report


def _tables() -> Iterable[Table]:
    """Every table that holds data, parents before children (foreign keys hold at every
    step).  Leases are not data: they say which running process polls, and a copied one
    would only make the new deployment wait for a holder that isn't there."""
    return [table for table in metadata.sorted_tables if table is not leases]


def _key(table: Table) -> list[Any]:
    return list(table.primary_key.columns)


async def _copy_table(reader: AsyncConnection, writer: AsyncConnection, table: Table) -> None:
    result = await reader.stream(select(table).order_by(*_key(table)))
    async for chunk in result.mappings().partitions(CHUNK_ROWS):
        await writer.execute(table.insert(), [dict(row) for row in chunk])


async def _figures(conn: AsyncConnection, table: Table) -> TableFigures:
    """Rows, and for money columns their exact sum and a digest of every row's amounts (a
    sum alone would not see two amounts swapped between rows)."""
    figures = TableFigures(rows=int(await conn.scalar(select(func.count()).select_from(table)) or 0))
    columns = _MONEY.get(table.name, ())
    if not columns:
        return figures
    digest = hashlib.sha256()
    sums = dict.fromkeys(columns, Decimal(0))
    query = select(*_key(table), *(table.c[c] for c in columns)).order_by(*_key(table))
    result = await conn.stream(query)
    async for row in result:
        keys, amounts = row[: len(_key(table))], row[len(_key(table)) :]
        for column, amount in zip(columns, amounts, strict=True):
            sums[column] += amount
        digest.update(repr((tuple(keys), tuple(_canonical(a) for a in amounts))).encode())
    figures.money, figures.digest = sums, digest.hexdigest()
    return figures


def _canonical(amount: Decimal) -> str:
    """One spelling per amount, whatever scale an engine keeps (18750.50 = 18750.5)."""
    return format(amount.normalize(), "f") if amount else "0"


async def _advance_sequences(writer: AsyncConnection) -> None:
    """Rows keep their IDs (order #12 stays #12); the next new row must come after them."""
    for table in (orders, refills, ledger, topups, transfers):
        await writer.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
            )
        )
