"""Orders for tests: placed for real on the panel simulator, recorded the way the wizard does.

The wizard writes an intent, calls `add`, then marks the intent placed; these helpers
do the same against any object exposing `store`, `panel` and `catalog` (a
`BotRuntime`, or a hand-built backend in service-level tests).
"""

from __future__ import annotations

import itertools
import uuid
from typing import Protocol

from bot.panel.client import PanelClient
from bot.panel.models import Service
from bot.services.catalog import CatalogCache
from bot.store import Store
from bot.store.models import NewOrder, OrderRecord

_links = itertools.count(1)


class Backend(Protocol):
    store: Store
    panel: PanelClient
    catalog: CatalogCache


def fresh_link(tag: str = "post") -> str:
    """A link no other order used: the panel refuses a second active order on one link."""
    return f"https://example.com/{tag}/{next(_links)}"


async def pick_service(
    backend: Backend, *, refill: bool | None = None, cancel: bool | None = None
) -> Service:
    """A plain (Default, not drip-feed) service with the wanted refill/cancel flags."""
    catalog = await backend.catalog.get()
    for service in catalog.services:
        if service.type != "Default" or service.dripfeed:
            continue
        if refill is not None and service.refill != refill:
            continue
        if cancel is not None and service.cancel != cancel:
            continue
        return service
    raise AssertionError(f"no service with refill={refill} cancel={cancel} in the catalog")


async def record_intent(
    backend: Backend,
    user_id: int,
    service: Service,
    *,
    link: str | None = None,
    quantity: int | None = None,
) -> OrderRecord:
    """An order written before `add` and never resolved: its outcome is unknown."""
    quantity = quantity or service.min
    await backend.store.users.touch_user(user_id)
    return await backend.store.orders.create_order_intent(
        NewOrder(
            user_id=user_id,
            chat_id=user_id,
            service_id=service.id,
            service_name=service.name,
            link=link or fresh_link(),
            quantity=quantity,
            charge=service.charge_for(quantity),
            confirm_token=uuid.uuid4().hex,
        )
    )


async def place_order(
    backend: Backend,
    user_id: int,
    *,
    service: Service | None = None,
    link: str | None = None,
    quantity: int | None = None,
    refill: bool | None = None,
    cancel: bool | None = None,
) -> OrderRecord:
    """A real order on the simulator, recorded as placed for `user_id`."""
    service = service or await pick_service(backend, refill=refill, cancel=cancel)
    intent = await record_intent(backend, user_id, service, link=link, quantity=quantity)
    panel_order_id = await backend.panel.add(service.id, intent.link, intent.quantity)
    await backend.store.orders.mark_order_placed(intent.id, panel_order_id)
    placed = await backend.store.orders.get_order(intent.id)
    assert placed is not None
    return placed
