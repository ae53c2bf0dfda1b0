"""Small named values: the chat framework's saved state (wizard drafts, conversation states)
and the bot's own flags (alert states, the claimed admin), as text under a namespace."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, or_, select

from bot.store.part import StorePart
from bot.store.tables import kv


class KeyValueStore(StorePart):
    async def load_namespace(self, namespace: str) -> dict[str, str]:
        async with self._db.read() as conn:
            rows = await conn.execute(select(kv.c.key, kv.c.value).where(kv.c.namespace == namespace))
        return {row.key: row.value for row in rows}

    async def get_values(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """Several (namespace, key) values in one query; absent ones are left out."""
        if not keys:
            return {}
        wanted = or_(*(and_(kv.c.namespace == namespace, kv.c.key == key) for namespace, key in keys))
        async with self._db.read() as conn:
            rows = await conn.execute(select(kv.c.namespace, kv.c.key, kv.c.value).where(wanted))
        return {(row.namespace, row.key): row.value for row in rows}

    async def updated_at(self, namespace: str, key: str) -> datetime | None:
        """When the value was last written (None: there is none)."""
        async with self._db.read() as conn:
            return await conn.scalar(
                select(kv.c.updated_at).where(kv.c.namespace == namespace, kv.c.key == key)
            )

    async def save_value(self, namespace: str, key: str, value: str) -> None:
        statement = self._db.upsert(
            kv,
            {"namespace": namespace, "key": key, "value": value, "updated_at": self._now()},
            ["namespace", "key"],
            lambda new: {"value": new.value, "updated_at": new.updated_at},
        )
        async with self._db.write() as conn:
            await conn.execute(statement)

    async def delete_value(self, namespace: str, key: str) -> None:
        async with self._db.write() as conn:
            await conn.execute(delete(kv).where(kv.c.namespace == namespace, kv.c.key == key))
