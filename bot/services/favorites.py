"""Favorites: services a user starred (⭐ on the card), kept in the database per user.

Every card shows whether its service is a favorite, so the lists are cached in memory
(read once per user, then updated on each toggle): opening a card costs no database
read.  The cache is bounded; a user pushed out is simply read again.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict

from bot.store import Store

CACHED_USERS = 10_000


class FavoritesService:
    def __init__(self, store: Store, cached_users: int = CACHED_USERS) -> None:
        self._store = store
        self._cached_users = cached_users
        self._cache: OrderedDict[int, list[int]] = OrderedDict()  # user → IDs, newest first
        self._lock = asyncio.Lock()  # toggles are rare: one at a time keeps store and cache agreed

    async def ids(self, user_id: int) -> list[int]:
        """The user's favorite service IDs, newest first (IDs the catalog dropped included)."""
        cached = self._cache.get(user_id)
        if cached is None:
            cached = await self._store.favorites.list_favorites(user_id)
            self._remember(user_id, cached)
        else:
            self._cache.move_to_end(user_id)
        return cached.copy()

    async def contains(self, user_id: int, service_id: int) -> bool:
        return service_id in await self.ids(user_id)

    async def toggle(self, user_id: int, service_id: int) -> bool:
        """Star or unstar; returns whether it is a favorite now.  A double tap toggles twice,
        in order, never racing the database and the cache apart."""
        async with self._lock:
            ids = await self.ids(user_id)
            favorite = service_id not in ids
            await self._store.favorites.set_favorite(user_id, service_id, favorite)
            ids = [service_id, *ids] if favorite else [i for i in ids if i != service_id]
            self._remember(user_id, ids)
            return favorite

    def _remember(self, user_id: int, ids: list[int]) -> None:
        self._cache[user_id] = ids
        self._cache.move_to_end(user_id)
        while len(self._cache) > self._cached_users:
            self._cache.popitem(last=False)
