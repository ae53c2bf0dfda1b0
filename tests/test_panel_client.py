"""The panel client against the project's simulator: every action, every failure."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from aiohttp import web

from bot.panel.client import PanelClient
from bot.panel.errors import AddOutcomeUnknown, OutcomeUnknown, PanelError, PanelKeyRefused, PanelUnavailable
from bot.panel.simulator import FailureMode, PanelSimulator

KEY = "client-test-secret-key"


@pytest.fixture
async def sim() -> AsyncIterator[PanelSimulator]:
    simulator = PanelSimulator(
        api_key=KEY,
        service_count=0,
        services=[
            {
                "service": 1,
                "name": "Tăng like 👍",
                "type": "Default",
                "category": "Facebook",
                "rate": "2.5",
                "min": "100",
                "max": "10000",
                "refill": True,
                "cancel": True,
            },
            {
                "service": "2",
                "name": "Gói 1",
                "type": "Package",
                "category": "Facebook",
                "rate": "150000",
                "min": "1",
                "max": "1",
                "desc": "Một gói",
            },
            {
                "service": 3,
                "name": "Comments",
                "type": "Custom Comments",
                "category": "TikTok",
                "rate": "30000",
                "min": "1",
                "max": "100",
            },
            {
                "service": 4,
                "name": "Views drip",
                "type": "Default",
                "category": "TikTok",
                "rate": "1000",
                "min": "10",
                "max": "1000",
                "dripfeed": True,
            },
        ],
    )
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
async def client(sim: PanelSimulator) -> AsyncIterator[PanelClient]:
    panel = PanelClient(sim.url, KEY, timeout=1.0, retries=2, backoff=0.01)
    yield panel
    await panel.close()


async def test_services_typed(client: PanelClient) -> None:
    services = {s.id: s for s in await client.services()}
    assert set(services) == {1, 2, 3, 4}
    assert services[1].rate == Decimal("2.5") and services[1].refill and services[1].cancel
    assert services[2].type == "Package" and services[2].description == "Một gói"
    assert services[3].type == "Custom Comments" and services[4].dripfeed


async def test_balance_and_add_deducts_exactly(client: PanelClient, sim: PanelSimulator) -> None:
    before = await client.balance()
    assert before.currency == "VND"
    order_id = await client.add(1, "https://fb.com/p/1", 1500)
    after = await client.balance()
    assert before.amount - after.amount == Decimal("3.75")
    status = await client.status(order_id)
    assert (status.status, status.charge, status.remains) == ("Pending", Decimal("3.75"), 1500)


async def test_add_package_comments_and_dripfeed(client: PanelClient, sim: PanelSimulator) -> None:
    package = await client.add(2, "https://fb.com/page")
    comments = await client.add(3, "https://tiktok.com/@a/video/1", comments="hay quá\nđỉnh\n")
    drip = await client.add(4, "https://tiktok.com/@a/video/2", 10, runs=3, interval=15)
    assert sim.orders[package].charge == Decimal("150000")
    assert sim.orders[comments].quantity == 2
    assert sim.orders[drip].runs == 3 and sim.orders[drip].charge == Decimal("30")


async def test_panel_error_carries_its_message(client: PanelClient) -> None:
    with pytest.raises(PanelError, match="Quantity less than minimal 100"):
        await client.add(1, "https://fb.com/p/2", 5)
    with pytest.raises(PanelError, match="Incorrect order ID"):
        await client.status(424242)


async def test_invalid_key_is_a_refused_key_without_the_key(sim: PanelSimulator) -> None:
    wrong = PanelClient(sim.url, "wrong-key-987", retries=0)
    try:
        with pytest.raises(PanelKeyRefused) as info:  # issue 12: never "the panel said: Invalid API key"
            await wrong.balance()
        assert "wrong-key-987" not in str(info.value)
    finally:
        await wrong.close()


async def test_multi_status_with_a_bad_id_beside_good_ones(client: PanelClient) -> None:
    a = await client.add(1, "https://fb.com/p/a", 100)
    b = await client.add(1, "https://fb.com/p/b", 200)
    result = await client.statuses([a, 999999, b])
    assert result[a].status == "Pending" and result[b].remains == 200
    assert result[999999].error == "Incorrect order ID"


async def test_250_ids_become_3_status_calls(client: PanelClient, sim: PanelSimulator) -> None:
    ids = sim.seed_orders(250)
    result = await client.statuses(ids)
    calls = sim.calls_for("status")
    assert len(calls) == 3
    assert sorted(len(str(c["orders"]).split(",")) for c in calls) == [50, 100, 100]
    assert set(result) == set(ids) and all(s.status == "Pending" for s in result.values())


@pytest.mark.parametrize("shape", ["list", "object"])
async def test_refills_both_shapes(shape: str) -> None:
    sim = PanelSimulator(api_key=KEY, service_count=50, multi_refill_shape=shape)
    await sim.start()
    client = PanelClient(sim.url, KEY)
    try:
        refillable = next(s for s in await client.services() if s.refill and s.type == "Default")
        order = await client.add(refillable.id, "https://x.com/a", refillable.min)
        sim.complete(order)
        result = await client.refills([order])
        assert result[order].refill_id is not None and result[order].error is None
        refill_id = result[order].refill_id
        assert (await client.refill_status(refill_id)).status == "Pending"
        sim.finish_refill(refill_id, "Rejected")
        statuses = await client.refill_statuses([refill_id, 777777])
        assert statuses[refill_id].status == "Rejected" and statuses[refill_id].is_final
        assert statuses[777777].error is not None
    finally:
        await client.close()
        await sim.stop()


async def test_list_refill_shape_keeps_per_order_errors(client: PanelClient, sim: PanelSimulator) -> None:
    done = await client.add(1, "https://fb.com/p/r1", 100)
    pending = await client.add(1, "https://fb.com/p/r2", 100)
    sim.complete(done)
    result = await client.refills([done, pending])
    assert result[done].refill_id is not None
    assert result[pending].refill_id is None and result[pending].error


async def test_single_refill_and_cancel(client: PanelClient, sim: PanelSimulator) -> None:
    order = await client.add(1, "https://fb.com/p/c", 1000)
    with pytest.raises(PanelError):
        await client.refill(order)  # not completed yet
    done = await client.add(1, "https://fb.com/p/done", 1000)
    sim.complete(done)
    refill_id = await client.refill(done)
    assert sim.refills[refill_id].order_id == done
    before = await client.balance()
    outcome = await client.cancel([order, 31337])
    assert outcome[order].ok and not outcome[31337].ok
    assert (await client.status(order)).status == "Canceled"
    assert (await client.balance()).amount - before.amount == Decimal("2.5")


async def test_form_encoding_works_too(sim: PanelSimulator) -> None:
    client = PanelClient(sim.url, KEY, body_format="form")
    try:
        order = await client.add(1, "https://fb.com/p/form", 300)
        assert (await client.status(order)).remains == 300
    finally:
        await client.close()


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        (FailureMode.HTML_502, "HTTP 502"),
        (FailureMode.BAD_JSON, "invalid JSON"),
        (FailureMode.PHP_WARNING, "HTML page"),
        (FailureMode.HTTP_500_JSON, "HTTP 500"),
    ],
)
async def test_garbage_answers_are_panel_unavailable(
    client: PanelClient, sim: PanelSimulator, mode: FailureMode, reason: str
) -> None:
    sim.failure = mode
    with pytest.raises(PanelUnavailable) as info:
        await client.balance()
    assert reason in info.value.reason
    assert len(sim.calls_for("balance")) == 3  # read-only: 1 try + 2 retries


async def test_read_timeout_is_bounded(sim: PanelSimulator) -> None:
    sim.failure = FailureMode.HANG
    client = PanelClient(sim.url, KEY, timeout=0.3, retries=1, backoff=0.01)
    try:
        with pytest.raises(PanelUnavailable, match="timeout"):
            await asyncio.wait_for(client.balance(), 5)
        assert len(sim.calls_for("balance")) == 2
    finally:
        await client.close()


async def test_refused_connection() -> None:
    runner = web.AppRunner(web.Application())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    await runner.cleanup()  # nothing listens there any more
    client = PanelClient(f"http://127.0.0.1:{port}/api/v2", KEY, retries=1, backoff=0.01)
    try:
        with pytest.raises(PanelUnavailable, match="refused"):
            await client.balance()
        with pytest.raises(PanelUnavailable) as info:
            await client.add(1, "https://x", 100)
        assert not isinstance(info.value, AddOutcomeUnknown)  # never sent: certainly not charged
    finally:
        await client.close()


@pytest.mark.parametrize("mode", [FailureMode.HTML_502, FailureMode.BAD_JSON, FailureMode.HANG])
async def test_add_is_never_retried(sim: PanelSimulator, mode: FailureMode) -> None:
    sim.failure = mode
    client = PanelClient(sim.url, KEY, timeout=0.3, add_timeout=0.5, retries=3, backoff=0.01)
    try:
        with pytest.raises(AddOutcomeUnknown):
            await client.add(1, "https://fb.com/p/once", 100)
        assert len(sim.calls_for("add")) == 1
    finally:
        await client.close()


async def test_add_gets_a_long_timeout_not_the_read_timeout(sim: PanelSimulator) -> None:
    sim.failure = FailureMode.SLOW
    sim.slow_seconds = 0.6
    client = PanelClient(sim.url, KEY, timeout=0.2, add_timeout=5, retries=0)
    try:
        order = await client.add(1, "https://fb.com/p/slow", 100)
        assert order in sim.orders
    finally:
        await client.close()


async def test_key_absent_from_errors_and_logs(sim: PanelSimulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client = PanelClient(sim.url, KEY, timeout=0.3, add_timeout=0.3, retries=1, backoff=0.01)
    messages: list[str] = [repr(client)]
    try:
        for mode in FailureMode:
            sim.failure = mode
            for call in (client.balance(), client.add(1, "https://fb.com/p/k", 100), client.status(1)):
                try:
                    await call
                except Exception as exc:
                    messages += [str(exc), repr(exc), str(exc.__cause__), str(exc.__context__)]
    finally:
        await client.close()
    assert KEY not in "\n".join(messages)
    assert KEY not in caplog.text
    assert all(KEY not in str(call) for call in sim.calls)


async def test_writes_that_may_have_happened_say_so(client: PanelClient, sim: PanelSimulator) -> None:
    order = await client.add(1, "https://fb.com/p/w", 1000)
    sim.complete(order)
    sim.failure = FailureMode.HTML_502
    with pytest.raises(OutcomeUnknown):
        await client.refill(order)
    with pytest.raises(OutcomeUnknown):
        await client.cancel([order])
    assert len(sim.calls_for("refill")) == len(sim.calls_for("cancel")) == 1  # writes: one try


async def test_writes_never_sent_are_plainly_unavailable(sim: PanelSimulator) -> None:
    url = sim.url
    await sim.stop()
    client = PanelClient(url, KEY, retries=0)
    try:
        with pytest.raises(PanelUnavailable) as info:
            await client.refill(1)
        assert not isinstance(info.value, OutcomeUnknown)
    finally:
        await client.close()
