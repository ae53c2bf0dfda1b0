"""SQLite implementation of the store: the only module that writes SQL.

One aiosqlite connection is shared by every task.  Because all tasks share
that connection's transaction, multi-statement writes take `self._lock` so two
handlers can never interleave inside one BEGIN…COMMIT.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sqlite3
import stat
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiosqlite

from bot.panel.models import (
    FINAL_ORDER_STATUSES,
    FINAL_REFILL_STATUSES,
    MAX_PANEL_NUMBER,
    REFUNDED_ORDER_STATUSES,
    OrderStatus,
    OrderStatusKind,
    RefillStatus,
)
from bot.store.errors import DatabaseUnusable, DuplicateConfirmation, DuplicatePanelOrder
from bot.store.models import NewOrder, OrderRecord, OrderState, RefillRecord, Spend, UserRecord, utcnow
from bot.store.schema import MIGRATIONS

log = logging.getLogger(__name__)



def _sql_strings(values: Iterable[str]) -> str:
    """Status values as SQL string literals (`'Completed', 'Partial'`); they contain no quote."""
    return ", ".join(f"'{value}'" for value in values)


# Status values go into SQL as literals generated from the enums (`bot.panel.models`).  These
# two conditions must read exactly as the partial indexes' WHERE (orders_open: migration 6,
# refills_open: migration 3): SQLite uses a partial index only when the query repeats it.
_OPEN_ORDER = f"state = 'placed' AND status NOT IN ({_sql_strings(FINAL_ORDER_STATUSES)})"
_OPEN_REFILL = f"refill_id IS NOT NULL AND status NOT IN ({_sql_strings(FINAL_REFILL_STATUSES)})"
_NOT_GIVEN_BACK = f"status NOT IN ({_sql_strings(REFUNDED_ORDER_STATUSES)})"
_PENDING = _sql_strings([OrderStatusKind.PENDING])
_FAILED = _sql_strings([OrderStatusKind.FAILED])
_UNKNOWN = _sql_strings([OrderStatusKind.UNKNOWN])
_UNNOTIFIED = "notified_status IS NOT status"
_ORDER_COLUMNS = (
    "id, panel_order_id, user_id, chat_id, service_id, service_name, link, quantity, charge, "
    "state, status, remains, start_count, error, created_at, updated_at, notified_status, "
    "comments, runs, interval, fields, cancel_requested_at"
)
_REFILL_COLUMNS = (
    "r.id, r.refill_id, r.order_id, o.panel_order_id, r.user_id, r.status, r.error, "
    "r.created_at, r.updated_at, r.notified_status"
)


class SqliteStore:
    """Users, orders and refills in one SQLite file."""

    def __init__(self, path: Path | str, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.path = Path(path)
        self._clock = clock
        self._db: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    # -- lifecycle ---------------------------------------------------------------------------

    async def open(self) -> None:
        """Connect and migrate; folder and file are made owner-only (see `_owner_only`).

        Raises `DatabaseUnusable` (one line: which file, what is wrong, what to do) when the
        file can't be used.  Whatever fails, the connection is closed first: its worker
        thread is not a daemon, and a failed start would otherwise never exit.
        """
        try:
            if str(self.path) != ":memory:":
                _owner_only(self.path)
            self._db = await aiosqlite.connect(self.path, isolation_level=None)
            self._db.row_factory = sqlite3.Row
            await self._db.execute("PRAGMA journal_mode=WAL")
            await self._db.execute("PRAGMA foreign_keys=ON")
            await self._db.execute("PRAGMA busy_timeout=5000")
            await self._migrate()
        except (sqlite3.Error, OSError) as exc:
            await self._abandon()
            raise _unusable(self.path, exc) from None
        except BaseException:
            await self._abandon()
            raise

    async def close(self) -> None:
        """Close the connection; an unclosed aiosqlite thread keeps the process alive, so it
        is closed even when the last `PRAGMA optimize` fails or the wait for the lock is cut
        short (a bounded shutdown)."""
        db = self._db
        if db is None:
            return
        try:
            async with self._lock:
                await db.execute("PRAGMA optimize")  # keeps the planner's statistics fresh
        finally:
            self._db = None
            await db.close()

    async def _abandon(self) -> None:
        """Close a connection that failed to open properly; its own error is beside the point."""
        db, self._db = self._db, None
        if db is not None:
            with contextlib.suppress(Exception):
                await db.close()

    async def __aenter__(self) -> SqliteStore:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise RuntimeError("store is not open")
        return self._db

    async def schema_version(self) -> int:
        async with self.db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def _migrate(self) -> None:
        version = await self.schema_version()
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            async with self._transaction() as db:
                for statement in _statements(script):
                    await db.execute(statement)
                await db.execute(f"PRAGMA user_version = {number}")

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._lock:
            await self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                await self.db.execute("ROLLBACK")
                raise
            await self.db.execute("COMMIT")

    async def _one(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
        async with self.db.execute(sql, tuple(params)) as cursor:
            return await cursor.fetchone()

    async def _all(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        async with self.db.execute(sql, tuple(params)) as cursor:
            return list(await cursor.fetchall())

    async def _write(self, sql: str, params: Iterable[Any] = ()) -> int:
        """A single-statement write (atomic on its own); returns the affected row count."""
        async with self._lock:
            cursor = await self.db.execute(sql, tuple(params))
            return cursor.rowcount

    def _now(self) -> str:
        return _utc_text(self._clock())

    # -- users -------------------------------------------------------------------------------

    async def touch_user(
        self,
        user_id: int,
        first_name: str = "",
        username: str | None = None,
        telegram_language: str | None = None,
    ) -> UserRecord:
        """Record that a user showed up (creates them on first sight; clears `blocked`)."""
        now = self._now()
        await self._write(
            "INSERT INTO users (id, first_name, username, telegram_language, first_seen, last_seen) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
            "first_name = COALESCE(NULLIF(excluded.first_name, ''), first_name), "
            "username = COALESCE(excluded.username, username), "
            "telegram_language = COALESCE(excluded.telegram_language, telegram_language), "
            "last_seen = excluded.last_seen, blocked = 0",
            (user_id, first_name, username, telegram_language, now, now),
        )
        user = await self.get_user(user_id)
        assert user is not None
        return user

    async def get_user(self, user_id: int) -> UserRecord | None:
        row = await self._one("SELECT * FROM users WHERE id = ?", (user_id,))
        return _user(row) if row else None

    async def set_language(self, user_id: int, language: str | None) -> None:
        await self._write("UPDATE users SET language = ? WHERE id = ?", (language, user_id))

    async def set_blocked(self, user_id: int, blocked: bool) -> None:
        await self._write("UPDATE users SET blocked = ? WHERE id = ?", (int(blocked), user_id))

    # -- orders ------------------------------------------------------------------------------

    async def create_order_intent(self, order: NewOrder) -> OrderRecord:
        """Write the order before calling the panel, so a crash can never lose it.

        Raises `DuplicateConfirmation` if this confirmation was already recorded.
        """
        now = self._now()
        try:
            async with self._transaction() as db:
                cursor = await db.execute(
                    "INSERT INTO orders (user_id, chat_id, service_id, service_name, link, "
                    "quantity, charge, comments, runs, interval, confirm_token, state, status, "
                    "remains, created_at, updated_at, notified_status, fields) "
                    f"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, {_PENDING}, ?, ?, ?, {_PENDING}, ?)",
                    (
                        order.user_id,
                        order.chat_id,
                        order.service_id,
                        order.service_name,
                        order.link,
                        order.quantity,
                        str(order.charge),
                        order.comments,
                        order.runs,
                        order.interval,
                        order.confirm_token,
                        OrderState.INTENT,
                        order.quantity,
                        now,
                        now,
                        json.dumps(order.fields, ensure_ascii=False) if order.fields else None,
                    ),
                )
                local_id = cursor.lastrowid
        except sqlite3.IntegrityError as exc:
            if "confirm_token" in str(exc):
                raise DuplicateConfirmation(order.confirm_token) from None
            raise
        record = await self.get_order(int(local_id or 0))
        assert record is not None
        return record

    async def mark_order_placed(self, order_id: int, panel_order_id: int) -> None:
        await self._write(
            "UPDATE orders SET state = ?, panel_order_id = ?, error = NULL, updated_at = ? WHERE id = ?",
            (OrderState.PLACED, panel_order_id, self._now(), order_id),
        )

    async def mark_order_failed(self, order_id: int, error: str) -> None:
        """The panel refused: nothing was charged; keep the row for the record."""
        await self._write(
            f"UPDATE orders SET state = ?, status = {_FAILED}, notified_status = {_FAILED}, error = ?, "
            "updated_at = ? WHERE id = ?",
            (OrderState.FAILED, error, self._now(), order_id),
        )

    async def mark_order_unknown(self, order_id: int, reason: str) -> None:
        await self._write(
            f"UPDATE orders SET state = ?, status = {_UNKNOWN}, notified_status = {_UNKNOWN}, "
            "error = ?, updated_at = ? WHERE id = ?",
            (OrderState.UNKNOWN, reason, self._now(), order_id),
        )

    async def mark_interrupted(self) -> int:
        """At start-up: intents still waiting for `add` were cut off by a crash. Their outcome
        is unknown; they become UNKNOWN with nothing notified yet, so the owner is told."""
        return await self._write(
            f"UPDATE orders SET state = ?, status = {_UNKNOWN}, notified_status = NULL, "
            "error = 'interrupted by a restart', updated_at = ? WHERE state = ?",
            (OrderState.UNKNOWN, self._now(), OrderState.INTENT),
        )

    async def settle_unknown(self, order_id: int, panel_order_id: int | None, note: str) -> bool:
        """An admin's verdict on an order of unknown outcome: placed as `panel_order_id`, or
        (None) not placed.  Only an order still unknown changes (two admins can't both settle
        it); its status then differs from what its owner was told, so the owner is notified.

        Raises `DuplicatePanelOrder` when that panel order is already another order's.
        """
        if panel_order_id is None:
            sql = (
                f"UPDATE orders SET state = ?, status = {_FAILED}, error = ?, updated_at = ? "
                "WHERE id = ? AND state = ?"
            )
            params: tuple[Any, ...] = (OrderState.FAILED, note, self._now(), order_id, OrderState.UNKNOWN)
        else:
            sql = (
                f"UPDATE orders SET state = ?, panel_order_id = ?, status = {_PENDING}, error = ?, "
                "checked_at = NULL, updated_at = ? WHERE id = ? AND state = ?"
            )
            params = (OrderState.PLACED, panel_order_id, note, self._now(), order_id, OrderState.UNKNOWN)
        try:
            return await self._write(sql, params) == 1
        except sqlite3.IntegrityError as exc:
            if "panel_order_id" in str(exc):
                raise DuplicatePanelOrder(panel_order_id or 0) from None
            raise

    async def get_order(self, order_id: int) -> OrderRecord | None:
        row = await self._one(f"SELECT {_ORDER_COLUMNS} FROM orders WHERE id = ?", (order_id,))
        return _order(row) if row else None

    async def get_order_by_panel_id(self, panel_order_id: int) -> OrderRecord | None:
        row = await self._one(
            f"SELECT {_ORDER_COLUMNS} FROM orders WHERE panel_order_id = ?", (panel_order_id,)
        )
        return _order(row) if row else None

    async def get_order_by_confirmation(self, confirm_token: str) -> OrderRecord | None:
        row = await self._one(
            f"SELECT {_ORDER_COLUMNS} FROM orders WHERE confirm_token = ?", (confirm_token,)
        )
        return _order(row) if row else None

    async def list_user_orders(
        self, user_id: int, *, limit: int = 10, offset: int = 0, finished: bool | None = None
    ) -> list[OrderRecord]:
        """The user's orders, newest first (failed attempts excluded: nothing happened);
        `finished` True: only those with a final status, False: only the others, None: all."""
        rows = await self._all(
            f"SELECT {_ORDER_COLUMNS} FROM orders WHERE user_id = ? AND state != ?{_finished(finished)} "
            "ORDER BY id DESC LIMIT ? OFFSET ?",
            (user_id, OrderState.FAILED, limit, offset),
        )
        return [_order(row) for row in rows]

    async def count_user_orders(self, user_id: int, *, finished: bool | None = None) -> int:
        row = await self._one(
            f"SELECT COUNT(*) FROM orders WHERE user_id = ? AND state != ?{_finished(finished)}",
            (user_id, OrderState.FAILED),
        )
        return int(row[0]) if row else 0

    async def search_user_orders(
        self, user_id: int, words: str, panel_order_id: int | None = None, *, limit: int = 20
    ) -> tuple[list[OrderRecord], int]:
        """The user's orders whose link contains `words` (case-insensitive, taken literally),
        or whose panel ID is `panel_order_id`; newest first, at most `limit`, and how many match."""
        pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where = "user_id = ? AND state != ? AND (link LIKE ? ESCAPE '\\' OR panel_order_id = ?)"
        params: list[Any] = [user_id, OrderState.FAILED, pattern, panel_order_id]
        rows = await self._all(
            f"SELECT {_ORDER_COLUMNS} FROM orders WHERE {where} ORDER BY id DESC LIMIT ?", [*params, limit]
        )
        count = await self._one(f"SELECT COUNT(*) FROM orders WHERE {where}", params)
        return [_order(row) for row in rows], int(count[0]) if count else 0

    async def mark_cancel_requested(self, order_id: int, requested: bool = True) -> None:
        """Remember (or forget, when the panel refused) that the owner asked for a cancel."""
        await self._write(
            "UPDATE orders SET cancel_requested_at = ? WHERE id = ?",
            (self._now() if requested else None, order_id),
        )

    async def unresolved_orders(self, user_id: int | None = None) -> list[OrderRecord]:
        """Intents whose outcome we don't know (crash or timeout during `add`)."""
        sql = f"SELECT {_ORDER_COLUMNS} FROM orders WHERE state IN (?, ?)"
        params: list[Any] = [OrderState.INTENT, OrderState.UNKNOWN]
        if user_id is not None:
            sql += " AND user_id = ?"
            params.append(user_id)
        return [_order(row) for row in await self._all(sql + " ORDER BY id", params)]

    async def due_order_ids(
        self, *, stuck_after: timedelta = timedelta(days=2), stuck_every: timedelta = timedelta(hours=1)
    ) -> list[int]:
        """Panel IDs of placed orders whose status is not final (unknown statuses count as open).

        Orders open for longer than `stuck_after` are due only every `stuck_every`, so a
        backlog of stuck orders doesn't dominate each cycle. Least recently checked first.
        IDs only: a cycle over tens of thousands of orders needs nothing else.
        """
        now = self._clock()
        rows = await self._all(
            f"SELECT panel_order_id FROM orders WHERE {_OPEN_ORDER} "
            "AND (created_at >= ? OR checked_at IS NULL OR checked_at <= ?) "
            "ORDER BY checked_at, id",
            (_utc_text(now - stuck_after), _utc_text(now - stuck_every)),
        )
        return [row[0] for row in rows]

    async def orders_to_notify(self, statuses: tuple[str, ...], limit: int) -> list[OrderRecord]:
        """Orders whose status is one of `statuses` and was not told to a reachable owner."""
        marks = ",".join("?" for _ in statuses)
        rows = await self._all(
            f"SELECT {_ORDER_COLUMNS} FROM orders WHERE {_UNNOTIFIED} "
            "AND state IN ('placed', 'unknown', 'failed') "
            f"AND status IN ({marks}) AND user_id IN (SELECT id FROM users WHERE blocked = 0) "
            "ORDER BY updated_at, id LIMIT ?",
            (*statuses, limit),
        )
        return [_order(row) for row in rows]

    async def apply_statuses(self, statuses: Iterable[OrderStatus]) -> int:
        """Store fresh panel statuses (by panel order ID) in one transaction; returns rows changed.

        Two `executemany` calls instead of one `execute` per order: every aiosqlite call is a
        round trip to its worker thread, and a cycle writes tens of thousands of rows.
        An entry with a value SQLite can't take (an int past 2**63) would fail the whole batch,
        every cycle: such an entry counts as unanswered (checked, nothing else changes), as
        does one the panel refused or that could not be read.
        """
        now = self._now()
        answered: list[tuple[Any, ...]] = []
        unanswered: list[tuple[Any, ...]] = []
        for st in statuses:
            if abs(st.order_id) > MAX_PANEL_NUMBER:
                continue  # can't be one of ours: panel IDs are stored only when sane
            if st.error is not None or st.unreadable or not st.within_bounds:
                unanswered.append((now, st.order_id))
                continue
            answered.append(
                (
                    st.status,
                    st.remains,
                    st.start_count,
                    str(st.charge) if st.charge is not None else None,
                    now,
                    st.status,
                    now,
                    st.order_id,
                )
            )
        changed = 0
        async with self._transaction() as db:
            if unanswered:
                await db.executemany("UPDATE orders SET checked_at = ? WHERE panel_order_id = ?", unanswered)
            if answered:
                cursor = await db.executemany(
                    "UPDATE orders SET status = ?, remains = COALESCE(?, remains), "
                    "start_count = COALESCE(?, start_count), charge = COALESCE(?, charge), "
                    "checked_at = ?, updated_at = CASE WHEN status != ? THEN ? ELSE updated_at END "
                    "WHERE panel_order_id = ?",
                    answered,
                )
                changed = cursor.rowcount  # sqlite3 sums the rows of every execution
        return changed

    async def set_order_notified(self, order_id: int, status: str) -> None:
        await self._write("UPDATE orders SET notified_status = ? WHERE id = ?", (status, order_id))

    # -- refills -----------------------------------------------------------------------------

    async def add_refill(self, order_id: int, user_id: int, refill_id: int) -> RefillRecord:
        """Record a refill; a refill ID the panel already gave (some panels answer a repeated
        request with the refill still running) returns the existing record."""
        now = self._now()
        await self._write(
            "INSERT INTO refills (refill_id, order_id, user_id, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(refill_id) DO NOTHING",
            (refill_id, order_id, user_id, now, now),
        )
        row = await self._one("SELECT id FROM refills WHERE refill_id = ?", (refill_id,))
        refill = await self.get_refill(int(row["id"])) if row else None
        assert refill is not None
        return refill

    async def get_refill(self, local_id: int) -> RefillRecord | None:
        row = await self._one(
            f"SELECT {_REFILL_COLUMNS} FROM refills r JOIN orders o ON o.id = r.order_id WHERE r.id = ?",
            (local_id,),
        )
        return _refill(row) if row else None

    async def list_user_refills(
        self, user_id: int, *, limit: int = 10, offset: int = 0
    ) -> list[RefillRecord]:
        rows = await self._all(
            f"SELECT {_REFILL_COLUMNS} FROM refills r JOIN orders o ON o.id = r.order_id "
            "WHERE r.user_id = ? ORDER BY r.id DESC LIMIT ? OFFSET ?",
            (user_id, limit, offset),
        )
        return [_refill(row) for row in rows]

    async def open_refill(self, order_id: int) -> RefillRecord | None:
        """The order's newest refill the panel has not finished yet, if any."""
        row = await self._one(
            f"SELECT {_REFILL_COLUMNS} FROM refills r JOIN orders o ON o.id = r.order_id "
            "WHERE r.order_id = ? AND r.refill_id IS NOT NULL "
            f"AND r.status NOT IN ({_sql_strings(FINAL_REFILL_STATUSES)}) "
            "ORDER BY r.id DESC LIMIT 1",
            (order_id,),
        )
        return _refill(row) if row else None

    async def count_user_refills(self, user_id: int) -> int:
        row = await self._one("SELECT COUNT(*) FROM refills WHERE user_id = ?", (user_id,))
        return int(row[0]) if row else 0

    async def orders_by_panel_ids(self, user_id: int, panel_order_ids: Iterable[int]) -> list[OrderRecord]:
        """The user's orders among these panel IDs (others' are simply absent), in ID order."""
        ids = list(dict.fromkeys(panel_order_ids))
        if not ids:
            return []
        marks = ",".join("?" for _ in ids)
        rows = await self._all(
            f"SELECT {_ORDER_COLUMNS} FROM orders WHERE user_id = ? AND panel_order_id IN ({marks}) "
            "ORDER BY panel_order_id",
            (user_id, *ids),
        )
        return [_order(row) for row in rows]

    async def update_refill_statuses(self, statuses: Iterable[RefillStatus]) -> int:
        """Store fresh refill statuses (by the panel's refill ID) in one transaction.

        An ID the panel could not answer for keeps its last known status.  Returns
        the number of refills whose status changed.
        """
        now = self._now()
        changed = 0
        async with self._transaction() as db:
            for st in statuses:
                if st.error is not None:
                    continue
                cursor = await db.execute(
                    "UPDATE refills SET status = ?, error = NULL, updated_at = ? "
                    "WHERE refill_id = ? AND status != ?",
                    (st.status, now, st.refill_id, st.status),
                )
                changed += cursor.rowcount
        return changed

    async def due_refill_ids(self) -> list[int]:
        """Panel refill IDs whose status is not final."""
        rows = await self._all(f"SELECT refill_id FROM refills WHERE {_OPEN_REFILL} ORDER BY id")
        return [row[0] for row in rows]

    async def refills_to_notify(
        self, statuses: tuple[str, ...], limit: int
    ) -> list[tuple[RefillRecord, OrderRecord]]:
        """Refills in one of `statuses` not yet told to a reachable owner, with their orders."""
        marks = ",".join("?" for _ in statuses)
        rows = await self._all(
            f"SELECT id, order_id FROM refills WHERE {_UNNOTIFIED} AND status IN ({marks}) "
            "AND user_id IN (SELECT id FROM users WHERE blocked = 0) ORDER BY id LIMIT ?",
            (*statuses, limit),
        )
        pairs = []
        for row in rows:
            refill, order = await self.get_refill(row["id"]), await self.get_order(row["order_id"])
            if refill is not None and order is not None:
                pairs.append((refill, order))
        return pairs

    async def set_refill_notified(self, local_id: int, status: str) -> None:
        await self._write("UPDATE refills SET notified_status = ? WHERE id = ?", (status, local_id))

    # -- favorites ---------------------------------------------------------------------------

    async def list_favorites(self, user_id: int) -> list[int]:
        """The user's starred service IDs, newest first."""
        rows = await self._all(
            "SELECT service_id FROM favorites WHERE user_id = ? ORDER BY created_at DESC, rowid DESC",
            (user_id,),
        )
        return [row["service_id"] for row in rows]

    async def set_favorite(self, user_id: int, service_id: int, favorite: bool) -> None:
        if favorite:
            await self._write(
                "INSERT OR IGNORE INTO favorites (user_id, service_id, created_at) VALUES (?, ?, ?)",
                (user_id, service_id, self._now()),
            )
        else:
            await self._write(
                "DELETE FROM favorites WHERE user_id = ? AND service_id = ?", (user_id, service_id)
            )

    # -- access and statistics ---------------------------------------------------------------

    async def access_overrides(self) -> dict[int, bool]:
        rows = await self._all("SELECT user_id, allowed FROM access")
        return {row["user_id"]: bool(row["allowed"]) for row in rows}

    async def set_access(self, user_id: int, allowed: bool, changed_by: int) -> None:
        await self._write(
            "INSERT INTO access (user_id, allowed, changed_by, changed_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(user_id) DO UPDATE SET allowed = excluded.allowed, "
            "changed_by = excluded.changed_by, changed_at = excluded.changed_at",
            (user_id, int(allowed), changed_by, self._now()),
        )

    async def list_users(self) -> list[UserRecord]:
        return [_user(row) for row in await self._all("SELECT * FROM users ORDER BY last_seen DESC")]

    async def spending(self, since: datetime | None = None, user_id: int | None = None) -> list[Spend]:
        """Charges of orders that reached (or may have reached) the panel and were not given
        back, for stats and limits.

        Unknown outcomes count: for a spending limit, "maybe charged" must count as charged.
        Canceled and Refunded orders don't: the panel gave the money back,
        whatever charge it last reported.  A Partial counts the charge the panel last reported
        (`apply_statuses` keeps it), not the one quoted.

        Timestamps are compared as ISO text, which is only right within one UTC offset: an
        owner's "today" (`+07:00`) is turned into UTC, the form every timestamp is stored in,
        or the first 7 hours of the day would be left out.
        """
        sql = (
            "SELECT user_id, service_id, service_name, charge, created_at FROM orders "
            f"WHERE state IN ('placed', 'unknown', 'intent') AND {_NOT_GIVEN_BACK}"
        )
        params: list[Any] = []
        if since is not None:
            sql += " AND created_at >= ?"
            params.append(_utc_text(since))
        if user_id is not None:
            sql += " AND user_id = ?"
            params.append(user_id)
        return [_spend(row) for row in await self._all(sql, params)]

    # -- key/value (bot framework persistence) -----------------------------------------------

    async def load_namespace(self, namespace: str) -> dict[str, str]:
        rows = await self._all("SELECT key, value FROM kv WHERE namespace = ?", (namespace,))
        return {row["key"]: row["value"] for row in rows}

    async def save_value(self, namespace: str, key: str, value: str) -> None:
        await self._write(
            "INSERT INTO kv (namespace, key, value, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(namespace, key) DO UPDATE SET value = excluded.value, "
            "updated_at = excluded.updated_at",
            (namespace, key, value, self._now()),
        )

    async def delete_value(self, namespace: str, key: str) -> None:
        await self._write("DELETE FROM kv WHERE namespace = ? AND key = ?", (namespace, key))


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


