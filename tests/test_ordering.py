"""Ordering rules without a chat: input parsing, pricing, and the intent-first placement."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest

from bot.panel.client import PanelClient
from bot.panel.models import Service
from bot.panel.simulator import FailureMode, PanelSimulator
from bot.services.catalog import CatalogCache
from bot.services.ordering import (
    Draft,
    InvalidInput,
    OrderFailed,
    OrderingService,
    Outcome,
    kind_of,
    parse_comments,
    parse_link,
    parse_quantity,
    parse_whole_number,
    quote,
)
from bot.store import OrderState, Store

LIKES = Service(1, "Likes", "Default", "FB", Decimal("25000"), 100, 10000, dripfeed=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://facebook.com/p/1", "https://facebook.com/p/1"),
        ("  http://t.me/channel  ", "http://t.me/channel"),
        ("facebook.com/page", "https://facebook.com/page"),
        ("www.tiktok.com/@a/video/1", "https://www.tiktok.com/@a/video/1"),
        ("@my_channel", "@my_channel"),
    ],
)
def test_links_accepted(text: str, expected: str) -> None:
    assert parse_link(text) == expected


@pytest.mark.parametrize(
    "text", ["", "hello world", "abc", "http://", "https://nohost", "@", "😀", "a" * 501]
)
def test_garbage_links_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_link(text)
    assert info.value.key == "wizard_link_invalid"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1500", 1500),
        ("1,500", 1500),
        ("1.500", 1500),
        ("1 000 000", 1000000),
        (" 42 ", 42),
        ("1.5", None),
        ("1,50", None),
        ("-3", None),
        ("1e3", None),
        ("", None),
        ("9" * 13, None),
    ],
)
def test_whole_numbers(text: str, expected: int | None) -> None:
    assert parse_whole_number(text) == expected


def test_quantity_range_is_inclusive_and_reported() -> None:
    assert parse_quantity(LIKES, "100") == 100 and parse_quantity(LIKES, "10000") == 10000
    with pytest.raises(InvalidInput) as info:
        parse_quantity(LIKES, "99")
    assert info.value.values == {"min": 100, "max": 10000, "value": 99}


def test_comments_are_trimmed_and_counted() -> None:
    service = Service(3, "C", "Custom Comments", "T", Decimal("30000"), 2, 3)
    assert parse_comments(service, " a \n\n b ") == "a\nb"
    with pytest.raises(InvalidInput):
        parse_comments(service, "a\nb\nc\nd")


def test_steps_by_type() -> None:
    kinds = {
        t: kind_of(Service(1, "x", t, "c", Decimal(1), 1, 2))
        for t in ("Default", "Package", "Custom Comments", "Poll", "Subscriptions", "Special")
    }
    assert {t: k.steps for t, k in kinds.items()} == {
        "Default": ("link", "quantity"),
        "Package": ("link",),
        "Custom Comments": ("link", "comments"),
        "Poll": ("link", "quantity", "answer_number"),
        "Subscriptions": ("username", "min", "max", "posts", "old_posts", "delay", "expiry"),
        "Special": ("link", "quantity"),  # unknown: ordered as Default, with a note
    }
    assert [t for t, k in kinds.items() if not k.known] == ["Special"]


def test_quote_multiplies_runs() -> None:
    priced = quote(LIKES, Draft(1, link="https://x.y/z", quantity=200, runs=3, interval=10))
    assert (priced.total_quantity, priced.charge) == (600, Decimal("15000"))
    single = quote(LIKES, Draft(1, link="https://x.y/z", quantity=200))
    assert (single.total_quantity, single.charge, single.runs) == (200, Decimal("5000"), None)


def test_draft_roundtrip_rejects_junk() -> None:
    draft = Draft(1, link="https://x.y", quantity=5, token="t", quoted="1")
    assert Draft.from_dict(draft.to_dict()) == draft
    assert Draft.from_dict({"service_id": "1"}) is None and Draft.from_dict(None) is None


@pytest.fixture
async def ordering(database: str | Path) -> AsyncIterator[tuple[OrderingService, Store, PanelSimulator]]:
    sim = PanelSimulator(
        api_key="k",
        services=[
            {
                "service": 1,
                "name": "Likes",
                "type": "Default",
                "category": "FB",
                "rate": "25000",
                "min": "100",
                "max": "10000",
            }
        ],
    )
    await sim.start()
    panel = PanelClient(sim.url, "k", timeout=1, retries=0)
    store = Store(database)
    await store.open()
    await store.users.touch_user(7, "U")
    yield OrderingService(store, panel, CatalogCache(panel.services)), store, sim
    await store.close()
    await panel.close()
    await sim.stop()


async def test_place_writes_intent_then_completes_it(ordering) -> None:
    service, _, sim = ordering
    draft, _ = await service.prepare(7, Draft(1, link="https://fb.com/x", quantity=1000))
    placement = await service.place(7, 7, draft)
    assert placement.outcome is Outcome.PLACED
    assert placement.order.panel_order_id in sim.orders and placement.order.state is OrderState.PLACED
    again = await service.place(7, 7, draft)
    assert again.outcome is Outcome.ALREADY_PLACED and again.order.id == placement.order.id
    assert len(sim.calls_for("add")) == 1


async def test_intent_exists_while_the_panel_is_thinking(ordering) -> None:
    service, store, sim = ordering
    draft, _ = await service.prepare(7, Draft(1, link="https://fb.com/slow", quantity=1000))
    sim.failure = FailureMode.SLOW
    sim.slow_seconds = 0.3
    task = asyncio.create_task(service.place(7, 7, draft))
    await asyncio.sleep(0.15)
    [intent] = await store.orders.unresolved_orders(7)  # recorded before the answer came back
    assert intent.state is OrderState.INTENT and intent.panel_order_id is None
    assert (await task).outcome is Outcome.PLACED
    assert await store.orders.unresolved_orders(7) == []


async def test_refusal_marks_failed(ordering) -> None:
    service, store, sim = ordering
    sim.balance = Decimal(0)
    draft, _ = await service.prepare(7, Draft(1, link="https://fb.com/x", quantity=1000))
    with pytest.raises(OrderFailed) as info:
        await service.place(7, 7, draft)
    assert info.value.message == "Not enough funds on balance"
    order = await store.orders.get_order_by_confirmation(draft.token or "")
    assert order is not None and order.state is OrderState.FAILED
