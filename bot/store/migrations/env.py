"""Alembic's entry point, run by `bot.store.migrate` on a connection it already holds (one
history for SQLite and PostgreSQL); there is no alembic.ini: `python -m bot migrate` is the
command."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, transaction_per_migration=True)
with context.begin_transaction():
    context.run_migrations()
