"""Issue 12: panel refusals as real panels send them, said in the user's words.

Every sentence and code real panels of the family use maps to one clear message with the next
step, in English and Vietnamese (table below); "not enough funds" (the owner's balance) is
never said to a user; an unknown error is shown as the panel wrote it, redacted and cut short.
End to end through the fake Bot API: the wizard's failed order, /refill, the refill button,
/status.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import NamedTuple

import pytest

from bot.panel.simulator import PanelSimulator
from bot.runtime import BotRuntime
from bot.services.panel_errors import RefusalReason, refusal_reason
from bot.telegram import views
from tests.conftest import PANEL_KEY
from tests.support.fake_telegram import FakeTelegram, FakeUser, SentMessage
from tests.support.orders import fresh_link, place_order

ALICE = 1201

SERVICES = [
    {
        "service": 1,
        "name": "Likes",
        "type": "Default",
        "category": "Facebook",
        "rate": "1000",
        "min": "100",
        "max": "10000",
        "refill": True,
        "cancel": True,
    },
]


class Refusal(NamedTuple):
    raw: str  # exactly as a real panel sends it
    reason: RefusalReason
    en: str  # what an English user reads
    vi: str  # what a Vietnamese user reads


FUNDS_EN, FUNDS_VI = "The shop can't take orders right now", "Cửa hàng tạm thời chưa nhận đơn"
BUSY_EN, BUSY_VI = "Wait until your current order on this link finishes", "Hãy đợi đơn hiện tại trên link này"
MIN_EN, MIN_VI = "below this service's minimum", "thấp hơn mức tối thiểu"
MAX_EN, MAX_VI = "above this service's maximum", "vượt mức tối đa"
SERVICE_EN, SERVICE_VI = "This service is no longer available", "Dịch vụ này không còn nữa"
LINK_EN, LINK_VI = "The panel can't use this link", "Panel không dùng được link này"

ADD_REFUSALS = [
    Refusal("Not enough funds on balance", RefusalReason.SHOP_UNAVAILABLE, FUNDS_EN, FUNDS_VI),
    Refusal("neworder.error.not_enough_funds", RefusalReason.SHOP_UNAVAILABLE, FUNDS_EN, FUNDS_VI),
    Refusal("Quantity less than minimal 100", RefusalReason.BELOW_MINIMUM, MIN_EN, MIN_VI),
    Refusal("neworder.error.min_quantity", RefusalReason.BELOW_MINIMUM, MIN_EN, MIN_VI),
    Refusal("neworder.error.max_quantity", RefusalReason.ABOVE_MAXIMUM, MAX_EN, MAX_VI),
    Refusal("Incorrect service ID", RefusalReason.NO_SUCH_SERVICE, SERVICE_EN, SERVICE_VI),
    Refusal("error.incorrect_service_id", RefusalReason.NO_SUCH_SERVICE, SERVICE_EN, SERVICE_VI),
    Refusal(
        "You have active order with this link. Please wait until order being completed.",
        RefusalReason.LINK_BUSY,
        BUSY_EN,
        BUSY_VI,
    ),
    Refusal("neworder.error.link_duplicate", RefusalReason.LINK_BUSY, BUSY_EN, BUSY_VI),
    Refusal("neworder.error.link", RefusalReason.BAD_LINK, LINK_EN, LINK_VI),
]
REFILL_REFUSALS = [
    Refusal(
        "Refill is disabled for this service",
        RefusalReason.REFILL_DISABLED,
        "This service has no refill",
        "Dịch vụ này không có bảo hành",
    ),
    Refusal(
        "The refill task is not completed for this order",
        RefusalReason.REFILL_RUNNING,
        "A refill of this order is still running. Wait until it finishes",
        "Đơn này đang có một yêu cầu bảo hành chưa xong",
    ),
]
EVERY_REFUSAL = ADD_REFUSALS + REFILL_REFUSALS
NOT_CHARGED = {"en": "Nothing was charged", "vi": "Bạn chưa bị trừ tiền"}


@pytest.fixture
async def panel() -> AsyncIterator[PanelSimulator]:
    sim = PanelSimulator(api_key=PANEL_KEY, services=[dict(s) for s in SERVICES])
    await sim.start()
    yield sim
    await sim.stop()


def said(refusal: Refusal, lang: str) -> str:
    return refusal.en if lang == "en" else refusal.vi


async def say(user: FakeUser, words: str) -> SentMessage:
    await user.send(words)
    return await user.reply()


async def order_through_the_wizard(user: FakeUser) -> str:
    """/order 1, a fresh link, 1000, Confirm (in whatever language): the final answer's text."""
    await say(user, "/order 1")
    await say(user, fresh_link())
    summary = await say(user, "1000")
    await user.tap(summary.button_texts[0], summary)  # ✅ Confirm / ✅ Xác nhận
    while (answer := await user.reply()).plain_text.startswith("⏳"):
        pass
    return answer.plain_text


