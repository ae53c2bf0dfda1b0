"""Top-ups end to end, continued: amounts, canceling, the admins' commands, roles and modes,
"top up wherever money is missing", Stars corner cases, the pre-checkout's own lane, secrets
kept out of the logs, and Vietnamese.

Same ground as tests/test_e2e_topups.py (whose fixtures and helpers are reused): the real
Application, the fake Bot API, the panel simulator and real HTTP posts to the bot's server.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import aiohttp
import pytest

from bot.config import Settings
from bot.panel.simulator import FailureMode, PanelSimulator
from bot.runtime import BotRuntime
from bot.store.topups import TopupMethod, TopupState, TransferState
from tests import test_e2e_topups
from tests.support.fake_telegram import FakeTelegram, FakeUser, SentMessage
from tests.support.runtime import free_port, running
from tests.test_e2e_shop import ADMIN, ADMIN_ONLY, CUSTOMER, OTHER, _warm, say, to_summary
from tests.test_e2e_topups import (
    ACCOUNT,
    BIN,
    CASSO_TOKEN,
    NAME,
    SEPAY_KEY,
    bank_topup,
    clean_books,
    content_of,
    ledger_credits,
    post,
    sepay_auth,
    sepay_body,
    topup_settings,
)

# The fixtures of tests/test_e2e_topups.py (the shop's panel; a shop with every way to pay).
panel = test_e2e_topups.panel
shop = test_e2e_topups.shop

# -- helpers ---------------------------------------------------------------------------------


async def until(user: FakeUser, wanted: Callable[[SentMessage], bool], limit: int = 8) -> SentMessage:
    """The next message (sent or edited) the predicate accepts, skipping others."""
    seen = []
    for _ in range(limit):
        message = await user.reply()
        if wanted(message):
            return message
        seen.append(message.plain_text)
    raise AssertionError(f"nothing wanted among {seen!r}")


async def stars_invoice(user: FakeUser, amount: str = "50000") -> SentMessage:
    """/topup <amount> → ⭐ Telegram Stars: the invoice."""
    await user.send(f"/topup {amount}")
    ways = await user.reply()
    assert "How do you want to pay?" in ways.plain_text, ways.plain_text
    await user.tap("⭐ Telegram Stars", message=ways)
    invoice = await until(user, lambda m: m.kind == "invoice")
    assert invoice.invoice is not None
    return invoice


async def answered_checkout(telegram: FakeTelegram, query: str, timeout: float = 5.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while query not in telegram.pre_checkout_answers:
        assert time.monotonic() < deadline, "the pre-checkout query was never answered"
        await asyncio.sleep(0.01)
    return telegram.pre_checkout_answers[query]


def casso_body(description: str, amount: int = 50000, tid: str = "FT23012345678") -> dict[str, Any]:
    return {
        "error": 0,
        "data": [
            {
                "id": 123456,
                "tid": tid,
                "description": description,
                "amount": amount,
                "cusum_balance": 1000000,
                "when": "2026-12-01 14:02:37",
                "bank_sub_acc_id": ACCOUNT,
                "subAccId": ACCOUNT,
            }
        ],
    }


# -- 1. amounts ------------------------------------------------------------------------------


async def test_amounts_are_checked_and_forged_buttons_change_nothing(
    shop: BotRuntime, telegram: FakeTelegram
) -> None:
    customer = telegram.user(CUSTOMER)
    ask = await say(customer, "/topup")
    assert "How much?" in ask.plain_text and "10,000 VND" in ask.plain_text

    bad = await say(customer, "abc")
    assert "isn't an amount" in bad.plain_text
    low = await say(customer, "5000")  # still asking: typed text is an amount again
    assert "The smallest top-up is 10,000 VND" in low.plain_text
    high = await say(customer, "99999999999")
    assert "The largest top-up is 50,000,000 VND" in high.plain_text
    ways = await say(customer, "75000")
    assert "Top up 75,000 VND. How do you want to pay?" in ways.plain_text
    assert "🏦 Bank transfer (VietQR)" in ways.button_texts
    assert "⭐ Telegram Stars (250 ⭐)" in ways.button_texts  # 75000 / 300
    assert await shop.store.topups.for_user(CUSTOMER) == []  # nothing opened before a way to pay

    grouped = await say(customer, "/topup 75.000")  # Vietnamese thousands grouping
    assert "Top up 75,000 VND. How do you want to pay?" in grouped.plain_text

    for data in ("ta:1", "tm:bank:1", "tm:nope:50000", "tm:stars:abc", "tm:bank:99999999999"):
        query = await customer.tap_data(data, message=grouped)
        await customer.answered(query)
        answer = await customer.reply()
        assert "How do you want to pay?" not in answer.plain_text, (data, answer.plain_text)
    await telegram.wait_idle()
    assert await shop.store.topups.for_user(CUSTOMER) == []
    assert await shop.deps.wallet.balance(CUSTOMER) == 0


async def test_cancel_command_while_asked_ends_the_question(shop: BotRuntime, telegram: FakeTelegram) -> None:
    customer = telegram.user(CUSTOMER)
    assert "How much?" in (await say(customer, "/topup")).plain_text
    canceled = await say(customer, "/cancel")
    assert "Top-up canceled" in canceled.plain_text, canceled.plain_text
    searched = await say(customer, "50000")  # no longer an amount: a search
    assert "How do you want to pay?" not in searched.plain_text
    assert "50000" in searched.plain_text, searched.plain_text
    await telegram.wait_idle()
    assert await shop.store.topups.for_user(CUSTOMER) == []


async def test_cancel_button_while_asked_ends_the_question(shop: BotRuntime, telegram: FakeTelegram) -> None:
    customer = telegram.user(CUSTOMER)
    ask = await say(customer, "/topup")
    assert "How much?" in ask.plain_text
    await customer.tap("✖ Cancel", message=ask)
    canceled = await customer.reply()
    assert "Top-up canceled" in canceled.plain_text and not canceled.buttons
    searched = await say(customer, "50000")  # no longer an amount: a search
    assert "How do you want to pay?" not in searched.plain_text
    assert "50000" in searched.plain_text, searched.plain_text
    await telegram.wait_idle()
    assert await shop.store.topups.for_user(CUSTOMER) == []


async def test_stars_beyond_one_invoice_are_not_offered_or_explained(
    shop: BotRuntime, telegram: FakeTelegram
) -> None:
    customer = telegram.user(CUSTOMER)
    # 16,667 ⭐ at 300 VND: more than one invoice carries, so the bank is the only way left.
    qr = await say(customer, "/topup 5000000")
    assert qr.kind == "photo" and "Bank transfer · 5,000,000 VND" in qr.plain_text
    assert not telegram.calls_of("sendInvoice")
    [bank] = await shop.store.topups.for_user(CUSTOMER)
    assert bank.method is TopupMethod.BANK
    # A forged Stars button for it opens nothing.
    await customer.tap_data("tm:stars:5000000", message=qr)
    await customer.reply()
    await telegram.wait_idle()
    assert [t.id for t in await shop.store.topups.for_user(CUSTOMER)] == [bank.id]
    assert not telegram.calls_of("sendInvoice")


async def test_stars_only_bot_explains_the_invoice_limit(
    make_settings: Callable[..., Settings], telegram: FakeTelegram
) -> None:
    settings = topup_settings(
        make_settings, bank_bin="", bank_account="", bank_account_name="", sepay_api_key=None,
        casso_secure_token=None,
    )
    async with running(settings):
        customer = telegram.user(CUSTOMER)
        refused = await say(customer, "/topup 5000000")
        assert "at most 10000 ⭐" in refused.plain_text and "3,000,000 VND" in refused.plain_text
        invoice = await say(customer, "60000")  # still asked: a smaller amount goes straight to Stars
        assert invoice.kind == "invoice" and invoice.invoice is not None
        assert invoice.invoice["total_amount"] == 200


# -- 2. canceling a bank top-up ----------------------------------------------------------------


async def test_canceled_bank_topup_is_not_credited(shop: BotRuntime, telegram: FakeTelegram) -> None:
    customer, admin = telegram.user(CUSTOMER), telegram.user(ADMIN)
    photo = await bank_topup(customer)
    content = content_of(photo)
    [topup] = await shop.store.topups.for_user(CUSTOMER)

    query = await customer.tap("✖ Cancel this top-up", message=photo)
    answer = await customer.answered(query)
    assert "canceled" in (answer.get("text") or "")
    note = await until(customer, lambda m: "Canceled" in m.plain_text)
    assert "will not be credited automatically" in note.plain_text
    [after] = await shop.store.topups.for_user(CUSTOMER)
    assert after.id == topup.id and after.state is TopupState.CANCELED

    status, reply = await post(shop, "/payments/sepay", sepay_body(content, tx=31001), sepay_auth())
    assert (status, reply) == (200, {"success": True})
    await customer.silence(timeout=1.0)
    assert await shop.deps.wallet.balance(CUSTOMER) == 0
    assert await ledger_credits(shop, CUSTOMER) == []
    [transfer] = await shop.deps.topups.unmatched()
    assert transfer.reason is not None and transfer.reason.value == "canceled"
    assert transfer.state is TransferState.UNMATCHED

    listing = await say(admin, "/topups")
    assert "Unmatched transfers (1)" in listing.plain_text
    assert f"T{transfer.id}" in listing.plain_text and "top-up canceled" in listing.plain_text
    assert "Waiting for payment (0)" in listing.plain_text

    # Another customer can't cancel someone's top-up by forging its button.
    other = telegram.user(OTHER)
    await say(other, "/start")
    other_photo = await bank_topup(other)
    [others] = await shop.store.topups.for_user(OTHER)
    forged = await customer.tap_data(f"tx:{others.id}", message=photo)
    answer = await customer.answered(forged)
    assert "no longer waiting" in (answer.get("text") or "")
    assert (await shop.deps.topups.get(others.id)).state is TopupState.PENDING  # type: ignore[union-attr]
    status, _ = await post(
        shop, "/payments/sepay", sepay_body(content_of(other_photo), tx=31002), sepay_auth()
    )
    assert status == 200
    assert "added to your wallet" in (await other.reply()).plain_text
    assert await ledger_credits(shop, OTHER) == [Decimal(50000)]

    again = await customer.tap_data(f"tx:{topup.id}", message=photo)
    answer = await customer.answered(again)
    assert "no longer waiting" in (answer.get("text") or "") and answer.get("show_alert") is True
    assert (await shop.store.topups.for_user(CUSTOMER))[0].state is TopupState.CANCELED


# -- 3. admins ---------------------------------------------------------------------------------


async def test_admin_listing_dismiss_and_usage(shop: BotRuntime, telegram: FakeTelegram) -> None:
    customer, other, admin = telegram.user(CUSTOMER), telegram.user(OTHER), telegram.user(ADMIN)
    pending_content = content_of(await bank_topup(customer))
    invoice = await stars_invoice(other)
    assert (await other.pay(invoice))["ok"] is True
    await until(other, lambda m: "added to your wallet" in m.plain_text)
    [paid] = await shop.store.topups.for_user(OTHER)
    [pending] = await shop.store.topups.for_user(CUSTOMER)

    status, _ = await post(
        shop, "/payments/sepay", sepay_body("owner's own money", 70000, 8101), sepay_auth()
    )
    assert status == 200
    [transfer] = await shop.deps.topups.unmatched()

    listing = (await say(admin, "/topups")).plain_text
    assert "Waiting for payment (1)" in listing
    assert f"#{pending.id} {pending_content}" in listing and "50,000 VND" in listing
    assert f"#{paid.id} · 50,000 VND · Telegram Stars · {OTHER}" in listing
    assert f"T{transfer.id}" in listing and "70,000 VND" in listing and "no code" in listing
    assert "/refundstars" in listing

    ask = await say(admin, f"/assign T{transfer.id} dismiss")
    assert "70,000 VND" in ask.plain_text and "credited to nobody" in ask.plain_text
    assert (await shop.deps.topups.transfer(transfer.id)).state is TransferState.UNMATCHED  # type: ignore[union-attr]
    await admin.tap("✅ Not a customer's", message=ask)
    done = await admin.reply()
    assert f"T{transfer.id} marked as not a customer's" in done.plain_text
    assert (await shop.deps.topups.transfer(transfer.id)).state is TransferState.DISMISSED  # type: ignore[union-attr]
    assert await shop.deps.topups.count_unmatched() == 0
    for target in (str(CUSTOMER), "dismiss"):
        refused = await say(admin, f"/assign T{transfer.id} {target}")
        assert "isn't waiting" in refused.plain_text
    assert await shop.deps.wallet.balance(CUSTOMER) == 0

    for bad in (
        "/assign",
        f"/assign T{transfer.id}",
        f"/assign x {CUSTOMER}",
        f"/assign T{transfer.id} bob",
        f"/assign T{transfer.id} {CUSTOMER} extra",
        f"/assign T-1 {CUSTOMER}",
    ):
        usage = await say(admin, bad)
        assert "Usage: /assign" in usage.plain_text, (bad, usage.plain_text)
    assert (await shop.deps.topups.transfer(transfer.id)).state is TransferState.DISMISSED  # type: ignore[union-attr]


async def test_customers_cannot_use_admin_commands(shop: BotRuntime, telegram: FakeTelegram) -> None:
    customer, other = telegram.user(CUSTOMER), telegram.user(OTHER)
    await say(customer, "/start")
    invoice = await stars_invoice(other)
    outcome = await other.pay(invoice)
    assert outcome["ok"] is True
    await until(other, lambda m: "added to your wallet" in m.plain_text)
    [paid] = await shop.store.topups.for_user(OTHER)
    status, _ = await post(shop, "/payments/sepay", sepay_body("chuyen tien", 70000, 8201), sepay_auth())
    assert status == 200
    [transfer] = await shop.deps.topups.unmatched()

    for command in (
        "/topups",
        f"/assign {transfer.id} {CUSTOMER}",
        f"/assign T{transfer.id} dismiss",
        f"/refundstars {paid.id}",
    ):
        refused = await say(customer, command)
        assert refused.plain_text == ADMIN_ONLY, (command, refused.plain_text)
        assert not refused.buttons

    query = await customer.tap_data(f"tas:{transfer.id}:{CUSTOMER}")
    answer = await customer.answered(query)
    assert answer.get("text") == ADMIN_ONLY and answer.get("show_alert") is True
    for data in (f"tdi:{transfer.id}", f"trf:{paid.id}"):
        answer = await customer.answered(await customer.tap_data(data))
        assert answer.get("text") == ADMIN_ONLY
    await customer.silence(timeout=1.0)
    assert await shop.deps.wallet.balance(CUSTOMER) == 0
    assert (await shop.deps.topups.transfer(transfer.id)).state is TransferState.UNMATCHED  # type: ignore[union-attr]
    assert (await shop.deps.topups.get(paid.id)).state is TopupState.PAID  # type: ignore[union-attr]
    assert telegram.star_charges[outcome["charge_id"]].refunded is False
    assert telegram.calls_of("refundStarPayment") == []
    assert await shop.deps.wallet.balance(OTHER) == Decimal(50000)


# -- 4. roles and modes ----------------------------------------------------------------------


async def test_admin_is_not_offered_a_topup(shop: BotRuntime, telegram: FakeTelegram) -> None:
    admin = telegram.user(ADMIN)
    answer = await say(admin, "/topup")
    assert "Top-ups are for customers' wallets" in answer.plain_text
    await say(admin, "/topup 50000")
    await telegram.wait_idle()
    assert await shop.store.topups.for_user(ADMIN) == []


async def test_no_way_to_pay_set_up(make_settings: Callable[..., Settings], telegram: FakeTelegram) -> None:
    settings = topup_settings(
        make_settings,
        bank_bin="",
        bank_account="",
        bank_account_name="",
        sepay_api_key=None,
        casso_secure_token=None,
        stars_rate=None,
    )
    assert settings.webhook_url is None
    async with running(settings) as runtime:
        await _warm(runtime)
        customer = telegram.user(CUSTOMER)
        answer = await say(customer, "/topup")
        assert "aren't set up" in answer.plain_text and str(CUSTOMER) in answer.plain_text
        answer = await say(customer, "/topup 50000")
        assert "aren't set up" in answer.plain_text
        balance = await say(customer, "/balance")
        assert "➕ Top up" not in balance.button_texts
        assert "ask the shop's admin" in balance.plain_text and str(CUSTOMER) in balance.plain_text
        summary = await to_summary(customer)
        assert "➕ Top up" not in summary.button_texts and "✅ Confirm" not in summary.button_texts
        assert "3,500 VND missing" in summary.plain_text
        await telegram.wait_idle()
        assert await runtime.store.topups.for_user(CUSTOMER) == []
        # Nothing to be posted to: no HTTP server at all.
        with (
            pytest.raises(ConnectionRefusedError),
            socket.create_connection(("127.0.0.1", settings.port), timeout=2),
        ):
            pass
        with pytest.raises(aiohttp.ClientConnectionError):
            await post(runtime, "/payments/sepay", sepay_body("NAPABCDEFGH"), sepay_auth())


async def test_direct_mode_has_no_wallets(
    make_settings: Callable[..., Settings], telegram: FakeTelegram
) -> None:
    settings = make_settings(
        shop_mode="direct",
        admin_ids=frozenset({ADMIN}),
        bank_bin=BIN,
        bank_account=ACCOUNT,
        bank_account_name=NAME,
        sepay_api_key=SEPAY_KEY,
        stars_rate=Decimal(300),
        webhook_listen="127.0.0.1",
        port=free_port(),
    )
    async with running(settings) as runtime:
        customer = telegram.user(CUSTOMER)
        answer = await say(customer, "/topup")
        assert "has no wallets" in answer.plain_text
        answer = await say(customer, "/topup 50000")
        assert "has no wallets" in answer.plain_text
        query = await customer.tap_data("tm:bank:50000", message=answer)
        await customer.answered(query)
        await telegram.wait_idle()
        assert await runtime.store.topups.for_user(CUSTOMER) == []


# -- 5. top up wherever money is missing ----------------------------------------------------


async def test_top_up_where_money_is_missing(shop: BotRuntime, telegram: FakeTelegram) -> None:
    customer = telegram.user(CUSTOMER)
    summary = await to_summary(customer)  # 100 likes: 3,500 VND, below TOPUP_MIN
    assert "3,500 VND missing" in summary.plain_text and "Tap ➕ Top up" in summary.plain_text
    assert "➕ Top up" in summary.button_texts and "✅ Confirm" not in summary.button_texts
    await customer.tap("➕ Top up", message=summary)
    ways = await until(customer, lambda m: "How do you want to pay?" in m.plain_text)
    assert "Top up 10,000 VND." in ways.plain_text  # max(missing, TOPUP_MIN)
    assert "⭐ Telegram Stars (34 ⭐)" in ways.button_texts

    big = await to_summary(customer, quantity="10000")  # 350,000 VND missing
    assert "350,000 VND missing" in big.plain_text
    await customer.tap("➕ Top up", message=big)
    ways = await until(customer, lambda m: "How do you want to pay?" in m.plain_text)
    assert "Top up 350,000 VND." in ways.plain_text
    await customer.tap("🏦 Bank transfer", message=ways)
    photo = await until(customer, lambda m: m.kind == "photo")
    assert "350,000 VND" in photo.plain_text

    balance = await say(customer, "/balance")
    assert "➕ Top up" in balance.button_texts
    await customer.tap("➕ Top up", message=balance)
    ask = await until(customer, lambda m: "How much?" in m.plain_text)
    assert "50,000" in ask.button_texts


# -- 6. Stars details ------------------------------------------------------------------------


async def test_expired_stars_topup_is_refused_at_checkout(
    make_settings: Callable[..., Settings], telegram: FakeTelegram
) -> None:
    async with running(topup_settings(make_settings, topup_expiry_minutes=0)) as runtime:
        await _warm(runtime)
        customer = telegram.user(CUSTOMER)
        invoice = await stars_invoice(customer)
        outcome = await customer.pay(invoice)
        assert outcome["answered"] is True and outcome["ok"] is False
        assert "expired or was canceled" in (outcome["error_message"] or "")
        assert outcome["charge_id"] is None
        await telegram.wait_idle()
        assert await runtime.deps.wallet.balance(CUSTOMER) == 0
        [topup] = await runtime.store.topups.for_user(CUSTOMER)
        assert topup.state in (TopupState.PENDING, TopupState.EXPIRED)


async def test_second_stars_payment_of_a_paid_topup_is_credited(
    shop: BotRuntime, telegram: FakeTelegram
) -> None:
    customer = telegram.user(CUSTOMER)
    invoice = await stars_invoice(customer)
    assert invoice.invoice is not None
    first = await customer.pay(invoice)
    assert first["ok"] is True
    await until(customer, lambda m: "added to your wallet" in m.plain_text)

    # Telegram took Stars again for the same invoice, under another charge: never dropped.
    second = await customer.successful_payment("XTR", 167, invoice.invoice["payload"])
    assert second != first["charge_id"]
    told = await until(customer, lambda m: "added to your wallet" in m.plain_text)
    assert "50,100 VND" in told.plain_text  # 167 ⭐ × 300
    assert sorted(await ledger_credits(shop, CUSTOMER)) == [Decimal(50000), Decimal(50100)]
    assert await shop.deps.wallet.balance(CUSTOMER) == Decimal(100100)
    topups = await shop.store.topups.for_user(CUSTOMER)
    assert len(topups) == 2 and all(
        t.state is TopupState.PAID and t.method is TopupMethod.STARS for t in topups
    )
    assert {t.payment for t in topups} == {f"stars:{first['charge_id']}", f"stars:{second}"}
    # And the replay of either changes nothing.
    await customer.successful_payment("XTR", 167, invoice.invoice["payload"], charge_id=second)
    await customer.silence(timeout=1.0)
    assert await shop.deps.wallet.balance(CUSTOMER) == Decimal(100100)
    assert await clean_books(shop)


async def test_refundstars_refused_when_the_money_was_spent(shop: BotRuntime, telegram: FakeTelegram) -> None:
    customer, admin = telegram.user(CUSTOMER), telegram.user(ADMIN)
    invoice = await stars_invoice(customer)
    outcome = await customer.pay(invoice)
    assert outcome["ok"] is True
    await until(customer, lambda m: "added to your wallet" in m.plain_text)
    [topup] = await shop.store.topups.for_user(CUSTOMER)

    debited = await say(admin, f"/debit {CUSTOMER} 10000 x")
    assert "10,000 VND" in debited.plain_text
    assert await shop.deps.wallet.balance(CUSTOMER) == Decimal(40000)

    ask = await say(admin, f"/refundstars {topup.id}")
    assert "167 ⭐" in ask.plain_text and "50,000 VND" in ask.plain_text
    await admin.tap("↩️ Refund", message=ask)
    short = await admin.reply()
    assert "holds only" in short.plain_text
    assert "40,000 VND" in short.plain_text and "50,000 VND" in short.plain_text
    await telegram.wait_idle()
    assert telegram.calls_of("refundStarPayment") == []
    assert telegram.star_charges[outcome["charge_id"]].refunded is False
    assert (await shop.deps.topups.get(topup.id)).state is TopupState.PAID  # type: ignore[union-attr]
    assert await shop.deps.wallet.balance(CUSTOMER) == Decimal(40000)
    assert await clean_books(shop)


# -- 7. the pre-checkout is not queued behind the user's slow update ----------------------------


async def test_pre_checkout_answered_while_the_users_order_waits_on_the_panel(
    make_settings: Callable[..., Settings], telegram: FakeTelegram, panel: PanelSimulator
) -> None:
    async with running(topup_settings(make_settings, panel_timeout_seconds=15.0)) as runtime:
        await _warm(runtime)
        customer, admin = telegram.user(CUSTOMER), telegram.user(ADMIN)
        await say(customer, "/start")
        await say(admin, f"/credit {CUSTOMER} 10000 cash")
        await customer.reply()
        invoice = await stars_invoice(customer)
        assert invoice.invoice is not None
        summary = await to_summary(customer)
        assert "✅ Confirm" in summary.button_texts

        panel.slow_seconds = 3.0
        panel.failure = FailureMode.SLOW
        await customer.tap("✅ Confirm", message=summary)
        await asyncio.sleep(0.3)  # the order is being placed: the panel holds it
        assert not any("Order placed" in (m.plain_text or "") for m in customer.messages)
        started = time.monotonic()
        query = await customer.pre_checkout(
            "XTR", invoice.invoice["total_amount"], invoice.invoice["payload"]
        )
        answer = await answered_checkout(telegram, query, timeout=10.0)
        waited = time.monotonic() - started
        assert answer["ok"] is True
        placed = [m for m in customer.messages if "Order placed" in (m.plain_text or "")]
        assert placed == [], "the order finished first: the test proved nothing"
        assert waited < 1.5, f"the pre-checkout waited {waited:.1f}s behind the order"
        receipt = await until(customer, lambda m: "Order placed" in m.plain_text, limit=10)
        assert "Charge: 3,500 VND" in receipt.plain_text
        assert len(panel.calls_for("add")) == 1  # the order really went through the slow panel
        panel.failure = FailureMode.NONE


# -- 8. secrets stay out of the logs -----------------------------------------------------------


async def test_logs_never_contain_the_payment_secrets(
    shop: BotRuntime, telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    customer = telegram.user(CUSTOMER)
    content = content_of(await bank_topup(customer))
    near_misses = (SEPAY_KEY + "0", "x" + SEPAY_KEY, f"Bearer {SEPAY_KEY}")
    for key in near_misses:
        status, _ = await post(shop, "/payments/sepay", sepay_body(content, tx=41001), {"Authorization": key})
        assert status == 401
    status, _ = await post(
        shop, "/payments/sepay", sepay_body(content, tx=41001), sepay_auth(SEPAY_KEY + "0")
    )
    assert status == 401
    status, _ = await post(shop, "/payments/casso", casso_body(content), {"Secure-Token": CASSO_TOKEN + "0"})
    assert status == 401
    status, _ = await post(
        shop, "/payments/sepay", b'{"id": 1, "content": "' + SEPAY_KEY.encode(), sepay_auth()
    )
    assert status == 400
    status, _ = await post(
        shop, "/payments/casso", {"error": 0, "token": CASSO_TOKEN}, {"Secure-Token": CASSO_TOKEN}
    )
    assert status == 400
    status, _ = await post(shop, "/payments/sepay", sepay_body(content, tx=41002), sepay_auth())
    assert status == 200
    status, _ = await post(
        shop, "/payments/casso", casso_body("no code here", 20000), {"Secure-Token": CASSO_TOKEN}
    )
    assert status == 200
    await until(customer, lambda m: "added to your wallet" in m.plain_text)
    await telegram.wait_idle()

    logged = caplog.text + "\n".join(
        f"{r.getMessage()} {r.exc_text or ''} {r.args!r}" for r in caplog.records
    )
    assert "refused" in logged and "credited top-up" in logged  # the log was captured at all
    assert SEPAY_KEY not in logged
    assert CASSO_TOKEN not in logged


# -- 9. Vietnamese -----------------------------------------------------------------------------


async def test_vietnamese_customer(shop: BotRuntime, telegram: FakeTelegram) -> None:
    customer = telegram.user(CUSTOMER, language_code="vi")
    ask = await say(customer, "/topup")
    assert "Nạp tiền vào ví" in ask.plain_text and "Bạn muốn nạp bao nhiêu?" in ask.plain_text
    assert "✖ Hủy" in ask.button_texts
    low = await say(customer, "5000")
    assert "Số tiền nạp tối thiểu" in low.plain_text
    ways = await say(customer, "50000")
    assert "Bạn muốn thanh toán bằng cách nào?" in ways.plain_text
    await customer.tap("🏦 Chuyển khoản", message=ways)
    photo = await until(customer, lambda m: m.kind == "photo")
    assert "Chuyển khoản" in photo.plain_text and "Nội dung" in photo.plain_text
    assert "✖ Hủy lần nạp này" in photo.button_texts
    content = content_of(photo)
    status, _ = await post(shop, "/payments/sepay", sepay_body(content, tx=51001), sepay_auth())
    assert status == 200
    told = await customer.reply()
    assert "Đã cộng" in told.plain_text and "50.000" in told.plain_text, told.plain_text
    assert "chuyển khoản" in told.plain_text
    assert await shop.deps.wallet.balance(CUSTOMER) == Decimal(50000)
