"""Leases: one process at a time runs a singleton job (the tracking poller and its
notifications), however many share the database; a holder that dies loses it at expiry."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, or_, select

from bot.store.part import StorePart
from bot.store.tables import leases


class LeaseStore(StorePart):
    async def acquire(self, name: str, holder: str, ttl: timedelta) -> bool:
        """Take or renew the lease `name` for `ttl`; True if `holder` has it now.

        One statement, so two processes asking at once can't both win: the conflicting
        update applies only where the lease is free (expired) or already the holder's.
        """
        now = self._now()
        statement = self._db.upsert(
            leases,
            {"name": name, "holder": holder, "expires_at": now + ttl},
            ["name"],
            lambda new: {"holder": new.holder, "expires_at": new.expires_at},
            where=or_(leases.c.expires_at < now, leases.c.holder == holder),
        )
        async with self._db.write() as conn:
            await conn.execute(statement)
            current = await conn.scalar(select(leases.c.holder).where(leases.c.name == name))
        return current == holder

    async def holds(self, name: str, holder: str) -> bool:
        """Whether `holder` still holds an unexpired lease `name` (checked before acting on it)."""
        async with self._db.read() as conn:
            row = (
                await conn.execute(select(leases.c.holder, leases.c.expires_at).where(leases.c.name == name))
            ).first()
        return row is not None and row.holder == holder and row.expires_at > self._now()

    async def release(self, name: str, holder: str) -> None:
        """Give the lease up (a clean stop): another process may take it at once."""
        async with self._db.write() as conn:
            await conn.execute(delete(leases).where(leases.c.name == name, leases.c.holder == holder))
