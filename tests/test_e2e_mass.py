"""/mass end to end (issue 13): many `service_id | link | quantity` lines, each checked first,
priced in one summary, and placed exactly once per line on Confirm."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from decimal import Decimal

import pytest

from bot.config import Settings
from bot.panel.simulator import PanelSimulator
from bot.runtime import BotRuntime
from bot.services.mass import split_line
from bot.telegram.handlers import mass
from tests.conftest import PANEL_KEY
from tests.support.fake_telegram import FakeTelegram, FakeUser, SentMessage
from tests.support.runtime import running
from tests.test_e2e_wizard import SERVICES, say


@pytest.fixture
async def panel() -> AsyncIterator[PanelSimulator]:
    sim = PanelSimulator(api_key=PANEL_KEY, services=[dict(s) for s in SERVICES])
    await sim.start()
    yield sim
    await sim.stop()


async def report(user: FakeUser) -> SentMessage:
    """The next message that is not a progress line."""
    while True:
        answer = await user.reply(timeout=15)
        if not answer.plain_text.startswith("⏳"):
            return answer


def _token(summary: SentMessage) -> str:
    data = summary.button("✅ Confirm").callback_data
    assert data is not None and data.startswith("mok:")
    return data.removeprefix("mok:")


async def test_double_tap_places_each_good_line_once_and_reports_every_line(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    asked = await say(alice, "/mass")
    assert "service_id | link | quantity" in asked.plain_text
    lines = "\n".join(
        [
            "1 | https://facebook.com/posts/11 | 100",  # refused by the panel (scripted)
            "4 https://tiktok.com/@a/video/1 200",
            "",
            "4, https://tiktok.com/@a/video/1, 300",  # same link as line 2: the panel refuses it
            "1,https://facebook.com/posts/12,1,000",
        ]
    )
    summary = await say(alice, lines)
    text = summary.plain_text
    assert "4 line(s)" in text
    assert "2,500 VND" in text and "200 VND" in text and "300 VND" in text and "25,000 VND" in text
    assert "Total: 28,000 VND" in text
    assert summary.button_texts == ["✅ Confirm", "✖ Cancel"]
    assert panel.calls_for("add") == []

    panel.script("add", {"error": "Link is private"})
    before = set(panel.orders)
    first, second = await asyncio.gather(
        alice.tap("✅ Confirm", message=summary), alice.tap("✅ Confirm", message=summary)
    )
    done = await report(alice)
    answers = [await alice.answered(first), await alice.answered(second)]
    await telegram.wait_idle()

    assert len(panel.calls_for("add")) == 4  # one call per line, none repeated
    new = sorted(set(panel.orders) - before)
    assert len(new) == 2  # the two good lines, once each
    assert [(panel.orders[i].service_id, panel.orders[i].quantity) for i in new] == [(4, 200), (1, 1000)]
    assert any("already confirmed" in (a.get("text") or "") for a in answers)

    out = done.plain_text
    assert done.message_id == summary.message_id  # the summary became the report
    assert "2 of 4 placed" in out
    assert "1. ❌ #1" in out and "Link is private" in out
    assert f"2. ✅ #4: order ID {new[0]}" in out
    assert "3. ❌ #4: refused, nothing charged." in out and "this link" in out
    assert f"4. ✅ #1: order ID {new[1]}" in out
    assert await bot.store.orders.count_user_orders(alice.id) >= 2

    again = await alice.answered(await alice.tap_data(f"mok:{_token(summary)}", message=done))
    assert "already confirmed" in again["text"]
    await telegram.wait_idle()
    assert len(panel.calls_for("add")) == 4


async def test_every_bad_line_is_named_with_its_number_and_nothing_is_ordered(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    answer = await say(
        alice,
        "/mass hello\n"
        "999 | https://x.com/a | 100\n"
        "2 | https://facebook.com/vip | 1\n"
        "1 | not a link | 100\n"
        "1 | https://facebook.com/posts/1 | 50\n"
        "abc | https://x.com/b | 100\n"
        "1 | https://facebook.com/posts/2 | 100",
    )
    text = answer.plain_text
    assert "Nothing was ordered: 6 line(s)" in text
    assert "Line 1: write it as" in text
    assert "Line 2: there is no service #999" in text
    assert "Line 3: service #2 (Package) needs more than a link" in text
    assert "Line 4: not a link is not a link" in text
    assert "Line 5: the quantity must be a whole number from 100 to 10,000" in text
    assert "Line 6: abc is not a service ID" in text
    assert "Line 7" not in text
    assert panel.calls_for("add") == []

    # the corrected list may come as the next message
    summary = await say(alice, "1 | https://facebook.com/posts/2 | 100\n1 | facebook.com/posts/3 | 200")
    assert "2 line(s)" in summary.plain_text and "https://facebook.com/posts/3" in summary.plain_text
    await alice.tap("✖ Cancel", message=summary)
    assert "cancelled" in (await alice.reply()).plain_text
    assert panel.calls_for("add") == []


@pytest.mark.parametrize(
    ("line", "fields"),
    [
        ("1 | https://a.com/x | 100", ("1", "https://a.com/x", "100")),
        ("1|https://a.com/x|100", ("1", "https://a.com/x", "100")),
        ("1 https://a.com/x 100", ("1", "https://a.com/x", "100")),
        ("1\thttps://a.com/x   100", ("1", "https://a.com/x", "100")),
        ("1,https://a.com/x,100", ("1", "https://a.com/x", "100")),
        ("1, https://a.com/x, 1,000", ("1", "https://a.com/x", "1,000")),
        ("1 @someone 1 000", ("1", "@someone", "1 000")),
        ("1 | https://a.com/x", None),
        ("1 | a | b | c", None),
        ("just words", None),
    ],
)
def test_separators(line: str, fields: tuple[str, str, str] | None) -> None:
    assert split_line(line) == fields


async def test_separator_variants_end_to_end(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    summary = await say(
        alice,
        "/mass 1 | https://facebook.com/posts/21 | 100\n"
        "1 https://facebook.com/posts/22 200\n"
        "1,https://facebook.com/posts/23,1,500\n"
        "4, @tiktok_user, 10",
    )
    assert "4 line(s)" in summary.plain_text and "Total: 45,010 VND" in summary.plain_text
    await alice.tap("✅ Confirm", message=summary)
    out = (await report(alice)).plain_text
    assert "4 of 4 placed" in out
    sent = [(c["service"], c["link"], c["quantity"]) for c in panel.calls_for("add")]
    assert [(str(s), link, str(q)) for s, link, q in sent] == [
        ("1", "https://facebook.com/posts/21", "100"),
        ("1", "https://facebook.com/posts/22", "200"),
        ("1", "https://facebook.com/posts/23", "1500"),
        ("4", "@tiktok_user", "10"),
    ]


async def test_more_than_100_lines_is_refused_and_100_are_placed(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mass, "PROGRESS_SECONDS", 0.0)  # show every step of the progress
    alice = telegram.user()
    too_many = "\n".join(f"4 | https://tiktok.com/@a/video/{n} | 10" for n in range(101))
    assert "at most 100" in (await say(alice, f"/mass\n{too_many}")).plain_text
    assert panel.calls_for("add") == []

    hundred = "\n".join(f"4 | https://tiktok.com/@a/video/{n} | 10" for n in range(100))
    await alice.send(hundred)  # the lines may follow the refusal as the next message
    summary = (await alice.replies(3))[-1]  # too long for one message: the buttons come last
    assert "Total: 1,000 VND for 100 line(s)" in summary.plain_text
    await alice.tap("✅ Confirm", message=summary)
    done = await report(alice)
    assert "100 of 100 placed" in done.plain_text
    assert len(panel.calls_for("add")) == 100 and len(panel.orders) == 100
    assert done.edits >= 3  # progress was shown while placing


async def test_spending_guards_apply_per_line_and_to_the_total(
    make_settings: Callable[..., Settings], telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    settings = make_settings(max_order_charge=Decimal("20000"), user_daily_limit=Decimal("30000"))
    async with running(settings):
        alice = telegram.user()
        over_max = await say(
            alice, "/mass 1 | https://facebook.com/posts/1 | 400\n1 | https://facebook.com/posts/2 | 5000"
        )
        assert "Line 2: it would cost 125,000 VND, more than the limit of 20,000 VND" in over_max.plain_text
        assert "Line 1" not in over_max.plain_text

        lines = "\n".join(f"1 | https://facebook.com/posts/{n} | 400" for n in range(4))  # 4 × 10,000
        over_day = await say(alice, f"/mass {lines}")
        assert "would cost 40,000 VND" in over_day.plain_text and "30,000 VND" in over_day.plain_text
        assert panel.calls_for("add") == []


async def test_another_command_ends_the_wait_for_lines(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    await say(alice, "/mass")
    await say(alice, "/balance")
    answer = await say(alice, "1 | https://facebook.com/posts/1 | 100")
    assert "Mass order" not in answer.plain_text and "Line 1" not in answer.plain_text


async def test_vietnamese(bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator) -> None:
    alice = telegram.user(language_code="vi")
    assert "Đặt hàng loạt" in (await say(alice, "/mass")).plain_text
    summary = await say(alice, "1 | https://facebook.com/posts/1 | 100")
    assert "Tổng cộng" in summary.plain_text and summary.button_texts == ["✅ Xác nhận", "✖ Hủy"]
    await alice.tap("✖ Hủy", message=summary)
    assert "Đã hủy" in (await alice.reply()).plain_text
    refused = await say(alice, "/mass 2 | https://facebook.com/posts/2 | 1")
    assert "(Gói)" in refused.plain_text and "Package" not in refused.plain_text  # the type, in Vietnamese


async def test_a_second_confirm_of_the_same_summary_orders_nothing_again(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    """Even with the summary still open (a restart in the middle of placing, say), each line's
    own key finds what the first Confirm did; an unknown line never stops the others."""
    alice = telegram.user()
    summary = await say(
        alice,
        "/mass 1 | https://facebook.com/posts/31 | 100\n"
        "1 | https://facebook.com/posts/32 | 100\n"
        "1 | https://facebook.com/posts/33 | 100",
    )
    saved = dict(bot.app.user_data[alice.id])  # the pending summary, as a restart would find it
    panel.script("add", {"order": "abc"}, execute=True)  # created, but the answer is garbage
    await alice.tap("✅ Confirm", message=summary)
    first = (await report(alice)).plain_text
    assert "2 of 3 placed" in first
    assert "1. ⚠️ #1: outcome unknown" in first and "Check /orders" in first
    assert "2. ✅ #1: order ID" in first and "3. ✅ #1: order ID" in first
    assert len(panel.calls_for("add")) == 3

    bot.app.user_data[alice.id].update(
        {k: v for k, v in saved.items() if k in (mass.DRAFT_KEY, mass.DRAFT_AT_KEY)}
    )
    bot.app.user_data[alice.id][mass.DONE_KEY] = []
    await alice.tap_data(f"mok:{_token(summary)}", message=alice.last)
    second = (await report(alice)).plain_text
    assert "1. ⚠️ #1: outcome unknown" in second
    assert "2. ✅ #1: already placed" in second and "3. ✅ #1: already placed" in second
    await telegram.wait_idle()
    assert len(panel.calls_for("add")) == 3


async def test_lines_go_to_mass_even_with_an_order_form_left_open(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    assert "Send the <b>link</b>" in (await say(alice, "/order 1")).text
    await say(alice, "/mass")
    summary = await say(alice, "1 | https://facebook.com/posts/41 | 100")
    assert "Mass order" in summary.plain_text and "1 line(s)" in summary.plain_text


async def test_mass_is_in_the_command_menu(bot: BotRuntime, telegram: FakeTelegram) -> None:
    for key in (("default", ""), ("default", "vi")):
        assert "mass" in [c["command"] for c in telegram.commands[key]]


async def test_cancel_while_waiting_for_lines(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    await say(alice, "/mass")
    assert "Mass order cancelled" in (await say(alice, "/cancel")).plain_text
    answer = await say(alice, "1 | https://facebook.com/posts/1 | 100")
    assert "Mass order" not in answer.plain_text
    # a summary left open does not take over /cancel of a later order form
    await say(alice, "/mass 1 | https://facebook.com/posts/51 | 100")
    await say(alice, "/order 1")
    assert "Order cancelled" in (await say(alice, "/cancel")).plain_text
