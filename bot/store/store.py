"""The store: every table the bot keeps, on SQLite or PostgreSQL, behind one object whose
parts are split by what they store.  Services take the part they need (`store.orders`, …);
nothing above this package writes SQL or knows which engine runs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from bot.store.audit import AuditStore
from bot.store.database import Database
from bot.store.favorites import FavoriteStore
from bot.store.kv import KeyValueStore
from bot.store.leases import LeaseStore
from bot.store.ledger import WalletStore
from bot.store.locks import UserLocks
from bot.store.migrate import migrate
from bot.store.models import utcnow
from bot.store.orders import OrderStore
from bot.store.refills import RefillStore
from bot.store.topups import TopupStore
from bot.store.users import UserStore


class Store:
    """`target`: a SQLite path or a `postgresql://` URL (see `database.database_url`)."""

    def __init__(self, target: str | Path, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = Database(target)
        self.users = UserStore(self.db, clock)
        self.orders = OrderStore(self.db, clock)
        self.refills = RefillStore(self.db, clock)
        self.kv = KeyValueStore(self.db, clock)
        self.favorites = FavoriteStore(self.db, clock)
        self.leases = LeaseStore(self.db, clock)
        self.wallets = WalletStore(self.db, clock)
        self.topups = TopupStore(self.db, clock)
        self.audit = AuditStore(self.db, clock)  # read-only: what `python -m bot audit` reads
        self.locks = UserLocks(self.db)

    @property
    def engine(self) -> str:
        """"sqlite" or "postgresql"."""
        return self.db.name

    async def open(self) -> None:
        """Connect and bring the schema up to date; raises `DatabaseUnusable` (one line for
        the operator) when the database can't be used, with nothing left open."""
        await self.db.open()
        try:
            await migrate(self.db)
            await self.locks.open()
        except BaseException as exc:
            await self.close()
            unusable = self.db.unusable(exc)
            if unusable is None:
                raise
            raise unusable from None

    async def close(self) -> None:
        try:
            await self.locks.close()
        finally:
            await self.db.close()

    async def __aenter__(self) -> Store:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
