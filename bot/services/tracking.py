"""A user's own orders and refills: listing, live status, refill, cancel."""

from __future__ import annotations

from bot.panel.client import PanelClient
from bot.services.catalog import CatalogCache
from bot.store.repository import Store


class TrackingService:
    def __init__(self, store: Store, panel: PanelClient, catalog: CatalogCache) -> None:
        self._store = store
        self._panel = panel
        self._catalog = catalog
