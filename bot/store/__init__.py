"""Persistence: users, orders (intents first), refills."""

from bot.store.errors import DatabaseUnusable, DuplicateConfirmation, DuplicatePanelOrder, StoreError
from bot.store.models import NewOrder, OrderRecord, OrderState, RefillRecord, UserRecord
from bot.store.repository import Store
from bot.store.sqlite import SqliteStore

__all__ = [
    "DatabaseUnusable",
    "DuplicateConfirmation",
    "DuplicatePanelOrder",
    "NewOrder",
    "OrderRecord",
    "OrderState",
    "RefillRecord",
    "SqliteStore",
    "Store",
    "StoreError",
    "UserRecord",
]
