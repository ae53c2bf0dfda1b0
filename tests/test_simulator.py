"""Behaviour of the panel simulator, observed over real HTTP on 127.0.0.1.

The simulator is the yardstick for every client test, so these tests pin down the
wire format (strings for numbers, exact error texts) rather than internals.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import aiohttp
import pytest

from bot.panel.simulator import FailureMode, PanelSimulator, generate_catalog

KEY = "test-key"

# A small hand-written catalog so every test knows exact rates and flags.
CATALOG: list[dict[str, Any]] = [
    {"service": 1, "name": "Tăng like bài viết Facebook 👍", "type": "Default",
     "category": "Facebook - Tăng like bài viết 👍", "rate": "1250.5", "min": "100",
     "max": "10000", "refill": True, "cancel": True, "dripfeed": True},
    {"service": 4, "name": "TikTok Views | Không bảo hành", "type": "Default",
     "category": "TikTok - Tăng view video 👀", "rate": "850", "min": "100",
     "max": "1000000", "refill": False, "cancel": False, "dripfeed": False},
    {"service": 7, "name": "Bình luận Facebook theo yêu cầu", "type": "Custom Comments",
     "category": "Facebook - Tăng bình luận 💬", "rate": "200000", "min": "2",
     "max": "100", "refill": False, "cancel": True, "dripfeed": False},
    {"service": 9, "name": "Gói 1000 follow Instagram", "type": "Package",
     "category": "Instagram Followers [Global] 🌍", "rate": "150000", "min": "1",
     "max": "1", "refill": False, "cancel": False, "dripfeed": False},
]  # fmt: skip


@pytest.fixture
async def sim() -> AsyncIterator[PanelSimulator]:
    simulator = PanelSimulator(api_key=KEY, services=[dict(s) for s in CATALOG])
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def call(session: aiohttp.ClientSession, url: str, **params: Any) -> Any:
    """POST a JSON body the way the bot's client does and decode the answer."""
    async with session.post(url, json={"key": KEY, **params}) as response:
        assert response.status == 200
        assert response.content_type == "application/json"
        return await response.json()


async def add(session: aiohttp.ClientSession, sim: PanelSimulator, service: int = 1, **extra: Any) -> Any:
    params: dict[str, Any] = {"service": service, "link": f"https://fb.com/p/{len(sim.orders)}"}
    params.setdefault("quantity", 1000)
    params.update(extra)
    return await call(session, sim.url, action="add", **params)


# ------------------------------------------------------------------- protocol basics


async def test_services_served_verbatim_with_string_numbers(sim, http) -> None:
    services = await call(http, sim.url, action="services")
    assert services == CATALOG
    assert services[0]["rate"] == "1250.5" and services[0]["min"] == "100"


async def test_balance_is_a_string_with_currency(sim, http) -> None:
    assert await call(http, sim.url, action="balance") == {
        "balance": "5000000.00",
        "currency": "VND",
    }


async def test_wrong_or_missing_key_and_unknown_action(sim, http) -> None:
    async with http.post(sim.url, json={"key": "nope", "action": "balance"}) as response:
        assert response.status == 200
        assert await response.json() == {"error": "Invalid API key"}
    async with http.post(sim.url, json={"action": "balance"}) as response:
        assert await response.json() == {"error": "Invalid API key"}
    assert await call(http, sim.url, action="frobnicate") == {"error": "Incorrect request"}
    assert await call(http, sim.url) == {"error": "Incorrect request"}


async def test_form_body_with_string_values(sim, http) -> None:
    form = {"key": KEY, "action": "add", "service": "4", "link": "https://tt.com/v/1",
            "quantity": "2000"}  # fmt: skip
    async with http.post(sim.url, data=form) as response:
        assert await response.json() == {"order": 100001}
    async with http.post(sim.url, data={"key": KEY, "action": "status", "order": "100001"}) as r:
        assert (await r.json())["charge"] == "1700.00000"


async def test_root_path_is_accepted_too(sim, http) -> None:
    root = sim.url.removesuffix("api/v2")
    async with http.post(root, json={"key": KEY, "action": "balance"}) as response:
        assert (await response.json())["currency"] == "VND"


