"""Baseline: users, orders (written as intents before `add`), refills, kv, access, favorites.

The schema the SQLite-only history (`bot/store/legacy.py`, `PRAGMA user_version` 1–8) had
reached when both engines got one history: a SQLite file from before is brought to version 8
by that history and then stamped with this revision, a new database (either engine) is
created by it.  Never edit it: deployed databases have run it.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from bot.store.types import Id, Money, UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_FINAL_ORDER = "'Completed', 'Partial', 'Canceled', 'Refunded'"
_FINAL_REFILL = "'Completed', 'Rejected', 'Error', 'Canceled'"


def _partial(condition: str) -> dict[str, Any]:
    return {"sqlite_where": sa.text(condition), "postgresql_where": sa.text(condition)}


def _changed() -> dict[str, Any]:
    """NULL-safe "status differs from the one told", spelled by each engine."""
    return {
        "sqlite_where": sa.text("notified_status IS NOT status"),
        "postgresql_where": sa.text("notified_status IS DISTINCT FROM status"),
    }


def upgrade() -> None:
    flag = sa.Boolean(create_constraint=False)
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("language", sa.Text),
        sa.Column("first_name", sa.Text, nullable=False, server_default=""),
        sa.Column("username", sa.Text),
        sa.Column("first_seen", UtcDateTime, nullable=False),
        sa.Column("last_seen", UtcDateTime, nullable=False),
        sa.Column("blocked", flag, nullable=False, server_default=sa.false()),
        sa.Column("telegram_language", sa.Text),
    )
    op.create_table(
        "orders",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("panel_order_id", sa.BigInteger, unique=True),
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("service_id", sa.BigInteger, nullable=False),
        sa.Column("service_name", sa.Text, nullable=False),
        sa.Column("link", sa.Text, nullable=False),
        sa.Column("quantity", sa.BigInteger, nullable=False),
        sa.Column("charge", Money, nullable=False),
        sa.Column("comments", sa.Text),
        sa.Column("runs", sa.BigInteger),
        sa.Column("interval", sa.BigInteger),
        sa.Column("confirm_token", sa.Text, nullable=False, unique=True),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="Pending"),
        sa.Column("remains", sa.BigInteger),
        sa.Column("start_count", sa.BigInteger),
        sa.Column("error", sa.Text),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("checked_at", UtcDateTime),
        sa.Column("notified_status", sa.Text),
        sa.Column("fields", sa.Text),
        sa.Column("cancel_requested_at", UtcDateTime),
        sqlite_autoincrement=True,
    )
    op.create_index("orders_user", "orders", ["user_id", sa.text("id DESC")])
    op.create_index("orders_active", "orders", ["state", "status"])
    op.create_index("orders_created", "orders", ["created_at"])
    op.create_index(
        "orders_open",
        "orders",
        ["checked_at", "id"],
        **_partial(f"state = 'placed' AND status NOT IN ({_FINAL_ORDER})"),
    )
    op.create_index("orders_unnotified", "orders", ["updated_at", "id"], **_changed())
    op.create_table(
        "refills",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("refill_id", sa.BigInteger, unique=True),
        sa.Column("order_id", sa.BigInteger, sa.ForeignKey("orders.id"), nullable=False),
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="Pending"),
        sa.Column("error", sa.Text),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("notified_status", sa.Text),
        sqlite_autoincrement=True,
    )
    op.create_index("refills_user", "refills", ["user_id", sa.text("id DESC")])
    op.create_index("refills_status", "refills", ["status"])
    op.create_index(
        "refills_open",
        "refills",
        ["id"],
        **_partial(f"refill_id IS NOT NULL AND status NOT IN ({_FINAL_REFILL})"),
    )
    op.create_index("refills_unnotified", "refills", ["id"], **_changed())
    op.create_table(
        "kv",
        sa.Column("namespace", sa.Text, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("namespace", "key"),
    )
    op.create_table(
        "access",
        sa.Column("user_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("allowed", flag, nullable=False),
        sa.Column("changed_by", sa.BigInteger, nullable=False),
        sa.Column("changed_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "favorites",
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("service_id", sa.BigInteger, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("user_id", "service_id"),
    )
