"""Services a user starred (⭐ on the card), listed by /favorites."""

from __future__ import annotations

from sqlalchemy import delete, select

from bot.store.part import StorePart
from bot.store.tables import favorites


class FavoriteStore(StorePart):
    async def list_favorites(self, user_id: int) -> list[int]:
        """The user's starred service IDs, newest first (two starred within the same
        instant: the higher ID first, so the order is the same on every engine)."""
        async with self._db.read() as conn:
            rows = await conn.execute(
                select(favorites.c.service_id)
                .where(favorites.c.user_id == user_id)
                .order_by(favorites.c.created_at.desc(), favorites.c.service_id.desc())
            )
        return [int(row.service_id) for row in rows]

    async def set_favorite(self, user_id: int, service_id: int, favorite: bool) -> None:
        if favorite:
            statement = self._db.upsert(
                favorites,
                {"user_id": user_id, "service_id": service_id, "created_at": self._now()},
                ["user_id", "service_id"],
            )
            async with self._db.write() as conn:
                await conn.execute(statement)
        else:
            async with self._db.write() as conn:
                await conn.execute(
                    delete(favorites).where(
                        favorites.c.user_id == user_id, favorites.c.service_id == service_id
                    )
                )
