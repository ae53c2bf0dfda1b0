"""Shop orders: what a customer paid from their wallet, and what was given back.

`orders.charge` stays the panel's charge (the owner's cost, kept current by tracking);
`orders.price` is the retail amount the customer's wallet paid (NULL: an order at cost from
the panel balance, an admin's or any order in direct mode); `orders.refunded` is what the
wallet got back, written in the same transaction as the refund's ledger entry (NULL: not
settled yet; 0: settled, nothing due).  The partial index keeps the refund sweep to the
orders still owed one, however many settled orders pile up.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.types import Money

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Written as `tables.REFUND_OWED_SQL` reads it: SQLite uses a partial index only for a query
# repeating its condition, literals included.
_OWED = (
    "price IS NOT NULL AND refunded IS NULL"
    " AND (state = 'failed' OR status IN ('Partial', 'Canceled', 'Refunded', 'Failed'))"
)


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("price", Money))
        batch.add_column(sa.Column("refunded", Money))
    op.create_index(
        "orders_refund_owed",
        "orders",
        ["id"],
        sqlite_where=sa.text(_OWED),
        postgresql_where=sa.text(_OWED),
    )
