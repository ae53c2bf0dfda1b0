"""Who may use the bot: it spends the panel owner's money.

Admins (`ADMIN_IDS`) always may. Allowed users come from `ALLOWED_USER_IDS`
(or `*` for everyone) plus runtime `/allow`; `/deny` revokes, including someone
the environment allows. Decisions are kept in memory (loaded once, updated on
every change) because the check runs before every single update.

First run: with the demo panel and no `ADMIN_IDS`, the first person to `/start`
becomes the admin (remembered in the database), so `python -m bot --demo-panel`
with only a token works for its owner.  Without the demo panel nobody is let in
by chance: the owner is told what to put in `ADMIN_IDS`.
"""

from __future__ import annotations

from enum import StrEnum

from bot.config import Settings
from bot.store import Store


class Role(StrEnum):
    ADMIN = "admin"
    USER = "user"
    STRANGER = "stranger"


NAMESPACE = "access"
CLAIMED_ADMIN_KEY = "claimed_admin"


class AccessService:
    def __init__(self, settings: Settings, store: Store, *, first_start_claims_admin: bool = False) -> None:
        self._settings = settings
        self._store = store
        self._overrides: dict[int, bool] = {}
        self._claimable = first_start_claims_admin and not settings.admin_ids
        self._claimed: int | None = None

    async def load(self) -> None:
        self._overrides = await self._store.users.access_overrides()
        claimed = (await self._store.kv.load_namespace(NAMESPACE)).get(CLAIMED_ADMIN_KEY)
        self._claimed = int(claimed) if claimed and claimed.isdigit() else None

    @property
    def has_admin(self) -> bool:
        return bool(self._settings.admin_ids) or self._claimed is not None

    @property
    def nobody_allowed(self) -> bool:
        """True on a fresh install nobody configured: every person would be refused."""
        return (
            not self.has_admin
            and not self._settings.allow_everyone
            and not self._settings.allowed_user_ids
            and not any(self._overrides.values())
        )

    @property
    def can_claim(self) -> bool:
        """The first `/start` may make its sender the admin (demo panel, no admin yet)."""
        return self._claimable and self._claimed is None

    async def claim_admin(self, user_id: int) -> bool:
        """Make `user_id` the admin if nobody claimed it yet; True when they now are."""
        if not self.can_claim:
            return False
        self._claimed = user_id  # at once: a second /start racing this one can't claim too
        await self._store.kv.save_value(NAMESPACE, CLAIMED_ADMIN_KEY, str(user_id))
        return True

    def role(self, user_id: int) -> Role:
        if user_id in self._settings.admin_ids or user_id == self._claimed:
            return Role.ADMIN
        override = self._overrides.get(user_id)
        if override is not None:
            return Role.USER if override else Role.STRANGER
        if self._settings.allow_everyone or user_id in self._settings.allowed_user_ids:
            return Role.USER
        return Role.STRANGER

    async def allow(self, user_id: int, by: int) -> None:
        await self._store.users.set_access(user_id, True, by)
        self._overrides[user_id] = True

    async def deny(self, user_id: int, by: int) -> bool:
        """Revoke access; False (and nothing changes) for an admin, who can't be locked out."""
        if user_id in self._settings.admin_ids or user_id == self._claimed:
            return False
        await self._store.users.set_access(user_id, False, by)
        self._overrides[user_id] = False
        return True
