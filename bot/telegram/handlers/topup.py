"""/topup: a customer puts money in their wallet without leaving Telegram or waiting for the
owner — by bank transfer (a VietQR image made here, confirmed by the bank-notification
service's webhook) or Telegram Stars (an invoice; credited on `successful_payment`).  Admins
see every top-up and unmatched transfer in /topups, credit one with /assign, and give a Stars
top-up back with /refundstars.

Every amount, ID and button is untrusted input: checked again by the service, refused with a
clear message, never half-applied.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from decimal import Decimal
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LabeledPrice, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    PreCheckoutQueryHandler,
    TypeHandler,
    filters,
)

from bot.numbers import ascii_int
from bot.services.access import Role
from bot.services.money import format_amount, format_money
from bot.services.topups import (
    STARS_CURRENCY,
    STARS_PER_INVOICE_MAX,
    AmountRefused,
    CheckoutRefusal,
    NotRefundable,
    TopupService,
    TransferNotOpen,
    invoice_payload,
)
from bot.services.wallets import InsufficientFunds
from bot.store.topups import Topup, TopupMethod, TopupState, Transfer, TransferState
from bot.telegram import callbacks, replies, waiting
from bot.telegram.context import App, Context, deps, language, t
from bot.telegram.handlers.admin import admin_only
from bot.telegram.keyboards import button

log = logging.getLogger(__name__)

ASKED_KEY = "topup_asked"  # user_data: when /topup asked how much
ASKED_GROUP = 2  # after every handler, apart from /mass's (group 1)
LISTED = 8  # of each kind in /topups
CONTENT_SHOWN = 60  # characters of a transfer's content in /topups
PAYMENTS_GROUP = -3  # before the access gate (-2)
CREDIT_ATTEMPTS = 3


def _topups(context: Context) -> TopupService:
    return deps(context).topups


async def _money(context: Context, amount: Decimal) -> str:
    currency = await deps(context).shop.wallet_currency()
    return format_money(amount, escape(currency), language(context))


def _when(context: Context, moment: datetime) -> str:
    return moment.astimezone(deps(context).settings.timezone).strftime("%H:%M %d/%m")


# -- the customer's flow ---------------------------------------------------------------------


async def _refused(update: Update, context: Context) -> bool:
    """Whether this user can't top up here (told why): admins order at cost, a direct-mode
    bot has no wallets, and a bot with no way to pay set up sends them to the admin."""
    user = update.effective_user
    if user is None:
        return True
    shop = deps(context).shop
    if not shop.wallets:
        await replies.reply(update, context, "wallet_disabled")
        return True
    if not shop.is_customer(user.id):
        await replies.reply(update, context, "topup_not_customer")
        return True
    if not _topups(context).methods:
        await replies.reply(update, context, "topup_unavailable", user_id=user.id)
        return True
    return False


async def start(update: Update, context: Context) -> None:
    """`/topup` (or `/topup 100000`), or the ➕ Top up button (`top[:amount]`)."""
    query = update.callback_query
    if query is not None:
        await query.answer()
    waiting.answered(context.user_data, ASKED_KEY)
    if await _refused(update, context):
        return
    given = " ".join(context.args or []) if query is None else (callbacks.parse(query.data) or [""])[0]
    if given:
        await _amount_given(update, context, given)
        return
    await _ask_amount(update, context)
    waiting.ask(context.user_data, ASKED_KEY)


async def _ask_amount(update: Update, context: Context) -> None:
    assert update.effective_user is not None
    rules = _topups(context).rules
    lang = language(context)
    amounts = [
        button(format_amount(amount, lang), callbacks.TOPUP_AMOUNT, amount) for amount in rules.amounts
    ]
    rows = [amounts[i : i + 2] for i in range(0, len(amounts), 2)]
    rows.append([button(t(context, "topup_btn_cancel"), callbacks.TOPUP_CANCEL)])
    balance = await _topups(context).balance(update.effective_user.id)
    message = t(
        context,
        "topup_ask_amount",
        balance=await _money(context, balance),
        minimum=await _money(context, rules.minimum),
        maximum=await _money(context, rules.maximum),
    )
    await replies.send(update, context, message, InlineKeyboardMarkup(rows))


async def typed_amount(update: Update, context: Context) -> None:
    """The message after /topup asked how much."""
    message = update.effective_message
    waiting.answered(context.user_data, ASKED_KEY)
    if await _refused(update, context):
        return
    await _amount_given(update, context, message.text if message and message.text else "")


async def picked_amount(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    waiting.answered(context.user_data, ASKED_KEY)
    if await _refused(update, context):
        return
    await _amount_given(update, context, (callbacks.parse(query.data) or [""])[0], edit=True)


async def _amount_given(update: Update, context: Context, given: str, *, edit: bool = False) -> None:
    """An amount typed or tapped: refused (and asked again) or on to the ways to pay."""
    service = _topups(context)
    try:
        amount = service.check_amount(given)
    except AmountRefused as refused:
        await _amount_refused(update, context, refused)
        return
    methods = service.methods_for(amount)
    if not methods:  # only Stars, and more than one invoice can carry
        await _amount_refused(update, context, AmountRefused("stars"))
        return
    if len(methods) == 1:
        await _open(update, context, amount, methods[0])
        return
    rows = []
    for method in methods:
        label = (
            t(context, "topup_btn_stars", stars=service.stars_for(amount))
            if method is TopupMethod.STARS
            else t(context, "topup_btn_bank")
        )
        rows.append([button(label, callbacks.TOPUP_METHOD, method.value, amount)])
    rows.append([button(t(context, "topup_btn_cancel"), callbacks.TOPUP_CANCEL)])
    text = t(context, "topup_pick_method", amount=await _money(context, amount))
    if edit:
        await replies.edit(update, context, text, InlineKeyboardMarkup(rows))
    else:
        await replies.send(update, context, text, InlineKeyboardMarkup(rows))


async def _amount_refused(update: Update, context: Context, refused: AmountRefused) -> None:
    """Say why, and wait for another amount."""
    service = _topups(context)
    rules = service.rules
    await replies.reply(
        update,
        context,
        f"topup_amount_{refused.kind}",
        example=f"{rules.amounts[0]:f}",
        minimum=await _money(context, rules.minimum),
        maximum=await _money(context, rules.maximum),
        stars=STARS_PER_INVOICE_MAX,
        stars_maximum=await _money(context, service.stars_maximum()),
    )
    waiting.ask(context.user_data, ASKED_KEY)


async def picked_method(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    args = callbacks.parse(query.data)
    await query.answer()
    if await _refused(update, context):
        return
    service = _topups(context)
    try:
        method = TopupMethod(args[0]) if args else None
        amount = service.check_amount(args[1]) if len(args) > 1 else None
    except (ValueError, AmountRefused):
        method = amount = None
    if method is None or amount is None or method not in service.methods_for(amount):
        await replies.reply(update, context, "stale_button")
        return
    await replies.drop_keyboard(update)
    await _open(update, context, amount, method)


async def _open(update: Update, context: Context, amount: Decimal, method: TopupMethod) -> None:
    user, chat = update.effective_user, update.effective_chat
    assert user is not None
    chat_id = chat.id if chat is not None else user.id
    service = _topups(context)
    try:
        topup = await service.open(user.id, chat_id, amount, method)
    except AmountRefused as refused:
        await _amount_refused(update, context, refused)
        return
    if method is TopupMethod.BANK:
        await _send_bank(context, topup)
    else:
        await _send_invoice(context, topup)


async def _send_bank(context: Context, topup: Topup) -> None:
    service = _topups(context)
    bank = service.rules.bank
    assert bank is not None
    _, png = service.vietqr(topup)
    caption = t(
        context,
        "topup_bank",
        amount=await _money(context, topup.amount),
        bank=escape(bank.bank),
        account=escape(bank.account),
        name=escape(bank.name),
        amount_plain=f"{topup.amount:f}",
        content=service.transfer_content(topup),
        until=_when(context, topup.expires_at),
    )
    cancel = button(t(context, "topup_btn_cancel_topup"), callbacks.TOPUP_CANCEL, topup.id)
    await context.bot.send_photo(
        topup.chat_id,
        png,
        caption=caption,
        parse_mode=ParseMode.HTML,
        reply_markup=InlineKeyboardMarkup([[cancel]]),
    )


async def _send_invoice(context: Context, topup: Topup) -> None:
    service = _topups(context)
    assert topup.stars is not None and service.rules.stars_rate is not None
    amount = await _money(context, topup.amount)
    pay = InlineKeyboardButton(f"⭐ {topup.stars}", pay=True)
    cancel = button(t(context, "topup_btn_cancel_topup"), callbacks.TOPUP_CANCEL, topup.id)
    await context.bot.send_invoice(
        topup.chat_id,
        title=t(context, "topup_stars_title", amount=amount)[:32],
        description=t(
            context,
            "topup_stars_description",
            amount=amount,
            rate=await _money(context, service.rules.stars_rate),
        )[:255],
        payload=invoice_payload(topup),
        currency=STARS_CURRENCY,
        prices=[LabeledPrice(t(context, "topup_stars_label"), topup.stars)],
        reply_markup=InlineKeyboardMarkup([[pay], [cancel]]),
    )


async def cancel_topup(update: Update, context: Context) -> None:
    """✖ under the amount question, the ways to pay, or a QR / invoice."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    waiting.answered(context.user_data, ASKED_KEY)
    topup_id = callbacks.int_arg(callbacks.parse(query.data), 0)
    if topup_id is None:  # the question or the ways to pay: nothing was opened yet
        await query.answer()
        await replies.edit(update, context, t(context, "topup_canceled"))
        return
    canceled = await _topups(context).cancel(update.effective_user.id, topup_id)
    if canceled is None:
        await query.answer(t(context, "topup_cancel_too_late"), show_alert=True)
        return
    await query.answer(t(context, "topup_canceled"))
    await replies.drop_keyboard(update)
    await replies.reply(update, context, "topup_cancel_note")


