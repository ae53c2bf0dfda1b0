"""TrackingService against the panel simulator and a real SQLite store: ownership,
live status in one multi call, refill and cancel rules, refill status refresh."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from bot.panel.client import PanelClient
from bot.panel.models import RefillStatus
from bot.panel.simulator import FailureMode, PanelSimulator
from bot.services.catalog import CatalogCache
from bot.services.tracking import (
    CANCEL_FINAL,
    CANCEL_NOT_SUPPORTED,
    NOT_PLACED,
    REFILL_NOT_COMPLETED,
    REFILL_NOT_SUPPORTED,
    NotAllowed,
    NotFound,
    Refused,
    TrackingService,
)
from bot.store import Store
from bot.store.models import OrderState
from tests.conftest import PANEL_KEY
from tests.support.orders import pick_service, place_order, record_intent

ALICE, BOB = 501, 502


@dataclass
class Env:
    store: Store
    panel: PanelClient
    catalog: CatalogCache
    tracking: TrackingService


@pytest.fixture
async def env(database: str | Path, panel: PanelSimulator) -> AsyncIterator[Env]:
    client = PanelClient(panel.url, PANEL_KEY, timeout=2.0, retries=0)
    catalog = CatalogCache(client.services)
    try:
        async with Store(database) as store:
            yield Env(store, client, catalog, TrackingService(store, client, catalog))
    finally:
        await client.close()


def writes(panel: PanelSimulator) -> list[dict]:
    return panel.calls_for("refill") + panel.calls_for("cancel")


# -- listing and ownership ---------------------------------------------------------------------


async def test_page_of_orders_newest_first_paginated_and_own_only(env: Env) -> None:
    mine = [await place_order(env, ALICE) for _ in range(5)]
    await place_order(env, BOB)
    first = await env.tracking.page_of_orders(ALICE, 0, 2)
    assert (first.total, first.count, first.number) == (5, 3, 0)
    assert [o.id for o in first.items] == [mine[4].id, mine[3].id]
    last = await env.tracking.page_of_orders(ALICE, 99, 2)  # stale or forged page number
    assert last.number == 2 and [o.id for o in last.items] == [mine[0].id]
    assert (await env.tracking.page_of_orders(BOB, 0, 10)).total == 1
    empty = await env.tracking.page_of_orders(777, -3, 10)
    assert (empty.total, empty.count, empty.number, list(empty.items)) == (0, 1, 0, [])


async def test_someone_elses_order_is_not_found(env: Env, panel: PanelSimulator) -> None:
    order = await place_order(env, ALICE, refill=True, cancel=True)
    panel.complete(order.panel_order_id)
    calls_before = len(panel.calls)
    assert await env.tracking.get_order(BOB, order.id) is None
    assert await env.tracking.order_by_panel_id(BOB, order.panel_order_id) is None
    for action in (
        env.tracking.order_view,
        env.tracking.refresh,
        env.tracking.request_refill,
        env.tracking.cancellable,
        env.tracking.cancel,
    ):
        with pytest.raises(NotFound):
            await action(BOB, order.id)
    with pytest.raises(NotFound):
        await env.tracking.order_view(ALICE, 999_999)
    assert len(panel.calls) == calls_before  # not even a status read for someone else's order
    assert (await env.tracking.get_order(ALICE, order.id)) == order


# -- live status -------------------------------------------------------------------------------


async def test_refresh_stores_the_panels_fresh_status(env: Env, panel: PanelSimulator) -> None:
    order = await place_order(env, ALICE)
    assert order.status == "Pending"
    panel.partial(order.panel_order_id, remains=order.quantity // 2)
    fresh = await env.tracking.refresh(ALICE, order.id)
    assert fresh.status == "Partial" and fresh.remains == order.quantity // 2
    assert fresh.charge < order.charge and fresh.start_count is not None
    assert await env.store.orders.get_order(order.id) == fresh


async def test_refresh_of_an_unconfirmed_intent_asks_nothing(env: Env, panel: PanelSimulator) -> None:
    intent = await record_intent(env, ALICE, await pick_service(env))
    assert await env.tracking.refresh(ALICE, intent.id) == intent
    assert panel.calls_for("status") == []
    view = await env.tracking.order_view(ALICE, intent.id)
    assert not view.can_refill and not view.can_cancel
    with pytest.raises(NotAllowed) as refused:
        await env.tracking.request_refill(ALICE, intent.id)
    assert refused.value.reason_key == NOT_PLACED


async def test_statuses_one_panel_call_for_own_ids_only(env: Env, panel: PanelSimulator) -> None:
    a1, a2 = await place_order(env, ALICE), await place_order(env, ALICE)
    b1 = await place_order(env, BOB)
    panel.complete(a2.panel_order_id)
    asked = [a2.panel_order_id, b1.panel_order_id, 42, a1.panel_order_id, a2.panel_order_id]
    lines = await env.tracking.statuses(ALICE, asked)
    assert [line.panel_order_id for line in lines] == asked[:4]  # as asked, duplicate dropped
    statuses = [line.order.status if line.order else None for line in lines]
    assert statuses == ["Completed", None, None, "Pending"]
    calls = panel.calls_for("status")
    assert len(calls) == 1
    sent = {int(x) for x in str(calls[0]["orders"]).split(",")}
    assert sent == {a1.panel_order_id, a2.panel_order_id}  # Bob's ID never reached the panel
    assert (await env.store.orders.get_order(a2.id)).status == "Completed"


async def test_statuses_of_nothing_owned_make_no_panel_call(env: Env, panel: PanelSimulator) -> None:
    b1 = await place_order(env, BOB)
    lines = await env.tracking.statuses(ALICE, [b1.panel_order_id, 5])
    assert [line.order for line in lines] == [None, None]
    assert panel.calls_for("status") == []


async def test_statuses_keep_a_per_id_panel_error(env: Env, panel: PanelSimulator) -> None:
    a1, a2 = await place_order(env, ALICE), await place_order(env, ALICE)
    del panel.orders[a1.panel_order_id]  # the panel forgot it
    lines = await env.tracking.statuses(ALICE, [a1.panel_order_id, a2.panel_order_id])
    assert lines[0].order is not None and lines[0].error == "Incorrect order ID"
    assert lines[1].error is None and lines[1].order.status == "Pending"


# -- refill ------------------------------------------------------------------------------------


async def test_refill_of_a_completed_order_is_recorded(env: Env, panel: PanelSimulator) -> None:
    order = await place_order(env, ALICE, refill=True)
    panel.complete(order.panel_order_id)  # stored status still says Pending: refreshed first
    view = await env.tracking.order_view(ALICE, order.id)
    assert not view.can_refill  # the card only knows what was stored
    refill = await env.tracking.request_refill(ALICE, order.id)
    assert panel.refills[refill.refill_id].order_id == order.panel_order_id
    assert (refill.order_id, refill.panel_order_id, refill.user_id) == (order.id, order.panel_order_id, ALICE)
    assert (await env.tracking.order_view(ALICE, order.id)).can_refill
    assert len(panel.calls_for("refill")) == 1


async def test_refill_refused_before_any_write(env: Env, panel: PanelSimulator) -> None:
    no_refill = await place_order(env, ALICE, refill=False)
    panel.complete(no_refill.panel_order_id)
    running = await place_order(env, ALICE, refill=True)
    with pytest.raises(NotAllowed) as unsupported:
        await env.tracking.request_refill(ALICE, no_refill.id)
    assert unsupported.value.reason_key == REFILL_NOT_SUPPORTED
    with pytest.raises(NotAllowed) as unfinished:
        await env.tracking.request_refill(ALICE, running.id)
    assert unfinished.value.reason_key == REFILL_NOT_COMPLETED
    assert writes(panel) == []


async def test_refill_lets_the_panel_decide_when_the_catalog_cannot(env: Env, panel: PanelSimulator) -> None:
    order = await place_order(env, ALICE, refill=False)
    panel.complete(order.panel_order_id)

    async def no_services() -> list:
        return []  # e.g. the service was removed from the catalog since

    blind = TrackingService(env.store, env.panel, CatalogCache(no_services))
    await blind.refresh(ALICE, order.id)
    assert (await blind.order_view(ALICE, order.id)).can_refill
    with pytest.raises(Refused) as refused:
        await blind.request_refill(ALICE, order.id)
    assert refused.value.message == "Refill is disabled for this service"
    assert len(panel.calls_for("refill")) == 1  # asked once, never retried


# -- cancel ------------------------------------------------------------------------------------


async def test_cancel_refunds_on_the_panel(env: Env, panel: PanelSimulator) -> None:
    before = panel.balance
    order = await place_order(env, ALICE, cancel=True)
    assert panel.balance == before - order.charge
    assert (await env.tracking.order_view(ALICE, order.id)).can_cancel
    canceled = await env.tracking.cancel(ALICE, order.id)
    assert canceled.status == "Canceled" and canceled.charge == Decimal(0)
    assert panel.balance == before
    with pytest.raises(NotAllowed) as again:
        await env.tracking.cancel(ALICE, order.id)
    assert again.value.reason_key == CANCEL_FINAL
    assert len(panel.calls_for("cancel")) == 1


async def test_cancel_only_for_cancel_capable_services(env: Env, panel: PanelSimulator) -> None:
    order = await place_order(env, ALICE, cancel=False)
    assert not (await env.tracking.order_view(ALICE, order.id)).can_cancel
    with pytest.raises(NotAllowed) as refused:
        await env.tracking.cancel(ALICE, order.id)
    assert refused.value.reason_key == CANCEL_NOT_SUPPORTED
    assert panel.calls_for("cancel") == []


async def test_cancel_refused_by_the_panel_carries_its_message(env: Env, panel: PanelSimulator) -> None:
    order = await place_order(env, ALICE, cancel=True)
    panel.complete(order.panel_order_id)  # finished meanwhile; our stored status is stale
    with pytest.raises(Refused) as refused:
        await env.tracking.cancel(ALICE, order.id)
    assert refused.value.message == "Order cannot be canceled"


# -- refills list ------------------------------------------------------------------------------


async def test_refills_page_refreshes_open_ones_in_one_call(env: Env, panel: PanelSimulator) -> None:
    refills = []
    for _ in range(3):
        order = await place_order(env, ALICE, refill=True)
        panel.complete(order.panel_order_id)
        refills.append(await env.tracking.request_refill(ALICE, order.id))
    panel.finish_refill(refills[0].refill_id, "Completed")
    panel.finish_refill(refills[1].refill_id, "Rejected")
    page = await env.tracking.page_of_refills(ALICE, 0, 10)
    assert [r.id for r in page.items] == [r.id for r in reversed(refills)]
    assert [r.status for r in page.items] == ["Pending", "Rejected", "Completed"]
    assert len(panel.calls_for("refill_status")) == 1
    await env.tracking.page_of_refills(ALICE, 0, 10)
    second = panel.calls_for("refill_status")[1]
    assert str(second["refills"]) == str(refills[2].refill_id)  # finished ones are not asked again
    assert (await env.tracking.page_of_refills(BOB, 0, 10)).total == 0


async def test_refills_page_survives_a_panel_outage(env: Env, panel: PanelSimulator) -> None:
    order = await place_order(env, ALICE, refill=True)
    panel.complete(order.panel_order_id)
    await env.tracking.request_refill(ALICE, order.id)
    panel.failure = FailureMode.HTML_502
    page = await env.tracking.page_of_refills(ALICE, 0, 10)
    assert [r.status for r in page.items] == ["Pending"]


# -- store additions ---------------------------------------------------------------------------


async def test_store_refill_statuses_and_lookups(env: Env) -> None:
    a = await place_order(env, ALICE)
    b = await place_order(env, BOB)
    found = await env.store.orders.orders_by_panel_ids(ALICE, [b.panel_order_id, a.panel_order_id, 1])
    assert [o.id for o in found] == [a.id]
    assert await env.store.orders.orders_by_panel_ids(ALICE, []) == []
    await env.store.refills.add_refill(a.id, ALICE, 9001)
    assert await env.store.refills.count_user_refills(ALICE) == 1
    assert await env.store.refills.count_user_refills(BOB) == 0
    changed = await env.store.refills.update_refill_statuses(
        [RefillStatus(9001, "Completed"), RefillStatus(9002, "Completed"), RefillStatus(9001, "X", "gone")]
    )
    assert changed == 1
    [refill] = await env.store.refills.list_user_refills(ALICE)
    assert refill.status == "Completed"
    assert await env.store.refills.update_refill_statuses([RefillStatus(9001, "Completed")]) == 0
    unresolved = await env.store.orders.get_order(a.id)
    assert unresolved is not None and unresolved.state is OrderState.PLACED
