"""Top-ups (issue 11) end to end: a customer fills their wallet by bank transfer (VietQR,
confirmed by SePay or Casso posting to the bot's HTTP server) or Telegram Stars.

Real Application and handlers, the fake Bot API (photos keep their bytes, invoices, Stars
payments) and real HTTP posts to the bot's own server, shaped like the services' real ones.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any

import aiohttp
import pytest
import zxingcpp
from PIL import Image

from bot.config import Settings
from bot.payments import vietqr
from bot.runtime import BotRuntime
from bot.services.audit import audit
from bot.store.ledger import EntryKind
from bot.store.topups import TopupState, TransferState
from tests.support.fake_telegram import FakeTelegram, FakeUser, SentMessage
from tests.support.runtime import free_port, running
from tests.test_e2e_shop import ADMIN, CUSTOMER, OTHER, _warm, panel, wallet_settings  # noqa: F401

SEPAY_KEY = "sepay-key-0123456789"
CASSO_TOKEN = "casso-token-abcdef"
BIN, ACCOUNT, NAME = "970436", "0123456789", "NGUYEN VAN A"


def topup_settings(make_settings: Callable[..., Settings], **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "bank_bin": BIN,
        "bank_account": ACCOUNT,
        "bank_account_name": NAME,
        "sepay_api_key": SEPAY_KEY,
        "casso_secure_token": CASSO_TOKEN,
        "stars_rate": Decimal(300),
        "shop_currency": "VND",
        "webhook_listen": "127.0.0.1",
        "port": free_port(),
        **overrides,
    }
    return wallet_settings(make_settings, **values)


@pytest.fixture
async def shop(make_settings: Callable[..., Settings]) -> AsyncIterator[BotRuntime]:
    async with running(topup_settings(make_settings)) as runtime:
        await _warm(runtime)
        yield runtime


# -- helpers ---------------------------------------------------------------------------------


async def post(
    runtime: BotRuntime, path: str, body: object, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    """A real HTTP post to the bot's server, as the payment service sends it."""
    url = f"http://127.0.0.1:{runtime.settings.port}{path}"
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=data, headers={"Content-Type": "application/json", **(headers or {})}) as r,
    ):
        text = await r.text()
        try:
            return r.status, json.loads(text)
        except ValueError:
            return r.status, text


def sepay_body(
    content: str, amount: int | str = 50000, tx: int | str = 92704, kind: str = "in"
) -> dict[str, Any]:
    """What SePay posts (its documented shape; amounts and ids as numbers)."""
    return {
        "id": tx,
        "gateway": "Vietcombank",
        "transactionDate": "2026-12-01 14:02:37",
        "accountNumber": ACCOUNT,
        "code": None,
        "content": content,
        "transferType": kind,
        "transferAmount": amount,
        "accumulated": 19077000,
        "subAccount": None,
        "referenceCode": "MBVCB.3278907687",
        "description": "",
    }


def sepay_auth(key: str = SEPAY_KEY) -> dict[str, str]:
    return {"Authorization": f"Apikey {key}"}


async def bank_topup(user: FakeUser, amount: str = "50,000") -> SentMessage:
    """/topup → an amount → bank transfer: the QR photo."""
    await user.send("/topup")
    await user.reply()
    await user.tap(amount)
    await user.reply()  # the ways to pay
    await user.tap("🏦 Bank transfer")
    while True:
        message = await user.reply()
        if message.kind == "photo":
            return message


def decoded(photo: SentMessage) -> str:
    """The QR image the bot sent, read back as a banking app's scanner would."""
    assert photo.file_bytes, "the photo was sent without its bytes"
    [barcode] = zxingcpp.read_barcodes(Image.open(io.BytesIO(photo.file_bytes)))
    return str(barcode.text)


def content_of(photo: SentMessage) -> str:
    """The transfer content the caption asks for (NAP + code)."""
    fields = vietqr.parse(decoded(photo))
    return fields["62.08"]


async def clean_books(runtime: BotRuntime) -> bool:
    report = await audit(runtime.store, runtime.settings.price_decimals)
    assert report.topups > 0
    assert report.clean, report.lines()
    return True


