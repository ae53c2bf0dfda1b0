"""What lets processes share a database, piece by piece: the poller's lease (both engines),
the per-user lock and the orphaned-intent check (PostgreSQL, where two processes can run)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from bot.services.leadership import Leadership
from bot.store import NewOrder, Store


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def two(database: str | Path) -> AsyncIterator[tuple[Store, Store, Clock]]:
    """Two stores on one database, as two processes would have (one clock: one world)."""
    clock = Clock()
    async with Store(database, clock=clock) as first, Store(database, clock=clock) as second:
        yield first, second, clock


async def test_one_lease_holder_until_it_expires_or_is_given_up(
    two: tuple[Store, Store, Clock],
) -> None:
    first, second, clock = two
    ttl = timedelta(seconds=60)
    assert await first.leases.acquire("tracking", "a", ttl)
    assert not await second.leases.acquire("tracking", "b", ttl)
    clock.now += timedelta(seconds=59)
    assert await first.leases.acquire("tracking", "a", ttl)  # renewed: another 60 s
    clock.now += timedelta(seconds=59)
    assert not await second.leases.acquire("tracking", "b", ttl)
    assert await first.leases.holds("tracking", "a")
    clock.now += timedelta(seconds=2)  # "a" stopped renewing: it died
    assert not await first.leases.holds("tracking", "a")
    assert await second.leases.acquire("tracking", "b", ttl)
    assert not await first.leases.acquire("tracking", "a", ttl)
    await second.leases.release("tracking", "b")  # a clean stop hands over at once
    assert await first.leases.acquire("tracking", "a", ttl)


async def test_two_asking_at_once_get_one_lease(two: tuple[Store, Store, Clock]) -> None:
    first, second, _ = two
    ttl = timedelta(seconds=60)
    won = await asyncio.gather(
        *(store.leases.acquire("tracking", name, ttl) for store, name in ((first, "a"), (second, "b")) * 5)
    )
    winners = {name for (_, name), ok in zip(((first, "a"), (second, "b")) * 5, won, strict=True) if ok}
    assert len(winners) == 1


async def test_a_cycle_that_loses_its_lease_is_stopped(two: tuple[Store, Store, Clock]) -> None:
    first, second, clock = two
    leader = Leadership(first.leases, "tracking", ttl=timedelta(seconds=0.3), holder="a")
    assert await leader.claim()
    finished = False

    async def cycle() -> None:
        nonlocal finished
        async with leader.kept():
            clock.now += timedelta(seconds=1)  # frozen past its lease; "b" takes over
            assert await second.leases.acquire("tracking", "b", timedelta(seconds=60))
            await asyncio.sleep(2)
            finished = True

    await asyncio.wait_for(cycle(), 5)  # returns (cancelled inside, quietly) well before 2 s
    assert not finished and not leader.leading


@pytest.fixture
async def pg_two(postgres_database: str) -> AsyncIterator[tuple[Store, Store]]:
    """PostgreSQL only: with SQLite there is one process per file, and its lock is a no-op."""
    async with Store(postgres_database) as first, Store(postgres_database) as second:
        yield first, second


async def test_a_users_lock_makes_the_other_process_wait(pg_two: tuple[Store, Store]) -> None:
    first, second = pg_two
    events: list[str] = []

    async def handle(store: Store, name: str, hold: float) -> None:
        async with store.locks.user(1001):
            events.append(f"{name} in")
            await asyncio.sleep(hold)
            events.append(f"{name} out")

    task = asyncio.create_task(handle(first, "a", 0.3))
    await asyncio.sleep(0.1)
    assert events == ["a in"]
    await handle(second, "b", 0)  # waits for "a" to finish
    await task
    assert events == ["a in", "a out", "b in", "b out"]
    async with first.locks.user(1001), second.locks.user(2002):  # other users never wait
        pass


async def test_an_intent_being_placed_elsewhere_is_not_called_interrupted(
    pg_two: tuple[Store, Store],
) -> None:
    """A process starting (or its poller) marks orphaned intents "unknown"; an intent whose
    user is locked is another live process's order in flight and stays an intent."""
    first, second = pg_two
    await first.users.touch_user(1001, "A")
    await first.users.touch_user(2002, "B")
    live = await first.orders.create_order_intent(
        NewOrder(1001, 1001, 7, "s", "https://x.y/1", 10, Decimal(1), "live")
    )
    orphan = await first.orders.create_order_intent(
        NewOrder(2002, 2002, 7, "s", "https://x.y/2", 10, Decimal(1), "orphan")
    )
    async with first.locks.user(1001):
        idle = await second.locks.idle({1001, 2002})
        assert idle == {2002}
        orphans = [o.id for o in (live, orphan) if o.user_id in idle]
        assert await second.orders.mark_interrupted(orphans) == 1
    assert await second.locks.idle({1001, 2002}) == {1001, 2002}
    states = {o.id: o.state.value for o in await second.orders.unresolved_orders()}
    assert states == {live.id: "intent", orphan.id: "unknown"}