async def stop_asking(update: Update, context: Context) -> None:
    """/cancel while the amount is asked."""
    waiting.answered(context.user_data, ASKED_KEY)
    await replies.reply(update, context, "topup_canceled")


async def end_asking(update: object, context: Context) -> None:
    """After every handler (its own group): another command or button ends the question."""
    buttons = (callbacks.TOPUP, callbacks.TOPUP_AMOUNT, callbacks.TOPUP_METHOD, callbacks.TOPUP_CANCEL)
    waiting.moved_on(update, context.user_data, ASKED_KEY, "topup", buttons)


# -- Telegram Stars ----------------------------------------------------------------------------


async def pre_checkout(update: Update, context: Context) -> None:
    """Answered at once, outside the user's queue (see the update processor): Telegram waits
    10 s, then fails the payment."""
    query = update.pre_checkout_query
    assert query is not None
    try:
        await _topups(context).check_checkout(
            query.from_user.id, query.invoice_payload, query.currency, query.total_amount
        )
    except CheckoutRefusal as refusal:
        await query.answer(ok=False, error_message=t(context, refusal.key))
        raise ApplicationHandlerStop from None
    await query.answer(ok=True)
    raise ApplicationHandlerStop


async def successful_payment(update: Update, context: Context) -> None:
    """Telegram took the Stars: credit them, once per charge, and say so."""
    message = update.effective_message
    assert message is not None and message.successful_payment is not None
    payment = message.successful_payment
    user = update.effective_user
    if user is None:
        raise ApplicationHandlerStop
    charge = payment.telegram_payment_charge_id
    for attempt in range(CREDIT_ATTEMPTS):  # safe to repeat: one credit per charge
        try:
            credit = await _topups(context).stars_paid(
                user.id,
                message.chat.id,
                payment.invoice_payload,
                payment.currency,
                payment.total_amount,
                charge,
            )
            break
        except Exception:
            if attempt + 1 == CREDIT_ATTEMPTS:
                # Telegram won't send this update again: the charge ID in the log is what an
                # admin needs to credit it by hand (/credit) or refund it.
                log.exception("stars: charge %s of user %s NOT credited; credit it by hand", charge, user.id)
                await replies.reply(update, context, "error_generic")
                raise ApplicationHandlerStop from None
            await asyncio.sleep(attempt + 1)
    log.info(
        "stars: top-up %s of user %s paid (%s)",
        credit.topup.id,
        user.id,
        "new" if credit.created else "again",
    )
    await deps(context).topup_notices.tell(context.bot, credit.topup)
    raise ApplicationHandlerStop