async def test_calls_log_excludes_key_and_keeps_failed_calls(sim, http) -> None:
    await call(http, sim.url, action="balance")
    await call(http, sim.url, action="add", service=999, link="x", quantity=5)
    sim.failure = FailureMode.HTML_502
    async with http.post(sim.url, json={"key": KEY, "action": "balance"}) as response:
        assert response.status == 502
    assert sim.calls == [
        {"action": "balance"},
        {"action": "add", "service": 999, "link": "x", "quantity": 5},
        {"action": "balance"},
    ]
    assert all("key" not in entry for entry in sim.calls)
    assert sim.calls_for("add") == [sim.calls[1]]


# ------------------------------------------------------------------------------- add


async def test_add_deducts_exact_decimal_charge(sim, http) -> None:
    assert await add(http, sim, quantity=333) == {"order": 100001}
    assert await add(http, sim, service=4, quantity=1000) == {"order": 100002}
    expected_charge = Decimal("1250.5") * 333 / 1000  # 416.4165
    assert sim.balance == Decimal("5000000") - expected_charge - Decimal("850")
    assert sim.orders[100001].charge == Decimal("416.4165")
    balance = await call(http, sim.url, action="balance")
    assert balance["balance"] == "4998733.5835"
    status = await call(http, sim.url, action="status", order=100001)
    assert status["charge"] == "416.41650"
    assert status["status"] == "Pending" and status["remains"] == "333"
    assert status["start_count"].isdigit() and status["currency"] == "VND"


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"service": 999}, "Incorrect service ID"),
        ({"service": "abc"}, "Incorrect service ID"),
        ({"link": ""}, "Incorrect link"),
        ({"link": "https://fb.com/a b"}, "Incorrect link"),
        ({"quantity": 99}, "Quantity less than minimal 100"),
        ({"quantity": 10001}, "Quantity more than maximum 10000"),
        ({"quantity": "lots"}, "Incorrect quantity"),
        ({"service": 4, "runs": 2, "interval": 5}, "Drip-feed is disabled for this service"),
    ],
)
async def test_add_errors(sim, http, params: dict[str, Any], error: str) -> None:
    assert await add(http, sim, **params) == {"error": error}
    assert sim.orders == {}
    assert sim.balance == Decimal("5000000")


async def test_add_not_enough_funds_leaves_balance(http) -> None:
    simulator = PanelSimulator(api_key=KEY, services=CATALOG, balance=Decimal("1000"))
    async with simulator:
        answer = await add(http, simulator, service=4, quantity=2000)  # 1700 > 1000
        assert answer == {"error": "Not enough funds on balance"}
        assert await add(http, simulator, service=4, quantity=1000) == {"order": 100001}
        assert simulator.balance == Decimal("150")


async def test_active_order_for_same_link_is_refused_until_final(sim, http) -> None:
    link = "https://fb.com/p/dup"
    assert await add(http, sim, link=link) == {"order": 100001}
    assert await add(http, sim, link=link) == {
        "error": "You have active order with this link. Please wait until order being completed."
    }
    assert "order" in await add(http, sim, service=4, link=link)  # other service is fine
    sim.complete(100001)
    assert await add(http, sim, link=link) == {"order": 100003}


async def test_dripfeed_multiplies_quantity_by_runs(sim, http) -> None:
    assert await add(http, sim, quantity=200, runs=5, interval=30) == {"order": 100001}
    order = sim.orders[100001]
    assert (order.quantity, order.runs, order.interval) == (1000, 5, 30)
    assert order.charge == Decimal("1250.5")


async def test_custom_comments_count_non_empty_lines(sim, http) -> None:
    comments = "Hay quá 👍\n\nĐẹp lắm\r\nXuất sắc\n   \n"
    answer = await add(http, sim, service=7, comments=comments, quantity=999)
    assert answer == {"order": 100001}
    assert sim.orders[100001].quantity == 3
    assert sim.orders[100001].comments == comments
    assert sim.balance == Decimal("5000000") - Decimal("600")
    assert await add(http, sim, service=7, comments="chỉ một") == {"error": "Quantity less than minimal 2"}


