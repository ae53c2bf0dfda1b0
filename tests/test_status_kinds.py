"""Issue 12: statuses in one place, "Refunded" said as what it is, and refill/cancel when the
catalog doesn't say (missing means unknown: the panel decides; only an explicit false is no)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.panel.models import (
    FINAL_ORDER_STATUSES,
    FINAL_REFILL_STATUSES,
    OrderStatus,
    OrderStatusKind,
    RefillStatus,
    RefillStatusKind,
    Service,
    normalize_refill_status,
    normalize_status,
)
from bot.panel.simulator import PanelSimulator
from bot.runtime import BotRuntime
from bot.store import Store
from bot.store.models import OrderRecord
from bot.store.tables import OPEN_ORDER_SQL, OPEN_REFILL_SQL
from tests.conftest import PANEL_KEY
from tests.support.fake_telegram import FakeTelegram, FakeUser, SentMessage
from tests.support.orders import place_order

ALICE = 1301

_BASE = {"type": "Default", "category": "Facebook", "rate": "1000", "min": "100", "max": "10000"}
SERVICES = [
    {"service": 1, "name": "Likes", **_BASE},  # no refill, no cancel field
    {"service": 2, "name": "Views", **_BASE, "refill": False, "cancel": False},
    {"service": 3, "name": "Follows", **_BASE, "refill": True, "cancel": True},
]


@pytest.fixture
async def panel() -> AsyncIterator[PanelSimulator]:
    sim = PanelSimulator(api_key=PANEL_KEY, services=[dict(s) for s in SERVICES])
    await sim.start()
    yield sim
    await sim.stop()


async def order_of(bot: BotRuntime, service_id: int) -> OrderRecord:
    return await place_order(bot, ALICE, service=(await bot.catalog.get()).get(service_id))


async def say(user: FakeUser, words: str) -> SentMessage:
    await user.send(words)
    return await user.reply()


async def open_card(user: FakeUser, order: OrderRecord) -> SentMessage:
    await say(user, "/orders")
    await user.tap(f"#{order.panel_order_id}")
    return await user.reply()


# -- spellings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("cancelled", OrderStatusKind.CANCELED),
        ("In Progress", OrderStatusKind.IN_PROGRESS),
        ("refunded", OrderStatusKind.REFUNDED),
        ("REFUNDED", OrderStatusKind.REFUNDED),
        (" Completed ", OrderStatusKind.COMPLETED),
    ],
)
def test_each_order_spelling_reads_as_its_kind(raw: str, expected: OrderStatusKind) -> None:
    assert normalize_status(raw) == expected.value and type(normalize_status(raw)) is str
    st = OrderStatus.from_api(1, {"status": raw})
    assert st.status == expected and st.is_final is (expected in FINAL_ORDER_STATUSES)


def test_refunded_is_final_and_stored_as_refunded() -> None:
    st = OrderStatus.from_api(1, {"status": "Refunded", "charge": "25000"})
    assert (st.status, st.is_final) == ("Refunded", True)
    assert normalize_refill_status("Rejected") == RefillStatusKind.REJECTED
    assert normalize_refill_status("in progress") == RefillStatusKind.IN_PROGRESS


def test_a_catalog_without_the_field_is_unknown_not_no() -> None:
    base = {"service": 1, "name": "x", "rate": "1"}
    assert (Service.from_api(base).refill, Service.from_api(base).cancel) == (None, None)  # type: ignore[union-attr]
    explicit = Service.from_api({**base, "refill": False, "cancel": "0"})
    assert explicit is not None and (explicit.refill, explicit.cancel) == (False, False)


async def test_the_open_orders_index_lists_refunded(database: str | Path) -> None:
    """Or refunded orders would be polled forever (on either engine)."""
    async with Store(database) as store, store.db.read() as conn:
        if store.engine == "sqlite":
            query = "SELECT sql FROM sqlite_master WHERE name = :name"
        else:
            query = "SELECT indexdef FROM pg_indexes WHERE indexname = :name"
        definitions = {
            index: (await conn.execute(text(query), {"name": index})).scalar_one()
            for index in ("orders_open", "refills_open")
        }
    assert "'Refunded'" in definitions["orders_open"]
    for index, finals in (("orders_open", FINAL_ORDER_STATUSES), ("refills_open", FINAL_REFILL_STATUSES)):
        assert all(f"'{status}'" in definitions[index] for status in finals), definitions[index]


async def test_sqlite_uses_the_partial_indexes_for_open_rows(tmp_path: Path) -> None:
    async with Store(tmp_path / "s.sqlite3") as store, store.db.read() as conn:
        [index_sql] = (
            await conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'orders_open'")
        ).scalars().all()
        assert "'Refunded'" in index_sql
        # INDEXED BY fails ("no query solution") unless the query's literal matches the index.
        for index, query in (
            ("orders_open", f"SELECT id FROM orders INDEXED BY orders_open WHERE {OPEN_ORDER_SQL}"),
            ("refills_open", f"SELECT id FROM refills INDEXED BY refills_open WHERE {OPEN_REFILL_SQL}"),
        ):
            plan = (await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {query}")).all()
            assert any(index in str(tuple(row)) for row in plan)


# -- Refunded, end to end ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "notice", "name"),
    [
        ("en", "was refunded by the panel", "↩️ Refunded"),
        ("vi", "đã được panel hoàn tiền", "↩️ Đã hoàn tiền"),
    ],
)
async def test_a_refunded_order_is_told_and_shown_as_refunded(
    lang: str, notice: str, name: str, bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user(ALICE, language_code=lang)
    await say(alice, "/orders")  # so the bot knows her client's language
    order = await order_of(bot, 3)
    assert order.panel_order_id is not None
    refunded = {"status": "Refunded", "charge": "100", "remains": "0"}
    panel.script("status", {str(order.panel_order_id): refunded})
    await bot.tracking.run(bot.app.bot)
    message = await alice.reply()
    assert f"{order.panel_order_id} {notice}" in message.plain_text
    assert "cancel" not in message.plain_text.lower() and "huỷ" not in message.plain_text
    assert len(message.button_texts) == 1 and "🛒" in message.button_texts[0]  # order again
    stored = await bot.store.orders.get_order(order.id)
    assert stored is not None and stored.status == "Refunded"
    assert await bot.store.orders.due_order_ids() == []  # final: not polled again
    assert await bot.store.orders.spending(user_id=ALICE) == []  # the money came back
    card = await open_card(alice, order)
    assert name in card.plain_text
    calls = len(panel.calls_for("status"))
    await bot.tracking.run(bot.app.bot)
    assert len(panel.calls_for("status")) == calls
    await alice.silence()


# -- refill and cancel when the catalog doesn't say ----------------------------------------------


async def test_refill_without_the_catalog_field_asks_the_panel(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user(ALICE)
    await say(alice, "/orders")
    order = await order_of(bot, 1)
    panel.complete(order.panel_order_id)
    await bot.tracking.run(bot.app.bot)
    assert (await alice.reply()).button_texts == ["♻️ Refill", "🛒 Order again"]  # the completion notice
    card = await open_card(alice, order)
    assert "♻️ Refill" in card.button_texts
    panel.script("refill", {"refill": "77"})  # this panel does refill it
    done = (await say(alice, f"/refill {order.panel_order_id}")).plain_text
    assert "Refill ID: 77" in done
    # A refill still pending is shown, not asked for again (issue 13); this one has finished.
    await bot.store.refills.update_refill_statuses([RefillStatus(77, "Completed")])
    # The simulator itself reads the missing field as "no": its refusal, in plain words.
    refused = (await say(alice, f"/refill {order.panel_order_id}")).plain_text
    assert refused == "⚠️ This service has no refill (no warranty)."
    assert [c["order"] for c in panel.calls_for("refill")] == [str(order.panel_order_id)] * 2


async def test_refill_explicitly_off_is_refused_without_asking_the_panel(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user(ALICE)
    await say(alice, "/orders")
    order = await order_of(bot, 2)
    panel.complete(order.panel_order_id)
    await bot.tracking.run(bot.app.bot)
    assert (await alice.reply()).button_texts == ["🛒 Order again"]  # the completion notice
    card = await open_card(alice, order)
    assert "♻️ Refill" not in card.button_texts
    answer = (await say(alice, f"/refill {order.panel_order_id}")).plain_text
    assert answer == "This service has no refill (no warranty)."
    assert panel.calls_for("refill") == []


async def test_cancel_without_the_catalog_field_lets_the_panel_decide(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user(ALICE)
    silent, off = await order_of(bot, 1), await order_of(bot, 2)
    card = await open_card(alice, silent)
    await alice.tap("✖ Cancel", card)
    question = await alice.reply()
    answer = await alice.answered(await alice.tap("✖ Yes, cancel it", question))
    assert answer["show_alert"] and answer["text"] == "⚠️ This service can't be canceled."
    assert len(panel.calls_for("cancel")) == 1  # asked: the panel said no
    assert "✖ Cancel" not in (await open_card(alice, off)).button_texts
    answer = await alice.answered(await alice.tap_data(f"ocl:{off.id}:0:1"))
    assert answer["show_alert"] and answer["text"] == "This service can't be canceled."
    assert len(panel.calls_for("cancel")) == 1  # an explicit "no" never reaches the panel
