"""The owner's spending guards and the exact `add` request, pinned down (issue 9).

Each test here exists because a mutant of the line it names survived the whole suite: the
limit re-check at confirm, unknown outcomes counting as spent, the `>` of both limits, and
which parameters `add` carries for Package and Custom Comments services.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from bot.panel.client import PanelClient
from bot.panel.simulator import PanelSimulator
from bot.services.catalog import CatalogCache
from bot.services.ordering import Draft, InvalidInput, OrderingService, Outcome
from bot.store import NewOrder, OrderState, Store
from tests.conftest import PANEL_KEY
from tests.test_e2e_wizard import SERVICES

USER = 7
LIKES, PACKAGE, COMMENTS = 1, 2, 3  # 25,000 per 1000 · 150,000 flat · 30,000 per 1000 comments


@dataclass
class Env:
    store: Store
    panel: PanelClient
    catalog: CatalogCache
    sim: PanelSimulator

    def ordering(self, **limits: Decimal | None) -> OrderingService:
        return OrderingService(self.store, self.panel, self.catalog, **limits)  # type: ignore[arg-type]


@pytest.fixture(params=["json", "form"])
async def env(request: pytest.FixtureRequest, database: str | Path) -> AsyncIterator[Env]:
    sim = PanelSimulator(api_key=PANEL_KEY, services=[dict(s) for s in SERVICES])
    await sim.start()
    client = PanelClient(sim.url, PANEL_KEY, body_format=request.param, timeout=2.0, retries=0)
    try:
        async with Store(database) as store:
            await store.users.touch_user(USER, "U")
            yield Env(store, client, CatalogCache(client.services), sim)
    finally:
        await client.close()
        await sim.stop()


def likes(link: str, quantity: int = 1000) -> Draft:
    return Draft(LIKES, link=f"https://facebook.com/posts/{link}", quantity=quantity)


# -- USER_DAILY_LIMIT ------------------------------------------------------------------------------


async def test_confirm_rechecks_the_daily_limit(env: Env) -> None:
    """Two summaries fit the limit on their own; once the first is placed, the second's
    Confirm is refused, and its `add` is never sent."""
    ordering = env.ordering(user_daily_limit=Decimal("30000"))
    first, _ = await ordering.prepare(USER, likes("a"))
    second, _ = await ordering.prepare(USER, likes("b"))
    assert (await ordering.place(USER, USER, first)).outcome is Outcome.PLACED
    with pytest.raises(InvalidInput) as refused:
        await ordering.place(USER, USER, second)
    assert refused.value.key == "wizard_over_daily_limit"
    assert refused.value.values["left"] == Decimal("5000")
    assert len(env.sim.calls_for("add")) == 1
    assert await env.store.orders.get_order_by_confirmation(second.token or "") is None


async def test_an_order_of_unknown_outcome_counts_as_spent(env: Env) -> None:
    ordering = env.ordering(user_daily_limit=Decimal("30000"))
    draft, _ = await ordering.prepare(USER, likes("a"))
    env.sim.script("add", {"order": "1e30"}, execute=True)  # created and charged, no usable ID
    placement = await ordering.place(USER, USER, draft)
    assert placement.outcome is Outcome.UNKNOWN and placement.order.state is OrderState.UNKNOWN
    with pytest.raises(InvalidInput) as refused:
        await ordering.prepare(USER, likes("b"))
    assert (refused.value.key, refused.value.values["left"]) == ("wizard_over_daily_limit", Decimal("5000"))


async def test_an_intent_cut_off_by_a_crash_counts_as_spent(env: Env) -> None:
    ordering = env.ordering(user_daily_limit=Decimal("30000"))
    # What a crash mid-`add` leaves behind: the intent `place` wrote first, never resolved.
    intent = await env.store.orders.create_order_intent(
        NewOrder(USER, USER, LIKES, "Likes", "https://facebook.com/posts/a", 1000, Decimal("25000"), "tok")
    )
    assert intent.state is OrderState.INTENT
    with pytest.raises(InvalidInput) as refused:
        await ordering.prepare(USER, likes("b"))
    assert refused.value.values["left"] == Decimal("5000")


async def test_the_daily_limit_may_be_reached_exactly(env: Env) -> None:
    ordering = env.ordering(user_daily_limit=Decimal("50000"))
    first, _ = await ordering.prepare(USER, likes("a"))
    await ordering.place(USER, USER, first)
    exact, quote = await ordering.prepare(USER, likes("b"))  # 25,000 + 25,000 = the limit
    assert quote.charge == Decimal("25000")
    assert (await ordering.place(USER, USER, exact)).outcome is Outcome.PLACED
    with pytest.raises(InvalidInput) as refused:
        await ordering.check_limits(USER, Decimal("0.01"))
    assert refused.value.values["left"] == Decimal(0)


# -- MAX_ORDER_CHARGE ------------------------------------------------------------------------------


async def test_a_charge_equal_to_the_max_is_allowed_one_unit_more_is_not(env: Env) -> None:
    ordering = env.ordering(max_order_charge=Decimal("25000"))
    draft, quote = await ordering.prepare(USER, likes("a", 1000))
    assert quote.charge == Decimal("25000")
    assert (await ordering.place(USER, USER, draft)).outcome is Outcome.PLACED
    with pytest.raises(InvalidInput) as one_more:
        await ordering.prepare(USER, likes("b", 1001))  # 25,025
    assert one_more.value.key == "wizard_over_max_charge"
    assert one_more.value.values == {"total": Decimal("25025"), "limit": Decimal("25000")}
    await ordering.check_limits(USER, Decimal("25000"))
    with pytest.raises(InvalidInput):
        await ordering.check_limits(USER, Decimal("25000.01"))
    assert len(env.sim.calls_for("add")) == 1


# -- what `add` carries ------------------------------------------------------------------------------


async def _placed_add(env: Env, draft: Draft) -> dict[str, str]:
    ordering = env.ordering()
    ready, _ = await ordering.prepare(USER, draft)
    assert (await ordering.place(USER, USER, ready)).outcome is Outcome.PLACED
    [call] = env.sim.calls_for("add")
    return {key: str(value) for key, value in call.items()}


async def test_a_package_is_ordered_without_any_quantity(env: Env) -> None:
    sent = await _placed_add(env, Draft(PACKAGE, link="https://facebook.com/vip"))
    assert sent == {"action": "add", "service": str(PACKAGE), "link": "https://facebook.com/vip"}


async def test_custom_comments_are_ordered_with_comments_and_no_quantity(env: Env) -> None:
    comments = "Hay quá!\nĐỉnh 🔥\nQuá tuyệt"
    sent = await _placed_add(env, Draft(COMMENTS, link="https://tiktok.com/@a/video/1", comments=comments))
    assert sent == {
        "action": "add",
        "service": str(COMMENTS),
        "link": "https://tiktok.com/@a/video/1",
        "comments": comments,
    }
    assert env.sim.orders[max(env.sim.orders)].quantity == 3  # the panel counts the lines


async def test_a_default_order_carries_its_quantity(env: Env) -> None:
    sent = await _placed_add(env, likes("q", 1500))
    assert sent == {
        "action": "add",
        "service": str(LIKES),
        "link": "https://facebook.com/posts/q",
        "quantity": "1500",
    }
