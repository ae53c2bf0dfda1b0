"""Refills the owner asked the panel for, tracked like orders and told once per change."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, not_, select, text, update

from bot.panel.models import FINAL_REFILL_STATUSES, MAX_PANEL_NUMBER, RefillStatus
from bot.store.models import OrderRecord, RefillRecord
from bot.store.orders import order_from_row
from bot.store.part import StorePart
from bot.store.tables import OPEN_REFILL_SQL, orders, refills, unnotified, users

_WITH_ORDER = refills.join(orders, orders.c.id == refills.c.order_id)
_REFILL = select(*refills.c, orders.c.panel_order_id).select_from(_WITH_ORDER)


class RefillStore(StorePart):
    async def add_refill(self, order_id: int, user_id: int, refill_id: int) -> RefillRecord:
        """Record a refill; a refill ID the panel already gave (some panels answer a repeated
        request with the refill still running) returns the existing record."""
        now = self._now()
        statement = self._db.upsert(
            refills,
            {
                "refill_id": refill_id,
                "order_id": order_id,
                "user_id": user_id,
                "created_at": now,
                "updated_at": now,
            },
            ["refill_id"],
        )
        async with self._db.write() as conn:
            await conn.execute(statement)
            row = (await conn.execute(_REFILL.where(refills.c.refill_id == refill_id))).one()
        return _refill(row._mapping)

    async def get_refill(self, local_id: int) -> RefillRecord | None:
        found = await self._refills(refills.c.id == local_id)
        return found[0] if found else None

    async def list_user_refills(
        self, user_id: int, *, limit: int = 10, offset: int = 0
    ) -> list[RefillRecord]:
        mine = refills.c.user_id == user_id
        return await self._refills(mine, limit=limit, offset=offset, newest_first=True)

    async def open_refill(self, order_id: int) -> RefillRecord | None:
        """The order's newest refill the panel has not finished yet, if any."""
        found = await self._refills(
            refills.c.order_id == order_id,
            refills.c.refill_id.is_not(None),
            refills.c.status.not_in(FINAL_REFILL_STATUSES),
            limit=1,
            newest_first=True,
        )
        return found[0] if found else None

    async def count_user_refills(self, user_id: int) -> int:
        async with self._db.read() as conn:
            count = await conn.scalar(
                select(func.count()).select_from(refills).where(refills.c.user_id == user_id)
            )
        return int(count or 0)

    async def update_refill_statuses(self, statuses: Iterable[RefillStatus]) -> int:
        """Store fresh refill statuses (by the panel's refill ID) in one transaction.

        An ID the panel could not answer for keeps its last known status.  Returns
        the number of refills whose status changed.
        """
        now = self._now()
        fresh = {
            st.refill_id: st.status
            for st in statuses
            if st.error is None and abs(st.refill_id) <= MAX_PANEL_NUMBER
        }
        if not fresh:
            return 0
        async with self._db.write() as conn:
            current = {
                int(row.refill_id): row.status
                for row in await conn.execute(
                    select(refills.c.refill_id, refills.c.status).where(refills.c.refill_id.in_(list(fresh)))
                )
            }
            changes = [
                {"rid": refill_id, "status_": status, "now": now}
                for refill_id, status in fresh.items()
                if refill_id in current and current[refill_id] != status
            ]
            if changes:
                await conn.execute(_CHANGED, changes)
        return len(changes)

    async def due_refill_ids(self) -> list[int]:
        """Panel refill IDs whose status is not final."""
        query = select(refills.c.refill_id).where(text(OPEN_REFILL_SQL)).order_by(refills.c.id)
        async with self._db.read() as conn:
            return [int(row[0]) for row in await conn.execute(query)]

    async def refills_to_notify(
        self, statuses: tuple[str, ...], limit: int
    ) -> list[tuple[RefillRecord, OrderRecord]]:
        """Refills in one of `statuses` not yet told to a reachable owner, with their orders."""
        reachable = select(users.c.id).where(not_(users.c.blocked))
        query = (
            select(refills.c.id, refills.c.order_id)
            .where(unnotified(refills), refills.c.status.in_(statuses), refills.c.user_id.in_(reachable))
            .order_by(refills.c.id)
            .limit(limit)
        )
        async with self._db.read() as conn:
            due = [(int(row.id), int(row.order_id)) for row in await conn.execute(query)]
            if not due:
                return []
            found = {
                int(row.id): _refill(row._mapping)
                for row in await conn.execute(_REFILL.where(refills.c.id.in_([r for r, _ in due])))
            }
            owners = {
                int(row.id): order_from_row(row._mapping)
                for row in await conn.execute(select(orders).where(orders.c.id.in_([o for _, o in due])))
            }
        return [(found[r], owners[o]) for r, o in due if r in found and o in owners]

    async def set_refill_notified(self, local_id: int, status: str) -> None:
        async with self._db.write() as conn:
            await conn.execute(update(refills).where(refills.c.id == local_id).values(notified_status=status))

    async def _refills(
        self,
        *conditions: ColumnElement[bool],
        limit: int | None = None,
        offset: int = 0,
        newest_first: bool = False,
    ) -> list[RefillRecord]:
        query = _REFILL.where(*conditions).order_by(refills.c.id.desc() if newest_first else refills.c.id)
        if limit is not None:
            query = query.limit(limit).offset(offset)
        async with self._db.read() as conn:
            return [_refill(row._mapping) for row in await conn.execute(query)]


_CHANGED = (
    update(refills)
    .where(refills.c.refill_id == bindparam("rid"))
    .values(
        status=bindparam("status_"),
        error=None,
        updated_at=bindparam("now", type_=refills.c.updated_at.type),
    )
)


def _refill(row: Any) -> RefillRecord:
    return RefillRecord(
        id=row["id"],
        refill_id=row["refill_id"],
        order_id=row["order_id"],
        panel_order_id=row["panel_order_id"],
        user_id=row["user_id"],
        status=row["status"],
        error=row["error"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        notified_status=row["notified_status"],
    )
