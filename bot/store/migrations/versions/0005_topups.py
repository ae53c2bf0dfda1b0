"""Top-ups: each attempt of a customer to put money in their wallet, and every bank transfer
a notification service reported.

A top-up is paid by at most one payment (`topups.payment` is unique: "sepay:92704",
"stars:<charge id>") and books exactly one ledger credit (key `topup:{id}`), in the same
transaction as its state becomes paid.  A transfer is recorded once per service transaction
(`transfers_once`): a notification retried for hours, concurrently or after a restart, finds
its row and credits nothing more.  A transfer that matched nothing stays "unmatched" until an
admin assigns or dismisses it: money that arrived is never dropped.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.types import Id, Money, UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "topups",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("code", sa.Text, nullable=False, unique=True),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("method", sa.Text, nullable=False),
        sa.Column("amount", Money, nullable=False),
        sa.Column("stars", sa.BigInteger),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("credited", Money),
        sa.Column("payment", sa.Text, unique=True),
        sa.Column("assigned_by", sa.BigInteger),
        sa.Column("told", sa.Text),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("expires_at", UtcDateTime, nullable=False),
        sa.Column("paid_at", UtcDateTime),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("topups_user", "topups", ["user_id", sa.text("id DESC")])
    op.create_index("topups_state", "topups", ["state", "expires_at"])
    op.create_table(
        "transfers",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("transaction_id", sa.Text, nullable=False),
        sa.Column("amount", Money, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("account", sa.Text),
        sa.Column("reference", sa.Text),
        sa.Column("happened_at", sa.Text),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("topup_id", sa.BigInteger, unique=True),
        sa.Column("handled_by", sa.BigInteger),
        sa.Column("received_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.UniqueConstraint("source", "transaction_id", name="transfers_once"),
        sqlite_autoincrement=True,
    )
    op.create_index("transfers_state", "transfers", ["state", sa.text("id DESC")])
