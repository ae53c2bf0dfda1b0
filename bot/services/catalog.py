"""The panel's service catalog, cached so browsing never waits on the panel.

The catalog changes rarely but is big (thousands of services) and slow to
fetch, so it is kept in memory with a TTL.  A stale catalog is still served
while one background refresh runs; only the very first load waits, and a person
waits for it at most `interactive_wait` seconds (see `refresh`).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from bot import collector
from bot.panel.errors import PanelUnavailable
from bot.panel.models import Service
from bot.services import platforms

log = logging.getLogger(__name__)


def category_key(name: str) -> str:
    """A short stable key for a category: fits in callback data whatever the name's length,
    and still points at the same category after the catalog is refreshed and reordered."""
    return hashlib.blake2s(name.encode(), digest_size=5).hexdigest()


@dataclass(frozen=True)
class Category:
    name: str
    service_ids: tuple[int, ...]

    @property
    def key(self) -> str:
        return category_key(self.name)


@dataclass(frozen=True)
class Platform:
    """Categories of one platform (Facebook, TikTok…, or "Other"), in panel order."""

    key: str
    name: str
    categories: tuple[Category, ...]
    service_count: int


@dataclass(frozen=True)
class Catalog:
    """An immutable snapshot: handlers can hold it across awaits without seeing it change."""

    services: tuple[Service, ...]
    fetched_at: float
    by_id: dict[int, Service] = field(init=False, repr=False)
    categories: tuple[Category, ...] = field(init=False, repr=False)
    _by_key: dict[str, Category] = field(init=False, repr=False)
    # Computed once per load (browsing a 10,000-service catalog stays look-ups only):
    platforms: tuple[Platform, ...] = field(init=False, repr=False)  # panel order, "Other" last
    # Service ID → its short name where it differs from the full one, UTF-8: names keep their
    # emoji, and a str holding one takes 4 bytes per character (10.6 MB at 50,000 services as
    # str, 7.0 as bytes).  Computed once per load, so showing a category is look-ups only.
    _short_names: dict[int, bytes] = field(init=False, repr=False)
    _platforms: dict[str, Platform] = field(init=False, repr=False)
    _platform_of: dict[str, Platform] = field(init=False, repr=False)  # category key → platform

    def __post_init__(self) -> None:
        by_id = {service.id: service for service in self.services}
        grouped: dict[str, list[int]] = {}
        for service in self.services:
            grouped.setdefault(service.category, []).append(service.id)
        object.__setattr__(self, "by_id", by_id)
        categories = tuple(Category(name, tuple(ids)) for name, ids in grouped.items())
        object.__setattr__(self, "categories", categories)
        object.__setattr__(self, "_by_key", {c.key: c for c in categories})
        self._group(categories, by_id)

    def _group(self, categories: tuple[Category, ...], by_id: dict[int, Service]) -> None:
        short: dict[int, bytes] = {}
        grouped: dict[str, list[Category]] = {}
        for category in categories:
            names = [by_id[i].name for i in category.service_ids]
            distinct = platforms.distinguishing_names(names)
            for service_id, part, name in zip(category.service_ids, distinct, names, strict=True):
                if part != name:
                    short[service_id] = part.encode()
            key = platforms.detect(category.name, names)
            grouped.setdefault(key, []).append(category)
        if platforms.OTHER in grouped:  # "Other" last, whatever the panel's order
            grouped[platforms.OTHER] = grouped.pop(platforms.OTHER)
        found = tuple(
            Platform(
                key,
                platforms.NAMES.get(key, ""),
                tuple(group),
                sum(len(c.service_ids) for c in group),
            )
            for key, group in grouped.items()
        )
        object.__setattr__(self, "platforms", found)
        object.__setattr__(self, "_short_names", short)
        object.__setattr__(self, "_platforms", {p.key: p for p in found})
        object.__setattr__(self, "_platform_of", {c.key: p for p in found for c in p.categories})

    def get(self, service_id: int) -> Service | None:
        return self.by_id.get(service_id)

    def repriced(self, rates: dict[int, Decimal]) -> Catalog:
        """The same catalog with other rates (a shop's retail prices): the groupings, names and
        platforms are shared, not recomputed, since only prices differ."""
        copy = object.__new__(Catalog)
        for name in self.__dataclass_fields__:
            object.__setattr__(copy, name, getattr(self, name))
        services = tuple(replace(s, rate=rates.get(s.id, s.rate)) for s in self.services)
        object.__setattr__(copy, "services", services)
        object.__setattr__(copy, "by_id", {s.id: s for s in services})
        return copy

    def category(self, key: str) -> Category | None:
        return self._by_key.get(key)

    def platform(self, key: str) -> Platform | None:
        return self._platforms.get(key)

    def platform_of(self, category: Category) -> Platform | None:
        return self._platform_of.get(category.key)

    def short_name(self, service: Service) -> str:
        """The part of the name that tells it from its category's other services."""
        short = self._short_names.get(service.id)
        return service.name if short is None else short.decode()


class CatalogCache:
    def __init__(
        self,
        fetch: Callable[[], Awaitable[list[Service]]],
        ttl_seconds: float = 600,
        clock: Callable[[], float] = time.monotonic,
        on_load: Callable[[Catalog], None] | None = None,
        *,
        fetch_now: Callable[[], Awaitable[list[Service]]] | None = None,
        interactive_wait: float | None = None,
    ) -> None:
        self._fetch = fetch  # background loads: may retry with back-off for a long while
        self._fetch_now = fetch_now or fetch  # a person is waiting: one quick attempt
        self._wait = interactive_wait  # the longest a person waits for a load (None: no bound)
        self._on_load = on_load  # e.g. build the search index now, not in a user's first search
        self._ttl = ttl_seconds
        self._clock = clock
        self._catalog: Catalog | None = None
        self._lock = asyncio.Lock()
        self._background: asyncio.Task[None] | None = None

    @property
    def current(self) -> Catalog | None:
        return self._catalog

    async def get(self, *, interactive: bool = True) -> Catalog:
        """The catalog; loads it on first use, refreshes in the background when stale.

        `interactive` defaults to True because nearly every caller is a handler with a
        person waiting (see `refresh`); background work (the start-up warm-up) passes False.
        """
        catalog = self._catalog
        if catalog is None:
            return await self.refresh(interactive=interactive)
        if self._clock() - catalog.fetched_at >= self._ttl and not self._refreshing():
            self._background = asyncio.create_task(self._refresh_quietly())
        return catalog

    async def refresh(self, *, interactive: bool = True) -> Catalog:
        """Fetch now (single flight: concurrent callers share one panel call).

        Interactive: the whole wait is bounded by `interactive_wait`, the wait for a load
        already in flight (the warm-up, retrying through an outage for over a minute) as
        well as our own one-attempt fetch, so a person hears "the panel is not answering"
        in time.  Raises `PanelUnavailable` when the bound is reached.
        """
        if not interactive or self._wait is None:
            return await self._load(self._fetch)
        try:
            async with asyncio.timeout(self._wait):
                return await self._load(self._fetch_now)
        except TimeoutError:
            raise PanelUnavailable("timeout") from None

    async def _load(self, fetch: Callable[[], Awaitable[list[Service]]]) -> Catalog:
        started = self._clock()
        async with self._lock:
            if self._catalog is not None and self._catalog.fetched_at >= started:
                return self._catalog
            services = await fetch()
            # Grouping and indexing tens of thousands of services takes a second: in a worker
            # thread, so every user keeps being answered meanwhile; swapped in when ready.
            with collector.paused():
                catalog = await asyncio.to_thread(self._build, services, self._clock())
            self._catalog = catalog
            collector.trim()
            log.info("catalog loaded: %d services", len(services))
            return catalog

    def _build(self, services: list[Service], fetched_at: float) -> Catalog:
        catalog = Catalog(tuple(services), fetched_at)
        if self._on_load is not None:
            self._on_load(catalog)
        return catalog

    async def close(self) -> None:
        if self._refreshing() and self._background is not None:
            self._background.cancel()

    def _refreshing(self) -> bool:
        return self._background is not None and not self._background.done()

    async def _refresh_quietly(self) -> None:
        try:
            await self.refresh(interactive=False)
        except Exception as exc:  # the stale catalog keeps serving; next use retries
            log.warning("catalog refresh failed, serving the cached one: %s", exc)
