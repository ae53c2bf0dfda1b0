"""Wallets: each customer's running balance, and the append-only ledger that proves it.

`wallets.balance` is updated in the same transaction as every ledger entry, so reading a
balance never scans the ledger; `ledger.idempotency_key` is unique, so no event (a double
tap, a retried webhook, a restart) can be booked twice.  Amounts are signed (credit > 0,
debit < 0) and exact (`Money`), and each entry keeps the balance it left, so the chain of
`balance_after` can be audited entry by entry.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.types import Id, Money, UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wallets",
        sa.Column("user_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("balance", Money, nullable=False, server_default="0"),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "ledger",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),  # topup | charge | refund | adjustment
        sa.Column("amount", Money, nullable=False),  # signed: credit > 0, debit < 0
        sa.Column("reference", sa.Text),  # "order:12", "topup:5", "admin:1001"
        sa.Column("note", sa.Text),
        sa.Column("idempotency_key", sa.Text, nullable=False, unique=True),
        sa.Column("balance_after", Money, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ledger_user", "ledger", ["user_id", sa.text("id DESC")])
