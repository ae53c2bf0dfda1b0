"""Who uses the bot (users) and who was let in or shut out at runtime (access)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update

from bot.store.models import UserRecord
from bot.store.part import StorePart
from bot.store.tables import access, users


class UserStore(StorePart):
    async def touch_user(
        self,
        user_id: int,
        first_name: str = "",
        username: str | None = None,
        telegram_language: str | None = None,
    ) -> UserRecord:
        """Record that a user showed up (creates them on first sight; clears `blocked`): what
        Telegram sent replaces what we had, but an empty name or a missing username or
        language never erases a known one."""
        now = self._now()
        statement = self._db.upsert(
            users,
            {
                "id": user_id,
                "first_name": first_name,
                "username": username,
                "telegram_language": telegram_language,
                "first_seen": now,
                "last_seen": now,
                "blocked": False,
            },
            ["id"],
            lambda new: {
                "first_name": func.coalesce(func.nullif(new.first_name, ""), users.c.first_name),
                "username": func.coalesce(new.username, users.c.username),
                "telegram_language": func.coalesce(new.telegram_language, users.c.telegram_language),
                "last_seen": new.last_seen,
                "blocked": False,
            },
        )
        async with self._db.write() as conn:
            await conn.execute(statement)
            row = (await conn.execute(select(users).where(users.c.id == user_id))).one()
        return _user(row._mapping)

    async def get_user(self, user_id: int) -> UserRecord | None:
        async with self._db.read() as conn:
            row = (await conn.execute(select(users).where(users.c.id == user_id))).first()
        return _user(row._mapping) if row else None

    async def set_language(self, user_id: int, language: str | None) -> None:
        async with self._db.write() as conn:
            await conn.execute(update(users).where(users.c.id == user_id).values(language=language))

    async def set_blocked(self, user_id: int, blocked: bool) -> None:
        async with self._db.write() as conn:
            await conn.execute(update(users).where(users.c.id == user_id).values(blocked=blocked))

    async def list_users(self) -> list[UserRecord]:
        async with self._db.read() as conn:
            rows = await conn.execute(select(users).order_by(users.c.last_seen.desc()))
        return [_user(row._mapping) for row in rows]

    async def access_overrides(self) -> dict[int, bool]:
        async with self._db.read() as conn:
            rows = await conn.execute(select(access.c.user_id, access.c.allowed))
        return {int(row.user_id): bool(row.allowed) for row in rows}

    async def set_access(self, user_id: int, allowed: bool, changed_by: int) -> None:
        statement = self._db.upsert(
            access,
            {"user_id": user_id, "allowed": allowed, "changed_by": changed_by, "changed_at": self._now()},
            ["user_id"],
            lambda new: {"allowed": new.allowed, "changed_by": new.changed_by, "changed_at": new.changed_at},
        )
        async with self._db.write() as conn:
            await conn.execute(statement)


def _user(row: Any) -> UserRecord:
    return UserRecord(
        id=row["id"],
        language=row["language"],
        first_name=row["first_name"],
        username=row["username"],
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        blocked=bool(row["blocked"]),
        telegram_language=row["telegram_language"],
    )
