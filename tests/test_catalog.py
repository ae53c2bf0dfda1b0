"""The catalog cache: browsing never waits on the panel once loaded."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from bot.panel.errors import PanelUnavailable
from bot.panel.models import Service
from bot.services.catalog import CatalogCache


class FakePanel:
    def __init__(self) -> None:
        self.calls = 0
        self.fail = False
        self.delay = 0.0

    async def services(self) -> list[Service]:
        self.calls += 1
        await asyncio.sleep(self.delay)
        if self.fail:
            raise PanelUnavailable("HTTP 502")
        return [
            Service(i, f"s{i}-v{self.calls}", "Default", f"cat{i % 3}", Decimal(i), 10, 1000)
            for i in range(1, 10)
        ]


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_groups_by_category_and_indexes_by_id() -> None:
    cache = CatalogCache(FakePanel().services, ttl_seconds=60)
    catalog = await cache.get()
    assert [c.name for c in catalog.categories] == ["cat1", "cat2", "cat0"]
    assert catalog.categories[0].service_ids == (1, 4, 7)
    assert catalog.get(5).name == "s5-v1" and catalog.get(99) is None


async def test_concurrent_first_loads_share_one_call() -> None:
    panel = FakePanel()
    panel.delay = 0.05
    cache = CatalogCache(panel.services, ttl_seconds=60)
    results = await asyncio.gather(*(cache.get() for _ in range(10)))
    assert panel.calls == 1 and all(r is results[0] for r in results)


async def test_stale_catalog_is_served_while_refreshing_in_background() -> None:
    panel, clock = FakePanel(), Clock()
    cache = CatalogCache(panel.services, ttl_seconds=60, clock=clock)
    first = await cache.get()
    clock.now += 61
    assert await cache.get() is first  # no waiting on the panel
    await asyncio.sleep(0.01)
    assert panel.calls == 2 and (await cache.get()).get(1).name == "s1-v2"


async def test_failed_refresh_keeps_the_old_catalog() -> None:
    panel, clock = FakePanel(), Clock()
    cache = CatalogCache(panel.services, ttl_seconds=60, clock=clock)
    first = await cache.get()
    panel.fail = True
    clock.now += 61
    assert await cache.get() is first
    await asyncio.sleep(0.01)
    assert await cache.get() is first
    with pytest.raises(PanelUnavailable):
        await cache.refresh()


async def test_first_load_failure_propagates() -> None:
    panel = FakePanel()
    panel.fail = True
    with pytest.raises(PanelUnavailable):
        await CatalogCache(panel.services).get()


async def test_every_load_is_announced_before_it_is_served() -> None:
    """The search index is built in `on_load`, so no search ever meets a catalog without one."""
    panel, clock, seen = FakePanel(), Clock(), []
    cache = CatalogCache(panel.services, ttl_seconds=60, clock=clock, on_load=seen.append)
    first = await cache.get()
    assert seen == [first]
    clock.now += 1
    second = await cache.refresh()
    assert seen == [first, second] and second is not first
