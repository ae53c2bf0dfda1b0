"""The schema as SQLAlchemy Core tables: the one description of every table and column that
the queries of both engines are built from.  Migrations (`migrations/versions`) are the
history that produces it; `tests/test_store_migrations.py` checks the two agree.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ColumnElement,
    ForeignKey,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)

from bot.panel.models import (
    FINAL_ORDER_STATUSES,
    FINAL_REFILL_STATUSES,
    GIVING_BACK_ORDER_STATUSES,
    REFUNDED_ORDER_STATUSES,
)
from bot.store.types import Id, Money, UtcDateTime

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),  # Telegram user ID
    Column("language", Text),  # chosen UI language, NULL = from Telegram
    Column("first_name", Text, nullable=False, server_default=""),
    Column("username", Text),
    Column("first_seen", UtcDateTime, nullable=False),
    Column("last_seen", UtcDateTime, nullable=False),
    Column("blocked", Boolean(create_constraint=False), nullable=False, server_default=false()),
    Column("telegram_language", Text),  # the client's language, for messages we start
)

orders = Table(
    "orders",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("panel_order_id", BigInteger, unique=True),
    Column("user_id", BigInteger, ForeignKey("users.id"), nullable=False),
    Column("chat_id", BigInteger, nullable=False),
    Column("service_id", BigInteger, nullable=False),
    Column("service_name", Text, nullable=False),
    Column("link", Text, nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("charge", Money, nullable=False),
    Column("comments", Text),
    Column("runs", BigInteger),
    Column("interval", BigInteger),
    Column("confirm_token", Text, nullable=False, unique=True),  # one order per confirmation
    Column("state", Text, nullable=False),  # OrderState
    Column("status", Text, nullable=False, server_default="Pending"),  # OrderStatusKind
    Column("remains", BigInteger),
    Column("start_count", BigInteger),
    Column("error", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("checked_at", UtcDateTime),
    Column("notified_status", Text),
    Column("fields", Text),  # a service type's own `add` parameters, a JSON object
    Column("cancel_requested_at", UtcDateTime),
    Column("price", Money),  # what the customer's wallet paid (NULL: ordered at cost)
    Column("refunded", Money),  # what the wallet got back (NULL: not settled yet)
    sqlite_autoincrement=True,
)

refills = Table(
    "refills",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("refill_id", BigInteger, unique=True),
    Column("order_id", BigInteger, ForeignKey("orders.id"), nullable=False),
    Column("user_id", BigInteger, ForeignKey("users.id"), nullable=False),
    Column("status", Text, nullable=False, server_default="Pending"),
    Column("error", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("notified_status", Text),
    sqlite_autoincrement=True,
)

kv = Table(
    "kv",
    metadata,
    Column("namespace", Text, nullable=False),  # e.g. 'user_data', 'conversation:order'
    Column("key", Text, nullable=False),
    Column("value", Text, nullable=False),  # JSON
    Column("updated_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("namespace", "key"),
)

access = Table(
    "access",
    metadata,
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("allowed", Boolean(create_constraint=False), nullable=False),  # /allow or /deny
    Column("changed_by", BigInteger, nullable=False),
    Column("changed_at", UtcDateTime, nullable=False),
)

favorites = Table(
    "favorites",
    metadata,
    Column("user_id", BigInteger, nullable=False),
    Column("service_id", BigInteger, nullable=False),  # the panel's service ID
    Column("created_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("user_id", "service_id"),
)

leases = Table(
    "leases",
    metadata,
    Column("name", Text, primary_key=True),  # e.g. 'tracking'
    Column("holder", Text, nullable=False),  # the process holding it
    Column("expires_at", UtcDateTime, nullable=False),
)

wallets = Table(
    "wallets",
    metadata,
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),  # Telegram user ID
    Column("balance", Money, nullable=False, server_default="0"),  # = sum of the user's ledger
    Column("updated_at", UtcDateTime, nullable=False),
)

ledger = Table(
    "ledger",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", BigInteger, nullable=False),
    Column("kind", Text, nullable=False),  # EntryKind
    Column("amount", Money, nullable=False),  # signed: credit > 0, debit < 0
    Column("reference", Text),  # "order:12", "topup:5", "admin:1001"
    Column("note", Text),
    Column("idempotency_key", Text, nullable=False, unique=True),  # one booking per event
    Column("balance_after", Money, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ledger_user", "user_id", text("id DESC")),
    sqlite_autoincrement=True,
)

topups = Table(
    "topups",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("code", Text, nullable=False, unique=True),  # what the customer writes in the transfer
    Column("user_id", BigInteger, nullable=False),
    Column("chat_id", BigInteger, nullable=False),
    Column("method", Text, nullable=False),  # TopupMethod
    Column("amount", Money, nullable=False),  # asked, in the shop currency
    Column("stars", BigInteger),  # the invoice's price in Telegram Stars
    Column("state", Text, nullable=False),  # TopupState
    Column("credited", Money),  # what its one ledger credit booked
    Column("payment", Text, unique=True),  # what paid it: "sepay:92704", "stars:<charge id>"
    Column("assigned_by", BigInteger),  # the admin who credited an unmatched transfer with it
    Column("told", Text),  # the state the customer was last told of
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("paid_at", UtcDateTime),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("topups_user", "user_id", text("id DESC")),
    Index("topups_state", "state", "expires_at"),
    sqlite_autoincrement=True,
)

transfers = Table(
    "transfers",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("source", Text, nullable=False),  # "sepay" | "casso"
    Column("transaction_id", Text, nullable=False),  # the service's own ID: retries repeat it
    Column("amount", Money, nullable=False),
    Column("content", Text, nullable=False),
    Column("account", Text),
    Column("reference", Text),
    Column("happened_at", Text),  # as the service wrote it
    Column("state", Text, nullable=False),  # TransferState
    Column("reason", Text),  # why it is unmatched
    Column("topup_id", BigInteger, unique=True),  # the top-up it paid (one transfer, one top-up)
    Column("handled_by", BigInteger),  # the admin who assigned or dismissed it
    Column("received_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("source", "transaction_id", name="transfers_once"),
    Index("transfers_state", "state", text("id DESC")),
    sqlite_autoincrement=True,
)


def sql_strings(values: Iterable[str]) -> str:
    """Status values as SQL string literals (`'Completed', 'Partial'`); they contain no quote."""
    return ", ".join(f"'{value}'" for value in values)


# Conditions written as literal SQL, identical on both engines.  The first two read exactly
# as the partial indexes' WHERE (see the migrations): SQLite uses a partial index only when
# the query repeats its condition, literals included.
OPEN_ORDER_SQL = f"state = 'placed' AND status NOT IN ({sql_strings(FINAL_ORDER_STATUSES)})"
OPEN_REFILL_SQL = f"refill_id IS NOT NULL AND status NOT IN ({sql_strings(FINAL_REFILL_STATUSES)})"
NOT_GIVEN_BACK_SQL = f"status NOT IN ({sql_strings(REFUNDED_ORDER_STATUSES)})"
# A wallet-paid order whose outcome calls for a refund not booked yet (migration 0004's index).
REFUND_OWED_SQL = (
    "price IS NOT NULL AND refunded IS NULL"
    f" AND (state = 'failed' OR status IN ({sql_strings(GIVING_BACK_ORDER_STATUSES)}))"
)


def open_order() -> ColumnElement[bool]:
    return text(OPEN_ORDER_SQL)  # type: ignore[return-value]


def unnotified(table: Table) -> ColumnElement[bool]:
    """Status changed since the owner was last told (NULL = never told): `IS NOT` on SQLite,
    `IS DISTINCT FROM` on PostgreSQL, both NULL-safe."""
    return table.c.notified_status.is_distinct_from(table.c.status)

