"""End to end through the fake Bot API: /orders, the order card, /status, /refill, /refills,
cancel, and that nobody can see or touch someone else's order."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.panel.simulator import FailureMode, PanelSimulator
from bot.runtime import BotRuntime
from bot.services.money import format_amount
from bot.store.models import OrderRecord
from tests.support.fake_telegram import FakeTelegram, FakeUser, SentMessage
from tests.support.orders import fresh_link, pick_service, place_order, record_intent
from tests.support.runtime import running

ALICE, BOB = 1001, 1002


async def open_orders(user: FakeUser) -> SentMessage:
    await user.send("/orders")
    return await user.reply()


async def open_card(user: FakeUser, order: OrderRecord) -> SentMessage:
    """/orders, then tap the order's button (it must be on the first page)."""
    listing = await open_orders(user)
    await user.tap(f"#{order.panel_order_id}", listing)
    return await user.reply()


def everything_seen_by(telegram: FakeTelegram, user: FakeUser) -> str:
    """All text a user could have seen: messages in their chat (as edited) and alert answers."""
    texts = [m.text or "" for m in user.messages]
    texts += [str(a.get("text") or "") for a in user.answers.values()]
    calls = [str(c.params) for c in telegram.calls if str(c.params.get("chat_id")) == str(user.id)]
    return "\n".join(texts + calls)


# -- /orders -----------------------------------------------------------------------------------


async def test_no_orders_points_at_the_catalog(bot: BotRuntime, telegram: FakeTelegram) -> None:
    message = await open_orders(telegram.user(ALICE))
    assert "no orders yet" in message.plain_text and "/services" in message.plain_text
    assert message.buttons == []


async def test_orders_newest_first_and_paginated(bot: BotRuntime, telegram: FakeTelegram) -> None:
    orders = [await place_order(bot, ALICE) for _ in range(10)]
    alice = telegram.user(ALICE)
    first = await open_orders(alice)
    newest = [f"#{o.panel_order_id}" for o in reversed(orders)]
    labels = [label for label in first.button_texts if "#" in label]
    assert [label.split(" · ")[0].split(" ")[1] for label in labels] == newest[:8]
    assert first.plain_text.index(newest[0]) < first.plain_text.index(newest[7])
    assert "(10)" in first.plain_text and "1/2" in first.button_texts
    await alice.tap("Next ›", first)
    second = await alice.reply()
    assert second.message_id == first.message_id  # navigation edits the message
    assert next(b for b in second.button_texts if "#" in b).startswith(f"⏳ {newest[8]}")
    assert "2/2" in second.button_texts and "‹ Prev" in second.button_texts
    assert newest[0] not in second.plain_text and newest[9] in second.plain_text
    await alice.tap("‹ Prev", second)
    assert newest[0] in (await alice.reply()).plain_text


async def test_unknown_intent_is_shown_not_hidden(bot: BotRuntime, telegram: FakeTelegram) -> None:
    intent = await record_intent(bot, ALICE, await pick_service(bot), link="https://fb.com/lost-order")
    alice = telegram.user(ALICE)
    listing = await open_orders(alice)
    assert "❓ unknown — check on the panel" in listing.plain_text
    assert "https://fb.com/lost-order" in listing.plain_text
    assert intent.created_at.strftime("%Y-%m-%d %H:%M") in listing.plain_text
    await alice.tap("❓", listing)
    card = await alice.reply()
    assert "Order unknown — check on the panel" in card.plain_text
    assert "admin is checking" in card.plain_text
    assert card.button_texts == ["🔄 Refresh", "‹ Back"]


# -- the order card ----------------------------------------------------------------------------