# -- admins ------------------------------------------------------------------------------------


@admin_only
async def topups_command(update: Update, context: Context) -> None:
    """Pending top-ups, the recently paid, and the transfers no top-up claimed."""
    service = _topups(context)
    pending, paid, unmatched = await service.listing(LISTED)
    lines = [t(context, "topups_title"), "", t(context, "topups_pending", count=len(pending))]
    for topup in pending:
        lines.append(
            t(
                context,
                "topups_line",
                id=topup.id,
                content=service.transfer_content(topup),
                amount=await _money(context, topup.amount),
                method=t(context, f"topup_method_{topup.method.value}"),
                user_id=topup.user_id,
                when=_when(context, topup.created_at),
            )
        )
    if not pending:
        lines.append(t(context, "topups_none"))
    lines += ["", t(context, "topups_paid")]
    for topup in paid:
        refunded = t(context, "topups_refunded_mark") if topup.state is TopupState.REFUNDED else ""
        lines.append(
            t(
                context,
                "topups_line_paid",
                id=topup.id,
                credited=await _money(context, topup.credited or topup.amount),
                method=t(context, f"topup_method_{topup.method.value}"),
                user_id=topup.user_id,
                when=_when(context, topup.paid_at or topup.created_at),
                refunded=refunded,
            )
        )
    if not paid:
        lines.append(t(context, "topups_none"))
    lines += ["", t(context, "topups_unmatched", count=await service.count_unmatched())]
    for transfer in unmatched:
        lines.append(await _transfer_line(context, transfer))
    if not unmatched:
        lines.append(t(context, "topups_none"))
    if any(topup.method is TopupMethod.STARS for topup in paid):
        lines += ["", t(context, "topups_stars_refund_hint")]
    await replies.send(update, context, "\n".join(lines))


