"""Orders: written as an intent before `add` is sent, then placed, failed or of unknown
outcome; tracked against the panel's status; told to their owner once per change."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    bindparam,
    case,
    func,
    not_,
    or_,
    select,
    text,
    type_coerce,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.panel.models import FINAL_ORDER_STATUSES, MAX_PANEL_NUMBER, OrderStatus, OrderStatusKind
from bot.store.errors import DuplicateConfirmation, DuplicatePanelOrder
from bot.store.models import NewOrder, OrderRecord, OrderState, Spend
from bot.store.part import StorePart
from bot.store.tables import (
    NOT_GIVEN_BACK_SQL,
    OPEN_ORDER_SQL,
    REFUND_OWED_SQL,
    orders,
    unnotified,
    users,
)

# Orders that reached (or may have reached) the panel: what counts as spent.
_SPENT_STATES = (OrderState.PLACED, OrderState.UNKNOWN, OrderState.INTENT)
_TOLD_STATES = (OrderState.PLACED, OrderState.UNKNOWN, OrderState.FAILED)


class OrderStore(StorePart):
    async def create_order_intent(
        self, order: NewOrder, *, conn: AsyncConnection | None = None
    ) -> OrderRecord:
        """Write the order before calling the panel, so a crash can never lose it.

        Raises `DuplicateConfirmation` if this confirmation was already recorded.  `conn`: the
        caller's transaction (the shop books the wallet charge in it).
        """
        now = self._now()
        values = {
            "user_id": order.user_id,
            "chat_id": order.chat_id,
            "service_id": order.service_id,
            "service_name": order.service_name,
            "link": order.link,
            "quantity": order.quantity,
            "charge": order.charge,
            "comments": order.comments,
            "runs": order.runs,
            "interval": order.interval,
            "confirm_token": order.confirm_token,
            "state": OrderState.INTENT,
            "status": OrderStatusKind.PENDING,
            "remains": order.quantity,
            "created_at": now,
            "updated_at": now,
            "notified_status": OrderStatusKind.PENDING,
            "fields": json.dumps(order.fields, ensure_ascii=False) if order.fields else None,
            "price": order.price,
        }
        try:
            async with self._writing(conn) as tx:
                row = (await tx.execute(orders.insert().values(**values).returning(*orders.c))).one()
        except IntegrityError as exc:
            if "confirm_token" in str(exc.orig):
                raise DuplicateConfirmation(order.confirm_token) from None
            raise
        return order_from_row(row._mapping)

    async def mark_order_placed(self, order_id: int, panel_order_id: int) -> None:
        await self._set(
            order_id,
            state=OrderState.PLACED,
            panel_order_id=panel_order_id,
            error=None,
            updated_at=self._now(),
        )

    async def mark_order_failed(
        self, order_id: int, error: str, *, conn: AsyncConnection | None = None
    ) -> None:
        """The panel refused: nothing was charged; keep the row for the record.  `conn`: the
        caller's transaction (the shop refunds the wallet in it)."""
        await self._conclude(order_id, OrderState.FAILED, OrderStatusKind.FAILED, error, conn)

    async def mark_order_unknown(self, order_id: int, reason: str) -> None:
        """`add` may or may not have gone through: the owner checks (see /unknown)."""
        await self._conclude(order_id, OrderState.UNKNOWN, OrderStatusKind.UNKNOWN, reason)

    async def _conclude(
        self, order_id: int, state: OrderState, status: str, error: str, conn: AsyncConnection | None = None
    ) -> None:
        """The outcome of `add` as the user was just told it (so nothing is left to notify)."""
        await self._set(
            order_id,
            conn,
            state=state,
            status=status,
            notified_status=status,
            error=error,
            updated_at=self._now(),
        )

    async def mark_refunded(self, order_id: int, amount: Decimal, *, conn: AsyncConnection) -> None:
        """What the wallet got back for this order (0: nothing was due), in the transaction
        that books the refund's ledger entry, so the two can't disagree."""
        await self._set(order_id, conn, refunded=amount)

    async def mark_refunded_many(self, refunded: dict[int, Decimal], *, conn: AsyncConnection) -> None:
        """`mark_refunded` for many orders (order ID → amount), in one executemany."""
        if refunded:
            rows = [{"oid_": order_id, "amount_": amount} for order_id, amount in refunded.items()]
            await conn.execute(_MARK_REFUNDED, rows)

    async def refunds_owed(self, limit: int = 5000) -> list[OrderRecord]:
        """Wallet-paid orders whose outcome (refused, Partial, Canceled, Refunded) calls for a
        refund not yet booked: what the tracking cycle settles (`orders_refund_owed` index)."""
        query = select(orders).where(text(REFUND_OWED_SQL)).order_by(orders.c.id).limit(limit)
        return await self._orders(query)

    async def _set(self, order_id: int, conn: AsyncConnection | None = None, **values: Any) -> int:
        async with self._writing(conn) as tx:
            result = await tx.execute(update(orders).where(orders.c.id == order_id).values(**values))
        return result.rowcount

    async def mark_interrupted(self, order_ids: Iterable[int] | None = None) -> int:
        """Intents still waiting for `add` were cut off by a crash: their outcome is unknown.
        They become UNKNOWN with nothing notified yet, so the owner is told.

        `order_ids`: only these (still intents); with processes sharing the database, the
        caller leaves out those a live process may be placing right now.
        """
        statement = update(orders).where(orders.c.state == OrderState.INTENT)
        if order_ids is not None:
            ids = list(order_ids)
            if not ids:
                return 0
            statement = statement.where(orders.c.id.in_(ids))
        async with self._db.write() as conn:
            result = await conn.execute(
                statement.values(
                    state=OrderState.UNKNOWN,
                    status=OrderStatusKind.UNKNOWN,
                    notified_status=None,
                    error="interrupted by a restart",
                    updated_at=self._now(),
                )
            )
        return result.rowcount

    async def settle_unknown(self, order_id: int, panel_order_id: int | None, note: str) -> bool:
        """An admin's verdict on an order of unknown outcome: placed as `panel_order_id`, or
        (None) not placed.  Only an order still unknown changes (two admins can't both settle
        it); its status then differs from what its owner was told, so the owner is notified.

        Raises `DuplicatePanelOrder` when that panel order is already another order's.
        """
        values: dict[str, Any] = {"error": note, "updated_at": self._now()}
        if panel_order_id is None:
            values |= {"state": OrderState.FAILED, "status": OrderStatusKind.FAILED}
        else:
            values |= {
                "state": OrderState.PLACED,
                "panel_order_id": panel_order_id,
                "status": OrderStatusKind.PENDING,
                "checked_at": None,
            }
        statement = (
            update(orders)
            .where(orders.c.id == order_id, orders.c.state == OrderState.UNKNOWN)
            .values(**values)
        )
        try:
            async with self._db.write() as conn:
                return (await conn.execute(statement)).rowcount == 1
        except IntegrityError as exc:
            if "panel_order_id" in str(exc.orig):
                raise DuplicatePanelOrder(panel_order_id or 0) from None
            raise

    async def get_order(self, order_id: int) -> OrderRecord | None:
        return await self._first(orders.c.id == order_id)

    async def get_order_by_panel_id(self, panel_order_id: int) -> OrderRecord | None:
        if abs(panel_order_id) > MAX_PANEL_NUMBER:
            return None  # never stored, and past what a BIGINT parameter can carry
        return await self._first(orders.c.panel_order_id == panel_order_id)

    async def get_order_by_confirmation(self, confirm_token: str) -> OrderRecord | None:
        return await self._first(orders.c.confirm_token == confirm_token)

    async def _first(self, condition: ColumnElement[bool]) -> OrderRecord | None:
        async with self._db.read() as conn:
            row = (await conn.execute(select(orders).where(condition))).first()
        return order_from_row(row._mapping) if row else None

    async def list_user_orders(
        self, user_id: int, *, limit: int = 10, offset: int = 0, finished: bool | None = None
    ) -> list[OrderRecord]:
        """The user's orders, newest first (failed attempts excluded: nothing happened);
        `finished` True: only those with a final status, False: only the others, None: all."""
        query = (
            select(orders)
            .where(*_listed(user_id, finished))
            .order_by(orders.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return await self._orders(query)

    async def count_user_orders(self, user_id: int, *, finished: bool | None = None) -> int:
        async with self._db.read() as conn:
            count = await conn.scalar(
                select(func.count()).select_from(orders).where(*_listed(user_id, finished))
            )
        return int(count or 0)

    async def search_user_orders(
        self, user_id: int, words: str, panel_order_id: int | None = None, *, limit: int = 20
    ) -> tuple[list[OrderRecord], int]:
        """The user's orders whose link contains `words` (case-insensitive, taken literally),
        or whose panel ID is `panel_order_id`; newest first, at most `limit`, and how many match."""
        matches = orders.c.link.icontains(words, autoescape=True)
        if panel_order_id is not None and abs(panel_order_id) <= MAX_PANEL_NUMBER:
            matches = or_(matches, orders.c.panel_order_id == panel_order_id)
        where = (*_listed(user_id, None), matches)
        found = await self._orders(select(orders).where(*where).order_by(orders.c.id.desc()).limit(limit))
        async with self._db.read() as conn:
            count = await conn.scalar(select(func.count()).select_from(orders).where(*where))
        return found, int(count or 0)

    async def mark_cancel_requested(self, order_id: int, requested: bool = True) -> None:
        """Remember (or forget, when the panel refused) that the owner asked for a cancel."""
        await self._set(order_id, cancel_requested_at=self._now() if requested else None)

    async def unresolved_orders(self, user_id: int | None = None) -> list[OrderRecord]:
        """Intents whose outcome we don't know (crash or timeout during `add`)."""
        query = select(orders).where(orders.c.state.in_([OrderState.INTENT, OrderState.UNKNOWN]))
        if user_id is not None:
            query = query.where(orders.c.user_id == user_id)
        return await self._orders(query.order_by(orders.c.id))

    async def due_order_ids(
        self, *, stuck_after: timedelta = timedelta(days=2), stuck_every: timedelta = timedelta(hours=1)
    ) -> list[int]:
        """Panel IDs of placed orders whose status is not final (unknown statuses count as open).

        Orders open for longer than `stuck_after` are due only every `stuck_every`, so a
        backlog of stuck orders doesn't dominate each cycle. Least recently checked first
        (never checked before all).  IDs only: a cycle over tens of thousands of orders
        needs nothing else.
        """
        now = self._clock()
        query = (
            select(orders.c.panel_order_id)
            .where(
                text(OPEN_ORDER_SQL),
                or_(
                    orders.c.created_at >= now - stuck_after,
                    orders.c.checked_at.is_(None),
                    orders.c.checked_at <= now - stuck_every,
                ),
            )
            .order_by(orders.c.checked_at.asc().nulls_first(), orders.c.id)
        )
        async with self._db.read() as conn:
            return [int(row[0]) for row in await conn.execute(query)]

    async def orders_to_notify(self, statuses: tuple[str, ...], limit: int) -> list[OrderRecord]:
        """Orders whose status is one of `statuses` and was not told to a reachable owner."""
        reachable = select(users.c.id).where(not_(users.c.blocked))
        query = (
            select(orders)
            .where(
                unnotified(orders),
                orders.c.state.in_(_TOLD_STATES),
                orders.c.status.in_(statuses),
                orders.c.user_id.in_(reachable),
            )
            .order_by(orders.c.updated_at, orders.c.id)
            .limit(limit)
        )
        return await self._orders(query)

    async def apply_statuses(self, statuses: Iterable[OrderStatus]) -> int:
        """Store fresh panel statuses (by panel order ID) in one transaction; returns how many
        of our orders got an answer.

        Two batched statements (`executemany`) instead of one per order: a cycle writes tens
        of thousands of rows, and each statement is a round trip.  An entry with a value the
        database can't take (an int past 2**63) would fail the whole batch, every cycle:
        such an entry counts as unanswered (checked, nothing else changes), as does one the
        panel refused or that could not be read.
        """
        now = self._now()
        answered: list[OrderStatus] = []
        checked: list[int] = []  # refused, unreadable or unstorable: checked, nothing else changes
        for st in statuses:
            if abs(st.order_id) > MAX_PANEL_NUMBER:
                continue  # can't be one of ours: panel IDs are stored only when sane
            if st.error is not None or st.unreadable or not st.within_bounds:
                checked.append(st.order_id)
            else:
                answered.append(st)
        if not answered and not checked:
            return 0
        async with self._db.write() as conn:
            # Only rows whose answer differs are rewritten (status, remains, start count,
            # charge: most polls change nothing); the rest just get `checked_at`, in one
            # statement.  Read under lock, so what is compared is what is replaced.
            stored: dict[int, tuple[Any, ...]] = {}
            if answered:
                found = await conn.execute(_STORED, {"pids": [st.order_id for st in answered]})
                stored = {pid: (status, left, start, charge) for pid, status, left, start, charge in found}
            changed: list[dict[str, Any]] = []
            for st in answered:
                row = stored.get(st.order_id)
                if row is None:
                    continue
                if _differs(row, st):
                    changed.append(
                        {
                            "pid": st.order_id,
                            "now": now,
                            "status_": st.status,
                            "remains_": st.remains,
                            "start_count_": st.start_count,
                            "charge_": st.charge,
                        }
                    )
                else:
                    checked.append(st.order_id)
            if changed:
                await conn.execute(_ANSWERED, changed)
            if checked:
                await conn.execute(_CHECKED, {"pids": checked, "now": now})
        return len(stored)

    async def set_order_notified(self, order_id: int, status: str) -> None:
        await self._set(order_id, notified_status=status)

    async def orders_by_panel_ids(self, user_id: int, panel_order_ids: Iterable[int]) -> list[OrderRecord]:
        """The user's orders among these panel IDs (others' are simply absent), in ID order."""
        ids = [i for i in dict.fromkeys(panel_order_ids) if abs(i) <= MAX_PANEL_NUMBER]
        if not ids:
            return []
        query = (
            select(orders)
            .where(orders.c.user_id == user_id, orders.c.panel_order_id.in_(ids))
            .order_by(orders.c.panel_order_id)
        )
        return await self._orders(query)

    async def spending(self, since: datetime | None = None, user_id: int | None = None) -> list[Spend]:
        """Charges of orders that reached (or may have reached) the panel and were not given
        back, for stats and limits.

        Unknown outcomes count: for a spending limit, "maybe charged" must count as charged.
        Canceled and Refunded orders don't: the panel gave the money back,
        whatever charge it last reported.  A Partial counts the charge the panel last reported
        (`apply_statuses` keeps it), not the one quoted.  `since` may be in any zone: times
        are compared as moments.
        """
        query = select(
            orders.c.user_id,
            orders.c.service_id,
            orders.c.service_name,
            orders.c.charge,
            orders.c.created_at,
            orders.c.price,
            orders.c.refunded,
        ).where(orders.c.state.in_(_SPENT_STATES), text(NOT_GIVEN_BACK_SQL))
        if since is not None:
            query = query.where(orders.c.created_at >= since)
        if user_id is not None:
            query = query.where(orders.c.user_id == user_id)
        async with self._db.read() as conn:
            rows = await conn.execute(query)
        return [
            Spend(
                user_id=row.user_id,
                service_id=row.service_id,
                service_name=row.service_name,
                charge=Decimal(row.charge),
                created_at=row.created_at,
                price=None if row.price is None else Decimal(row.price),
                refunded=None if row.refunded is None else Decimal(row.refunded),
            )
            for row in rows
        ]

    async def _orders(self, query: Any) -> list[OrderRecord]:
        async with self._db.read() as conn:
            return [order_from_row(row._mapping) for row in await conn.execute(query)]


# The tracking cycle's statements, built once: the ID lists are bound at execution
# (`expanding`), so no statement is rebuilt around a thousand literals per batch.
# The charge as the driver hands it over (no `Money` conversion: a cycle reads 100,000 of
# them to compare, and converting each to a Decimal was a tenth of its time): the Decimal's
# text on SQLite, a Decimal on PostgreSQL.  `_same_charge` compares either exactly.
_STORED = (
    select(
        orders.c.panel_order_id,
        orders.c.status,
        orders.c.remains,
        orders.c.start_count,
        type_coerce(orders.c.charge, String()),
    )
    .where(orders.c.panel_order_id.in_(bindparam("pids", expanding=True)))
    .with_for_update()
)
_CHECKED = (
    update(orders)
    .where(orders.c.panel_order_id.in_(bindparam("pids", expanding=True)))
    .values(checked_at=bindparam("now", type_=orders.c.checked_at.type))
)


def _differs(stored: tuple[Any, ...], answer: OrderStatus) -> bool:
    """Whether writing `answer` over `stored` (status, remains, start count, charge) would
    change the row: a missing remains, start count or charge keeps the stored one, as
    `_ANSWERED` does."""
    status, remains, start_count, charge = stored
    return (
        status != answer.status
        or (answer.remains is not None and remains != answer.remains)
        or (answer.start_count is not None and start_count != answer.start_count)
        or (answer.charge is not None and not _same_charge(charge, answer.charge))
    )


def _same_charge(stored: str | Decimal, charge: Decimal) -> bool:
    """`stored` as `_STORED` reads it.  The same text is the same amount (it was written as
    `str(Decimal)`); a different spelling may still be the same amount ("0.5", "0.50")."""
    if type(stored) is str:
        return stored == str(charge) or Decimal(stored) == charge
    return stored == charge


_ANSWERED = (
    update(orders)
    .where(orders.c.panel_order_id == bindparam("pid"))
    .values(
        status=bindparam("status_"),
        remains=func.coalesce(bindparam("remains_", type_=orders.c.remains.type), orders.c.remains),
        start_count=func.coalesce(
            bindparam("start_count_", type_=orders.c.start_count.type), orders.c.start_count
        ),
        charge=func.coalesce(bindparam("charge_", type_=orders.c.charge.type), orders.c.charge),
        checked_at=bindparam("now", type_=orders.c.checked_at.type),
        updated_at=case(
            (orders.c.status != bindparam("status_"), bindparam("now", type_=orders.c.updated_at.type)),
            else_=orders.c.updated_at,
        ),
    )
)


_MARK_REFUNDED = (
    update(orders)
    .where(orders.c.id == bindparam("oid_"))
    .values(refunded=bindparam("amount_", type_=orders.c.refunded.type))
)


def _listed(user_id: int, finished: bool | None) -> tuple[ColumnElement[bool], ...]:
    """The /orders conditions: the user's, failed attempts left out, and the filter
    (`finished` True: final status only, False: the others, None: all)."""
    conditions: tuple[ColumnElement[bool], ...] = (
        orders.c.user_id == user_id,
        orders.c.state != OrderState.FAILED,
    )
    if finished is None:
        return conditions
    final = and_(orders.c.state == OrderState.PLACED, orders.c.status.in_(FINAL_ORDER_STATUSES))
    return (*conditions, final if finished else not_(final))


def order_from_row(row: Any) -> OrderRecord:
    return OrderRecord(
        id=row["id"],
        panel_order_id=row["panel_order_id"],
        user_id=row["user_id"],
        chat_id=row["chat_id"],
        service_id=row["service_id"],
        service_name=row["service_name"],
        link=row["link"],
        quantity=row["quantity"],
        charge=row["charge"],
        state=OrderState(row["state"]),
        status=row["status"],
        remains=row["remains"],
        start_count=row["start_count"],
        error=row["error"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        notified_status=row["notified_status"],
        comments=row["comments"],
        runs=row["runs"],
        interval=row["interval"],
        fields=_fields(row["fields"]),
        cancel_requested=row["cancel_requested_at"] is not None,
        price=row["price"],
        refunded=row["refunded"],
    )


def _fields(text_: str | None) -> dict[str, str] | None:
    """The JSON object of an order's type-specific parameters; None if absent or unreadable."""
    try:
        data = json.loads(text_) if text_ else None
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    return {str(k): str(v) for k, v in data.items()}
