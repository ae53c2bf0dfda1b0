"""Persistence on SQLite or PostgreSQL: users, orders (intents first), refills, saved state."""

from bot.store.errors import DatabaseUnusable, DuplicateConfirmation, DuplicatePanelOrder, StoreError
from bot.store.models import NewOrder, OrderRecord, OrderState, RefillRecord, UserRecord
from bot.store.store import Store

__all__ = [
    "DatabaseUnusable",
    "DuplicateConfirmation",
    "DuplicatePanelOrder",
    "NewOrder",
    "OrderRecord",
    "OrderState",
    "RefillRecord",
    "Store",
    "StoreError",
    "UserRecord",
]