def _unusable(path: Path, exc: sqlite3.Error | OSError) -> DatabaseUnusable:
    """The operator's one line for a database that can't be opened: a damaged file (not a
    database at all, or a corrupt one) is told apart from one that can't be reached."""
    name = getattr(exc, "sqlite_errorname", "")
    damaged = name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT"))
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return DatabaseUnusable(str(path), reason, damaged=damaged)


def _statements(script: str) -> list[str]:
    """Split a migration into statements (aiosqlite has no executescript inside BEGIN)."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def _utc_text(moment: datetime) -> str:
    """A datetime as the store writes timestamps (ISO text in UTC), so text comparison orders
    them right whatever zone the caller used; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC).isoformat()
    return moment.astimezone(UTC).isoformat()


def _dt(value: str | None) -> datetime:
    return datetime.fromisoformat(value) if value else datetime.fromtimestamp(0, UTC)


def _finished(finished: bool | None) -> str:
    """The SQL condition (with its leading AND) of the /orders filters."""
    if finished is None:
        return ""
    final = f"state = 'placed' AND status IN ({_sql_strings(FINAL_ORDER_STATUSES)})"
    return f" AND {final}" if finished else f" AND NOT ({final})"


def _user(row: sqlite3.Row) -> UserRecord:
    return UserRecord(
        id=row["id"],
        language=row["language"],
        first_name=row["first_name"],
        username=row["username"],
        first_seen=_dt(row["first_seen"]),
        last_seen=_dt(row["last_seen"]),
        blocked=bool(row["blocked"]),
        telegram_language=row["telegram_language"],
    )


