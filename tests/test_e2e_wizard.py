"""The order wizard end to end: every step, every validation, exactly one order per confirmation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from decimal import Decimal

import pytest

from bot.config import Settings
from bot.panel.simulator import FailureMode, PanelSimulator
from bot.runtime import BotRuntime
from bot.store import OrderState
from tests.conftest import PANEL_KEY
from tests.support.fake_telegram import FakeTelegram, FakeUser, SentMessage
from tests.support.runtime import running

SERVICES = [
    {
        "service": 1,
        "name": "Tăng like bài viết 👍",
        "type": "Default",
        "category": "Facebook",
        "rate": "25000",
        "min": "100",
        "max": "10000",
        "refill": True,
        "cancel": True,
    },
    {
        "service": 2,
        "name": "Gói VIP tháng",
        "type": "Package",
        "category": "Facebook",
        "rate": "150000",
        "min": "1",
        "max": "1",
    },
    {
        "service": 3,
        "name": "Bình luận tùy chỉnh",
        "type": "Custom Comments",
        "category": "TikTok",
        "rate": "30000",
        "min": "2",
        "max": "50",
    },
    {
        "service": 4,
        "name": "Views nhỏ giọt",
        "type": "Default",
        "category": "TikTok",
        "rate": "1000",
        "min": "10",
        "max": "1000",
        "dripfeed": True,
    },
    {
        "service": 5,
        "name": "Poll votes",
        "type": "Poll",
        "category": "Twitter",
        "rate": "5000",
        "min": "10",
        "max": "1000",
    },
]
LINK = "https://facebook.com/posts/1"


@pytest.fixture
async def panel() -> AsyncIterator[PanelSimulator]:
    sim = PanelSimulator(api_key=PANEL_KEY, services=[dict(s) for s in SERVICES])
    await sim.start()
    yield sim
    await sim.stop()


async def say(user: FakeUser, text: str) -> SentMessage:
    await user.send(text)
    return await user.reply()


async def confirm(
    user: FakeUser, message: SentMessage | None = None, label: str = "✅ Confirm"
) -> SentMessage:
    """Tap Confirm and return the message once it stopped saying "placing…"."""
    await user.tap(label, message=message)
    while True:
        answer = await user.reply()
        if not answer.plain_text.startswith("⏳"):
            return answer


async def to_summary(
    user: FakeUser, service_id: int = 1, link: str = LINK, quantity: str = "1500"
) -> SentMessage:
    assert "Send the <b>link</b>" in (await say(user, f"/order {service_id}")).text
    assert "How many?" in (await say(user, link)).text
    return await say(user, quantity)


async def test_default_order_happy_path(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    summary = await to_summary(alice)
    text = summary.plain_text
    assert "Tăng like bài viết 👍 (#1)" in text and LINK in text
    assert "Quantity: 1,500" in text and "Total: 37,500 VND" in text
    assert summary.button_texts == ["✅ Confirm", "✏️ Edit", "‹ Back", "✖ Cancel"]
    before = panel.balance

    placed = await confirm(alice)
    order_id = max(panel.orders)
    assert "Order placed" in placed.text and str(order_id) in placed.text
    assert placed.message_id == summary.message_id  # the summary became the receipt
    assert placed.button_texts == ["🔄 Status", "🛒 Order again"]
    sim_order = panel.orders[order_id]
    assert (sim_order.service_id, sim_order.link, sim_order.quantity) == (1, LINK, 1500)
    assert before - panel.balance == Decimal("37500")
    record = await bot.store.orders.get_order_by_panel_id(order_id)
    assert record is not None and record.state is OrderState.PLACED and record.user_id == alice.id
    assert record.charge == Decimal("37500")


async def test_link_validation_repeats_the_step(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    await say(alice, "/order 1")
    for garbage in ("hello world", "abc", "😀😀", "http://", "x" * 600):
        assert "doesn't look like a link" in (await say(alice, garbage)).text, garbage
    assert "How many?" in (await say(alice, "@some_user")).text
    assert panel.calls_for("add") == []


@pytest.mark.parametrize("bad", ["abc", "50", "99", "10001", "20000", "1.5", "-5", "1e3"])
async def test_quantity_validation_states_the_range(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator, bad: str
) -> None:
    alice = telegram.user()
    await say(alice, "/order 1")
    await say(alice, LINK)
    answer = (await say(alice, bad)).plain_text
    assert "from 100 to 10,000" in answer
    # The step repeats: a valid answer now reaches the summary.
    assert "Total: 2,500 VND" in (await say(alice, "100")).plain_text
    assert panel.calls_for("add") == []


async def test_quantity_accepts_grouped_thousands(bot: BotRuntime, telegram: FakeTelegram) -> None:
    alice = telegram.user()
    summary = await to_summary(alice, quantity="2,000")
    assert "Quantity: 2,000" in summary.plain_text and "Total: 50,000 VND" in summary.plain_text


async def test_order_command_asks_for_a_service(bot: BotRuntime, telegram: FakeTelegram) -> None:
    alice = telegram.user()
    assert "Send its ID" in (await say(alice, "/order")).plain_text
    assert "service ID" in (await say(alice, "likes please")).plain_text
    assert "no service with ID 999" in (await say(alice, "999")).plain_text
    assert "Send the link" in (await say(alice, "1")).plain_text


async def test_order_button_starts_the_wizard(bot: BotRuntime, telegram: FakeTelegram) -> None:
    alice = telegram.user()
    start = await say(alice, "/start")
    query = await alice.tap_data("ord:4", message=start)
    assert "Views nhỏ giọt" in (await alice.reply()).plain_text
    await alice.answered(query)


async def test_package_needs_only_a_link(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    await say(alice, "/order 2")
    summary = await say(alice, "facebook.com/mypage")
    assert "Total: 150,000 VND" in summary.plain_text
    assert "https://facebook.com/mypage" in summary.plain_text  # bare domain made a URL
    await confirm(alice)
    order = panel.orders[max(panel.orders)]
    assert order.service_id == 2 and order.charge == Decimal("150000")


async def test_custom_comments_count_lines(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    await say(alice, "/order 3")
    assert "one per line" in (await say(alice, "https://tiktok.com/@a/video/1")).plain_text
    assert "You sent 1 comments" in (await say(alice, "chỉ một dòng")).plain_text
    summary = await say(alice, "Hay quá!\n\nĐỉnh 🔥\nQuá tuyệt")
    assert "Quantity: 3" in summary.plain_text and "Total: 90 VND" in summary.plain_text
    await confirm(alice)
    order = panel.orders[max(panel.orders)]
    assert order.quantity == 3 and order.comments == "Hay quá!\nĐỉnh 🔥\nQuá tuyệt"


async def test_drip_feed_runs_and_interval(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    await say(alice, "/order 4")
    await say(alice, "https://tiktok.com/@a/video/2")
    assert "drip-feed" in (await say(alice, "100")).plain_text
    assert "from 2 to 1,000" in (await say(alice, "1")).plain_text
    assert "minutes between runs" in (await say(alice, "3")).plain_text
    assert "from 1 to 1,440" in (await say(alice, "0")).plain_text
    summary = await say(alice, "15")
    assert "3 runs × 100, every 15 min" in summary.plain_text
    assert "Quantity: 300" in summary.plain_text and "Total: 300 VND" in summary.plain_text
    await confirm(alice)
    order = panel.orders[max(panel.orders)]
    assert (order.quantity, order.runs, order.interval) in {(100, 3, 15), (300, 3, 15)}
    assert order.charge == Decimal("300")


async def test_drip_feed_can_be_skipped(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    await say(alice, "/order 4")
    await say(alice, "https://tiktok.com/@a/video/3")
    await say(alice, "100")
    await alice.tap("Skip ›")
    assert (await alice.reply()).buttons == []  # the prompt loses its Skip button
    summary = await alice.reply()
    assert "Total: 100 VND" in summary.plain_text and "runs" not in summary.plain_text
    await confirm(alice, summary)
    assert panel.orders[max(panel.orders)].runs is None


async def test_a_poll_is_ordered_in_chat_not_refused(bot: BotRuntime, telegram: FakeTelegram) -> None:
    """Every documented type is ordered in chat now (issue 12; more in test_e2e_service_types)."""
    alice = telegram.user()
    answer = (await say(alice, "/order 5")).plain_text
    assert "Poll votes (#5)" in answer and "website" not in answer
    assert "How many?" in (await say(alice, LINK)).plain_text
    assert "answer" in (await say(alice, "100")).plain_text


async def test_concurrent_confirm_taps_place_one_order(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    summary = await to_summary(alice)
    first, second = await asyncio.gather(
        alice.tap("✅ Confirm", message=summary), alice.tap("✅ Confirm", message=summary)
    )
    answers = [await alice.answered(first), await alice.answered(second)]
    await telegram.wait_idle()
    assert len(panel.calls_for("add")) == 1
    assert any("already placed" in (a.get("text") or "") for a in answers)
    assert await bot.store.orders.count_user_orders(alice.id) == 1


async def test_repeat_tap_after_success_says_already_placed(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    summary = await to_summary(alice)
    await confirm(alice)
    order_id = max(panel.orders)
    query = await alice.tap_data(f"wok:{_token(summary)}", message=summary)
    answer = await alice.answered(query)
    assert "already placed" in answer["text"] and str(order_id) in answer["text"]
    assert len(panel.calls_for("add")) == 1


def _token(summary: SentMessage) -> str:
    data = summary.button("✅ Confirm").callback_data
    assert data is not None and data.startswith("wok:")
    return data.removeprefix("wok:")


async def test_someone_elses_confirm_token_is_just_stale(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice, bob = telegram.user(1001), telegram.user(1002, first_name="Bob")
    summary = await to_summary(alice)
    await confirm(alice)
    hello = await say(bob, "/start")
    answer = await bob.answered(await bob.tap_data(f"wok:{_token(summary)}", message=hello))
    assert "no longer active" in answer["text"] and "already placed" not in answer["text"]
    assert len(panel.calls_for("add")) == 1


@pytest.mark.parametrize(
    ("steps", "service"),
    [
        ([], None),  # asking for the service
        ([], 1),  # asking for the link
        ([LINK], 1),  # asking for the quantity
        (["https://tiktok.com/@a/video/9"], 3),  # asking for comments
        (["https://tiktok.com/@a/video/9", "100"], 4),  # asking for runs
        (["https://tiktok.com/@a/video/9", "100", "3"], 4),  # asking for the interval
        ([LINK, "1500"], 1),  # at the summary
    ],
)
async def test_cancel_at_every_step(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator, steps: list[str], service: int | None
) -> None:
    alice = telegram.user()
    await say(alice, "/order" if service is None else f"/order {service}")
    for answer in steps:
        await say(alice, answer)
    assert "Order cancelled" in (await say(alice, "/cancel")).plain_text
    assert "nothing to cancel" in (await say(alice, "/cancel")).plain_text
    assert panel.calls_for("add") == []
    if steps and service == 1 and len(steps) == 2:
        query = await alice.tap("✅ Confirm")
        assert "no longer active" in (await alice.answered(query))["text"]
        assert panel.calls_for("add") == []


async def test_cancel_button_at_summary(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    await to_summary(alice)
    await alice.tap("✖ Cancel")
    assert "Order cancelled" in (await alice.reply()).plain_text
    assert panel.calls_for("add") == []


async def test_text_at_summary_points_to_the_buttons(bot: BotRuntime, telegram: FakeTelegram) -> None:
    alice = telegram.user()
    await to_summary(alice)
    assert "tap ✅ Confirm" in (await say(alice, "ok")).plain_text


async def test_panel_refusal_is_shown_and_nothing_recorded_as_placed(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    panel.balance = Decimal("100")
    alice = telegram.user()
    await to_summary(alice)
    answer = (await confirm(alice)).plain_text
    assert "refused the order: The shop can't take orders right now" in answer
    assert "Nothing was charged" in answer
    assert "funds" not in answer  # the owner's balance is not the user's business (issue 12)
    assert await bot.store.orders.list_user_orders(alice.id) == []
    assert panel.orders == {}


async def test_active_order_with_same_link_is_refused_in_plain_words(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    await to_summary(alice)
    await confirm(alice)
    await to_summary(alice)
    assert "Wait until your current order on this link finishes" in (await confirm(alice)).plain_text
    assert await bot.store.orders.count_user_orders(alice.id) == 1


async def test_garbled_answer_to_add_keeps_an_unknown_order(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    await to_summary(alice)
    panel.failure = FailureMode.HTML_502
    answer = (await confirm(alice)).plain_text
    assert "may or may not have been placed" in answer
    assert len(panel.calls_for("add")) == 1  # never retried
    [order] = await bot.store.orders.unresolved_orders(alice.id)
    assert order.state is OrderState.UNKNOWN and order.link == LINK


async def test_unreachable_panel_places_nothing(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    await to_summary(alice)
    await panel.stop()
    assert "could not be reached" in (await confirm(alice)).plain_text
    assert await bot.store.orders.list_user_orders(alice.id) == []


async def test_price_change_between_summary_and_confirm(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    await to_summary(alice)
    panel.services[0]["rate"] = "30000"
    await bot.catalog.refresh()
    assert "price changed" in (await confirm(alice)).plain_text
    fresh = await alice.reply()
    assert "Total: 45,000 VND" in fresh.plain_text
    assert panel.calls_for("add") == []
    await confirm(alice, fresh)
    assert panel.orders[max(panel.orders)].charge == Decimal("45000")


async def test_stale_and_forged_wizard_buttons(bot: BotRuntime, telegram: FakeTelegram) -> None:
    alice = telegram.user()
    hello = await say(alice, "/start")
    for data in ("wok:bogus", "wok:", "wno", "wsk", "ord:abc", "ord:99999999"):
        query = await alice.tap_data(data, message=hello)
        answer = await alice.answered(query)
        assert answer.get("text") and answer.get("show_alert"), data
    assert "no service with ID 99999999" in answer["text"]
    await alice.silence()  # explained in the alerts; nothing else sent
    assert telegram.errors == []


async def test_wizard_times_out_with_a_note(
    make_settings: Callable[..., Settings], telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    async with running(make_settings(wizard_timeout_seconds=0.5)):
        alice = telegram.user()
        await say(alice, "/order 1")
        note = await alice.reply(timeout=5)
        assert "no answer for a while" in note.plain_text
        await alice.send(LINK)
        await telegram.wait_idle()
        assert all("How many?" not in m.plain_text for m in alice.messages)


async def test_wizard_resumes_after_restart(
    make_settings: Callable[..., Settings], telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    settings = make_settings()
    first = BotRuntime(settings)
    await first.start(poll_timeout=1)
    alice = telegram.user()
    try:
        await say(alice, "/order 1")
        await say(alice, LINK)
    finally:
        await first.stop()
    async with running(settings):
        summary = await say(alice, "1500")
        assert "Total: 37,500 VND" in summary.plain_text and LINK in summary.plain_text
        assert "Order placed" in (await confirm(alice)).plain_text
        assert len(panel.calls_for("add")) == 1


async def test_vietnamese_wizard(bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator) -> None:
    an = telegram.user(1005, first_name="An", language_code="vi")
    assert "Gửi <b>link</b>" in (await say(an, "/order 1")).text
    assert "Link chưa hợp lệ" in (await say(an, "không phải link")).text
    assert "Số lượng bao nhiêu?" in (await say(an, LINK)).text
    assert "từ 100 đến 10.000" in (await say(an, "5")).plain_text
    summary = await say(an, "1500")
    assert "Tổng tiền: 37.500 VND" in summary.plain_text
    assert summary.button_texts == ["✅ Xác nhận", "✏️ Sửa", "‹ Quay lại", "✖ Hủy"]
    assert "Đặt đơn thành công" in (await confirm(an, label="✅ Xác nhận")).plain_text
