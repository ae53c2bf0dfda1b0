"""The shop (issue 10) end to end: wallets, retail prices, refunds and the admins' money commands.

Real Application, real handlers, the fake Bot API and the panel simulator; in wallet mode the
admin orders at cost from the panel balance and every other allowed user is a customer paying
retail (cost × (1 + markup / 100), rounded up) from their own wallet.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from decimal import Decimal

import pytest

from bot.config import Settings
from bot.panel.simulator import FailureMode, PanelSimulator
from bot.runtime import BotRuntime
from bot.services.ordering import Draft, Placement
from bot.services.wallets import InsufficientFunds
from bot.store import OrderState
from bot.store.ledger import EntryKind, LedgerEntry
from tests.conftest import PANEL_KEY
from tests.support.fake_telegram import FakeTelegram, FakeUser, SentMessage
from tests.support.runtime import running

ADMIN, CUSTOMER, OTHER, STRANGER = 9000, 1001, 1002, 2002
MARKUP = Decimal(40)

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
        "service": 6,
        "name": "Views giá rẻ",
        "type": "Default",
        "category": "TikTok",
        "rate": "1000",
        "min": "10",
        "max": "10000",
    },
]
LINK = "https://facebook.com/posts/1"
ADMIN_ONLY = "This command is for the bot's admins."
FUNDS_ALERT = "refused because the panel balance is too low"


@pytest.fixture
async def panel() -> AsyncIterator[PanelSimulator]:
    sim = PanelSimulator(api_key=PANEL_KEY, services=[dict(s) for s in SERVICES])
    await sim.start()
    yield sim
    await sim.stop()


def wallet_settings(make_settings: Callable[..., Settings], **overrides: object) -> Settings:
    return make_settings(
        shop_mode="wallet",
        admin_ids=frozenset({ADMIN}),
        markup_percent=MARKUP,
        allow_everyone=False,
        allowed_user_ids=frozenset({CUSTOMER, OTHER}),
        **overrides,
    )


@pytest.fixture
async def shop(make_settings: Callable[..., Settings]) -> AsyncIterator[BotRuntime]:
    async with running(wallet_settings(make_settings)) as runtime:
        await _warm(runtime)
        yield runtime


async def _warm(runtime: BotRuntime) -> None:
    """Let the start-up catalog load finish, so later panel calls are the users' doing."""
    for _ in range(100):
        if runtime.catalog.current is not None:
            return
        await asyncio.sleep(0.02)


# -- helpers ---------------------------------------------------------------------------------


async def say(user: FakeUser, text: str) -> SentMessage:
    await user.send(text)
    return await user.reply()


async def confirm(user: FakeUser, message: SentMessage | None = None) -> SentMessage:
    """Tap Confirm and return the message once it stopped saying "placing…"."""
    await user.tap("✅ Confirm", message=message)
    while True:
        answer = await user.reply()
        if not answer.plain_text.startswith("⏳"):
            return answer


async def to_summary(
    user: FakeUser, service_id: int = 1, link: str = LINK, quantity: str = "100"
) -> SentMessage:
    assert "Send the link" in (await say(user, f"/order {service_id}")).plain_text
    assert "How many?" in (await say(user, link)).plain_text
    return await say(user, quantity)


async def people(telegram: FakeTelegram) -> tuple[FakeUser, FakeUser]:
    """The admin and a customer, each having opened the chat (so the bot can write to them)."""
    admin = telegram.user(ADMIN, first_name="Owner")
    customer = telegram.user(CUSTOMER)
    await say(admin, "/start")
    await say(customer, "/start")
    await telegram.wait_idle()
    return admin, customer


async def top_up(admin: FakeUser, customer: FakeUser, amount: str, note: str = "bank transfer") -> str:
    """An admin's /credit; returns what the customer was told."""
    answer = (await say(admin, f"/credit {customer.id} {amount} {note}")).plain_text
    assert "Credited" in answer, answer
    return (await customer.reply()).plain_text


