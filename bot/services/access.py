"""Who may use the bot: it spends the panel owner's money.

Admins (`ADMIN_IDS`) always may. Allowed users come from `ALLOWED_USER_IDS`
(or `*` for everyone) plus runtime `/allow`; `/deny` revokes, including someone
the environment allows. Decisions are kept in memory (loaded once, updated on
every change) because the check runs before every single update.
"""

from __future__ import annotations

from enum import StrEnum

from bot.config import Settings
from bot.store.repository import Store


class Role(StrEnum):
    ADMIN = "admin"
    USER = "user"
    STRANGER = "stranger"


class AccessService:
    def __init__(self, settings: Settings, store: Store) -> None:
        self._settings = settings
        self._store = store
        self._overrides: dict[int, bool] = {}

    async def load(self) -> None:
        self._overrides = await self._store.access_overrides()

    def role(self, user_id: int) -> Role:
        if user_id in self._settings.admin_ids:
            return Role.ADMIN
        override = self._overrides.get(user_id)
        if override is not None:
            return Role.USER if override else Role.STRANGER
        if self._settings.allow_everyone or user_id in self._settings.allowed_user_ids:
            return Role.USER
        return Role.STRANGER

    async def allow(self, user_id: int, by: int) -> None:
        await self._store.set_access(user_id, True, by)
        self._overrides[user_id] = True

    async def deny(self, user_id: int, by: int) -> bool:
        """Revoke access; False (and nothing changes) for an admin, who can't be locked out."""
        if user_id in self._settings.admin_ids:
            return False
        await self._store.set_access(user_id, False, by)
        self._overrides[user_id] = False
        return True