async def _transfer_line(context: Context, transfer: Transfer) -> str:
    content = (
        transfer.content if len(transfer.content) <= CONTENT_SHOWN else transfer.content[:CONTENT_SHOWN] + "…"
    )
    return t(
        context,
        "topups_transfer",
        id=transfer.id,
        amount=await _money(context, transfer.amount),
        content=escape(content),
        source=escape(transfer.source),
        when=_when(context, transfer.received_at),
        reason=t(context, f"topups_reason_{transfer.reason.value if transfer.reason else 'no_code'}"),
    )


def _transfer_id(raw: str) -> int | None:
    return ascii_int(raw.removeprefix("T").removeprefix("t"), max_digits=15)


@admin_only
async def assign_command(update: Update, context: Context) -> None:
    """`/assign T5 123456789` or `/assign 5 dismiss`: asks before crediting anyone."""
    args = context.args or []
    transfer_id = _transfer_id(args[0]) if len(args) == 2 else None
    target = args[1].lower() if len(args) == 2 else ""
    user_id = ascii_int(target, max_digits=15) if target != "dismiss" else None
    if transfer_id is None or (user_id is None and target != "dismiss"):
        await replies.reply(update, context, "assign_usage")
        return
    transfer = await _topups(context).transfer(transfer_id)
    if transfer is None or transfer.state is not TransferState.UNMATCHED:
        await replies.reply(update, context, "assign_not_open", id=transfer_id)
        return
    values = {
        "id": transfer.id,
        "amount": await _money(context, transfer.amount),
        "content": escape(transfer.content[:CONTENT_SHOWN]),
    }
    if user_id is None:
        yes = button(t(context, "assign_btn_dismiss"), callbacks.TRANSFER_DISMISS, transfer.id)
        message = t(context, "assign_confirm_dismiss", **values)
    else:
        yes = button(t(context, "assign_btn_yes"), callbacks.TRANSFER_ASSIGN, transfer.id, user_id)
        message = t(context, "assign_confirm", user_id=user_id, **values)
    no = button(t(context, "topup_btn_cancel"), callbacks.TRANSFER_KEEP)
    await replies.send(update, context, message, InlineKeyboardMarkup([[yes, no]]))