# -- the table -----------------------------------------------------------------------------------


@pytest.mark.parametrize("refusal", EVERY_REFUSAL, ids=[r.raw[:40] for r in EVERY_REFUSAL])
def test_every_real_refusal_has_its_reason_whatever_the_casing(refusal: Refusal) -> None:
    assert refusal_reason(refusal.raw) == refusal.reason
    assert refusal_reason(refusal.raw.upper()) == refusal.reason
    assert refusal_reason(f"  {refusal.raw}\n") == refusal.reason


@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("refusal", EVERY_REFUSAL, ids=[r.raw[:40] for r in EVERY_REFUSAL])
def test_every_real_refusal_reads_in_both_languages(refusal: Refusal, lang: str) -> None:
    words = views.refusal(lang, refusal.raw)
    assert said(refusal, lang) in words
    assert refusal.raw not in words  # the user's words, not the panel's
    assert views.refusal_line(lang, refusal.raw, html=False) == f"⚠️ {words}"
    if refusal.reason is RefusalReason.SHOP_UNAVAILABLE:
        assert "fund" not in words.lower() and "balance" not in words.lower() and "số dư" not in words


@pytest.mark.parametrize(
    "raw", ["Invalid API key", "Incorrect request", "Under maintenance", "neworder.error.linkage", ""]
)
def test_an_unknown_error_has_no_reason(raw: str) -> None:
    assert refusal_reason(raw) is None
    assert refusal_reason(None) is None


# -- end to end ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "vi"])
async def test_the_wizard_says_every_add_refusal_in_the_users_words(
    lang: str, bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user(ALICE, language_code=lang)
    for refusal in ADD_REFUSALS:
        panel.script("add", {"error": refusal.raw})
        answer = await order_through_the_wizard(alice)
        assert said(refusal, lang) in answer, (refusal.raw, answer)
        assert refusal.raw not in answer and NOT_CHARGED[lang] in answer
        assert "fund" not in answer.lower()
    assert len(panel.calls_for("add")) == len(ADD_REFUSALS)
    assert panel.orders == {}


async def test_an_unknown_add_refusal_is_shown_as_written_redacted_and_cut_short(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user(ALICE)
    panel.script("add", lambda params: {"error": f"Server busy <b>, key={params['key']} " + "x" * 600})
    answer = await order_through_the_wizard(alice)
    assert "The panel refused the order: Server busy <b>, key=" in answer
    assert PANEL_KEY not in answer and "…" in answer and len(answer) < 400


@pytest.mark.parametrize("lang", ["en", "vi"])
async def test_refill_refusals_are_said_in_the_users_words(
    lang: str, bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user(ALICE, language_code=lang)
    order = await place_order(bot, ALICE, service=(await bot.catalog.get()).get(1))
    panel.complete(order.panel_order_id)
    for refusal in REFILL_REFUSALS:
        panel.script("refill", {"error": refusal.raw})
        answer = (await say(alice, f"/refill {order.panel_order_id}")).plain_text
        assert answer.startswith("⚠️ ") and said(refusal, lang) in answer, answer
        assert refusal.raw not in answer
    # The card's ♻️ button: the same words in a short alert.
    await say(alice, "/orders")
    await alice.tap(f"#{order.panel_order_id}")
    card = await alice.reply()
    panel.script("refill", {"error": REFILL_REFUSALS[1].raw})
    answer = await alice.answered(await alice.tap("♻️", card))
    assert answer["show_alert"] and said(REFILL_REFUSALS[1], lang) in answer["text"]
    assert len(panel.calls_for("refill")) == len(REFILL_REFUSALS) + 1


async def test_status_errors_are_said_in_the_users_words(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user(ALICE, language_code="vi")
    order = await place_order(bot, ALICE, service=(await bot.catalog.get()).get(1))
    panel.script("status", {str(order.panel_order_id): {"error": "Incorrect order ID"}})
    answer = (await say(alice, f"/status {order.panel_order_id}")).plain_text
    assert f"#{order.panel_order_id}" in answer and "Panel không tìm thấy mã đơn này" in answer
    assert "Incorrect order ID" not in answer