async def test_package_charges_flat_rate_without_quantity(sim, http) -> None:
    answer = await call(http, sim.url, action="add", service=9, link="https://ig.com/u")
    assert answer == {"order": 100001}
    assert sim.orders[100001].charge == Decimal("150000")
    assert sim.balance == Decimal("4850000")


# ---------------------------------------------------------------------------- status


async def test_status_unknown_order(sim, http) -> None:
    assert await call(http, sim.url, action="status", order=5) == {"error": "Incorrect order ID"}


async def test_multi_status_mixes_errors_with_results(sim, http) -> None:
    await add(http, sim)
    await add(http, sim, service=4)
    sim.set_status(100002, "In progress", remains=-2)
    answer = await call(http, sim.url, action="status", orders="100001, 42,100002,abc")
    assert list(answer) == ["100001", "42", "100002", "abc"]
    assert answer["100001"]["status"] == "Pending"
    assert answer["42"] == {"error": "Incorrect order ID"}
    assert answer["abc"] == {"error": "Incorrect order ID"}
    assert answer["100002"]["remains"] == "-2"


async def test_multi_status_limit_is_100(sim, http) -> None:
    ids = sim.seed_orders(101)
    answer = await call(http, sim.url, action="status", orders=",".join(map(str, ids)))
    assert answer == {"error": "Maximum 100 orders"}
    answer = await call(http, sim.url, action="status", orders=",".join(map(str, ids[:100])))
    assert len(answer) == 100


async def test_partial_refunds_undelivered_share(sim, http) -> None:
    await add(http, sim, quantity=1000)
    sim.partial(100001, remains=400)
    assert sim.balance == Decimal("5000000") - Decimal("1250.5") + Decimal("500.2")
    status = await call(http, sim.url, action="status", order=100001)
    assert status == {"charge": "750.30000", "start_count": status["start_count"],
                      "status": "Partial", "remains": "400", "currency": "VND"}  # fmt: skip


async def test_advance_all_walks_the_happy_path(sim, http) -> None:
    await add(http, sim)
    sim.advance_all()
    assert (await call(http, sim.url, action="status", order=100001))["status"] == "In progress"
    sim.advance_all()
    status = await call(http, sim.url, action="status", order=100001)
    assert (status["status"], status["remains"]) == ("Completed", "0")


async def test_auto_advance_by_age_and_manual_control_wins(http) -> None:
    simulator = PanelSimulator(api_key=KEY, services=CATALOG, auto_advance_seconds=10)
    async with simulator:
        await add(http, simulator)
        await add(http, simulator, service=4)
        for order in simulator.orders.values():
            order.created_at -= 11  # one step old
        assert (await call(http, simulator.url, action="status", order=100001))["status"] == "In progress"
        simulator.set_status(100002, "Pending")
        for order in simulator.orders.values():
            order.created_at -= 100
        answer = await call(http, simulator.url, action="status", orders="100001,100002")
        assert answer["100001"]["status"] == "Completed"
        assert answer["100001"]["remains"] == "0"
        assert answer["100002"]["status"] == "Pending"


# ---------------------------------------------------------------------------- refill


async def test_refill_rules_and_status(sim, http) -> None:
    await add(http, sim)  # refill service
    await add(http, sim, service=4)  # no refill
    assert await call(http, sim.url, action="refill", order=100001) == {"error": "Order is not completed"}
    sim.complete(100001)
    sim.complete(100002)
    assert await call(http, sim.url, action="refill", order=100002) == {
        "error": "Refill is disabled for this service"
    }
    assert await call(http, sim.url, action="refill", order=7) == {"error": "Incorrect order ID"}
    assert await call(http, sim.url, action="refill", order=100001) == {"refill": "1"}
    assert await call(http, sim.url, action="refill_status", refill=1) == {"status": "Pending"}
    sim.finish_refill(1, "Rejected")
    assert await call(http, sim.url, action="refill_status", refills="1,9") == [
        {"refill": 1, "status": "Rejected"},
        {"refill": 9, "status": {"error": "Refill not found"}},
    ]
    assert await call(http, sim.url, action="refill_status", refill=9) == {"error": "Refill not found"}


async def _two_completed_and_one_pending(http, simulator: PanelSimulator) -> None:
    for _ in range(3):
        await add(http, simulator)
    simulator.complete(100001)
    simulator.partial(100002, remains=10)


