"""Orders and messages (issue 13), end to end through the fake Bot API: a receipt or a notice
stays as it was when its button is tapped, /orders lines say what their numbers are, filters
and search, a cancel the owner asked for is said as such, a pending refill is shown rather than
asked for again, and /stats lists its tops once."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from bot.config import Settings
from bot.panel.simulator import PanelSimulator
from bot.runtime import BotRuntime
from bot.services.money import format_amount
from tests.support.fake_telegram import FakeTelegram, FakeUser, SentMessage
from tests.support.orders import fresh_link, pick_service, place_order
from tests.support.runtime import running

ALICE, BOB, ADMIN, ADMIN_VI = 1001, 1002, 9000, 9001


async def say(user: FakeUser, message: str) -> SentMessage:
    await user.send(message)
    return await user.reply()


def now_of(user: FakeUser, message: SentMessage) -> SentMessage:
    """The message as it is now in the chat (edits applied)."""
    return next(m for m in user.messages if m.message_id == message.message_id)


async def hello(telegram: FakeTelegram, user_id: int) -> FakeUser:
    user = telegram.user(user_id)
    await say(user, "/start")
    return user


# -- a receipt or a notice stays ---------------------------------------------------------------


async def test_status_on_the_receipt_leaves_the_receipt_as_it_was(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    service = await pick_service(bot, refill=True)
    alice = telegram.user(ALICE)
    for step in (f"/order {service.id}", "https://fb.com/receipt-stays", str(service.min)):
        await say(alice, step)
    await alice.tap("✅ Confirm")
    receipt = await alice.reply()
    while receipt.plain_text.startswith("⏳"):  # "placing…" first, then the receipt
        receipt = await alice.reply()
    assert "Order placed" in receipt.plain_text
    [panel_order_id] = panel.orders
    panel.complete(panel_order_id)

    query = await alice.tap("🔄 Status", receipt)
    card = await alice.reply()
    assert card.message_id != receipt.message_id
    assert f"Order #{panel_order_id}" in card.plain_text and "Status: ✅ Completed" in card.plain_text
    assert (await alice.answered(query)) == {"text": "Status: Completed", "show_alert": False}
    after = now_of(alice, receipt)
    assert after.text == receipt.text and after.edits == receipt.edits
    assert after.button_texts == receipt.button_texts

    query = await alice.tap("🔄 Status", receipt)  # unchanged: a light toast, never a modal alert
    assert (await alice.answered(query))["show_alert"] is False
    assert now_of(alice, receipt).text == receipt.text


async def test_details_on_a_notice_open_the_card_as_a_new_message(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = await hello(telegram, ALICE)
    order = await place_order(bot, ALICE)
    panel.set_status(order.panel_order_id, "In progress")
    await bot.tracking.run(bot.app.bot)
    notice = await alice.reply()
    assert f"Order {order.panel_order_id} has started" in notice.plain_text
    query = await alice.tap("📄 Details", notice)
    card = await alice.reply()
    assert card.message_id != notice.message_id and f"Order #{order.panel_order_id}" in card.plain_text
    assert (await alice.answered(query))["show_alert"] is False
    after = now_of(alice, notice)
    assert after.text == notice.text and after.edits == notice.edits
    panel.complete(order.panel_order_id)
    await alice.tap("🔄 Refresh", card)  # the card itself still updates in place
    refreshed = await alice.reply()
    assert refreshed.message_id == card.message_id and "Status: ✅ Completed" in refreshed.plain_text


# -- /orders: labels, filters, search ----------------------------------------------------------


async def test_order_lines_say_what_their_numbers_are(bot: BotRuntime, telegram: FakeTelegram) -> None:
    order = await place_order(bot, ALICE, link="https://www.facebook.com/some/post/1")
    listing = await say(telegram.user(ALICE), "/orders")
    charge = format_amount(Decimal(order.charge))
    line = f"Pending · Quantity: {format_amount(Decimal(order.quantity))} · Charge: {charge} VND"
    assert line in listing.plain_text
    assert f"🔗 facebook.com · {order.created_at.strftime('%Y-%m-%d %H:%M')}" in listing.plain_text
    assert "/orders 123456" in listing.plain_text  # how to search

    an = telegram.user(BOB, language_code="vi")
    await place_order(bot, BOB, link="tiktok.com/@an/video/2")
    vi = (await say(an, "/orders")).plain_text
    assert "Đang chờ · Số lượng:" in vi and "Thành tiền:" in vi and "🔗 tiktok.com ·" in vi


async def test_filters_active_finished_and_all(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    running_order = await place_order(bot, ALICE)
    done = await place_order(bot, ALICE)
    panel.complete(done.panel_order_id)
    await bot.tracking.run(bot.app.bot)
    alice = telegram.user(ALICE)
    listing = await say(alice, "/orders")
    assert "• All" in listing.button_texts
    assert {"⏳ Active", "✅ Finished"} <= set(listing.button_texts)

    await alice.tap("⏳ Active", listing)
    active = await alice.reply()
    assert active.message_id == listing.message_id and "Your active orders (1)" in active.plain_text
    assert f"#{running_order.panel_order_id}" in active.plain_text
    assert f"#{done.panel_order_id}" not in active.plain_text and "• ⏳ Active" in active.button_texts

    await alice.tap(f"#{running_order.panel_order_id}", active)
    card = await alice.reply()
    await alice.tap("‹ Back", card)  # back to the filtered list, not to all orders
    assert "Your active orders (1)" in (await alice.reply()).plain_text

    await alice.tap("✅ Finished", active)
    finished = await alice.reply()
    assert "Your finished orders (1)" in finished.plain_text and "Completed ·" in finished.plain_text
    assert f"#{running_order.panel_order_id}" not in finished.plain_text

    panel.complete(running_order.panel_order_id)
    await bot.tracking.run(bot.app.bot)
    await alice.tap("⏳ Active", finished)
    none_active = await alice.reply()
    assert "None of your orders is running" in none_active.plain_text
    await alice.tap("All", none_active)
    assert "Your orders (2)" in (await alice.reply()).plain_text


async def test_search_by_order_id_or_link(bot: BotRuntime, telegram: FakeTelegram) -> None:
    wanted = await place_order(bot, ALICE, link="https://facebook.com/page/findme_100")
    other = await place_order(bot, ALICE, link="https://instagram.com/p/other")
    theirs = await place_order(bot, BOB, link="https://facebook.com/page/findme_200")
    alice = telegram.user(ALICE)

    by_id = await say(alice, f"/orders {wanted.panel_order_id}")
    assert "Orders matching" in by_id.plain_text and f"#{wanted.panel_order_id}" in by_id.plain_text
    assert f"#{other.panel_order_id}" not in by_id.plain_text
    await alice.tap(f"#{wanted.panel_order_id}", by_id)
    assert f"Order #{wanted.panel_order_id}" in (await alice.reply()).plain_text

    by_link = (await say(alice, "/orders facebook.com/page")).plain_text
    assert f"#{wanted.panel_order_id}" in by_link and ": 1," in by_link  # Bob's is not Alice's
    assert f"#{theirs.panel_order_id}" not in by_link and f"#{other.panel_order_id}" not in by_link

    assert "None of your orders" in (await say(alice, f"/orders {theirs.panel_order_id}")).plain_text
    assert "None of your orders" in (await say(alice, "/orders 100%")).plain_text  # taken literally
    assert "None of your orders" in (await say(alice, "/orders findme_2")).plain_text


# -- cancel at the owner's request -------------------------------------------------------------


async def test_a_cancel_you_asked_for_is_said_to_be_yours(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = await hello(telegram, ALICE)
    mine = await place_order(bot, ALICE, cancel=True)
    by_panel = await place_order(bot, ALICE, cancel=True)
    listing = await say(alice, "/orders")
    await alice.tap(f"#{mine.panel_order_id}", listing)
    await alice.tap("✖ Cancel", await alice.reply())
    await alice.tap("✖ Yes, cancel it", await alice.reply())
    assert "Status: ✖ Canceled" in (await alice.reply()).plain_text
    panel.cancel_order(by_panel.panel_order_id)

    await bot.tracking.run(bot.app.bot)
    notices = [m.plain_text for m in await alice.replies(2)]
    [yours] = [t for t in notices if str(mine.panel_order_id) in t]
    [theirs] = [t for t in notices if str(by_panel.panel_order_id) in t]
    assert f"Order {mine.panel_order_id} was canceled at your request" in yours
    assert "by the panel" not in yours
    assert f"Order {by_panel.panel_order_id} was canceled by the panel" in theirs


async def test_a_refused_cancel_is_not_remembered_as_asked(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = await hello(telegram, ALICE)
    order = await place_order(bot, ALICE, cancel=True)
    panel.script("cancel", [{"order": order.panel_order_id, "cancel": {"error": "Cannot cancel now"}}])
    listing = await say(alice, "/orders")
    await alice.tap(f"#{order.panel_order_id}", listing)
    await alice.tap("✖ Cancel", await alice.reply())
    answer = await alice.answered(await alice.tap("✖ Yes, cancel it", await alice.reply()))
    assert answer["show_alert"]
    panel.cancel_order(order.panel_order_id)  # later, the panel cancels it on its own
    await bot.tracking.run(bot.app.bot)
    assert f"Order {order.panel_order_id} was canceled by the panel" in (await alice.reply()).plain_text


# -- a refill still pending ----------------------------------------------------------------------


async def test_a_second_refill_while_one_is_pending_shows_it(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    order = await place_order(bot, ALICE, refill=True)
    panel.complete(order.panel_order_id)
    alice = telegram.user(ALICE)
    first = (await say(alice, f"/refill {order.panel_order_id}")).plain_text
    [refill_id] = panel.refills
    assert f"Refill ID: {refill_id}" in first

    again = (await say(alice, f"/refill {order.panel_order_id}")).plain_text
    assert f"Order #{order.panel_order_id} already has a refill in progress" in again
    assert f"Refill ID: {refill_id}" in again and "Status: ⏳ Pending" in again
    listing = await say(alice, "/orders")
    await alice.tap(f"#{order.panel_order_id}", listing)
    card = await alice.reply()
    query = await alice.tap("♻️ Refill", card)
    shown = await alice.reply()
    assert "already has a refill in progress" in shown.plain_text and shown.message_id != card.message_id
    assert (await alice.answered(query))["show_alert"] is False
    assert len(panel.calls_for("refill")) == 1 and len(panel.refills) == 1

    panel.finish_refill(refill_id, "Completed")
    await bot.tracking.run(bot.app.bot)
    await alice.replies(1)  # "refill completed"
    assert "Refill ID:" in (await say(alice, f"/refill {order.panel_order_id}")).plain_text
    assert len(panel.calls_for("refill")) == 2


async def test_a_pending_refill_in_vietnamese(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    order = await place_order(bot, ALICE, refill=True)
    panel.complete(order.panel_order_id)
    an = telegram.user(ALICE, language_code="vi")
    await say(an, f"/refill {order.panel_order_id}")
    again = (await say(an, f"/refill {order.panel_order_id}")).plain_text
    assert "đang có một yêu cầu bảo hành chưa xong" in again and "Trạng thái: ⏳ Đang chờ" in again


# -- /stats --------------------------------------------------------------------------------------


async def test_stats_list_the_tops_once(
    make_settings: Callable[..., Settings], telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    async with running(make_settings(admin_ids=frozenset({ADMIN, ADMIN_VI}))) as runtime:
        admin, member = telegram.user(ADMIN, first_name="Owner"), telegram.user(ALICE, first_name="Mai")
        await say(member, "/start")
        order = await place_order(runtime, ALICE, link=fresh_link("stats"))
        stats = (await say(admin, "/stats")).plain_text
        lines = stats.splitlines()
        assert [line.split(":")[0] for line in lines[:3]] == ["Today", "Last 7 days", "Last 30 days"]
        assert all("1 orders" in line for line in lines[:3])
        assert stats.count("Top users:") == 1 and stats.count("Top services:") == 1
        assert stats.count("Mai") == 1 and stats.count(order.service_name[:20]) == 1
        assert lines[4] == "Top of the last 30 days"
        vi = (await say(telegram.user(ADMIN_VI, language_code="vi"), "/stats")).plain_text
        assert vi.count("Người dùng nhiều nhất:") == 1 and "Nhiều nhất trong 30 ngày qua" in vi
