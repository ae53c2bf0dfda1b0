"""Poisoned panel answers (issue 9): one entry with an impossible number (`"start_count": "1e30"`)
must not sink its whole batch of statuses, every cycle, for everyone in it.

SQLite can't bind an int past 2**63: such a value used to raise inside the batch's transaction,
roll it back and stop tracking (and notifying) every order polled with it.  Numbers are now
bounded where they are parsed, the unreadable entry alone is skipped and logged once.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bot.panel.client import PanelClient
from bot.panel.models import OrderStatus, Service, to_decimal, to_int
from bot.panel.simulator import PanelSimulator
from bot.runtime import BotRuntime
from bot.services.catalog import CatalogCache
from bot.services.money import format_amount, format_money
from bot.services.poller import StatusPoller
from bot.store import Store
from tests.support.fake_telegram import FakeTelegram
from tests.support.orders import place_order

LARGEST_ID = 2**53 - 1  # the largest ID or count believed (JSON's exact-integer limit)

# What a broken or hostile panel (or a proxy in between) may put where a number belongs.
POISONS: list[tuple[str, Any]] = [
    ("start_count", "1e30"),
    ("start_count", 10**30),  # a JSON integer literal, not a string
    ("start_count", "-5"),  # a count can't be negative
    ("remains", "NaN"),
    ("remains", "9" * 5000),  # a huge string
    ("charge", "Infinity"),
    ("charge", "-5"),  # nor can a charge
    ("charge", "1e999999"),
    ("charge", float("nan")),  # json.dumps writes a bare NaN, which Python's JSON reads back
    ("start_count", 1e300),
]


def status_answer(sim: PanelSimulator, poison: dict[int, dict[str, Any]]) -> Callable[[dict], dict]:
    """A multi-status answer with the simulator's real entries, some of them poisoned."""

    def answer(params: dict[str, Any]) -> dict[str, Any]:
        entries: dict[str, Any] = {}
        for token in str(params["orders"]).split(","):
            order = sim.orders[int(token)]
            entries[token] = {
                "charge": str(order.charge),
                "start_count": str(order.start_count),
                "status": order.status,
                "remains": str(order.remains),
                "currency": "VND",
                **poison.get(order.order_id, {}),
            }
        return entries

    return answer


def warnings_about(caplog: pytest.LogCaptureFixture, panel_order_id: int) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING and f"panel order {panel_order_id}:" in r.getMessage()
    ]


# -- parsing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "value"), POISONS, ids=[f"{f}={str(v)[:12]}" for f, v in POISONS])
def test_an_impossible_number_makes_the_entry_unreadable(field: str, value: Any) -> None:
    raw = {"status": "Completed", "charge": "2.5", "start_count": "168", "remains": "0", field: value}
    status = OrderStatus.from_api(5, raw)
    assert status.unreadable and status.error is not None and field in status.error
    assert status.status == "Unknown" and not status.is_final  # nothing of it is believed


@pytest.mark.parametrize("placeholder", [None, "", "n/a", "  "])
def test_a_placeholder_is_unknown_not_poison(placeholder: Any) -> None:
    status = OrderStatus.from_api(5, {"status": "Partial", "remains": placeholder, "charge": "3"})
    assert not status.unreadable and status.error is None
    assert (status.status, status.remains, status.charge) == ("Partial", None, Decimal(3))


def test_legitimate_extremes_still_read() -> None:
    status = OrderStatus.from_api(
        5, {"status": "Completed", "charge": "0.00000", "start_count": "0", "remains": "-2"}
    )
    assert (status.charge, status.start_count, status.remains, status.unreadable) == (0, 0, -2, False)
    big = OrderStatus.from_api(6, {"status": "Completed", "start_count": str(LARGEST_ID)})
    assert big.start_count == LARGEST_ID and big.within_bounds
    assert OrderStatus.from_api(7, {"status": "x" * 1000}).unreadable  # not a status, a page


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("99999", 99999),
        ("12.0", 12),
        (LARGEST_ID, LARGEST_ID),
        (LARGEST_ID + 1, None),
        (2**63, None),
        ("1e30", None),
        ("NaN", None),
        ("-Infinity", None),
        ("sNaN", None),
        ("1e-999999999", None),
        ("9" * 5000, None),
        (1e300, None),
    ],
)
def test_ints_are_bounded(value: Any, expected: int | None) -> None:
    assert to_int(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2.5", Decimal("2.5")),
        ("1,250", Decimal("1250")),
        (28.139999999999997, Decimal("28.14")),  # a float's noise is rounded off, not refused
        ("0.0015", Decimal("0.0015")),
        ("1E+5", Decimal("100000")),
        ("999999999999999.99", Decimal("999999999999999.99")),
        ("1e15", None),
        ("-1e15", None),
        ("1e30", None),
        ("NaN", None),
        ("Infinity", None),
        ("1" * 60, None),
    ],
)
def test_money_is_bounded(value: Any, expected: Decimal | None) -> None:
    parsed = to_decimal(value)
    assert parsed == expected
    if parsed is not None:
        assert "E" not in str(parsed) and len(str(parsed).partition(".")[2]) <= 10  # stored as plain text


