"""Issue 12, request format: `SMM_API_FORMAT=auto` finds the body format a panel reads.

Most panels of the family read form bodies only (PHP `$_POST`) and take a JSON body for a call
without a key; a few read JSON only.  The real client talks to the real simulator made form-only
or JSON-only (`body_formats`), and the bot runs end to end against the fake Bot API.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal

import pytest

from bot.config import Settings
from bot.panel.client import PanelClient
from bot.panel.errors import AddOutcomeUnknown, PanelKeyRefused, PanelUnavailable
from bot.panel.simulator import FailureMode, PanelSimulator
from bot.store import OrderState
from tests.conftest import PANEL_KEY
from tests.support.fake_telegram import FakeTelegram, FakeUser, SentMessage
from tests.support.runtime import running

SERVICES = [
    {
        "service": 1,
        "name": "Tăng like bài viết",
        "type": "Default",
        "category": "Facebook",
        "rate": "25000",
        "min": "100",
        "max": "10000",
        "refill": True,
        "cancel": True,
    },
]
LINK = "https://facebook.com/posts/1"
FORM_ONLY = ("form",)
JSON_ONLY = ("json",)
ADMIN = 9000
Start = Callable[..., Awaitable[PanelSimulator]]


def sim_for(body_formats: tuple[str, ...], **kw: object) -> PanelSimulator:
    return PanelSimulator(
        api_key=PANEL_KEY,
        services=[dict(s) for s in SERVICES],
        body_formats=body_formats,
        **kw,
    )


@pytest.fixture
async def started() -> AsyncIterator[Start]:
    """Start simulators on demand; all stopped at the end."""
    sims: list[PanelSimulator] = []

    async def start(body_formats: tuple[str, ...], **kw: object) -> PanelSimulator:
        sim = sim_for(body_formats, **kw)
        await sim.start()
        sims.append(sim)
        return sim

    yield start
    for sim in sims:
        await sim.stop()


def client_for(
    sim: PanelSimulator, body_format: str = "auto", key: str = PANEL_KEY, key_retry: float = 30.0
) -> PanelClient:
    return PanelClient(
        sim.url,
        key,
        body_format=body_format,
        timeout=2.0,
        retries=1,
        backoff=0.01,
        key_retry_seconds=key_retry,
    )


def format_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "request bodies" in r.getMessage()]


def refusal_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if "refuses the API key" in r.getMessage()]


# -- the client against a form-only / JSON-only simulator ------------------------------------------


async def test_the_simulator_can_be_a_form_only_or_json_only_panel(started: Start) -> None:
    form_only = await started(FORM_ONLY)
    json_only = await started(JSON_ONLY)
    for sim, wrong, right in ((form_only, "json", "form"), (json_only, "form", "json")):
        forced_wrong, forced_right = client_for(sim, wrong), client_for(sim, right)
        try:
            with pytest.raises(PanelKeyRefused):
                await forced_wrong.balance()
            assert (await forced_right.balance()).amount == Decimal(5_000_000)
        finally:
            await forced_wrong.close()
            await forced_right.close()
        assert sim.requests == [("balance", wrong), ("balance", right)]


async def test_form_only_panel_is_found_on_the_first_call(
    started: Start, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.panel.client")
    sim = await started(FORM_ONLY)
    client = client_for(sim)
    try:
        assert client.body_format is None
        assert [s.id for s in await client.services()] == [1]
        assert client.body_format == "form"
        order = await client.add(1, LINK, 100)
        assert (await client.status(order)).status == "Pending"
    finally:
        await client.close()
    assert sim.requests == [("services", "form"), ("add", "form"), ("status", "form")]
    assert format_lines(caplog) == ["the panel reads form request bodies; using them from now on"]


async def test_json_only_panel_is_probed_once_and_remembered(
    started: Start, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.panel.client")
    sim = await started(JSON_ONLY)
    client = client_for(sim)
    try:
        assert [s.id for s in await client.services()] == [1]
        await client.balance()
        order = await client.add(1, LINK, 100)
        await client.statuses([order])
    finally:
        await client.close()
    # One refused form call, then JSON only, and the format said once.
    assert sim.requests == [
        ("services", "form"),
        ("services", "json"),
        ("balance", "json"),
        ("add", "json"),
        ("status", "json"),
    ]
    assert format_lines(caplog) == ["the panel reads json request bodies; using them from now on"]
    assert not refusal_lines(caplog)  # the refused form call is not a wrong key


async def test_concurrent_first_calls_wait_for_one_probe(started: Start) -> None:
    sim = await started(JSON_ONLY, latency=0.1)
    client = client_for(sim)
    try:
        balances = await asyncio.gather(*(client.balance() for _ in range(6)), client.services())
    finally:
        await client.close()
    assert all(b.amount == Decimal(5_000_000) for b in balances[:6])
    formats = [fmt for _, fmt in sim.requests]
    assert formats.count("form") == 1  # one probe, not seven
    assert formats.count("json") == 7 and len(sim.requests) == 8


@pytest.mark.parametrize("write", ["add", "refill", "cancel"])
async def test_a_write_with_the_format_unknown_is_preceded_by_a_balance_probe(
    started: Start, write: str
) -> None:
    sim = await started(JSON_ONLY)
    [order] = sim.seed_orders(1, status="Completed", service_id=1)
    client = client_for(sim)
    try:
        if write == "add":
            assert await client.add(1, LINK, 100) in sim.orders
        elif write == "refill":
            assert await client.refill(order) > 0
        else:
            assert order in await client.cancel([order])
    finally:
        await client.close()
    # The write went exactly once, in the format a read-only `balance` found; never twice.
    assert sim.requests == [("balance", "form"), ("balance", "json"), (write, "json")]


@pytest.mark.parametrize("mode", [FailureMode.HTML_502, FailureMode.HANG])
async def test_a_write_is_not_sent_while_the_format_cannot_be_found(
    started: Start, mode: FailureMode
) -> None:
    sim = await started(FORM_ONLY)
    sim.failure = mode
    client = PanelClient(sim.url, PANEL_KEY, body_format="auto", timeout=0.3, interactive_timeout=0.3)
    try:
        with pytest.raises(PanelUnavailable) as info:
            await client.add(1, LINK, 100)
        assert not isinstance(info.value, AddOutcomeUnknown)  # never sent: certainly not charged
        assert client.body_format is None
    finally:
        await client.close()
    assert sim.formats_for("add") == []
    assert sim.orders == {}


async def test_forcing_json_against_a_form_only_panel_does_not_probe(
    started: Start, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sim = await started(FORM_ONLY)
    client = client_for(sim, "json", key_retry=0)  # every call reaches the panel
    try:
        assert client.body_format == "json"
        for _ in range(3):
            with pytest.raises(PanelKeyRefused):
                await client.balance()
        with pytest.raises(PanelUnavailable) as info:
            await client.add(1, LINK, 100)
        assert not isinstance(info.value, AddOutcomeUnknown)  # refused: nothing was charged
    finally:
        await client.close()
    assert sim.requests == [("balance", "json")] * 3 + [("add", "json")]
    assert sim.orders == {}
    [line] = refusal_lines(caplog)
    assert "SMM_API_FORMAT=auto" in line.getMessage()  # the owner is pointed at the setting
    assert PANEL_KEY not in caplog.text


async def test_a_wrong_key_is_one_log_line_and_one_signal(
    started: Start, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "wrong-panel-key-31337"
    sim = await started(("json", "form"))
    client = client_for(sim, key=wrong, key_retry=0)  # every call reaches the panel
    signals: list[str] = []
    client.on_key_refused = lambda: signals.append("refused")
    try:
        for call in (client.services, client.balance, client.balance):
            with pytest.raises(PanelKeyRefused):
                await call()
        with pytest.raises(PanelUnavailable):
            await client.add(1, LINK, 100)
        assert client.body_format is None
        sim.api_key = wrong  # the owner fixed it on the panel's side
        assert (await client.balance()).amount == Decimal(5_000_000)
        sim.api_key = "rotated-again-424242"
        with pytest.raises(PanelKeyRefused):
            await client.balance()
    finally:
        await client.close()
    assert signals == ["refused", "refused"]  # once per episode, not once per call
    assert [r.levelno for r in refusal_lines(caplog)] == [logging.ERROR, logging.ERROR]
    assert "accepts the API key again" in caplog.text
    assert wrong not in caplog.text
    assert sim.formats_for("add") == []


# -- end to end: the bot with the default setting ---------------------------------------------------


async def say(user: FakeUser, text: str) -> SentMessage:
    await user.send(text)
    return await user.reply()


async def place(user: FakeUser) -> SentMessage:
    assert "link" in (await say(user, "/order 1")).plain_text
    assert "How many?" in (await say(user, LINK)).plain_text
    summary = await say(user, "1500")
    await user.tap("✅ Confirm", message=summary)
    while True:
        answer = await user.reply()
        if not answer.plain_text.startswith("⏳"):
            return answer


@pytest.mark.parametrize("body_formats", [FORM_ONLY, JSON_ONLY], ids=["form-only", "json-only"])
async def test_the_default_setting_works_end_to_end(
    make_settings: Callable[..., Settings],
    telegram: FakeTelegram,
    started: Start,
    body_formats: tuple[str, ...],
) -> None:
    sim = await started(body_formats)
    settings = make_settings(smm_api_url=sim.url)
    assert settings.smm_api_format == "auto"  # the default
    async with running(settings) as runtime:
        alice = telegram.user()
        assert "5,000,000 VND" in (await say(alice, "/balance")).plain_text
        placed = await place(alice)
        assert "Order placed" in placed.plain_text
        catalog = runtime.catalog.current
        assert catalog is not None and [s.id for s in catalog.services] == [1]
        [order_id] = sim.orders
        record = await runtime.store.orders.get_order_by_panel_id(order_id)
        assert record is not None and record.state is OrderState.PLACED
    [wanted] = body_formats
    assert sim.formats_for("add") == [wanted]  # exactly once, in the format the panel reads
    assert len(sim.calls_for("add")) == 1
    refused = [fmt for _, fmt in sim.requests if fmt != wanted]
    assert refused == ([] if wanted == "form" else ["form"])  # one probe at most


async def test_a_wrong_key_at_start_up_is_one_log_line_and_one_admin_message(
    make_settings: Callable[..., Settings],
    telegram: FakeTelegram,
    started: Start,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    sim = await started(FORM_ONLY)
    wrong = "wrong-panel-key-77777"
    admin = telegram.user(ADMIN, first_name="Owner")
    await admin.send("/start")  # the admin has talked to the bot before (Telegram requires it)
    settings = make_settings(smm_api_url=sim.url, smm_api_key=wrong, admin_ids=frozenset({ADMIN}))
    async with running(settings) as runtime:
        await telegram.wait_for(
            lambda: any("refuses the bot's API key" in m.plain_text for m in admin.messages),
            what="the admin's alert",
        )
        users = [telegram.user(2001 + i, first_name=f"U{i}") for i in range(3)]
        for user in users:
            for command in ("/balance", "/order 1", "/services"):
                answer = (await say(user, command)).plain_text
                assert "API key" not in answer and "Invalid" not in answer, answer
                if command == "/balance":  # the owner's problem, said as the shop's state
                    assert "can't take orders right now" in answer, answer
        await runtime.tracking.run(runtime.app.bot)
        await telegram.wait_idle()
    alerts = [m.plain_text for m in admin.messages if "API key" in m.plain_text]
    assert len(alerts) == 1 and "SMM_API_KEY" in alerts[0]
    [line] = refusal_lines(caplog)
    assert line.levelno == logging.ERROR and "SMM_API_KEY" in line.getMessage()
    assert "could not load the catalog" not in caplog.text
    assert wrong not in caplog.text
    assert all(wrong not in str(c.params) for c in telegram.calls)
    assert sim.formats_for("add") == [] and sim.orders == {}
    assert sim.requests == [("services", "form"), ("services", "json")]  # users' taps: no calls


async def test_a_refused_key_is_not_offered_again_at_every_call(started: Start) -> None:
    sim = await started(("json", "form"))
    client = client_for(sim, key="wrong-panel-key-4242")
    try:
        for _ in range(5):
            with pytest.raises(PanelKeyRefused):
                await client.balance(interactive=True)
        with pytest.raises(PanelUnavailable):
            await client.add(1, LINK, 100)
    finally:
        await client.close()
    assert sim.requests == [("balance", "form"), ("balance", "json")]  # the first call's probe only