async def ledger_credits(runtime: BotRuntime, user_id: int) -> list[Decimal]:
    entries = await runtime.store.wallets.entries(user_id, limit=100)
    return [e.amount for e in entries if e.kind is EntryKind.TOPUP]


# -- bank transfer confirmed by SePay -------------------------------------------------------


async def test_bank_topup_by_sepay_credits_once(shop: BotRuntime, telegram: FakeTelegram) -> None:
    customer = telegram.user(CUSTOMER)
    photo = await bank_topup(customer)

    payload = decoded(photo)
    fields = vietqr.parse(payload)
    assert vietqr.crc_ok(payload)
    assert fields["38.00"] == "A000000727" and fields["38.01.00"] == BIN and fields["38.01.01"] == ACCOUNT
    assert fields["38.02"] == "QRIBFTTA" and fields["53"] == "704" and fields["58"] == "VN"
    assert fields["54"] == "50000"
    content = fields["62.08"]
    assert content.startswith("NAP") and len(content) == 3 + 8
    caption = photo.plain_text
    for shown in ("Vietcombank", ACCOUNT, NAME, "50000", content):
        assert shown in caption

    # The bank prepends and appends its own words, and lower-cases and splits the code.
    code = content[3:]
    messy = f"MBVCB.3278907687.{content[:5].lower()} {code[2:5].lower()}-{code[5:]}.CT tu 0123 toi {ACCOUNT}"
    status, answer = await post(shop, "/payments/sepay", sepay_body(messy), sepay_auth())
    assert (status, answer) == (200, {"success": True})
    told = await customer.reply()
    assert "50,000 VND" in told.plain_text and "added to your wallet" in told.plain_text
    assert "Balance: 50,000 VND" in told.plain_text
    assert await shop.deps.wallet.balance(CUSTOMER) == Decimal(50000)

    # The service retries for hours: again, and five at once — each 200, nothing more credited.
    status, answer = await post(shop, "/payments/sepay", sepay_body(messy), sepay_auth())
    assert (status, answer) == (200, {"success": True})
    results = await asyncio.gather(
        *(post(shop, "/payments/sepay", sepay_body(messy), sepay_auth()) for _ in range(5))
    )
    assert results == [(200, {"success": True})] * 5
    await customer.silence(timeout=1.0)
    assert await shop.deps.wallet.balance(CUSTOMER) == Decimal(50000)
    assert await ledger_credits(shop, CUSTOMER) == [Decimal(50000)]

    # A wrong or missing key: 401 and nothing recorded, even for a new transaction.
    for headers in (sepay_auth("wrong-key"), {}, {"Authorization": SEPAY_KEY}, sepay_auth(SEPAY_KEY[:-1])):
        status, _ = await post(shop, "/payments/sepay", sepay_body(messy, tx=555), headers)
        assert status == 401
    status, _ = await post(shop, "/payments/sepay", b"{not json", sepay_auth())
    assert status == 400
    status, _ = await post(shop, "/payments/sepay", {"id": 556, "content": content}, sepay_auth())
    assert status == 400
    assert await shop.deps.topups.count_unmatched() == 0
    assert await shop.deps.wallet.balance(CUSTOMER) == Decimal(50000)
    assert await clean_books(shop)


async def test_concurrent_first_deliveries_credit_once(shop: BotRuntime, telegram: FakeTelegram) -> None:
    """The very first delivery, sent ten times at once (no earlier record to find)."""
    customer = telegram.user(CUSTOMER)
    content = content_of(await bank_topup(customer, "100,000"))
    body = sepay_body(f"{content} thanh toan", amount="100000", tx="FT26335012345")
    results = await asyncio.gather(*(post(shop, "/payments/sepay", body, sepay_auth()) for _ in range(10)))
    assert [status for status, _ in results] == [200] * 10
    await customer.reply()
    await customer.silence(timeout=1.0)
    assert await ledger_credits(shop, CUSTOMER) == [Decimal(100000)]
    assert await shop.deps.wallet.balance(CUSTOMER) == Decimal(100000)