@pytest.mark.parametrize(
    "raw",
    [
        {"service": "1e30", "rate": "1"},
        {"service": 10**30, "rate": "1"},
        {"service": "-5", "rate": "1"},
        {"service": 1, "rate": "NaN"},
        {"service": 1, "rate": "1e30"},
        {"service": 1, "rate": "-5"},
    ],
)
def test_a_service_with_an_impossible_id_or_rate_is_skipped(raw: dict[str, Any]) -> None:
    assert Service.from_api(raw) is None


def test_a_service_with_impossible_limits_gets_safe_ones() -> None:
    service = Service.from_api({"service": 1, "rate": "1", "min": "-5", "max": "1e30"})
    assert service is not None and (service.min, service.max) == (1, 1)


# -- money formatting --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "en", "vi"),
    [
        (Decimal("1e30"), "1E+30", "1E+30"),
        (Decimal("1E+999"), "1E+999", "1E+999"),
        (Decimal("-1E+999999999"), "-1E+999999999", "-1E+999999999"),
        (Decimal("1.5E+21"), "1.5E+21", "1,5E+21"),
        (10**30, "1E+30", "1E+30"),
        (Decimal("123456789012345678901234567.891"), "1.235E+26", "1,235E+26"),
        (
            Decimal("123456789012345678901.999"),
            "123,456,789,012,345,678,901.999",
            "123.456.789.012.345.678.901,999",
        ),
        (Decimal("-1234567.5"), "-1,234,567.5", "-1.234.567,5"),
        (Decimal("-0.001"), "-0.001", "-0,001"),  # never a non-zero amount as 0
        (Decimal("1.234567890123456789012345678901234567"), "1.2345678901", "1,2345678901"),
        (Decimal("1E-999999999"), "1E-999999999", "1E-999999999"),
        (Decimal("NaN"), "NaN", "NaN"),
        (Decimal("-Infinity"), "-∞", "-∞"),
    ],
)
def test_format_amount_never_crashes(amount: Decimal | int, en: str, vi: str) -> None:
    assert format_amount(amount) == en
    assert format_amount(amount, "vi") == vi
    assert format_money(amount, "VND").endswith(" VND")


# -- the store ---------------------------------------------------------------------------------


async def test_store_skips_a_value_the_database_cannot_take_and_applies_the_rest(
    database: str | Path,
) -> None:
    from bot.store import NewOrder

    async with Store(database) as store:
        await store.users.touch_user(1, "A")
        for panel_id in (11, 12, 13):
            intent = await store.orders.create_order_intent(
                NewOrder(1, 1, 7, "s", f"https://x.y/{panel_id}", 100, Decimal(5), f"t{panel_id}")
            )
            await store.orders.mark_order_placed(intent.id, panel_id)
        changed = await store.orders.apply_statuses(
            [
                OrderStatus(11, "Completed", start_count=10**30),  # built by hand, not parsed
                OrderStatus(12, "Completed", charge=Decimal("4.5")),
                OrderStatus(13, "Completed", charge=Decimal("Infinity")),
                OrderStatus(2**70, "Completed"),
            ]
        )
        assert changed == 1
        assert (await store.orders.get_order_by_panel_id(12)).charge == Decimal("4.5")
        for skipped in (11, 13):
            order = await store.orders.get_order_by_panel_id(skipped)
            assert order.status == "Pending" and order.charge == Decimal(5) and order.start_count is None


# -- the poller --------------------------------------------------------------------------------