async def test_multi_refill_list_shape(sim, http) -> None:
    await _two_completed_and_one_pending(http, sim)
    answer = await call(http, sim.url, action="refill", orders="100001,100003,100002")
    assert answer == [
        {"order": 100001, "refill": 1},
        {"order": 100003, "refill": {"error": "Order is not completed"}},
        {"order": 100002, "refill": 2},
    ]
    assert {r.order_id for r in sim.refills.values()} == {100001, 100002}


async def test_multi_refill_object_shape_keeps_only_first_id(http) -> None:
    simulator = PanelSimulator(api_key=KEY, services=CATALOG, multi_refill_shape="object")
    async with simulator:
        await _two_completed_and_one_pending(http, simulator)
        answer = await call(http, simulator.url, action="refill", orders="100003,100001,100002")
        assert answer == {"refill": "1"}
        assert len(simulator.refills) == 2  # both were created, only one id came back
        answer = await call(http, simulator.url, action="refill", orders="100003")
        assert answer == {"error": "Order is not completed"}


# ---------------------------------------------------------------------------- cancel


async def test_cancel_refunds_and_reports_per_order(sim, http) -> None:
    await add(http, sim)  # cancel allowed
    await add(http, sim, service=4)  # cancel disabled
    answer = await call(http, sim.url, action="cancel", orders="100001,100002,5")
    assert answer == [
        {"order": 100001, "cancel": 1},
        {"order": 100002, "cancel": {"error": "Cancel is disabled for this service"}},
        {"order": 5, "cancel": {"error": "Incorrect order ID"}},
    ]
    assert sim.balance == Decimal("5000000") - Decimal("850")
    status = await call(http, sim.url, action="status", order=100001)
    assert (status["status"], status["charge"]) == ("Canceled", "0.00000")
    assert await call(http, sim.url, action="cancel", order=100001) == {"error": "Order cannot be canceled"}


async def test_single_cancel(sim, http) -> None:
    await add(http, sim)
    assert await call(http, sim.url, action="cancel", order=100001) == {"cancel": 1}
    assert sim.balance == Decimal("5000000")


async def test_control_cancel_order_refunds_after_partial(sim, http) -> None:
    await add(http, sim)
    sim.partial(100001, remains=500)
    sim.cancel_order(100001)
    assert sim.balance == Decimal("5000000")
    assert sim.orders[100001].charge == 0


# --------------------------------------------------------------------- failure modes


async def test_html_502_is_html_and_changes_nothing(sim, http) -> None:
    sim.failure = FailureMode.HTML_502
    payload = {"key": KEY, "action": "add", "service": 4, "link": "x", "quantity": 1000}
    async with http.post(sim.url, json=payload) as response:
        assert response.status == 502
        assert response.content_type == "text/html"
        assert "502 Bad Gateway" in await response.text()
    assert sim.orders == {}


async def test_http_500_json(sim, http) -> None:
    sim.failure = FailureMode.HTTP_500_JSON
    async with http.post(sim.url, json={"key": KEY, "action": "balance"}) as response:
        assert response.status == 500
        assert await response.json() == {"error": "Internal error"}


async def test_bad_json_is_undecodable(sim, http) -> None:
    sim.failure = FailureMode.BAD_JSON
    async with http.post(sim.url, json={"key": KEY, "action": "balance"}) as response:
        assert response.status == 200
        text = await response.text()
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)


async def test_php_warning_precedes_real_answer(sim, http) -> None:
    sim.failure = FailureMode.PHP_WARNING
    async with http.post(sim.url, json={"key": KEY, "action": "balance"}) as response:
        assert response.status == 200
        text = await response.text()
    assert text.startswith("<br />") and "<b>Warning</b>:" in text
    assert json.loads(text[text.index("{") :]) == {"balance": "5000000.00", "currency": "VND"}


async def test_slow_answers_after_delay(sim, http) -> None:
    sim.failure = FailureMode.SLOW
    sim.slow_seconds = 0.2
    started = time.perf_counter()
    assert await call(http, sim.url, action="balance") == {
        "balance": "5000000.00",
        "currency": "VND",
    }
    assert time.perf_counter() - started >= 0.2