async def test_card_shows_every_field_and_back_returns(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    order = await place_order(bot, ALICE, link="https://fb.com/p/<b>&1")
    alice = telegram.user(ALICE)
    card = await open_card(alice, order)
    sim = panel.orders[order.panel_order_id]
    text = card.plain_text
    assert f"Order #{order.panel_order_id}" in text
    assert order.service_name in text and "https://fb.com/p/<b>&1" in text
    assert f"Quantity: {format_amount(Decimal(order.quantity))}" in text
    assert f"Charge: {format_amount(order.charge)}" in text
    assert "Status: ⏳ Pending" in text and "Start count: —" in text
    assert f"Remains: {format_amount(Decimal(order.quantity))}" in text
    assert f"Created: {order.created_at.strftime('%Y-%m-%d %H:%M')} UTC" in text
    await alice.tap("🔄 Refresh", card)
    refreshed = await alice.reply()
    assert f"Start count: {format_amount(Decimal(sim.start_count))}" in refreshed.plain_text
    await alice.tap("‹ Back", refreshed)
    listing = await alice.reply()
    assert listing.message_id == card.message_id and "Your orders" in listing.plain_text


async def test_refresh_shows_a_status_changed_on_the_panel(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    order = await place_order(bot, ALICE)
    alice = telegram.user(ALICE)
    card = await open_card(alice, order)
    panel.complete(order.panel_order_id)
    query = await alice.tap("🔄 Refresh", card)
    updated = await alice.reply()
    assert updated.message_id == card.message_id
    assert "Status: ✅ Completed" in updated.plain_text and "Remains: 0" in updated.plain_text
    assert (await alice.answered(query))["text"] == "Status: Completed"
    query = await alice.tap("🔄 Refresh", updated)  # nothing changed: still answered, no error
    assert (await alice.answered(query))["text"] == "Status: Completed"
    assert not [c for c in telegram.errors if "not modified" not in (c.description or "")]


async def test_refresh_from_a_message_that_is_not_a_card(bot: BotRuntime, telegram: FakeTelegram) -> None:
    """The wizard's success message carries `orf:<row id>`: the card comes as a new message and
    the tapped message stays as it was (issue 13)."""
    order = await place_order(bot, ALICE)
    alice = telegram.user(ALICE)
    listing = await open_orders(alice)
    query = await alice.tap_data(f"orf:{order.id}", listing)
    card = await alice.reply()
    assert card.message_id != listing.message_id and f"Order #{order.panel_order_id}" in card.plain_text
    tapped = next(m for m in alice.messages if m.message_id == listing.message_id)
    assert tapped.text == listing.text and tapped.edits == listing.edits
    assert (await alice.answered(query))["show_alert"] is False


async def test_status_button_of_the_wizards_receipt_opens_the_card(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    """The contract with the order wizard: its receipt's "🔄 Status" button is `orf:<row id>`."""
    service = await pick_service(bot, refill=True)
    alice = telegram.user(ALICE)
    for step in (f"/order {service.id}", "https://fb.com/via-wizard", str(service.min)):
        await alice.send(step)
        await alice.reply()
    await alice.tap("✅ Confirm")
    receipt = await alice.reply()
    while receipt.plain_text.startswith("⏳"):  # "placing…" first, then the receipt
        receipt = await alice.reply()
    [panel_order_id] = panel.orders
    panel.complete(panel_order_id)
    await alice.tap("🔄 Status", receipt)
    card = await alice.reply()
    assert card.message_id != receipt.message_id  # the receipt stays (issue 13)
    assert f"Order #{panel_order_id}" in card.plain_text and "Status: ✅ Completed" in card.plain_text
    assert "♻️ Refill" in card.button_texts


async def test_refresh_with_the_panel_down_answers_politely(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    order = await place_order(bot, ALICE)
    alice = telegram.user(ALICE)
    card = await open_card(alice, order)
    panel.failure = FailureMode.HTML_502
    answer = await alice.answered(await alice.tap("🔄 Refresh", card))
    assert answer["show_alert"] and "panel is not answering" in answer["text"]
    panel.failure = FailureMode.NONE
    answer = await alice.answered(await alice.tap("🔄 Refresh", card))
    assert answer == {"text": "Status: Pending", "show_alert": False}
    await alice.send("/orders")
    assert "Your orders" in (await alice.reply()).plain_text


# -- refill ------------------------------------------------------------------------------------


async def test_refill_button_only_when_allowed_and_it_works(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    order = await place_order(bot, ALICE, refill=True)
    alice = telegram.user(ALICE)
    card = await open_card(alice, order)
    assert "♻️ Refill" not in card.button_texts  # still pending
    panel.complete(order.panel_order_id)
    await alice.tap("🔄 Refresh", card)
    card = await alice.reply()
    assert "♻️ Refill" in card.button_texts
    query = await alice.tap("♻️ Refill", card)
    done = await alice.reply()
    [refill_id] = panel.refills
    assert f"Refill ID: {refill_id}" in done.plain_text and f"#{order.panel_order_id}" in done.plain_text
    assert (await alice.answered(query))["show_alert"] is False


async def test_no_refill_button_for_a_service_without_refill(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    order = await place_order(bot, ALICE, refill=False)
    panel.complete(order.panel_order_id)
    alice = telegram.user(ALICE)
    card = await open_card(alice, order)
    await alice.tap("🔄 Refresh", card)
    card = await alice.reply()
    assert "Completed" in card.plain_text and "♻️ Refill" not in card.button_texts
    answer = await alice.answered(await alice.tap_data(f"ore:{order.id}", card))  # forged anyway
    assert answer["show_alert"] and "no refill" in answer["text"]
    assert panel.calls_for("refill") == []


async def test_refill_command_and_refills_list(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    done = await place_order(bot, ALICE, refill=True)
    running = await place_order(bot, ALICE, refill=True)
    no_refill = await place_order(bot, ALICE, refill=False)
    panel.complete(done.panel_order_id)
    panel.complete(no_refill.panel_order_id)
    alice = telegram.user(ALICE)
    await alice.send("/refills")
    assert "no refills yet" in (await alice.reply()).plain_text
    await alice.send(f"/refill {done.panel_order_id}")
    answer = (await alice.reply()).plain_text
    [refill_id] = panel.refills
    assert f"Refill ID: {refill_id}" in answer
    for command, reason in (
        (f"/refill {running.panel_order_id}", "Only a completed order can be refilled"),
        (f"/refill {no_refill.panel_order_id}", "This service has no refill"),
        ("/refill 999999", "Order not found"),
        ("/refill", "Send /refill and the order ID"),
        ("/refill abc", "Send /refill and the order ID"),
    ):
        await alice.send(command)
        assert reason in (await alice.reply()).plain_text, command
    assert len(panel.calls_for("refill")) == 1
    await alice.send("/refills")
    listing = await alice.reply()
    assert f"Refill {refill_id} · order #{done.panel_order_id}" in listing.plain_text
    assert "⏳" in listing.plain_text and "Pending" in listing.plain_text
    panel.finish_refill(refill_id, "Completed")
    await alice.send("/refills")
    updated = (await alice.reply()).plain_text
    assert f"✅ Refill {refill_id} · order #{done.panel_order_id}\n      Completed" in updated
    assert len(panel.calls_for("refill_status")) == 2


async def test_panel_refusal_of_a_refill_is_shown(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    order = await place_order(bot, ALICE, refill=True)
    panel.complete(order.panel_order_id)
    panel.services = [s for s in panel.services if s["service"] != order.service_id] + [
        {**next(s for s in panel.services if s["service"] == order.service_id), "refill": False}
    ]  # the panel turned refill off after our catalog was loaded
    alice = telegram.user(ALICE)
    await alice.send(f"/refill {order.panel_order_id}")
    # The panel's refusal, in the user's words (issue 12).
    assert (await alice.reply()).plain_text == "⚠️ This service has no refill (no warranty)."
    assert len(panel.calls_for("refill")) == 1


# -- cancel ------------------------------------------------------------------------------------


async def test_cancel_refunds_after_confirmation(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    before = panel.balance
    order = await place_order(bot, ALICE, cancel=True)
    assert panel.balance < before
    alice = telegram.user(ALICE)
    card = await open_card(alice, order)
    await alice.tap("✖ Cancel", card)
    question = await alice.reply()
    assert f"Cancel order #{order.panel_order_id}?" in question.plain_text
    assert panel.calls_for("cancel") == []  # nothing happens before the second tap
    query = await alice.tap("✖ Yes, cancel it", question)
    result = await alice.reply()
    assert "Status: ✖ Canceled" in result.plain_text and "✖ Cancel" not in result.button_texts
    assert (await alice.answered(query))["text"] == "Order canceled."
    assert panel.balance == before and len(panel.calls_for("cancel")) == 1


async def test_no_cancel_button_for_a_service_without_cancel(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    order = await place_order(bot, ALICE, cancel=False)
    alice = telegram.user(ALICE)
    card = await open_card(alice, order)
    assert "✖ Cancel" not in card.button_texts
    answer = await alice.answered(await alice.tap_data(f"ocl:{order.id}:0:1", card))
    assert answer["show_alert"] and "can't be canceled" in answer["text"]
    assert panel.calls_for("cancel") == []


# -- /status -----------------------------------------------------------------------------------


async def test_status_of_one_order_is_live(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    order = await place_order(bot, ALICE)
    panel.partial(order.panel_order_id, remains=3)
    alice = telegram.user(ALICE)
    await alice.send(f"/status #{order.panel_order_id}")
    card = await alice.reply()
    assert "Status: ◐ Partial" in card.plain_text and "Remains: 3" in card.plain_text
    assert "🔄 Refresh" in card.button_texts
    assert len(panel.calls_for("status")) == 1


async def test_status_of_several_orders_is_one_panel_call(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    a1, a2, a3 = [await place_order(bot, ALICE) for _ in range(3)]
    panel.complete(a2.panel_order_id)
    alice = telegram.user(ALICE)
    await alice.send(f"/status {a1.panel_order_id},{a2.panel_order_id} {a3.panel_order_id}, 424242")
    text = (await alice.reply()).plain_text
    assert f"⏳ #{a1.panel_order_id} · Pending" in text
    assert f"✅ #{a2.panel_order_id} · Completed · remains 0" in text
    assert f"#{a3.panel_order_id} · Pending" in text and "#424242 · not found" in text
    calls = panel.calls_for("status")
    assert len(calls) == 1 and "424242" not in str(calls[0])


async def test_status_usage_and_junk_make_no_panel_call(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user(ALICE)
    for command in ("/status", "/status abc", "/status 12; DROP TABLE", "/status 1,2x"):
        await alice.send(command)
        assert "Send /status and one or more order IDs" in (await alice.reply()).plain_text, command
    await alice.send("/status " + " ".join(str(i) for i in range(100, 130)))
    assert "At most 20" in (await alice.reply()).plain_text
    assert panel.calls_for("status") == []


# -- other people's orders ---------------------------------------------------------------------


async def test_nobody_sees_or_touches_someone_elses_order(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    secret_link = fresh_link("alice-secret")
    service = await pick_service(bot, refill=True, cancel=True)
    order = await place_order(bot, ALICE, service=service, link=secret_link)
    panel.complete(order.panel_order_id)
    charge = format_amount(order.charge)
    bob = telegram.user(BOB, first_name="Bob")
    listing = await open_orders(bob)
    assert "no orders yet" in listing.plain_text
    for command in (f"/status {order.panel_order_id}", f"/refill {order.panel_order_id}"):
        await bob.send(command)
        assert "not found" in (await bob.reply()).plain_text.lower(), command
    for data in (
        f"od:{order.id}",
        f"orf:{order.id}",
        f"ore:{order.id}",
        f"ocl:{order.id}",
        f"ocl:{order.id}:0:1",
        f"od:{order.id}:5",
        "od:x",
        "ore:",
    ):
        answer = await bob.answered(await bob.tap_data(data, listing))
        assert answer == {"text": "Order not found.", "show_alert": True}, data
    await bob.silence()
    seen = everything_seen_by(telegram, bob)
    assert secret_link not in seen and "alice-secret" not in seen
    assert order.service_name not in seen and charge not in seen
    assert panel.calls_for("status") == [] and panel.calls_for("refill") == []
    assert panel.calls_for("cancel") == [] and panel.orders[order.panel_order_id].status == "Completed"


# -- Vietnamese --------------------------------------------------------------------------------


async def test_vietnamese_user_sees_vietnamese(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    an = telegram.user(ALICE, first_name="An", language_code="vi")
    await an.send("/orders")
    assert "Bạn chưa có đơn hàng nào" in (await an.reply()).plain_text
    order = await place_order(bot, ALICE)
    listing = await open_orders(an)
    assert "Đơn hàng của bạn" in listing.plain_text
    assert format_amount(order.charge, "vi") in listing.plain_text
    await an.tap(f"#{order.panel_order_id}", listing)
    card = await an.reply()
    assert "Trạng thái: ⏳ Đang chờ" in card.plain_text and "Thành tiền:" in card.plain_text
    assert "🔄 Cập nhật" in card.button_texts and "‹ Quay lại" in card.button_texts
    await an.send("/status")
    assert "Gửi /status kèm một hoặc nhiều mã đơn" in (await an.reply()).plain_text
    answer = await an.answered(await an.tap_data("od:999999", card))
    assert answer["text"] == "Không tìm thấy đơn hàng."


async def test_refill_that_times_out_is_not_called_a_no_op(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    """A write the panel garbled may still have happened: the user must not hear "nothing changed"."""
    order = await place_order(bot, ALICE, refill=True)
    panel.complete(order.panel_order_id)
    alice = telegram.user(ALICE)
    card = await open_card(alice, order)
    await alice.tap("🔄 Refresh", card)
    card = await alice.reply()
    panel.failure = FailureMode.HTML_502
    answer = await alice.answered(await alice.tap("♻️ Refill", card))
    assert "not known whether your request went through" in answer["text"]
    assert "Nothing was changed" not in answer["text"]
    assert len(panel.calls_for("refill")) == 1  # and never retried
    panel.failure = FailureMode.NONE
    await alice.send(f"/refill {order.panel_order_id}")
    assert "Refill ID" in (await alice.reply()).plain_text


async def test_dates_are_shown_in_the_owners_time_zone(
    make_settings: Callable[..., Settings], telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    async with running(make_settings(timezone=ZoneInfo("Asia/Ho_Chi_Minh"))) as runtime:
        order = await place_order(runtime, ALICE)
        card = await open_card(telegram.user(ALICE), order)
        local = order.created_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
        assert f"Created: {local.strftime('%Y-%m-%d %H:%M')} +07" in card.plain_text