async def test_outgoing_transfer_credits_nobody(shop: BotRuntime, telegram: FakeTelegram) -> None:
    customer = telegram.user(CUSTOMER)
    content = content_of(await bank_topup(customer))
    status, _ = await post(shop, "/payments/sepay", sepay_body(content, kind="out", tx=7), sepay_auth())
    assert status == 200
    await customer.silence(timeout=1.0)
    assert await shop.deps.wallet.balance(CUSTOMER) == 0
    assert await shop.deps.topups.count_unmatched() == 0


# -- Casso ------------------------------------------------------------------------------------


async def test_casso_credits_what_arrived(shop: BotRuntime, telegram: FakeTelegram) -> None:
    customer = telegram.user(CUSTOMER)
    content = content_of(await bank_topup(customer))
    body = {
        "error": 0,
        "data": [
            {
                "id": 123456,
                "tid": "FT23012345678",
                "description": f"CUSTOMER {content} FT23012345678",
                "amount": 40000,
                "cusum_balance": 1000000,
                "when": "2026-12-01 14:02:37",
                "bank_sub_acc_id": ACCOUNT,
                "subAccId": ACCOUNT,
            }
        ],
    }
    for _ in range(2):
        status, answer = await post(shop, "/payments/casso", body, {"Secure-Token": CASSO_TOKEN})
        assert (status, answer) == (200, {"error": 0})
    told = await customer.reply()
    assert "You sent 40,000 VND for a top-up of 50,000 VND" in told.plain_text
    await customer.silence(timeout=1.0)
    assert await ledger_credits(shop, CUSTOMER) == [Decimal(40000)]
    status, _ = await post(shop, "/payments/casso", body | {"data": []}, {"Secure-Token": "nope"})
    assert status == 401
    status, _ = await post(shop, "/payments/casso", {"error": 0}, {"Secure-Token": CASSO_TOKEN})
    assert status == 400


# -- unmatched and expired ------------------------------------------------------------------


async def test_unmatched_transfer_is_kept_and_assigned(shop: BotRuntime, telegram: FakeTelegram) -> None:
    customer, admin = telegram.user(CUSTOMER), telegram.user(ADMIN)
    await customer.send("/start")  # Telegram lets a bot write only to who wrote to it first
    await customer.reply()
    status, _ = await post(
        shop, "/payments/sepay", sepay_body("chuyen tien", amount=70000, tx=8001), sepay_auth()
    )
    assert status == 200
    await admin.send("/topups")
    listing = await admin.reply()
    assert "Unmatched transfers (1)" in listing.plain_text
    [transfer] = await shop.deps.topups.unmatched()
    assert f"T{transfer.id}" in listing.plain_text and "70,000 VND" in listing.plain_text

    await admin.send(f"/assign T{transfer.id} {CUSTOMER}")
    ask = await admin.reply()
    assert "70,000 VND" in ask.plain_text and str(CUSTOMER) in ask.plain_text
    assert await shop.deps.wallet.balance(CUSTOMER) == 0  # nothing before the tap
    await admin.tap("✅ Credit")
    done = await admin.reply()
    assert "credited" in done.plain_text
    told = await customer.reply()
    assert "70,000 VND" in told.plain_text and "credited by the admin" in told.plain_text
    assert await shop.deps.wallet.balance(CUSTOMER) == Decimal(70000)

    # Twice (a double tap, another admin): credited once.
    await admin.send(f"/assign {transfer.id} {OTHER}")
    assert "isn't waiting" in (await admin.reply()).plain_text
    await admin.tap_data(f"tas:{transfer.id}:{OTHER}", message=ask)
    await admin.reply()
    assert await shop.deps.wallet.balance(OTHER) == 0
    assert await ledger_credits(shop, CUSTOMER) == [Decimal(70000)]
    assert (await shop.deps.topups.transfer(transfer.id)).state is TransferState.ASSIGNED  # type: ignore[union-attr]
    assert await clean_books(shop)


async def test_expired_topup_is_not_credited(
    make_settings: Callable[..., Settings], telegram: FakeTelegram
) -> None:
    settings = topup_settings(make_settings, topup_expiry_minutes=0)
    async with running(settings) as shop:
        customer = telegram.user(CUSTOMER)
        content = content_of(await bank_topup(customer))
        status, _ = await post(shop, "/payments/sepay", sepay_body(content, tx=9001), sepay_auth())
        assert status == 200
        assert await shop.deps.wallet.balance(CUSTOMER) == 0
        [transfer] = await shop.deps.topups.unmatched()
        assert transfer.reason is not None and transfer.reason.value == "expired"
        sent = await shop.topup_notices.sweep(shop.app.bot)
        assert sent == 1
        told = await customer.reply()
        assert "expired" in told.plain_text and content in told.plain_text
        assert await shop.topup_notices.sweep(shop.app.bot) == 0  # told once
        await customer.silence(timeout=0.5)


