"""The wizard's comfort (issue 13): ‹ Back and ✖ Cancel under every question, quick quantity
buttons, ✏️ Edit on the summary, quantity errors that say what was wrong, and "Order again"
that brings back a past order's answers at the summary — all through the fake Bot API, with
one order per confirmation still the rule."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from decimal import Decimal

import pytest

from bot.config import Settings
from bot.panel.simulator import PanelSimulator
from bot.runtime import BotRuntime
from tests.conftest import PANEL_KEY
from tests.support.fake_telegram import FakeTelegram, FakeUser, SentMessage
from tests.support.runtime import running
from tests.test_e2e_wizard import confirm, say

SERVICES = [
    {
        "service": 1,
        "name": "Likes",
        "type": "Default",
        "category": "Facebook",
        "rate": "1000",
        "min": "200",
        "max": "10000",
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
OTHER = "https://facebook.com/posts/2"


@pytest.fixture
async def panel() -> AsyncIterator[PanelSimulator]:
    sim = PanelSimulator(api_key=PANEL_KEY, services=[dict(s) for s in SERVICES])
    await sim.start()
    yield sim
    await sim.stop()


async def until(user: FakeUser, words: str) -> SentMessage:
    """The next message (sent or edited) saying `words`, past cosmetic edits such as a
    tapped question losing its buttons."""
    while True:
        message = await user.reply()
        if words in (message.plain_text or ""):
            return message


def token(summary: SentMessage) -> str:
    data = summary.button("✅").callback_data
    assert data is not None and data.startswith("wok:")
    return data.removeprefix("wok:")


async def place(user: FakeUser, service: int = 1, answers: tuple[str, ...] = (LINK, "1500")) -> SentMessage:
    await say(user, f"/order {service}")
    summary = None
    for answer in answers:
        summary = await say(user, answer)
    assert summary is not None and "Order summary" in summary.plain_text
    placed = await confirm(user, summary)
    assert "Order placed" in placed.plain_text
    return placed


# -- ‹ Back and ✖ Cancel -----------------------------------------------------------------------


async def test_back_returns_to_the_previous_question(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    first = await say(alice, "/order 1")
    assert first.button_texts == ["✖ Cancel"]  # no Back at the first question
    asked = await say(alice, LINK)
    assert "How many?" in asked.plain_text and asked.button_texts[-2:] == ["‹ Back", "✖ Cancel"]
    await alice.tap("‹ Back", message=asked)
    again = await alice.reply()
    assert "Send the link" in again.plain_text and again.button_texts == ["✖ Cancel"]
    assert "How many?" in (await say(alice, OTHER)).plain_text
    summary = await say(alice, "300")
    assert OTHER in summary.plain_text and "Quantity: 300" in summary.plain_text
    # Back from the summary: the last question again, its answer forgotten.
    await alice.tap("‹ Back", message=summary)
    assert "How many?" in (await alice.reply()).plain_text
    summary = await say(alice, "400")
    assert "Quantity: 400" in summary.plain_text
    await confirm(alice, summary)
    order = panel.orders[max(panel.orders)]
    assert (order.link, order.quantity) == (OTHER, 400) and len(panel.calls_for("add")) == 1


async def test_back_walks_through_drip_feed(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    await say(alice, "/order 4")
    await say(alice, LINK)
    runs = await say(alice, "100")
    assert "drip-feed" in runs.plain_text and runs.button_texts == ["Skip ›", "‹ Back", "✖ Cancel"]
    interval = await say(alice, "3")
    assert "minutes between runs" in interval.plain_text
    await alice.tap("‹ Back", message=interval)
    assert "drip-feed" in (await alice.reply()).plain_text
    await alice.tap("Skip ›")
    summary = await until(alice, "Order summary")
    assert "Drip-feed" not in summary.plain_text
    await alice.tap("‹ Back", message=summary)  # skipped drip-feed: back to its question
    assert "drip-feed" in (await alice.reply()).plain_text
    await say(alice, "2")
    summary = await say(alice, "5")
    assert "Drip-feed: 2 runs × 100, every 5 min" in summary.plain_text


@pytest.mark.parametrize("answers", [[], ["1"], ["1", LINK], ["1", LINK, "300"]])
async def test_cancel_button_under_every_question(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator, answers: list[str]
) -> None:
    alice = telegram.user()
    await say(alice, "/order")
    for answer in answers:
        await say(alice, answer)
    await alice.tap("✖ Cancel")
    assert "Order cancelled" in (await alice.reply()).plain_text
    assert "nothing to cancel" in (await say(alice, "/cancel")).plain_text
    assert panel.calls_for("add") == []


async def test_back_of_an_older_question_is_stale(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    await say(alice, "/order 1")
    asked = await say(alice, LINK)
    summary = await say(alice, "300")
    answer = await alice.answered(await alice.tap("‹ Back", message=asked))
    assert "no longer active" in answer["text"] and answer["show_alert"]
    await alice.silence()
    assert token(summary)  # the summary still stands
    assert "Order placed" in (await confirm(alice, summary)).plain_text


# -- quick quantities and precise errors --------------------------------------------------------


async def test_quick_quantity_buttons_answer_like_typing(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    await say(alice, "/order 1")
    asked = await say(alice, LINK)
    assert asked.button_texts == ["200", "500", "2,000", "5,000", "10,000", "‹ Back", "✖ Cancel"]
    await alice.tap("2,000", message=asked)
    summary = await until(alice, "Order summary")
    assert "Quantity: 2,000" in summary.plain_text and "Total: 2,000 VND" in summary.plain_text
    # A forged quick button is checked like a typed number.
    await alice.tap("‹ Back", message=summary)
    await alice.reply()
    await alice.tap_data("wqt:50")
    assert "50 is below the minimum of 200" in (await until(alice, "minimum")).plain_text


async def test_quantity_errors_say_what_was_wrong(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    await say(alice, "/order 1")
    await say(alice, LINK)
    below = (await say(alice, "50")).plain_text
    above = (await say(alice, "20000")).plain_text
    garbage = (await say(alice, "lots")).plain_text
    assert "50 is below the minimum of 200" in below
    assert "20,000 is above the maximum of 10,000" in above
    assert "send a whole number" in garbage.lower()
    assert len({below, above, garbage}) == 3
    assert "Total: 200 VND" in (await say(alice, "200")).plain_text


async def test_quantity_errors_in_vietnamese(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user(language_code="vi")
    await say(alice, "/order 1")
    await say(alice, LINK)
    assert "20.000 vượt quá mức tối đa 10.000" in (await say(alice, "20000")).plain_text
    assert "50 thấp hơn mức tối thiểu 200" in (await say(alice, "50")).plain_text


# -- ✏️ Edit ---------------------------------------------------------------------------------


async def test_edit_link_returns_to_the_summary_with_a_new_token(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    await say(alice, "/order 1")
    await say(alice, LINK)
    first = (await say(alice, "300")).snapshot()
    await alice.tap("✏️ Edit", message=first)
    menu = await alice.reply()
    assert menu.button_texts == ["🔗 Link", "🔢 Quantity", "‹ Back", "✖ Cancel"]
    await alice.tap("🔗 Link", message=menu)
    question = await alice.reply()
    assert "Send the link" in question.plain_text and "‹ Back" in question.button_texts
    summary = await say(alice, OTHER)
    assert "Order summary" in summary.plain_text
    assert OTHER in summary.plain_text and "Quantity: 300" in summary.plain_text
    assert token(summary) != token(first)
    # The first summary's Confirm places nothing.
    answer = await alice.answered(await alice.tap_data(f"wok:{token(first)}", message=summary))
    assert "no longer active" in answer["text"]
    assert panel.calls_for("add") == []
    await confirm(alice, summary)
    order = panel.orders[max(panel.orders)]
    assert (order.link, order.quantity) == (OTHER, 300) and len(panel.calls_for("add")) == 1


async def test_edit_quantity_with_a_quick_button_and_back_from_an_edit(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    await say(alice, "/order 1")
    await say(alice, LINK)
    summary = await say(alice, "300")
    await alice.tap("✏️ Edit", message=summary)
    await alice.tap("🔢 Quantity", message=await alice.reply())
    question = await alice.reply()
    await alice.tap("‹ Back", message=question)  # changed my mind: the summary, unchanged
    back = await alice.reply()
    assert "Quantity: 300" in back.plain_text and "Order summary" in back.plain_text
    await alice.tap("✏️ Edit", message=back)
    await alice.tap("🔢 Quantity", message=await alice.reply())
    await alice.tap("5,000", message=await alice.reply())
    summary = await until(alice, "Order summary")
    assert "Quantity: 5,000" in summary.plain_text and LINK in summary.plain_text


async def test_edit_a_type_field(bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator) -> None:
    alice = telegram.user()
    await say(alice, "/order 5")
    await say(alice, LINK)
    await say(alice, "100")
    summary = await say(alice, "2")
    assert "Answer number: 2" in summary.plain_text
    await alice.tap("✏️ Edit", message=summary)
    menu = await alice.reply()
    assert menu.button_texts[:3] == ["🔗 Link", "🔢 Quantity", "Answer number"]
    await alice.tap("Answer number", message=menu)
    assert "Which <b>answer</b>" in (await alice.reply()).text
    summary = await say(alice, "3")
    assert "Answer number: 3" in summary.plain_text and "Quantity: 100" in summary.plain_text
    await confirm(alice, summary)
    assert panel.calls_for("add")[-1]["answer_number"] == "3"


# -- Order again -------------------------------------------------------------------------------


async def test_order_again_from_the_receipt_goes_to_the_summary(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    receipt = await place(alice, 5, (LINK, "100", "2"))
    first = max(panel.orders)
    panel.complete(first)
    await alice.tap("🛒 Order again", message=receipt)
    summary = await until(alice, "Order summary")
    text = summary.plain_text
    assert "Poll votes (#5)" in text and LINK in text and "Quantity: 100" in text
    assert "Answer number: 2" in text
    assert len(panel.calls_for("add")) == 1  # the user confirms
    await confirm(alice, summary)
    again = panel.orders[max(panel.orders)]
    assert max(panel.orders) != first and (again.service_id, again.link, again.quantity) == (5, LINK, 100)
    assert panel.calls_for("add")[-1]["answer_number"] == "2"


async def test_order_again_from_a_notification_keeps_drip_feed(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    await place(alice, 4, (LINK, "100", "3", "10"))
    first = max(panel.orders)
    panel.complete(first)
    await bot.tracking.run(bot.app.bot)
    notice = await until(alice, "completed")
    assert notice.button("🛒 Order again").callback_data != "ord:4"
    await alice.tap("🛒 Order again", message=notice)
    summary = await until(alice, "Order summary")
    assert "Drip-feed: 3 runs × 100, every 10 min" in summary.plain_text and LINK in summary.plain_text
    await confirm(alice, summary)
    params = panel.calls_for("add")[-1]
    assert (params["quantity"], params["runs"], params["interval"]) == ("100", "3", "10")


async def test_order_again_is_for_the_owner_only(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice, bob = telegram.user(), telegram.user(1002, first_name="Bob")
    receipt = await place(alice)
    data = receipt.button("🛒 Order again").callback_data
    assert data is not None
    hello = await say(bob, "/start")
    for forged in (data, "ord:r:abc", "ord:r:", "ord:r:99999"):
        answer = await bob.answered(await bob.tap_data(forged, message=hello))
        assert "no longer active" in answer["text"] and answer["show_alert"], forged
    await bob.silence()
    assert len(panel.calls_for("add")) == 1


async def test_order_again_checks_the_service_limits_again(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    receipt = await place(alice, 1, (LINK, "5000"))
    panel.complete(max(panel.orders))
    panel.services[0]["max"] = "1000"
    await bot.catalog.refresh()
    await alice.tap("🛒 Order again", message=receipt)
    asked = await until(alice, "How many?")  # 5,000 is no longer allowed: asked again
    assert "from 200 to 1,000" in asked.plain_text
    summary = await say(alice, "1000")
    assert LINK in summary.plain_text and "Quantity: 1,000" in summary.plain_text


async def test_order_again_checks_the_spending_limits_again(
    make_settings: Callable[..., Settings], telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    async with running(make_settings(user_daily_limit=Decimal(8000))):
        alice = telegram.user()
        receipt = await place(alice, 1, (LINK, "5000"))
        panel.complete(max(panel.orders))
        await alice.tap("🛒 Order again", message=receipt)
        refused = await until(alice, "spend only")
        assert "3,000 VND" in refused.plain_text
        assert len(panel.calls_for("add")) == 1


async def test_new_wizard_buttons_outside_a_wizard_are_stale(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    hello = await say(alice, "/start")
    for data in ("wbk:quantity", "wbk:confirm", "wqt:500", "wed", "wed:link"):
        answer = await alice.answered(await alice.tap_data(data, message=hello))
        assert "no longer active" in answer["text"] and answer["show_alert"], data
    # Inside a wizard, a Back or Edit that is not the open question's is stale too.
    await say(alice, "/order 1")
    for data in ("wbk:quantity", "wbk:link", "wed", "wed:quantity"):
        answer = await alice.answered(await alice.tap_data(data, message=hello))
        assert "no longer active" in answer["text"], data
    await alice.silence()
    assert "How many?" in (await say(alice, LINK)).plain_text  # the wizard carries on
    assert telegram.errors == []


async def test_order_again_from_the_order_card_but_never_from_an_unknown_one(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    from bot.panel.simulator import FailureMode

    alice = telegram.user()
    await place(alice, 1, (LINK, "1500"))
    await alice.send("/orders")
    listing = await alice.reply()
    await alice.tap(next(b for b in listing.button_texts if "#" in b), listing)
    card = await alice.reply()
    await alice.tap("🛒 Order again", message=card)
    summary = await until(alice, "Order summary")
    assert LINK in summary.plain_text and "Quantity: 1,500" in summary.plain_text

    await alice.send("/cancel")
    await alice.reply()
    await say(alice, "/order 1")
    await say(alice, "https://facebook.com/posts/2")
    summary = await say(alice, "1500")
    panel.failure = FailureMode.BAD_JSON  # this order's outcome is unknown
    assert "may or may not" in (await confirm(alice, summary)).plain_text
    panel.failure = FailureMode.NONE
    await alice.send("/orders")
    listing = await alice.reply()
    await alice.tap(next(b for b in listing.button_texts if b.startswith("❓")), listing)
    unknown_card = await alice.reply()
    assert "🛒 Order again" not in unknown_card.button_texts