async def _admin_tap(update: Update, context: Context) -> list[str] | None:
    query = update.callback_query
    assert query is not None
    user = update.effective_user
    if user is None or deps(context).access.role(user.id) is not Role.ADMIN:
        await query.answer(t(context, "admin_only"), show_alert=True)
        return None
    await query.answer()
    return callbacks.parse(query.data)


async def assign_confirmed(update: Update, context: Context) -> None:
    args = await _admin_tap(update, context)
    if args is None:
        return
    assert update.effective_user is not None
    transfer_id, user_id = callbacks.int_arg(args, 0), callbacks.int_arg(args, 1)
    if transfer_id is None or user_id is None:
        await replies.edit(update, context, t(context, "stale_button"))
        return
    try:
        credit = await _topups(context).assign(transfer_id, user_id, by_admin=update.effective_user.id)
    except TransferNotOpen:
        await replies.edit(update, context, t(context, "assign_not_open", id=transfer_id))
        return
    done = t(
        context,
        "assign_done",
        id=transfer_id,
        amount=await _money(context, credit.amount),
        user_id=user_id,
        balance=await _money(context, credit.balance),
    )
    await replies.edit(update, context, done)
    await deps(context).topup_notices.tell(context.bot, credit.topup)


async def dismiss_confirmed(update: Update, context: Context) -> None:
    args = await _admin_tap(update, context)
    if args is None:
        return
    assert update.effective_user is not None
    transfer_id = callbacks.int_arg(args, 0)
    if transfer_id is None:
        await replies.edit(update, context, t(context, "stale_button"))
        return
    try:
        await _topups(context).dismiss(transfer_id, by_admin=update.effective_user.id)
    except TransferNotOpen:
        await replies.edit(update, context, t(context, "assign_not_open", id=transfer_id))
        return
    await replies.edit(update, context, t(context, "assign_dismissed", id=transfer_id))


async def assign_kept(update: Update, context: Context) -> None:
    if await _admin_tap(update, context) is not None:
        await replies.edit(update, context, t(context, "assign_canceled"))


@admin_only
async def refund_stars_command(update: Update, context: Context) -> None:
    """`/refundstars 12`: asks first; the wallet must still hold the credit."""
    args = context.args or []
    topup_id = ascii_int(args[0].lstrip("#"), max_digits=15) if len(args) == 1 else None
    if topup_id is None:
        await replies.reply(update, context, "refundstars_usage")
        return
    topup = await _topups(context).get(topup_id)
    if topup is None or topup.method is not TopupMethod.STARS or topup.state is not TopupState.PAID:
        await replies.reply(update, context, "refundstars_not", id=topup_id)
        return
    yes = button(t(context, "refundstars_btn"), callbacks.STARS_REFUND, topup.id)
    no = button(t(context, "topup_btn_cancel"), callbacks.TRANSFER_KEEP)
    message = t(
        context,
        "refundstars_confirm",
        id=topup.id,
        user_id=topup.user_id,
        stars=topup.stars,
        amount=await _money(context, topup.credited or topup.amount),
    )
    await replies.send(update, context, message, InlineKeyboardMarkup([[yes, no]]))