async def test_hang_times_out_but_the_order_was_placed(sim, http) -> None:
    sim.failure = "hang"  # plain strings are accepted too
    payload = {"key": KEY, "action": "add", "service": 4, "link": "https://t/1", "quantity": 100}
    with pytest.raises(TimeoutError):
        async with http.post(sim.url, json=payload, timeout=aiohttp.ClientTimeout(total=0.5)) as response:
            await response.read()
    assert list(sim.orders) == [100001]  # charged although the client never heard back
    sim.failure = FailureMode.NONE
    assert (await call(http, sim.url, action="balance"))["balance"] == "4999915.00"


async def test_stop_releases_hanging_requests_quickly() -> None:
    simulator = PanelSimulator(api_key=KEY, services=CATALOG)
    await simulator.start()
    simulator.failure = FailureMode.HANG
    async with aiohttp.ClientSession() as session:
        request = asyncio.ensure_future(session.post(simulator.url, json={"key": KEY}))
        await asyncio.sleep(0.1)
        started = time.perf_counter()
        await simulator.stop()
        assert time.perf_counter() - started < 1.0
        response = await request
        assert response.status == 503
        response.release()


async def test_latency_delays_every_answer(http) -> None:
    simulator = PanelSimulator(api_key=KEY, services=CATALOG, latency=0.1)
    async with simulator:
        started = time.perf_counter()
        await call(http, simulator.url, action="balance")
        assert time.perf_counter() - started >= 0.1


# --------------------------------------------------------------------------- catalog


def test_generated_catalog_is_big_varied_and_fast() -> None:
    started = time.perf_counter()
    services = generate_catalog(10_000, 150, seed=3)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.5
    ids = [s["service"] for s in services]
    assert len(services) == 10_000
    assert len(set(ids)) == 10_000 and ids == sorted(ids) and ids[0] == 1
    assert ids[-1] > 10_000  # gaps, like a panel whose services were deleted over time
    assert len({s["category"] for s in services}) == 150
    assert {"Default", "Package", "Custom Comments"} <= {s["type"] for s in services}
    vietnamese = re.compile(r"[ăâđêôơưạảấầẩậắằặẹẻếềểệịọỏốồổộớờởợụủứừửựỳỹ]")
    assert sum(bool(vietnamese.search(s["name"])) for s in services) > 5_000
    assert any(len(s["name"]) >= 120 for s in services)
    assert 2_000 < sum("desc" in s for s in services) < 5_000
    for service in services:
        assert isinstance(service["rate"], str) and Decimal(service["rate"]) > 0
        assert 1 <= int(service["min"]) <= int(service["max"]) <= 10_000_000
        assert all(isinstance(service[f], bool) for f in ("refill", "cancel", "dripfeed"))
        if service["type"] == "Package":
            assert service["min"] == service["max"] == "1"


def test_catalog_is_deterministic_per_seed() -> None:
    assert generate_catalog(500, 20, seed=1) == generate_catalog(500, 20, seed=1)
    assert generate_catalog(500, 20, seed=1) != generate_catalog(500, 20, seed=2)


def test_default_simulator_catalog() -> None:
    simulator = PanelSimulator()
    assert len(simulator.services) == 3200
    assert len({s["category"] for s in simulator.services}) == 60


async def test_orders_against_generated_catalog(http) -> None:
    simulator = PanelSimulator(api_key=KEY, service_count=300, categories=10)
    service = next(s for s in simulator.services if s["type"] == "Default")
    async with simulator:
        answer = await call(http, simulator.url, action="add", service=service["service"],
                            link="https://x.com/a", quantity=service["min"])  # fmt: skip
        assert answer == {"order": 100001}
    charge = Decimal(service["rate"]) * int(service["min"]) / 1000
    assert simulator.balance == Decimal("5000000") - charge


def test_seed_orders_bypasses_balance() -> None:
    simulator = PanelSimulator(service_count=100, categories=5)
    ids = simulator.seed_orders(1000, status="Completed", service_id=simulator.services[0]["service"])
    assert ids == list(range(100001, 101001))
    assert simulator.balance == Decimal("5000000")
    assert {o.status for o in simulator.orders.values()} == {"Completed"}
    assert {o.remains for o in simulator.orders.values()} == {0}