def _order(row: sqlite3.Row) -> OrderRecord:
    return OrderRecord(
        id=row["id"],
        panel_order_id=row["panel_order_id"],
        user_id=row["user_id"],
        chat_id=row["chat_id"],
        service_id=row["service_id"],
        service_name=row["service_name"],
        link=row["link"],
        quantity=row["quantity"],
        charge=Decimal(row["charge"]),
        state=OrderState(row["state"]),
        status=row["status"],
        remains=row["remains"],
        start_count=row["start_count"],
        error=row["error"],
        created_at=_dt(row["created_at"]),
        updated_at=_dt(row["updated_at"]),
        notified_status=row["notified_status"],
        comments=row["comments"],
        runs=row["runs"],
        interval=row["interval"],
        fields=_fields(row["fields"]),
        cancel_requested=row["cancel_requested_at"] is not None,
    )


def _fields(text: str | None) -> dict[str, str] | None:
    """The JSON object of an order's type-specific parameters; None if absent or unreadable."""
    try:
        data = json.loads(text) if text else None
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    return {str(k): str(v) for k, v in data.items()}


def _refill(row: sqlite3.Row) -> RefillRecord:
    return RefillRecord(
        id=row["id"],
        refill_id=row["refill_id"],
        order_id=row["order_id"],
        panel_order_id=row["panel_order_id"],
        user_id=row["user_id"],
        status=row["status"],
        error=row["error"],
        created_at=_dt(row["created_at"]),
        updated_at=_dt(row["updated_at"]),
        notified_status=row["notified_status"],
    )


def _spend(row: sqlite3.Row) -> Spend:
    return Spend(
        user_id=row["user_id"],
        service_id=row["service_id"],
        service_name=row["service_name"],
        charge=Decimal(row["charge"]),
        created_at=_dt(row["created_at"]),
    )