# -- Telegram Stars ---------------------------------------------------------------------------


async def test_stars_topup_credits_once(shop: BotRuntime, telegram: FakeTelegram) -> None:
    customer, admin = telegram.user(CUSTOMER), telegram.user(ADMIN)
    await customer.send("/topup 50000")
    await customer.reply()
    await customer.tap("⭐ Telegram Stars (167 ⭐)")  # ⌈50000 / 300⌉
    invoice = await customer.reply()
    while invoice.kind != "invoice":
        invoice = await customer.reply()
    assert invoice.invoice is not None
    assert invoice.invoice["currency"] == "XTR" and invoice.invoice["total_amount"] == 167

    outcome = await customer.pay(invoice)
    assert outcome["ok"] is True
    told = await customer.reply()
    assert "50,000 VND" in told.plain_text and "Telegram Stars" in told.plain_text
    assert await shop.deps.wallet.balance(CUSTOMER) == Decimal(50000)

    # Telegram delivers the same payment again: nothing more.
    await customer.successful_payment("XTR", 167, invoice.invoice["payload"], charge_id=outcome["charge_id"])
    await customer.silence(timeout=1.0)
    assert await ledger_credits(shop, CUSTOMER) == [Decimal(50000)]

    # The invoice can't be paid twice: the pre-checkout says no.
    again = await customer.pay(invoice)
    assert again["ok"] is False and "/topup" in (again["error_message"] or "")
    # Another user can't pay someone else's top-up.
    other = telegram.user(OTHER)
    query = await other.pre_checkout("XTR", 167, invoice.invoice["payload"])
    for _ in range(100):
        if query in telegram.pre_checkout_answers:
            break
        await asyncio.sleep(0.02)
    assert telegram.pre_checkout_answers[query]["ok"] is False

    # The admin gives it back: debit first, then Telegram refunds the Stars.
    [topup] = [t for t in await shop.store.topups.for_user(CUSTOMER) if t.state is TopupState.PAID]
    await admin.send(f"/refundstars {topup.id}")
    await admin.reply()
    await admin.tap("↩️ Refund")
    done = await admin.reply()
    assert "refunded" in done.plain_text
    assert telegram.star_charges[outcome["charge_id"]].refunded is True
    assert await shop.deps.wallet.balance(CUSTOMER) == 0
    assert await clean_books(shop)


async def test_a_credit_told_while_telegram_was_down_is_told_later_once(
    shop: BotRuntime, telegram: FakeTelegram
) -> None:
    """The credit commits with the notification; the message follows when Telegram is back
    (the sweep finds it), once, even with the sweep and a retried notification racing."""
    customer = telegram.user(CUSTOMER)
    content = content_of(await bank_topup(customer))
    telegram.outage = True
    status, answer = await post(shop, "/payments/sepay", sepay_body(content, tx=4242), sepay_auth())
    assert (status, answer) == (200, {"success": True})  # recorded: the service must not retry
    assert await shop.deps.wallet.balance(CUSTOMER) == Decimal(50000)
    for _ in range(100):  # the background message tried and failed
        if any(not c.ok and c.method == "sendMessage" for c in telegram.calls):
            break
        await asyncio.sleep(0.02)
    telegram.outage = False
    sent = await asyncio.gather(
        shop.topup_notices.sweep(shop.app.bot),
        shop.topup_notices.sweep(shop.app.bot),
        post(shop, "/payments/sepay", sepay_body(content, tx=4242), sepay_auth()),
    )
    assert sent[0] + sent[1] == 1
    told = await customer.reply()
    assert "50,000 VND" in told.plain_text and "added to your wallet" in told.plain_text
    await customer.silence(timeout=1.0)
    assert await ledger_credits(shop, CUSTOMER) == [Decimal(50000)]
