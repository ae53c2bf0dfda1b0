"""Leases: which process runs a singleton job (the tracking poller), until when.

Two processes may share a PostgreSQL database (a deploy overlapping the old process, or two
behind one webhook URL); exactly one of them may poll the panel and send notifications.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.types import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("name", sa.Text, primary_key=True),  # e.g. 'tracking'
        sa.Column("holder", sa.Text, nullable=False),  # the process holding it
        sa.Column("expires_at", UtcDateTime, nullable=False),
    )