@dataclass
class Polling:
    """A real store, client and poller against the simulator (also a `place_order` backend)."""

    poller: StatusPoller
    store: Store
    sim: PanelSimulator
    panel: PanelClient
    catalog: CatalogCache


@pytest.fixture
async def polling(database: str | Path) -> AsyncIterator[Polling]:
    sim = PanelSimulator(api_key="k", service_count=50)
    await sim.start()
    client = PanelClient(sim.url, "k", timeout=2, retries=0)
    try:
        async with Store(database) as store:
            yield Polling(StatusPoller(store, client), store, sim, client, CatalogCache(client.services))
    finally:
        await client.close()
        await sim.stop()


async def test_poisoned_entries_are_skipped_alone_and_logged_once(
    polling: Polling, caplog: pytest.LogCaptureFixture
) -> None:
    good = [await place_order(polling, 1) for _ in range(3)]
    bad = [await place_order(polling, 2) for _ in POISONS]
    for order in good + bad:
        polling.sim.complete(order.panel_order_id)
    poison = {o.panel_order_id: {f: v} for o, (f, v) in zip(bad, POISONS, strict=True)}
    polling.sim.script("status", status_answer(polling.sim, poison), times=2)
    caplog.set_level(logging.INFO)

    report = await polling.poller.cycle()  # used to raise OverflowError, every cycle
    assert report.failed is None and report.status_calls == 1
    for order in good:
        assert (await polling.store.orders.get_order(order.id)).status == "Completed"
    for order in bad:
        stored = await polling.store.orders.get_order(order.id)
        assert (stored.status, stored.charge, stored.start_count) == ("Pending", order.charge, None)
        assert len(warnings_about(caplog, order.panel_order_id)) == 1
    assert not any("OverflowError" in r.getMessage() for r in caplog.records)

    await polling.poller.cycle()  # still poisoned: skipped again, but not logged again
    for order in bad:
        assert len(warnings_about(caplog, order.panel_order_id)) == 1
        assert (await polling.store.orders.get_order(order.id)).status == "Pending"
    assert await polling.store.orders.due_order_ids() != []

    await polling.poller.cycle()  # the panel answers sanely again: tracked as usual
    for order in bad:
        assert (await polling.store.orders.get_order(order.id)).status == "Completed"
    assert await polling.store.orders.due_order_ids() == []


# -- end to end --------------------------------------------------------------------------------


async def test_others_in_the_batch_are_still_notified(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    alice, bob = telegram.user(3001), telegram.user(3002, first_name="Bob")
    for user in (alice, bob):
        await user.send("/start")
        await user.reply()
    fine = await place_order(bot, alice.id)
    poisoned = await place_order(bot, bob.id)
    also_fine = await place_order(bot, bob.id)
    for order in (fine, poisoned, also_fine):
        panel.complete(order.panel_order_id)
    answer = status_answer(panel, {poisoned.panel_order_id: {"start_count": "1e30"}})
    panel.script("status", answer, times=2)
    caplog.set_level(logging.INFO)

    run = await bot.tracking.run(bot.app.bot)  # used to raise: nobody was ever notified
    assert run.delivery.sent == 2
    assert f"Order {fine.panel_order_id} is completed" in (await alice.reply()).plain_text
    assert f"Order {also_fine.panel_order_id} is completed" in (await bob.reply()).plain_text
    assert (await bot.store.orders.get_order(poisoned.id)).status == "Pending"

    again = await bot.tracking.run(bot.app.bot)
    assert again.delivery.sent == 0 and again.cycle.failed is None
    assert len(warnings_about(caplog, poisoned.panel_order_id)) == 1
    await alice.silence()
    await bob.silence()


async def test_an_absurdly_long_number_costs_its_field_not_the_whole_answer() -> None:
    """Python refuses to read integers past 4,300 digits: one such number in a multi-status
    answer used to make the whole answer 'invalid JSON' and stop tracking for everyone."""
    from bot.panel.client import _decode

    answer = '{"1": {"status": "Completed", "start_count": ' + "9" * 5000 + '}, "2": {"status": "Partial"}}'
    data = _decode(200, answer)
    assert data["2"] == {"status": "Partial"}
    first = OrderStatus.from_api(1, data["1"])
    assert first.status == "Completed" and first.start_count is None
