"""Every service type end to end (issue 12): one wizard step per `add` parameter, each
validated, the summary listing them all, and exactly the type's parameters reaching the panel.

The table below is the family's "add parameters by type" (docs/panel-api-v2.md): each case
orders one service of that type through the fake Bot API and the panel simulator, then
checks the very request the panel got, what it charged, and what the bot recorded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from bot.config import Settings
from bot.panel.client import PanelClient
from bot.panel.errors import PanelError
from bot.panel.models import Service
from bot.panel.simulator import PanelSimulator, generate_catalog
from bot.runtime import BotRuntime
from bot.services.ordering import KINDS, Draft, kind_of, parse_expiry
from bot.store import OrderState
from tests.conftest import PANEL_KEY
from tests.support.fake_telegram import FakeTelegram
from tests.support.runtime import running
from tests.test_e2e_wizard import confirm, say

LINK = "https://instagram.com/p/abc"
RATE = Decimal("10000")  # per 1000 units (the price of a package)


def _service(service_id: int, service_type: str, low: int = 10, high: int = 1000) -> dict[str, object]:
    return {
        "service": service_id,
        "name": f"{service_type} service",
        "type": service_type,
        "category": "All types",
        "rate": str(RATE),
        "min": str(low),
        "max": str(high),
    }


@dataclass(frozen=True)
class Case:
    type: str
    answers: list[str]  # after `/order <id>`, one per wizard step
    sent: dict[str, str]  # exactly what `add` must carry besides action and service
    units: int  # quantity recorded, the charge's base
    flat: bool = False
    limits: tuple[int, int] = (10, 1000)
    shown: list[str] = field(default_factory=list)  # besides each sent value, in the summary


SUB_EXPIRY = "31/12/2099"
CASES = [
    Case("Default", [LINK, "150"], {"link": LINK, "quantity": "150"}, 150),
    Case("Package", [LINK], {"link": LINK}, 1, flat=True, limits=(1, 1)),
    Case(
        "Custom Comments",
        [LINK, "Hay quá!\nĐỉnh 🔥"],
        {"link": LINK, "comments": "Hay quá!\nĐỉnh 🔥"},
        2,
        limits=(2, 50),
    ),
    Case(
        "Custom Comments Package",
        [LINK, "một\nhai\nba"],
        {"link": LINK, "comments": "một\nhai\nba"},
        3,
        flat=True,
        limits=(1, 1),
    ),
    Case(
        "Mentions with Hashtags",
        [LINK, "200", "@alice\n@bob.b", "#travel\n#dulịch"],
        {"link": LINK, "quantity": "200", "usernames": "@alice\n@bob.b", "hashtags": "#travel\n#dulịch"},
        200,
    ),
    Case(
        "Mentions Custom List",
        [LINK, "@alice\n\n@bob\ncarol_c"],
        {"link": LINK, "usernames": "@alice\n@bob\ncarol_c"},
        3,
        limits=(2, 100),
    ),
    Case(
        "Mentions Hashtag",
        [LINK, "300", "#travel"],
        {"link": LINK, "quantity": "300", "hashtag": "#travel"},
        300,
    ),
    Case(
        "Mentions User Followers",
        [LINK, "300", "@celeb"],
        {"link": LINK, "quantity": "300", "username": "@celeb"},
        300,
    ),
    Case(
        "Mentions Media Likers",
        [LINK, "300", "instagram.com/p/xyz"],
        {"link": LINK, "quantity": "300", "media": "https://instagram.com/p/xyz"},
        300,
    ),
    Case(
        "Mentions Media Likes",
        [LINK, "300", "https://instagram.com/p/xyz"],
        {"link": LINK, "quantity": "300", "media": "https://instagram.com/p/xyz"},
        300,
    ),
    Case(
        "Comment Likes",
        [LINK, "50", "@commenter"],
        {"link": LINK, "quantity": "50", "username": "@commenter"},
        50,
    ),
    Case(
        "Comment Replies",
        [LINK, "@commenter", "Đúng vậy\nCảm ơn bạn"],
        {"link": LINK, "username": "@commenter", "comments": "Đúng vậy\nCảm ơn bạn"},
        2,
        limits=(1, 50),
    ),
    Case("Poll", [LINK, "100", "2"], {"link": LINK, "quantity": "100", "answer_number": "2"}, 100),
    Case(
        "Invites from Groups",
        [LINK, "100", "https://facebook.com/groups/a\nNhóm bạn bè"],
        {"link": LINK, "quantity": "100", "groups": "https://facebook.com/groups/a\nNhóm bạn bè"},
        100,
    ),
    Case(
        "Subscriptions",
        ["@creator", "100", "200", "5", "2", "30", "31/12/2099"],
        {
            "username": "@creator",
            "min": "100",
            "max": "200",
            "posts": "5",
            "old_posts": "2",
            "delay": "30",
            "expiry": SUB_EXPIRY,
        },
        200 * (5 + 2),  # assumed charge base: max per post × (new + existing posts)
    ),
    Case(
        "Special", [LINK, "150"], {"link": LINK, "quantity": "150"}, 150, shown=["“Special”", "quantity only"]
    ),
]
FIRST_ID = 11
SERVICES = [_service(FIRST_ID + i, case.type, *case.limits) for i, case in enumerate(CASES)]


def _id(case: Case) -> int:
    return FIRST_ID + CASES.index(case)


@pytest.fixture
async def panel() -> AsyncIterator[PanelSimulator]:
    sim = PanelSimulator(api_key=PANEL_KEY, services=[dict(s) for s in SERVICES])
    await sim.start()
    yield sim
    await sim.stop()


@pytest.mark.parametrize("case", CASES, ids=[c.type for c in CASES])
async def test_every_type_is_ordered_with_exactly_its_parameters(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator, case: Case
) -> None:
    alice = telegram.user()
    service_id = _id(case)
    first = await say(alice, f"/order {service_id}")
    assert f"{case.type} service (#{service_id})" in first.plain_text
    summary = first
    for answer in case.answers:
        summary = await say(alice, answer)
    text = summary.plain_text
    assert "Order summary" in text, text
    assert summary.button_texts == ["✅ Confirm", "✏️ Edit", "‹ Back", "✖ Cancel"], text
    for name, value in case.sent.items():  # the summary shows every parameter
        assert value.splitlines()[-1] in text, (name, text)
    for extra in case.shown:
        assert extra in text, text
    if case.type != "Special":
        assert "quantity only" not in text
    before = panel.balance

    placed = await confirm(alice, summary)
    assert "Order placed" in placed.plain_text, placed.plain_text
    call = panel.calls_for("add")[-1]
    assert {k: str(v) for k, v in call.items()} == {"action": "add", "service": str(service_id), **case.sent}
    order = panel.orders[max(panel.orders)]
    charge = RATE if case.flat else RATE * case.units / 1000
    assert (order.quantity, order.charge, before - panel.balance) == (case.units, charge, charge)

    record = await bot.store.orders.get_order_by_panel_id(order.order_id)
    assert record is not None and record.state is OrderState.PLACED
    assert (record.quantity, record.charge) == (case.units, charge)
    own = {k: v for k, v in case.sent.items() if k not in {"link", "quantity", "comments"}}
    assert record.fields == (own or None)  # kept in the order row (JSON), for /orders
    assert record.comments == case.sent.get("comments")
    assert record.link == case.sent.get("link", case.sent.get("username"))


@dataclass(frozen=True)
class Bad:
    type: str
    before: list[str]  # answers that reach the step under test
    bad: list[str]
    says: str  # a fragment of the explanation
    good: str  # then the right answer is taken: the state was kept
    then: str  # a fragment of what comes next


BAD = [
    Bad(
        "Mentions with Hashtags",
        [LINK, "200"],
        ["not a user!", "@ok\nbad name"],
        "is not a username",
        "@ok",
        "hashtags",
    ),
    Bad(
        "Mentions with Hashtags",
        [LINK, "200", "@ok"],
        ["travel food", "#a\n#b c"],
        "is not a hashtag",
        "#a",
        "Order summary",
    ),
    Bad(
        "Mentions Custom List", [LINK], ["@only_one", "bad user!"], "one per line", "@a\n@b", "Order summary"
    ),
    Bad(
        "Mentions Hashtag",
        [LINK, "300"],
        ["#two words", "#", "#a#b"],
        "one hashtag",
        "#travel",
        "Order summary",
    ),
    Bad(
        "Mentions User Followers",
        [LINK, "300"],
        ["@bad name", "@x!", "a\nb"],
        "one username",
        "@celeb",
        "Order summary",
    ),
    Bad(
        "Mentions Media Likers",
        [LINK, "300"],
        ["@someone", "hello", "x" * 600],
        "link",
        LINK,
        "Order summary",
    ),
    Bad("Comment Likes", [LINK, "50"], ["@@", "two words"], "one username", "commenter", "Order summary"),
    Bad("Comment Replies", [LINK], ["no spaces allowed"], "one username", "@c", "one per line"),
    Bad("Comment Replies", [LINK, "@c"], ["x" * 501], "at most 500", "ok", "Order summary"),
    Bad("Custom Comments Package", [LINK], ["y" * 501], "at most 500", "ok", "Order summary"),
    Bad("Poll", [LINK, "100"], ["0", "abc", "101", "1.5", "-1"], "answer's number", "3", "Order summary"),
    Bad("Invites from Groups", [LINK, "100"], ["g" * 501], "at most 500", "group one", "Order summary"),
    Bad("Subscriptions", [], ["no spaces", "@"], "one username", "@creator", "Minimum"),
    Bad("Subscriptions", ["@c"], ["5", "1001", "abc"], "for the minimum", "100", "Maximum"),
    Bad("Subscriptions", ["@c", "100"], ["99", "1001"], "your minimum", "100", "new posts"),
    Bad(
        "Subscriptions",
        ["@c", "100", "200"],
        ["0", "10001", "x"],
        "whole number of posts",
        "5",
        "existing posts",
    ),
    Bad("Subscriptions", ["@c", "100", "200", "5"], ["-1", "1001"], "existing posts", "0", "Delay"),
    Bad(
        "Subscriptions",
        ["@c", "100", "200", "5", "0"],
        ["7", "601", "soon"],
        "one of these numbers",
        "0",
        "end",
    ),
    Bad(
        "Subscriptions",
        ["@c", "100", "200", "5", "0", "0"],
        ["01/01/2020", "31/02/2099", "2099-12-31", "tomorrow"],
        "date after today",
        "1/1/2099",
        "Order summary",
    ),
]


@pytest.mark.parametrize("bad", BAD, ids=[f"{b.type}:{len(b.before)}" for b in BAD])
async def test_a_bad_answer_is_explained_and_the_step_kept(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator, bad: Bad
) -> None:
    alice = telegram.user()
    case = next(c for c in CASES if c.type == bad.type)
    await say(alice, f"/order {_id(case)}")
    for answer in bad.before:
        await say(alice, answer)
    for garbage in bad.bad:
        refusal = (await say(alice, garbage)).plain_text
        assert bad.says in refusal, (garbage, refusal)
    assert bad.then in (await say(alice, bad.good)).plain_text
    assert panel.calls_for("add") == []


async def test_the_subscription_expiry_is_sent_as_day_month_year(
    bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    alice = telegram.user()
    await say(alice, f"/order {_id(CASES[-2])}")
    for answer in ["creator", "10", "10", "1", "0", "0"]:
        await say(alice, answer)
    summary = await say(alice, "1/2/2099")
    assert "Ends on: 01/02/2099" in summary.plain_text
    await confirm(alice, summary)
    assert panel.calls_for("add")[-1]["expiry"] == "01/02/2099"


async def test_a_half_filled_subscription_survives_a_restart(
    make_settings: Callable[..., Settings], telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    """The type's own answers live in the draft's `fields` (user data, persisted)."""
    settings = make_settings()
    first = BotRuntime(settings)
    await first.start(poll_timeout=1)
    alice = telegram.user()
    case = next(c for c in CASES if c.type == "Subscriptions")
    try:
        await say(alice, f"/order {_id(case)}")
        for answer in case.answers[:4]:  # username, min, max, posts
            await say(alice, answer)
    finally:
        await first.stop()
    async with running(settings) as bot:
        for answer in case.answers[4:]:
            summary = await say(alice, answer)
        assert "Total: 14,000 VND" in summary.plain_text and "New posts: 5" in summary.plain_text
        assert "Order placed" in (await confirm(alice, summary)).plain_text
        assert {k: str(v) for k, v in panel.calls_for("add")[-1].items()} == {
            "action": "add",
            "service": str(_id(case)),
            **case.sent,
        }
        record = await bot.store.orders.get_order_by_panel_id(max(panel.orders))
        assert record is not None and record.fields == case.sent


async def test_vietnamese_poll(bot: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator) -> None:
    an = telegram.user(1005, first_name="An", language_code="vi")
    await say(an, f"/order {_id(next(c for c in CASES if c.type == 'Poll'))}")
    await say(an, LINK)
    assert "đáp án" in (await say(an, "100")).plain_text
    assert "số thứ tự đáp án" in (await say(an, "không")).plain_text
    summary = await say(an, "2")
    assert "Đáp án số: 2" in summary.plain_text and "Tổng tiền: 1.000 VND" in summary.plain_text
    special = await say(an, f"/order {_id(CASES[-1])}")
    await say(an, LINK)
    assert "“Special”" in (await say(an, "150")).plain_text and "Special service" in special.plain_text


# -- the simulator refuses a type's missing parameter, like a real panel -------------------------


@pytest.fixture
async def client(panel: PanelSimulator) -> AsyncIterator[PanelClient]:
    client = PanelClient(panel.url, PANEL_KEY, timeout=2.0, retries=0)
    yield client
    await client.close()


@pytest.mark.parametrize("case", [c for c in CASES if len(c.sent) > 1], ids=lambda c: c.type)
async def test_the_panel_refuses_an_order_missing_any_parameter(
    panel: PanelSimulator, client: PanelClient, case: Case
) -> None:
    for missing in set(case.sent) - {"old_posts", "expiry"}:  # Subscriptions' optional ones
        sent = {k: v for k, v in case.sent.items() if k != missing}
        link, quantity = sent.pop("link", None), sent.pop("quantity", None)
        with pytest.raises(PanelError) as refused:
            await client.add(_id(case), link, None if quantity is None else int(quantity), extra=sent)
        assert (refused.value.message or "").startswith("Incorrect"), (missing, refused.value.message)
    assert panel.orders == {}


async def test_the_generated_catalog_offers_every_type() -> None:
    types = {str(s["type"]) for s in generate_catalog()}
    assert {k.type for k in KINDS.values()} - types <= {"SEO", "Mentions Media Likes"}  # aliases
    assert "Special" in types  # a panel's own type, ordered as Default
    demo = PanelSimulator(api_key=PANEL_KEY)
    by_type = {str(s["type"]): s for s in demo.services}
    assert {"Poll", "Subscriptions", "Comment Replies", "Invites from Groups"} <= set(by_type)


# -- the draft keeps the type's own answers through a restart (user data is JSON) ---------------


def test_a_draft_with_fields_survives_json() -> None:
    draft = Draft(7, link=LINK, quantity=100, fields={"answer_number": "2"})
    assert Draft.from_dict(draft.to_dict()) == draft
    old = {"service_id": 7, "link": LINK, "quantity": 100, "comments": None}  # before issue 12
    assert Draft.from_dict(old) == Draft(7, link=LINK, quantity=100)
    assert Draft.from_dict({**old, "fields": {"a": 1}}) == Draft(7, link=LINK, quantity=100)


def test_unknown_types_are_default_with_a_note_and_spacing_or_case_does_not_matter() -> None:
    kind = kind_of(Service(1, "x", "Special", "c", Decimal(1), 1, 2))
    assert (kind.steps, kind.known, kind.type) == (("link", "quantity"), False, "Special")
    assert kind_of(Service(1, "x", "poll", "c", Decimal(1), 1, 2)).steps == (
        "link",
        "quantity",
        "answer_number",
    )
    assert kind_of(Service(1, "x", " Comment  Replies ", "c", Decimal(1), 1, 2)).known


def test_expiry_must_be_a_real_day_after_today() -> None:
    from datetime import date

    today = date(2026, 11, 30)
    assert parse_expiry("1/12/2026", today) == "01/12/2026"
    for bad in ("30/11/2026", "31/11/2026", "1-12-26", ""):
        with pytest.raises(Exception, match="wizard_expiry_invalid"):
            parse_expiry(bad, today)