async def ledger(runtime: BotRuntime, user_id: int) -> list[LedgerEntry]:
    return await runtime.store.wallets.entries(user_id, limit=1000)


async def assert_books_balance(runtime: BotRuntime, user_id: int) -> Decimal:
    balance = await runtime.deps.wallet.balance(user_id)
    assert balance >= 0
    assert balance == sum((e.amount for e in await ledger(runtime, user_id)), Decimal(0))
    return balance


async def place_retail(
    admin: FakeUser, customer: FakeUser, panel: PanelSimulator, *, service_id: int = 1, quantity: str = "100"
) -> tuple[SentMessage, int]:
    """Top up 10,000 VND and order through the wizard; the receipt and the panel order ID."""
    await top_up(admin, customer, "10000")
    await to_summary(customer, service_id, quantity=quantity)
    receipt = await confirm(customer)
    assert "Order placed" in receipt.plain_text, receipt.plain_text
    return receipt, max(panel.orders)


# -- 1. an empty wallet ----------------------------------------------------------------------


async def test_empty_wallet_summary_says_what_is_missing_and_offers_no_confirm(
    shop: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    customer = telegram.user(CUSTOMER)
    summary = await to_summary(customer)
    text = summary.plain_text
    assert "Total: 3,500 VND" in text
    assert "3,500 VND missing" in text
    assert "To top up" in text and str(CUSTOMER) in text
    assert "✅ Confirm" not in summary.button_texts
    assert "✏️ Edit" in summary.button_texts
    assert panel.calls_for("add") == []
    assert await shop.deps.wallet.balance(CUSTOMER) == 0
    assert await shop.store.orders.list_user_orders(CUSTOMER) == []


# -- 2. a top-up, then an order at the retail price -----------------------------------------


async def test_credit_then_order_at_retail_price(
    shop: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    admin, customer = await people(telegram)
    answer = (await say(admin, f"/credit {CUSTOMER} 10000 bank transfer")).plain_text
    assert "Credited 10,000 VND" in answer and str(CUSTOMER) in answer and "10,000 VND" in answer
    notice = (await customer.reply()).plain_text
    assert "10,000 VND was added to your wallet" in notice and "Balance: 10,000 VND" in notice
    assert "bank transfer" in notice

    card = (await say(customer, "/order 1")).plain_text
    assert "Price: 35,000 VND per 1000" in card and "25,000" not in card
    assert "How many?" in (await say(customer, LINK)).plain_text
    summary = await say(customer, "100")
    text = summary.plain_text
    assert "Price: 35,000 VND per 1000" in text and "Total: 3,500 VND" in text
    assert "25,000" not in text and "2,500" not in text
    assert "after this order: 6,500 VND" in text
    assert "✅ Confirm" in summary.button_texts
    panel_before = panel.balance

    receipt = (await confirm(customer, summary)).plain_text
    assert "Order placed" in receipt and "Charge: 3,500 VND" in receipt
    assert "balance now 6,500 VND" in receipt and "2,500" not in receipt
    assert panel_before - panel.balance == Decimal(2500)  # the shop pays the panel at cost
    [order] = await shop.store.orders.list_user_orders(CUSTOMER)
    assert (order.charge, order.price, order.state) == (Decimal(2500), Decimal(3500), OrderState.PLACED)
    assert await assert_books_balance(shop, CUSTOMER) == Decimal(6500)

    balance = (await say(customer, "/balance")).plain_text
    assert "Your wallet: 6,500 VND" in balance
    assert "Panel" not in balance and "5,000,000" not in balance and "4,997,500" not in balance

    history = (await say(customer, "/wallet")).plain_text
    assert "Your wallet: 6,500 VND" in history and "2 entries" in history
    assert "🛒 Order −3,500 VND → 6,500 VND" in history
    assert "✍️ Adjustment +10,000 VND → 10,000 VND · bank transfer" in history

    # The admin sees the panel balance and what the wallets hold; and a customer's wallet.
    mine = (await say(admin, "/balance")).plain_text
    assert "Panel balance: 4,997,500 VND" in mine and "6,500 VND" in mine
    theirs = (await say(admin, f"/wallet {CUSTOMER}")).plain_text
    assert f"Wallet of {CUSTOMER}: 6,500 VND" in theirs and "−3,500 VND" in theirs


async def test_double_confirm_charges_the_wallet_once(
    shop: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    admin, customer = await people(telegram)
    await top_up(admin, customer, "10000")
    summary = await to_summary(customer)
    first, second = await asyncio.gather(
        customer.tap("✅ Confirm", message=summary), customer.tap("✅ Confirm", message=summary)
    )
    await customer.answered(first)
    await customer.answered(second)
    await telegram.wait_idle()
    assert len(panel.calls_for("add")) == 1
    assert await assert_books_balance(shop, CUSTOMER) == Decimal(6500)
    assert len([e for e in await ledger(shop, CUSTOMER) if e.kind is EntryKind.CHARGE]) == 1


async def test_markup_changed_after_the_summary_asks_again(
    shop: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    admin, customer = await people(telegram)
    await top_up(admin, customer, "10000")
    summary = await to_summary(customer)
    assert "Total: 3,500 VND" in summary.plain_text
    await say(admin, "/markup 60")
    assert "price changed" in (await confirm(customer, summary)).plain_text
    fresh = await customer.reply()
    assert "Total: 4,000 VND" in fresh.plain_text and "after this order: 6,000 VND" in fresh.plain_text
    assert panel.calls_for("add") == []
    assert await shop.deps.wallet.balance(CUSTOMER) == Decimal(10000)
    receipt = (await confirm(customer, fresh)).plain_text
    assert "Charge: 4,000 VND" in receipt and "balance now 6,000 VND" in receipt
    assert await assert_books_balance(shop, CUSTOMER) == Decimal(6000)


async def test_after_a_top_up_the_customer_can_confirm(
    shop: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    admin, customer = await people(telegram)
    await top_up(admin, customer, "3000")
    short = await to_summary(customer)
    assert "500 VND missing" in short.plain_text and "✅ Confirm" not in short.button_texts
    await say(customer, "/cancel")
    await top_up(admin, customer, "500")
    summary = await to_summary(customer)
    assert "after this order: 0 VND" in summary.plain_text
    assert "Order placed" in (await confirm(customer, summary)).plain_text
    assert await assert_books_balance(shop, CUSTOMER) == 0


async def test_admin_orders_at_cost_from_the_panel_in_wallet_mode(
    shop: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    admin, _ = await people(telegram)
    summary = await to_summary(admin)
    text = summary.plain_text
    assert "Price: 25,000 VND per 1000" in text and "Total: 2,500 VND" in text
    assert "Wallet" not in text and "✅ Confirm" in summary.button_texts
    receipt = (await confirm(admin, summary)).plain_text
    assert "Charge: 2,500 VND" in receipt and "wallet" not in receipt
    assert panel.balance == Decimal(5_000_000 - 2500)
    assert await ledger(shop, ADMIN) == []
    panel.cancel_order(max(panel.orders))
    await shop.tracking.run(shop.app.bot)
    assert "wallet" not in (await admin.reply()).plain_text
    assert await ledger(shop, ADMIN) == []


async def test_vietnamese_customer_reads_the_wallet_lines_in_vietnamese(
    shop: BotRuntime, telegram: FakeTelegram
) -> None:
    an = telegram.user(OTHER, first_name="An", language_code="vi")
    await say(an, "/order 1")
    await say(an, LINK)
    summary = (await say(an, "100")).plain_text
    assert "Tổng tiền: 3.500 VND" in summary and "còn thiếu 3.500 VND" in summary, summary
    await say(an, "/cancel")
    assert "Ví của bạn: 0 VND" in (await say(an, "/balance")).plain_text


async def test_wallet_history_pages(shop: BotRuntime, telegram: FakeTelegram) -> None:
    _, customer = await people(telegram)
    for n in range(1, 13):
        await shop.deps.wallet.credit(CUSTOMER, Decimal(n), by_admin=ADMIN, note=f"n{n}", key=f"p{n}")
    first = await say(customer, "/wallet")
    assert "78 VND" in first.plain_text and "12 entries" in first.plain_text
    assert "· n12" in first.plain_text and "· n2" not in first.plain_text  # newest first, 10 a page
    assert "1/2" in first.button_texts
    await customer.tap("Next", message=first)
    second = (await customer.reply()).plain_text
    assert "· n2" in second and "· n1" in second and "· n12" not in second


# -- 3. Partial: the undelivered part goes back, once -----------------------------------------


async def test_partial_refunds_the_undelivered_share_once(
    shop: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    admin, customer = await people(telegram)
    _, order_id = await place_retail(admin, customer, panel)  # 100 likes: 3,500 retail
    assert await shop.deps.wallet.balance(CUSTOMER) == Decimal(6500)
    panel.partial(order_id, remains=30)  # 30 × 3,500 / 100 = 1,050 back

    await shop.tracking.run(shop.app.bot)
    notice = (await customer.reply()).plain_text
    assert "finished partially" in notice and "30 not delivered" in notice
    assert "1,050 VND went back to your wallet · balance 7,550 VND" in notice
    assert "2,500" not in notice and "1,750" not in notice  # never the cost
    assert await assert_books_balance(shop, CUSTOMER) == Decimal(7550)

    await shop.tracking.run(shop.app.bot)
    await shop.tracking.run(shop.app.bot)
    await customer.silence()
    assert await assert_books_balance(shop, CUSTOMER) == Decimal(7550)
    refunds = [e for e in await ledger(shop, CUSTOMER) if e.kind is EntryKind.REFUND]
    assert [e.amount for e in refunds] == [Decimal(1050)]
    order = await shop.store.orders.get_order_by_panel_id(order_id)
    assert order is not None and order.refunded == Decimal(1050)


async def test_partial_refund_is_rounded_down(
    shop: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    admin, customer = await people(telegram)
    # 101 views at 1,000 per 1000 cost 101; retail 141.4, rounded up to 142.
    _, order_id = await place_retail(admin, customer, panel, service_id=6, quantity="101")
    assert await shop.deps.wallet.balance(CUSTOMER) == Decimal(10000 - 142)
    panel.partial(order_id, remains=33)  # 33 × 142 / 101 = 46.39… → 46 (rounded down)

    await shop.tracking.run(shop.app.bot)
    notice = (await customer.reply()).plain_text
    assert "46 VND went back to your wallet · balance 9,904 VND" in notice, notice
    assert await assert_books_balance(shop, CUSTOMER) == Decimal(9904)


async def test_partial_notice_final_charge_is_what_the_customer_paid(
    shop: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    admin, customer = await people(telegram)
    _, order_id = await place_retail(admin, customer, panel)
    panel.partial(order_id, remains=30)
    await shop.tracking.run(shop.app.bot)
    notice = (await customer.reply()).plain_text
    assert "1,050 VND went back to your wallet" in notice
    assert "Final charge: 2,450 VND" in notice, notice


async def test_cents_shop_rounds_prices_up_and_refunds_down(
    make_settings: Callable[..., Settings], telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    """PRICE_DECIMALS=2 and a fractional markup: 101 views cost 101; × 1.125 = 113.625 → 113.63."""
    settings = wallet_settings(make_settings, price_decimals=2)
    async with running(settings) as runtime:
        await _warm(runtime)
        admin, customer = await people(telegram)
        assert "Default markup: 12.5%" in (await say(admin, "/markup 12.5")).plain_text
        assert "200.5 VND" in await top_up(admin, customer, "200.5")
        summary = await to_summary(customer, 6, quantity="101")
        assert "Total: 113.63 VND" in summary.plain_text
        assert "after this order: 86.87 VND" in summary.plain_text
        await confirm(customer, summary)
        panel.partial(max(panel.orders), remains=33)  # 33 × 113.63 / 101 = 37.126… → 37.12
        await runtime.tracking.run(runtime.app.bot)
        notice = (await customer.reply()).plain_text
        assert "37.12 VND went back to your wallet · balance 123.99 VND" in notice, notice
        assert await assert_books_balance(runtime, CUSTOMER) == Decimal("123.99")


# -- 4. Canceled: everything goes back ---------------------------------------------------------


async def test_canceled_order_refunds_the_whole_charge(
    shop: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    admin, customer = await people(telegram)
    _, order_id = await place_retail(admin, customer, panel)
    assert await shop.deps.wallet.balance(CUSTOMER) == Decimal(6500)
    panel.cancel_order(order_id)

    await shop.tracking.run(shop.app.bot)
    notice = (await customer.reply()).plain_text
    assert "canceled" in notice
    assert "3,500 VND went back to your wallet · balance 10,000 VND" in notice
    await shop.tracking.run(shop.app.bot)
    await customer.silence()
    assert await assert_books_balance(shop, CUSTOMER) == Decimal(10000)
    refunds = [e for e in await ledger(shop, CUSTOMER) if e.kind is EntryKind.REFUND]
    assert [e.amount for e in refunds] == [Decimal(3500)]


# -- 5. a refused `add` refunds at once ---------------------------------------------------------


async def test_refused_add_refunds_at_once(
    shop: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    admin, customer = await people(telegram)
    await top_up(admin, customer, "10000")
    await to_summary(customer)
    panel.script("add", {"error": "Incorrect link"})
    answer = (await confirm(customer)).plain_text
    assert "could not be placed" in answer, answer
    assert "3,500 VND went back to your wallet · balance 10,000 VND" in answer
    assert "Order placed" not in answer
    assert await assert_books_balance(shop, CUSTOMER) == Decimal(10000)
    assert await shop.store.orders.list_user_orders(CUSTOMER) == []  # a failed attempt isn't listed
    [refund] = [e for e in await ledger(shop, CUSTOMER) if e.kind is EntryKind.REFUND]
    order = await shop.store.orders.get_order(int(refund.reference.split(":")[1]))
    assert order is not None and order.state is OrderState.FAILED and order.refunded == Decimal(3500)
    # The refund is booked: a tracking cycle books nothing more and tells nobody twice.
    await shop.tracking.run(shop.app.bot)
    await customer.silence()
    assert await assert_books_balance(shop, CUSTOMER) == Decimal(10000)
    assert len([e for e in await ledger(shop, CUSTOMER) if e.kind is EntryKind.REFUND]) == 1


async def test_panel_out_of_funds_refunds_and_alerts_admins_once(
    shop: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    admin, customer = await people(telegram)
    await top_up(admin, customer, "10000")
    await to_summary(customer)
    panel.balance = Decimal(100)  # the panel really refuses: "Not enough funds on balance"
    answer = (await confirm(customer)).plain_text
    assert "The shop can't take orders right now" in answer, answer
    assert "funds" not in answer.lower()
    assert "3,500 VND went back to your wallet · balance 10,000 VND" in answer
    assert await assert_books_balance(shop, CUSTOMER) == Decimal(10000)
    assert panel.orders == {}

    await shop.tracking.run(shop.app.bot)
    await shop.tracking.run(shop.app.bot)
    await telegram.wait_idle()
    alerts = [m for m in admin.messages if FUNDS_ALERT in (m.plain_text or "")]
    assert len(alerts) == 1
    assert all(FUNDS_ALERT not in (m.plain_text or "") for m in customer.messages)


async def test_scripted_funds_refusal_alerts_admins_once(
    shop: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    """The same refusal scripted while the panel balance looks fine: still told once."""
    admin, customer = await people(telegram)
    await top_up(admin, customer, "10000")
    await to_summary(customer)
    panel.script("add", {"error": "Not enough funds on balance"})
    answer = (await confirm(customer)).plain_text
    assert "The shop can't take orders right now" in answer and "funds" not in answer.lower()
    assert await assert_books_balance(shop, CUSTOMER) == Decimal(10000)
    for _ in range(3):
        await shop.tracking.run(shop.app.bot)
    await telegram.wait_idle()
    assert len([m for m in admin.messages if FUNDS_ALERT in (m.plain_text or "")]) == 1


async def test_unreachable_panel_refunds_at_once(
    shop: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    admin, customer = await people(telegram)
    await top_up(admin, customer, "10000")
    await to_summary(customer)
    await panel.stop()
    answer = (await confirm(customer)).plain_text
    assert "could not take the order right now" in answer, answer
    assert "3,500 VND went back to your wallet · balance 10,000 VND" in answer
    assert await assert_books_balance(shop, CUSTOMER) == Decimal(10000)


async def test_unknown_outcome_settled_not_placed_refunds_the_customer(
    shop: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    admin, customer = await people(telegram)
    await top_up(admin, customer, "10000")
    await to_summary(customer)
    panel.failure = FailureMode.HTML_502
    assert "may or may not have been placed" in (await confirm(customer)).plain_text
    panel.failure = FailureMode.NONE
    assert await shop.deps.wallet.balance(CUSTOMER) == Decimal(6500)  # maybe spent: kept for now
    [order] = await shop.store.orders.unresolved_orders(CUSTOMER)
    await say(admin, f"/unknown {order.id} no")
    await shop.tracking.run(shop.app.bot)
    notices = [m.plain_text for m in await customer.replies(1)]
    assert any("3,500 VND went back to your wallet · balance 10,000 VND" in n for n in notices), notices
    await shop.tracking.run(shop.app.bot)
    await customer.silence()
    assert await assert_books_balance(shop, CUSTOMER) == Decimal(10000)
    assert panel.orders == {}


# -- 6. two confirms racing on one wallet -------------------------------------------------------


async def test_two_orders_racing_on_one_wallet_place_exactly_one(
    shop: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    await people(telegram)  # the customer has used the bot: their user row exists
    wallet, ordering = shop.deps.wallet, shop.deps.ordering
    await wallet.credit(CUSTOMER, Decimal(5000), by_admin=ADMIN, key="race")
    drafts = []
    for n in (1, 2):
        ready, priced = await ordering.prepare(CUSTOMER, Draft(1, link=f"{LINK}/{n}", quantity=100))
        assert priced.total == Decimal(3500)  # each fits in 5,000; both don't
        drafts.append(ready)
    results = await asyncio.gather(
        *(ordering.place(CUSTOMER, CUSTOMER, draft) for draft in drafts), return_exceptions=True
    )
    placed = [r for r in results if isinstance(r, Placement)]
    refused = [r for r in results if isinstance(r, InsufficientFunds)]
    assert len(placed) == 1 and len(refused) == 1, results
    assert len(panel.calls_for("add")) == 1
    assert await assert_books_balance(shop, CUSTOMER) == Decimal(1500)
    assert len(await shop.store.orders.list_user_orders(CUSTOMER)) == 1


# -- 7. only admins move money or prices ---------------------------------------------------------

MONEY_COMMANDS = (
    f"/credit {CUSTOMER} 50000 free money",
    f"/debit {OTHER} 1 oops",
    "/markup 0",
    "/markup 0 1",
    "/markup",
    f"/wallet {OTHER}",
)


async def test_customers_and_strangers_cannot_move_money_or_prices(
    shop: BotRuntime, telegram: FakeTelegram
) -> None:
    _, customer = await people(telegram)
    await shop.deps.wallet.credit(OTHER, Decimal(7000), by_admin=ADMIN, key="seed")
    for command in MONEY_COMMANDS:
        answer = (await say(customer, command)).plain_text
        assert answer == ADMIN_ONLY, (command, answer)
    stranger = telegram.user(STRANGER, first_name="Eve")
    assert "ask the bot's owner" in (await say(stranger, MONEY_COMMANDS[0])).plain_text
    for command in MONEY_COMMANDS[1:]:
        await stranger.send(command)
    await stranger.silence()
    assert all("Credited" not in (m.plain_text or "") for m in stranger.messages)
    assert await assert_books_balance(shop, CUSTOMER) == 0
    assert await assert_books_balance(shop, OTHER) == Decimal(7000)
    assert await assert_books_balance(shop, STRANGER) == 0
    markups = await shop.deps.shop.markups()
    assert (markups.default, markups.default_is_set, markups.services) == (MARKUP, False, {})
    card = (await say(customer, "/order 1")).plain_text
    assert "Price: 35,000 VND per 1000" in card


async def test_admin_debit_never_goes_below_zero_and_usage_is_explained(
    shop: BotRuntime, telegram: FakeTelegram
) -> None:
    admin, customer = await people(telegram)
    await top_up(admin, customer, "5,000")  # grouped thousands
    short = (await say(admin, f"/debit {CUSTOMER} 6000")).plain_text
    assert "Not debited" in short and "5,000 VND" in short
    await customer.silence()
    for junk in ("/credit", f"/credit {CUSTOMER}", f"/credit {CUSTOMER} -5", "/credit abc 100", "/debit 1 0"):
        assert "Usage" in (await say(admin, junk)).plain_text, junk
    done = (await say(admin, f"/debit {CUSTOMER} 2000 correction")).plain_text
    assert "Debited 2,000 VND" in done and "3,000 VND" in done
    notice = (await customer.reply()).plain_text
    assert "2,000 VND was taken from your wallet" in notice and "Balance: 3,000 VND" in notice
    assert await assert_books_balance(shop, CUSTOMER) == Decimal(3000)
    assert len(await ledger(shop, CUSTOMER)) == 2


async def test_customer_sees_retail_prices_in_search(shop: BotRuntime, telegram: FakeTelegram) -> None:
    _, customer = await people(telegram)
    found = await say(customer, "/search like")
    shown = found.plain_text + " ".join(found.button_texts)
    assert "35,000" in shown and "25,000" not in shown, shown
    query = await customer.inline("like")
    await telegram.wait_idle()
    results = str(customer.inline_results(query))
    assert "35,000" in results and "25,000" not in results, results


async def test_customers_cannot_send_mass_orders(
    shop: BotRuntime, telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    admin, customer = await people(telegram)
    await top_up(admin, customer, "100000")
    answer = (await say(customer, f"/mass 1 | {LINK} | 100")).plain_text
    assert "Mass orders are for the shop's admins" in answer
    await customer.silence()
    assert panel.calls_for("add") == []
    assert await assert_books_balance(shop, CUSTOMER) == Decimal(100000)


async def test_a_credit_delivered_twice_is_booked_once(shop: BotRuntime, telegram: FakeTelegram) -> None:
    admin, customer = await people(telegram)
    message = admin.make_message(f"/credit {CUSTOMER} 4000 cash")
    for _ in range(2):  # the same message again: a retried delivery
        telegram.push_update({"message": dict(message)})
        assert "Credited 4,000 VND" in (await admin.reply()).plain_text
    assert "4,000 VND was added to your wallet" in (await customer.reply()).plain_text
    await customer.silence()
    assert await assert_books_balance(shop, CUSTOMER) == Decimal(4000)
    assert len(await ledger(shop, CUSTOMER)) == 1


async def test_a_forged_history_button_shows_nobody_elses_wallet(
    shop: BotRuntime, telegram: FakeTelegram
) -> None:
    _, customer = await people(telegram)
    await shop.deps.wallet.credit(OTHER, Decimal(7000), by_admin=ADMIN, key="seed")
    hello = await say(customer, "/balance")
    assert "Your wallet: 0 VND" in hello.plain_text
    answer = await customer.answered(await customer.tap_data(f"wal:{OTHER}:0", message=hello))
    assert "no longer active" in answer["text"]
    await customer.silence()
    assert all("7,000" not in (m.plain_text or "") for m in customer.messages)
    # Their own history, through the button, works.
    await customer.tap("📜 History", message=hello)
    assert "Your wallet: 0 VND" in (await customer.reply()).plain_text


# -- 8. /markup --------------------------------------------------------------------------------


async def test_markup_for_a_service_changes_the_customers_price_at_once(
    shop: BotRuntime, telegram: FakeTelegram
) -> None:
    admin, customer = await people(telegram)
    assert "Price: 35,000 VND per 1000" in (await say(customer, "/order 1")).plain_text
    await say(customer, "/cancel")
    shown = (await say(admin, "/markup 25 1")).plain_text
    assert "Service #1: 25%" in shown
    card = (await say(customer, "/order 1")).plain_text
    assert "Price: 31,250 VND per 1000" in card and "35,000" not in card
    await say(customer, LINK)
    assert "Total: 3,125 VND" in (await say(customer, "100")).plain_text
    # Another service keeps the default markup; the admin still sees the cost.
    await say(customer, "/cancel")
    assert "Price: 1,400 VND per 1000" in (await say(customer, "/order 6")).plain_text
    assert "Price: 25,000 VND per 1000" in (await say(admin, "/order 1")).plain_text
    await say(admin, "/cancel")

    listed = (await say(admin, "/markup")).plain_text
    assert "Default markup: 40% (from MARKUP_PERCENT)" in listed
    assert "Service #1: 25%" in listed
    listed = (await say(admin, "/markup 50")).plain_text
    assert "Default markup: 50%" in listed and "MARKUP_PERCENT" not in listed.splitlines()[0]
    assert "Price: 1,500 VND per 1000" in (await say(customer, "/order 6")).plain_text


# -- 9. direct mode: no wallets, everyone at cost --------------------------------------------------


async def test_direct_mode_orders_at_cost_without_wallets(
    make_settings: Callable[..., Settings], telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    settings = make_settings(
        shop_mode="direct", admin_ids=frozenset({ADMIN}), markup_percent=MARKUP, allow_everyone=True
    )
    async with running(settings) as runtime:
        await _warm(runtime)
        user = telegram.user(CUSTOMER)
        balance = (await say(user, "/balance")).plain_text
        assert "Panel balance: 5,000,000 VND" in balance and "wallet" not in balance.lower()
        assert "no wallets" in (await say(user, "/wallet")).plain_text
        summary = await to_summary(user)
        text = summary.plain_text
        assert "Price: 25,000 VND per 1000" in text and "Total: 2,500 VND" in text
        assert "Wallet" not in text and "missing" not in text
        receipt = (await confirm(user, summary)).plain_text
        assert "Order placed" in receipt and "Charge: 2,500 VND" in receipt and "wallet" not in receipt
        assert panel.balance == Decimal(5_000_000 - 2500)
        [order] = await runtime.store.orders.list_user_orders(CUSTOMER)
        assert (order.charge, order.price) == (Decimal(2500), None)
        assert await ledger(runtime, CUSTOMER) == []
        assert await runtime.deps.wallet.balance(CUSTOMER) == 0
        # Refunds are the panel's business in direct mode: a Partial books nothing, and its
        # notice's final charge is what the panel kept.
        panel.partial(max(panel.orders), remains=30)
        await runtime.tracking.run(runtime.app.bot)
        notice = (await user.reply()).plain_text
        assert "finished partially" in notice and "Final charge: 1,750 VND" in notice
        assert "wallet" not in notice
        assert await ledger(runtime, CUSTOMER) == []
