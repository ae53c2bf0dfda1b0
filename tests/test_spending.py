"""Spending guards (issue 9): what counts as spent in `/users`, `/stats` and `USER_DAILY_LIMIT`.

Money the panel gave back (Canceled, "Refunded") is not spent, whatever charge it still
reports; a Partial counts what the panel last said it charged; and "today" in `/stats`
starts at the owner's midnight even when that is 17:00 UTC the day before.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings
from bot.panel.client import PanelClient
from bot.panel.simulator import PanelSimulator
from bot.services.access import AccessService
from bot.services.admin import AdminService
from bot.services.catalog import CatalogCache
from bot.services.ordering import Draft, InvalidInput, OrderingService, Outcome
from bot.services.poller import StatusPoller
from bot.store import Store
from tests.conftest import PANEL_KEY
from tests.support.fake_telegram import FakeTelegram, FakeUser
from tests.support.runtime import running
from tests.test_e2e_wizard import SERVICES, confirm, say, to_summary

ALICE, ADMIN = 4001, 4999
HCM = ZoneInfo("Asia/Ho_Chi_Minh")  # UTC+07:00, no daylight saving


@pytest.fixture
async def panel() -> AsyncIterator[PanelSimulator]:
    sim = PanelSimulator(api_key=PANEL_KEY, services=[dict(s) for s in SERVICES])
    await sim.start()
    yield sim
    await sim.stop()


def refunded_keeping_the_charge(sim: PanelSimulator, panel_order_id: int) -> Callable[[dict], dict]:
    """A status answer as many panels give it: "Refunded", the charge still the original one
    (the refund is a separate balance entry), the other orders as the simulator has them."""

    def answer(params: dict[str, Any]) -> dict[str, Any]:
        entries: dict[str, Any] = {}
        for token in str(params["orders"]).split(","):
            order = sim.orders[int(token)]
            entries[token] = {
                "charge": str(order.charge),
                "start_count": str(order.start_count),
                "status": "Refunded" if order.order_id == panel_order_id else order.status,
                "remains": str(order.remains),
            }
        return entries

    return answer


async def stats_today(admin: FakeUser) -> str:
    text = (await say(admin, "/stats")).plain_text
    return text.splitlines()[0]


# -- end to end --------------------------------------------------------------------------------


async def test_a_refunded_order_frees_the_daily_limit_and_leaves_the_stats(
    make_settings: Callable[..., Settings], telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    settings = make_settings(user_daily_limit=Decimal("30000"), admin_ids=frozenset({ADMIN}))
    async with running(settings) as bot:
        alice, admin = telegram.user(ALICE), telegram.user(ADMIN, first_name="Owner")
        placed = await confirm(alice, await to_summary(alice, quantity="1000"))  # 25,000 VND
        assert "Order placed" in placed.text
        first = max(panel.orders)
        refused = await to_summary(alice, link="https://facebook.com/posts/2", quantity="1000")
        assert "you can spend only 5,000 VND more" in refused.plain_text
        await say(alice, "/cancel")

        panel.script("status", refunded_keeping_the_charge(panel, first))
        await bot.tracking.run(bot.app.bot)
        assert f"Order {first} was refunded" in (await alice.reply()).plain_text
        record = await bot.store.orders.get_order_by_panel_id(first)
        assert record is not None and record.status == "Refunded" and record.charge == Decimal("25000")

        again = await to_summary(alice, link="https://facebook.com/posts/2", quantity="1000")
        assert again.button_texts == ["✅ Confirm", "✏️ Edit", "‹ Back", "✖ Cancel"]  # may order again
        assert "Order placed" in (await confirm(alice, again)).text
        assert len(panel.calls_for("add")) == 2
        assert "Today: 1 orders · 25,000 VND" in await stats_today(admin)


async def test_an_order_canceled_on_the_panel_is_not_in_stats_or_users(
    make_settings: Callable[..., Settings], telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    async with running(make_settings(admin_ids=frozenset({ADMIN}))) as bot:
        alice, admin = telegram.user(ALICE), telegram.user(ADMIN, first_name="Owner")
        assert "Order placed" in (await confirm(alice, await to_summary(alice, quantity="1000"))).text
        assert "Today: 1 orders · 25,000 VND" in await stats_today(admin)
        panel.cancel_order(max(panel.orders))  # full refund on the panel
        await bot.tracking.run(bot.app.bot)
        await alice.reply()  # "was canceled"

        assert "Today: 0 orders · 0 VND" in await stats_today(admin)
        users = (await say(admin, "/users")).plain_text
        line = next(line for line in users.splitlines() if str(ALICE) in line)
        assert line.endswith("· 0 · 0 VND")


# -- services with injected clocks ---------------------------------------------------------------


@dataclass
class Backend:
    store: Store
    panel: PanelClient
    catalog: CatalogCache
    sim: PanelSimulator
    now: list[datetime]

    def ordering(self, **limits: Decimal) -> OrderingService:
        return OrderingService(self.store, self.panel, self.catalog, clock=lambda: self.now[0], **limits)

    async def order(self, service: OrderingService, link: str, quantity: int = 1000) -> int:
        draft, _ = await service.prepare(ALICE, Draft(1, link=link, quantity=quantity))
        placement = await service.place(ALICE, ALICE, draft)
        assert placement.outcome is Outcome.PLACED and placement.order.panel_order_id is not None
        return placement.order.panel_order_id


@pytest.fixture
async def backend(database: str | Path, panel: PanelSimulator) -> AsyncIterator[Backend]:
    now = [datetime(2026, 3, 11, 2, 0, tzinfo=UTC)]
    client = PanelClient(panel.url, PANEL_KEY, timeout=2.0, retries=0)
    try:
        async with Store(database, clock=lambda: now[0]) as store:
            await store.users.touch_user(ALICE, "Alice")
            yield Backend(store, client, CatalogCache(client.services), panel, now)
    finally:
        await client.close()


async def test_stats_periods_start_at_the_owners_midnight(backend: Backend) -> None:
    """Orders at 01:00 local time (18:00 UTC the day before) today and on the first day of
    the 30-day window count in `/stats` for an owner in UTC+07:00."""
    ordering = backend.ordering()
    for placed_at, link in (
        (datetime(2026, 2, 10, 1, 0, tzinfo=HCM), "https://facebook.com/posts/first-day"),
        (datetime(2026, 3, 10, 23, 30, tzinfo=HCM), "https://facebook.com/posts/yesterday"),
        (datetime(2026, 3, 11, 1, 0, tzinfo=HCM), "https://facebook.com/posts/today"),
    ):
        backend.now[0] = placed_at.astimezone(UTC)  # the store keeps UTC
        await backend.order(ordering, link)
    backend.now[0] = datetime(2026, 3, 11, 9, 0, tzinfo=HCM).astimezone(UTC)

    access = AccessService(Settings(telegram_bot_token="t", smm_api_key="k"), backend.store)
    admin = AdminService(backend.store, access, clock=lambda: backend.now[0], zone=HCM)
    today, week, month = await admin.stats()
    assert (today.days, today.totals.orders, today.totals.charge) == (1, 1, Decimal("25000"))
    assert (week.days, week.totals.orders) == (7, 2)
    assert (month.days, month.totals.orders, month.totals.charge) == (30, 3, Decimal("75000"))

    midnight = datetime(2026, 3, 11, tzinfo=HCM)
    assert len(await backend.store.orders.spending(since=midnight)) == 1
    assert len(await backend.store.orders.spending(since=midnight - timedelta(hours=1))) == 2
    assert len(await backend.store.orders.spending(since=datetime(2026, 3, 10, 17, 30))) == 1  # naive: UTC


async def test_refunded_and_partial_orders_count_what_was_really_charged(backend: Backend) -> None:
    ordering = backend.ordering(user_daily_limit=Decimal("35000"))
    refunded = await backend.order(ordering, "https://facebook.com/posts/a")  # 25,000
    with pytest.raises(InvalidInput) as full:
        await ordering.prepare(ALICE, Draft(1, link="https://facebook.com/posts/b", quantity=1000))
    assert full.value.values["left"] == Decimal("10000")

    backend.sim.script("status", refunded_keeping_the_charge(backend.sim, refunded))
    await StatusPoller(backend.store, backend.panel).cycle()
    partial = await backend.order(ordering, "https://facebook.com/posts/b")  # allowed again
    backend.sim.partial(partial, remains=600)  # delivered 400 of 1000: charged 10,000
    await StatusPoller(backend.store, backend.panel).cycle()

    spent = await backend.store.orders.spending(user_id=ALICE)
    assert [s.charge for s in spent] == [Decimal("10000")]
    # 10,000 spent + 25,000 = 35,000: exactly the limit, which is allowed.
    await backend.order(ordering, "https://facebook.com/posts/c")