async def refund_stars_confirmed(update: Update, context: Context) -> None:
    """Debit first (refused while the wallet doesn't hold the credit), then Telegram gives the
    Stars back; if Telegram refuses, the debit stands and the admin may retry that part."""
    args = await _admin_tap(update, context)
    if args is None:
        return
    assert update.effective_user is not None
    topup_id = callbacks.int_arg(args, 0)
    service = _topups(context)
    if topup_id is None:
        await replies.edit(update, context, t(context, "stale_button"))
        return
    try:
        topup = await service.refund_stars(topup_id, by_admin=update.effective_user.id)
    except NotRefundable:
        await replies.edit(update, context, t(context, "refundstars_not", id=topup_id))
        return
    except InsufficientFunds as short:
        current = await service.get(topup_id)
        owed = current.credited if current and current.credited else short.needed
        await replies.edit(
            update,
            context,
            t(
                context,
                "refundstars_short",
                user_id=short.user_id,
                balance=await _money(context, short.balance),
                amount=await _money(context, owed),
            ),
        )
        return
    charge = service.charge_id(topup)
    assert charge is not None
    try:
        await context.bot.refund_star_payment(topup.user_id, charge)
    except BadRequest as exc:
        if "ALREADY_REFUNDED" not in exc.message.upper():
            await _refund_failed(update, context, topup, exc.message)
            return
    except TelegramError as exc:
        await _refund_failed(update, context, topup, str(exc))
        return
    amount = await _money(context, topup.credited or topup.amount)
    done = t(
        context, "refundstars_done", id=topup.id, stars=topup.stars, user_id=topup.user_id, amount=amount
    )
    await replies.edit(update, context, done)
    lang_balance = await _money(context, await service.balance(topup.user_id))
    try:
        await replies.send_to(
            context.bot,
            topup.chat_id,
            t(context, "topup_refunded_notice", amount=amount, balance=lang_balance),
        )
    except TelegramError as exc:
        log.info("stars refund of top-up %s: customer not told: %s", topup.id, exc)


async def _refund_failed(update: Update, context: Context, topup: Topup, error: str) -> None:
    log.warning("stars refund of top-up %s refused by Telegram: %s", topup.id, error)
    retry = button(t(context, "refundstars_btn_retry"), callbacks.STARS_REFUND, topup.id)
    await replies.edit(
        update,
        context,
        t(context, "refundstars_failed", error=escape(error)),
        InlineKeyboardMarkup([[retry]]),
    )


def register(app: App) -> None:
    """Before the order wizard and free-text search: the message after /topup asked how much
    is the amount, even with a wizard left open (any other command or button ends the
    question, see `end_asking`)."""
    asked = waiting.Waiting(app, ASKED_KEY)
    app.add_handler(CommandHandler("topup", start))
    app.add_handler(CallbackQueryHandler(start, pattern=callbacks.pattern(callbacks.TOPUP)))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & asked, typed_amount))
    app.add_handler(CommandHandler("cancel", stop_asking, filters=asked))
    for prefix, tapped in (
        (callbacks.TOPUP_AMOUNT, picked_amount),
        (callbacks.TOPUP_METHOD, picked_method),
        (callbacks.TOPUP_CANCEL, cancel_topup),
        (callbacks.TRANSFER_ASSIGN, assign_confirmed),
        (callbacks.TRANSFER_DISMISS, dismiss_confirmed),
        (callbacks.TRANSFER_KEEP, assign_kept),
        (callbacks.STARS_REFUND, refund_stars_confirmed),
    ):
        app.add_handler(CallbackQueryHandler(tapped, pattern=callbacks.pattern(prefix)))
    app.add_handler(CommandHandler("topups", topups_command))
    app.add_handler(CommandHandler("assign", assign_command))
    app.add_handler(CommandHandler("refundstars", refund_stars_command))
    app.add_handler(TypeHandler(Update, end_asking), group=ASKED_GROUP)


async def refunded_payment(update: Update, context: Context) -> None:
    """Telegram's note that Stars went back (after /refundstars): the admin's flow said all."""
    raise ApplicationHandlerStop


def register_payments(app: App) -> None:
    """Stars payment updates, ahead of everything else (a group before the access gate's):
    money Telegram took is credited whoever the payer has become meanwhile, and nothing else
    handles these updates after them."""
    app.add_handler(PreCheckoutQueryHandler(pre_checkout), group=PAYMENTS_GROUP)
    app.add_handler(MessageHandler(filters.SUCCESSFUL_PAYMENT, successful_payment), group=PAYMENTS_GROUP)
    app.add_handler(
        MessageHandler(filters.StatusUpdate.REFUNDED_PAYMENT, refunded_payment), group=PAYMENTS_GROUP
    )
