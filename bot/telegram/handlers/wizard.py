"""The order wizard: service → one step per `add` parameter of the service's type (link,
quantity, comments, usernames, answer_number, Subscriptions' min/max/posts…, as the table
`bot.services.ordering.KINDS` lists them) → [drip-feed] → summary → confirm.

Each state is one small function that reads the draft, applies one answer via
the ordering service, and says what comes next. The draft lives in user data
(persisted), so a restart resumes the wizard where the user left it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, replace
from decimal import Decimal
from html import escape
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.panel.models import Service
from bot.services.money import format_amount, format_money
from bot.services.ordering import (
    MAX_INTERVAL_MINUTES,
    MAX_RUNS,
    STEPS,
    Draft,
    InvalidInput,
    Kind,
    OrderFailed,
    Outcome,
    Placement,
    PriceChanged,
    Quote,
    kind_of,
    parse_interval,
    parse_runs,
    parse_whole_number,
    quick_quantities,
)
from bot.services.wallets import InsufficientFunds
from bot.telegram import callbacks, replies, views
from bot.telegram.context import DEPS_KEY, Context, deps, language, t
from bot.telegram.conversations import SharedConversationHandler
from bot.telegram.keyboards import button

log = logging.getLogger(__name__)

# Pauses before re-sending a receipt Telegram refused (outage, timeout): about a day in all.
RECEIPT_RETRY_SECONDS: tuple[float, ...] = (5, 30, 120, 600, 3600, 21600, 64800)

DRAFT_KEY = "wizard"
TOUCHED_KEY = "wizard_at"

ASK_SERVICE, ASK_LINK, ASK_QUANTITY, ASK_COMMENTS, ASK_RUNS, ASK_INTERVAL, CONFIRM = (
    "service",
    "link",
    "quantity",
    "comments",
    "runs",
    "interval",
    "confirm",
)
END = ConversationHandler.END


# -- draft in user data ----------------------------------------------------------------------


def _load(context: Context) -> Draft | None:
    """The user's draft, or None when there is none or it outlived the timeout (the PTB
    timeout job does not survive a restart; this check does)."""
    data = context.user_data or {}
    if time.time() - float(data.get(TOUCHED_KEY, 0)) > deps(context).settings.wizard_timeout_seconds:
        return None
    return Draft.from_dict(data.get(DRAFT_KEY))


def _save(context: Context, draft: Draft) -> None:
    if context.user_data is not None:
        context.user_data[DRAFT_KEY] = draft.to_dict()
        context.user_data[TOUCHED_KEY] = time.time()


def _clear(context: Context) -> None:
    if context.user_data is not None:
        context.user_data.pop(DRAFT_KEY, None)
        context.user_data.pop(TOUCHED_KEY, None)


async def _render(context: Context, error: InvalidInput) -> str:
    return await views.render(context, error.key, **error.values)


async def _explain(update: Update, context: Context, error: InvalidInput) -> None:
    await replies.send(update, context, await _render(context, error))


async def _expired(update: Update, context: Context) -> str | int:
    _clear(context)
    await replies.reply(update, context, "wizard_timeout")
    return END


# -- entry -----------------------------------------------------------------------------------


async def order_command(update: Update, context: Context) -> State:
    """`/order` asks for a service; `/order 123` starts with that service."""
    _clear(context)
    service_id = parse_whole_number(context.args[0]) if context.args else None
    if service_id is None:
        cancel = InlineKeyboardMarkup([[button(t(context, "wizard_btn_cancel"), callbacks.WIZARD_CANCEL)]])
        await replies.reply(update, context, "wizard_ask_service", cancel)
        return ASK_SERVICE
    return await _begin(update, context, service_id, ASK_SERVICE)


async def order_button(update: Update, context: Context) -> State:
    """The 🛒 Order button of a service card (or "Order again")."""
    query = update.callback_query
    assert query is not None
    args = callbacks.parse(query.data)
    if args[:1] == [callbacks.ORDER_AGAIN]:
        return await _order_again(update, context, callbacks.int_arg(args, 1))
    service_id = callbacks.int_arg(args, 0)
    if service_id is None:
        await query.answer(t(context, "stale_button"), show_alert=True)
        return END
    try:
        service = await deps(context).ordering.service(service_id)
    except InvalidInput as error:
        await query.answer(await _render(context, error), show_alert=True)
        return END
    await query.answer()
    return await _start(update, context, service)


async def _order_again(update: Update, context: Context, order_id: int | None) -> State:
    """ "Order again": the order's service, link, quantity and type fields, checked again
    by the ordering service (ownership, catalog, limits), then straight to the summary with
    a new confirmation token. An answer no longer valid is asked, as in a fresh wizard."""
    query = update.callback_query
    assert query is not None
    try:
        if order_id is None:
            raise InvalidInput("stale_button")
        draft = await deps(context).ordering.draft_again(query.from_user.id, order_id)
        service = await deps(context).ordering.service(draft.service_id)
    except InvalidInput as error:
        await query.answer(await _render(context, error), show_alert=True)
        return END
    await query.answer()
    _clear(context)
    missing = kind_of(service).next_step(draft)
    if missing is not None:
        return await _ask(update, context, draft, service, missing)
    return await _summary(update, context, draft)


async def got_service_id(update: Update, context: Context) -> str | int | None:
    service_id = parse_whole_number(_text(update))
    if service_id is None:
        await replies.reply(update, context, "wizard_service_id_invalid")
        return None
    return await _begin(update, context, service_id, None)


async def _begin(
    update: Update, context: Context, service_id: int, on_error: str | int | None
) -> str | int | None:
    try:
        service = await deps(context).ordering.service(service_id)
    except InvalidInput as error:
        await _explain(update, context, error)
        return on_error
    return await _start(update, context, service)


async def _start(update: Update, context: Context, service: Service) -> str:
    draft = Draft(service_id=service.id)
    first = kind_of(service).next_step(draft)
    assert first is not None  # every type asks something
    return await _ask(update, context, draft, service, first)


async def _ask(
    update: Update, context: Context, draft: Draft, service: Service, name: str, *, edit: bool = False
) -> str:
    """Ask the question of step `name` with its buttons, and record it as the open question.

    Every question of the wizard is asked here, so each one has ‹ Back (but the first,
    unless it is an edit from the summary) and ✖ Cancel; the quantity also has its quick
    buttons and drip-feed's runs its Skip. Asking forgets any confirmation token: a
    summary's Confirm is only good while that summary is the open question.
    """
    draft = replace(draft, asking=name, token=None, quoted=None)
    _save(context, draft)
    kind = kind_of(service)
    lang = language(context)
    sequence = kind.sequence(service)
    values = await _service_values(context, service, update.effective_user.id if update.effective_user else 0)
    if name == ASK_RUNS:
        question = t(context, "wizard_ask_runs", max=format_amount(MAX_RUNS, lang))
    elif name == ASK_INTERVAL:
        question = t(context, "wizard_ask_interval", max=format_amount(MAX_INTERVAL_MINUTES, lang))
    elif name == ASK_LINK:
        question = t(context, "wizard_ask_link", **values)
    else:
        question = _question(context, kind, service, draft, name)
        if name == sequence[0]:  # Subscriptions start with a username: introduce the service
            question = f"{t(context, 'wizard_intro', **values)}\n\n{question}"
    rows = []
    if name == ASK_QUANTITY:
        low, high = kind.bounds(service, draft, name) or (service.min, service.max)
        quick = [
            button(format_amount(n, lang), callbacks.WIZARD_QUANTITY, n) for n in quick_quantities(low, high)
        ]
        rows += [quick[:3], quick[3:]] if len(quick) > 3 else [quick]
    if name == ASK_RUNS and not draft.editing:
        rows.append([button(t(context, "wizard_btn_skip"), callbacks.WIZARD_SKIP)])
    nav = [button(t(context, "wizard_btn_cancel"), callbacks.WIZARD_CANCEL)]
    if draft.editing or name != sequence[0]:
        nav.insert(0, button(t(context, "wizard_btn_back"), callbacks.WIZARD_BACK, name))
    rows.append(nav)
    if edit:
        await replies.edit(update, context, question, InlineKeyboardMarkup(rows))
    else:
        await replies.send(update, context, question, InlineKeyboardMarkup(rows))
    return name


async def _service_values(context: Context, service: Service, user: int) -> dict[str, object]:
    lang = language(context)
    service = (await deps(context).shop.priced(user, [service]))[0]  # a customer's price
    currency = await deps(context).shop.currency(user)
    return {
        "name": escape(service.name),
        "id": service.id,
        "price": views.price(service, lang, currency),
        "min": format_amount(service.min, lang),
        "max": format_amount(service.max, lang),
    }


# -- steps -----------------------------------------------------------------------------------


State = str | int | None
StepBody = Callable[[Update, Context, Draft, Service], Awaitable[State]]
StepHandler = Callable[[Update, Context], Coroutine[Any, Any, State]]


def step(body: StepBody) -> StepHandler:
    """One wizard step: load the draft (or say it expired), run the step with the draft and
    its service, and on a bad answer explain and stay in the same state (return None)."""

    async def handler(update: Update, context: Context) -> State:
        if update.callback_query is not None:
            await update.callback_query.answer()
        draft = _load(context)
        if draft is None:
            return await _expired(update, context)
        try:
            service = await deps(context).ordering.service(draft.service_id)
            return await body(update, context, draft, service)
        except InvalidInput as error:
            await _explain(update, context, error)
            return None

    handler.__doc__ = body.__doc__
    return handler


def answer_step(name: str) -> StepHandler:
    """The step that asks for the `add` parameter `name` (its state has the same name): the
    service type's table entry checks the answer, then says what comes next."""

    @step
    async def got_answer(update: Update, context: Context, draft: Draft, service: Service) -> State:
        kind = kind_of(service)
        if update.callback_query is not None:  # a quick quantity button: as if typed
            await replies.drop_keyboard(update)
        draft = kind.answer(service, draft, name, _answer_text(update))
        _save(context, draft)
        following = kind.next_step(draft)
        if following is not None:
            return await _ask(update, context, draft, service, following)
        if not draft.editing and name == ASK_QUANTITY and ASK_RUNS in kind.sequence(service):
            return await _ask(update, context, draft, service, ASK_RUNS)
        # An answer that sets the price may be given again when it is over a spending limit.
        return await _summary(update, context, draft, may_retry=name in PRICED_STEPS or name == kind.count)

    got_answer.__name__ = got_answer.__qualname__ = f"got_{name}"
    return got_answer


PRICED_STEPS = frozenset({ASK_QUANTITY, "max", "posts", "old_posts"})


def _question(context: Context, kind: Kind, service: Service, draft: Draft, name: str) -> str:
    lang = language(context)
    bounds = kind.bounds(service, draft, name) or (service.min, service.max)
    return t(context, STEPS[name].ask, min=format_amount(bounds[0], lang), max=format_amount(bounds[1], lang))


ANSWER_STEPS = {name: answer_step(name) for name in STEPS}
got_link, got_quantity, got_comments = (ANSWER_STEPS[n] for n in (ASK_LINK, ASK_QUANTITY, ASK_COMMENTS))


@step
async def got_runs(update: Update, context: Context, draft: Draft, service: Service) -> State:
    return await _ask(update, context, replace(draft, runs=parse_runs(_text(update))), service, ASK_INTERVAL)


@step
async def skip_runs(update: Update, context: Context, draft: Draft, service: Service) -> State:
    await replies.drop_keyboard(update)
    return await _summary(update, context, replace(draft, runs=None, interval=None))


@step
async def got_interval(update: Update, context: Context, draft: Draft, service: Service) -> State:
    return await _summary(update, context, replace(draft, interval=parse_interval(_text(update))))


async def _summary(
    update: Update, context: Context, draft: Draft, *, may_retry: bool = False, edit: bool = False
) -> str | int | None:
    """Show the price and the Confirm button (with a fresh token each time, so only the
    summary on screen can place the order); over a spending limit, say so and either let
    the user answer the quantity again (`may_retry`) or close the wizard."""
    assert update.effective_user is not None
    draft = replace(draft, asking=CONFIRM, editing=False)
    try:
        ready, priced = await deps(context).ordering.prepare(update.effective_user.id, draft)
    except InvalidInput as error:
        await _explain(update, context, error)
        if may_retry:
            return None
        _clear(context)
        return END
    _save(context, ready)
    assert ready.token is not None
    wallet = await deps(context).ordering.wallet_balance(update.effective_user.id)
    covered = wallet is None or wallet >= priced.total
    first_row = [button(t(context, "wizard_btn_edit"), callbacks.WIZARD_EDIT)]
    if covered:  # with too little in the wallet there is nothing to confirm yet
        first_row.insert(0, button(t(context, "wizard_btn_confirm"), callbacks.WIZARD_CONFIRM, ready.token))
    elif wallet is not None and deps(context).topups.methods:
        missing = deps(context).topups.suggested(priced.total - wallet)
        first_row.insert(0, button(t(context, "topup_btn"), callbacks.TOPUP, missing))
    summary = await _summary_text(context, priced, update.effective_user.id, wallet)
    markup = InlineKeyboardMarkup(
        [
            first_row,
            [
                button(t(context, "wizard_btn_back"), callbacks.WIZARD_BACK, CONFIRM),
                button(t(context, "wizard_btn_cancel"), callbacks.WIZARD_CANCEL),
            ],
        ]
    )
    if edit:
        await replies.edit(update, context, summary, markup)
    else:
        await replies.send(update, context, summary, markup)
    return CONFIRM


# -- back and edit ---------------------------------------------------------------------------

EDIT_MENU = "edit"  # `Draft.asking` while the summary's ✏️ Edit menu is shown


def editable(kind: Kind) -> tuple[str, ...]:
    """The answers ✏️ Edit offers: each of the type's own steps, but Subscriptions' min and
    max, whose bounds depend on each other (change those by going ‹ Back)."""
    return tuple(name for name in kind.steps if name not in ("min", "max"))


async def _button_draft(update: Update, context: Context, asking: str) -> tuple[Draft, Service] | None:
    """The draft and service for a Back/Edit tap that belongs to the open question `asking`
    (the caller answers the tap); None once the tap was answered as stale (a button of an
    older message or of a wizard that expired: the open question, if any, stays open)."""
    query = update.callback_query
    assert query is not None
    draft = _load(context)
    if draft is None or draft.asking != asking:
        await query.answer(t(context, "stale_button"), show_alert=True)
        return None
    try:
        service = await deps(context).ordering.service(draft.service_id)
    except InvalidInput as error:
        await query.answer(await _render(context, error), show_alert=True)
        return None
    return draft, service


async def back(update: Update, context: Context) -> State:
    """‹ Back: the previous question again (its answer and every later one forgotten); from
    an edit, or from the Edit menu, back to the summary."""
    assert update.callback_query is not None
    current = (callbacks.parse(update.callback_query.data) or [""])[0]
    found = await _button_draft(update, context, current)
    if found is None:
        return None
    draft, service = found
    sequence = kind_of(service).sequence(service)
    at = len(sequence) if current == CONFIRM else sequence.index(current) if current in sequence else 0
    if at == 0 and not draft.editing and current != EDIT_MENU:  # the first question has no Back
        await update.callback_query.answer(t(context, "stale_button"), show_alert=True)
        return None
    await update.callback_query.answer()
    if draft.editing or current == EDIT_MENU:
        return await _summary(update, context, draft, edit=True)
    previous = sequence[at - 1]
    if previous == ASK_INTERVAL and draft.runs is None:  # drip-feed was skipped
        previous = ASK_RUNS
    draft = draft.without(sequence[sequence.index(previous) :])
    return await _ask(update, context, draft, service, previous, edit=True)


async def edit_menu(update: Update, context: Context) -> State:
    """✏️ Edit on the summary: which answer to change. The summary's token is dropped now,
    so its Confirm can no longer place anything; a new summary brings a new one."""
    assert update.callback_query is not None
    args = callbacks.parse(update.callback_query.data)
    if args:
        return await edit_answer(update, context, args[0])
    found = await _button_draft(update, context, CONFIRM)
    if found is None:
        return None
    draft, service = found
    await update.callback_query.answer()
    _save(context, replace(draft, asking=EDIT_MENU, token=None, quoted=None))
    names = editable(kind_of(service))
    labels = {name: f"wizard_edit_{name}" if name in CORE_LABELS else STEPS[name].label for name in names}
    choices = [button(t(context, key), callbacks.WIZARD_EDIT, name) for name, key in labels.items()]
    rows = [choices[i : i + 2] for i in range(0, len(choices), 2)]
    rows.append(
        [
            button(t(context, "wizard_btn_back"), callbacks.WIZARD_BACK, EDIT_MENU),
            button(t(context, "wizard_btn_cancel"), callbacks.WIZARD_CANCEL),
        ]
    )
    await replies.edit(update, context, t(context, "wizard_edit_which"), InlineKeyboardMarkup(rows))
    return CONFIRM


CORE_LABELS = frozenset({ASK_LINK, ASK_QUANTITY})  # steps without a summary label of their own


async def edit_answer(update: Update, context: Context, name: str) -> State:
    """One answer chosen from the Edit menu: its question, whose answer leads back to the
    summary (`Draft.editing`)."""
    assert update.callback_query is not None
    found = await _button_draft(update, context, EDIT_MENU)
    if found is None:
        return None
    draft, service = found
    if name not in editable(kind_of(service)):  # forged: the menu stays
        await update.callback_query.answer(t(context, "stale_button"), show_alert=True)
        return None
    await update.callback_query.answer()
    return await _ask(update, context, replace(draft, editing=True), service, name, edit=True)


async def _summary_text(
    context: Context, priced: Quote, user: int, wallet: Decimal | None = None
) -> str:
    """The summary; for a customer (`wallet` is their balance) the retail total, and the
    balance after the order or how much is missing."""
    lang = language(context)
    currency = await deps(context).shop.currency(user)
    drip = ""
    if priced.runs:
        drip = t(
            context,
            "wizard_summary_drip",
            runs=priced.runs,
            interval=priced.interval,
            quantity=format_amount(priced.quantity, lang),
        )
    drip += "".join(
        t(context, "wizard_summary_field", label=t(context, STEPS[name].label), value=_shown(value))
        for name, value in priced.params.items()
    )
    if not priced.kind.known:
        drip += t(context, "wizard_summary_unknown_type", type=escape(priced.service.type))
    summary = t(
        context,
        "wizard_summary",
        name=escape(priced.service.name),
        id=priced.service.id,
        link=escape(priced.link),
        quantity=format_amount(priced.total_quantity, lang),
        drip=drip,
        price=views.price(priced.service, lang, currency),
        total=_money(priced.total, currency, lang),
    )
    if wallet is None:
        return summary
    if wallet >= priced.total:
        after = t(context, "wallet_after_order", balance=_money(wallet, currency, lang),
                  after=_money(wallet - priced.total, currency, lang))
    else:
        key = "wallet_missing_topup" if deps(context).topups.methods else "wallet_missing"
        after = t(context, key, balance=_money(wallet, currency, lang),
                  missing=_money(priced.total - wallet, currency, lang), user_id=user)
    return f"{summary}\n\n{after}"


def _shown(value: str, limit: int = 300) -> str:
    """A parameter as the summary lists it: a list on one line with its count, cut short."""
    lines = value.splitlines()
    text = " · ".join(lines)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return escape(f"({len(lines)}) {text}" if len(lines) > 1 else text)


async def not_a_button_answer(update: Update, context: Context) -> None:
    """Text while the summary waits for a tap: say what is expected, keep the state."""
    await replies.reply(update, context, "wizard_tap_buttons")


# -- confirm / cancel ------------------------------------------------------------------------


async def confirm(update: Update, context: Context) -> str | int | None:
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    token = (callbacks.parse(query.data) or [""])[0]
    draft = _load(context)
    if draft is None or draft.token != token:
        await confirm_outside_wizard(update, context)
        return None
    await query.answer()
    await replies.edit(update, context, t(context, "wizard_placing"))
    chat_id = update.effective_chat.id if update.effective_chat else update.effective_user.id
    try:
        placement = await deps(context).ordering.place(update.effective_user.id, chat_id, draft)
    except PriceChanged:
        await replies.edit(update, context, t(context, "wizard_price_changed"))
        return await _summary(update, context, replace(draft, token=None))
    except InvalidInput as error:  # a spending limit reached since the summary
        _clear(context)
        await replies.edit(update, context, await _render(context, error))
        return END
    except InsufficientFunds:  # another order spent the wallet since the summary
        await replies.edit(update, context, t(context, "wallet_spent_meanwhile"))
        return await _summary(update, context, replace(draft, token=None))
    except OrderFailed as failure:
        _clear(context)
        await replies.edit(update, context, await _failure_text(context, failure))
        return END
    _clear(context)
    receipt = await _receipt(context, placement)
    try:
        await replies.edit(update, context, receipt.text, receipt.markup)
    except TelegramError as exc:
        # The panel has the order: an error now must not read as "try again". Say it later.
        log.warning("receipt of order %s not delivered (%s); retrying", placement.order.id, exc)
        _resend_later(context, PendingReceipt(placement.order.chat_id, receipt, attempt=1))
    return END


async def _failure_text(context: Context, failure: OrderFailed) -> str:
    """Why nothing was ordered; a customer also reads what went back to their wallet (and
    never that the panel lacks funds: that is the owner's business, see `refusal_reason`)."""
    key = "wizard_failed_unavailable" if failure.unavailable else "wizard_failed"
    if failure.refund is None:
        return t(context, key, message=views.refused(context, failure.message))
    lang = language(context)
    currency = await deps(context).shop.currency(failure.refund.entry.user_id)
    entry = failure.refund.entry
    refunded = t(
        context,
        "wallet_refunded_now",
        amount=_money(entry.amount, currency, lang),
        balance=_money(entry.balance_after, currency, lang),
    )
    key = "shop_failed_unavailable" if failure.unavailable else "shop_failed"
    return t(context, key, message=views.refused(context, failure.message)) + "\n" + refunded


@dataclass(frozen=True)
class Receipt:
    """What the user sees once `add` has answered, kept whole so a job can send it later."""

    text: str
    markup: InlineKeyboardMarkup


@dataclass(frozen=True)
class PendingReceipt:
    chat_id: int
    receipt: Receipt
    attempt: int  # how many deliveries were tried already


def _resend_later(context: Context, pending: PendingReceipt) -> None:
    if pending.attempt > len(RECEIPT_RETRY_SECONDS) or context.job_queue is None:
        log.error("receipt for chat %s given up after %d attempts", pending.chat_id, pending.attempt)
        return
    context.job_queue.run_once(
        _resend_receipt,
        RECEIPT_RETRY_SECONDS[pending.attempt - 1],
        data=pending,
        name=f"receipt:{pending.chat_id}",
    )


async def _resend_receipt(context: Context) -> None:
    """A job: the receipt as a new message (the summary may be too old to edit by now)."""
    assert context.job is not None and isinstance(context.job.data, PendingReceipt)
    pending = context.job.data
    try:
        await replies.send_to(context.bot, pending.chat_id, pending.receipt.text, pending.receipt.markup)
    except Forbidden:
        log.info("receipt for chat %s not delivered: the user blocked the bot", pending.chat_id)
    except TelegramError as exc:
        log.warning("receipt for chat %s still not delivered (%s)", pending.chat_id, exc)
        _resend_later(context, replace(pending, attempt=pending.attempt + 1))


async def _receipt(context: Context, placement: Placement) -> Receipt:
    """What the user sees once `add` has answered: placed with its ID, or unknown with what to do."""
    order = placement.order
    lang = language(context)
    currency = await deps(context).shop.currency(order.user_id)
    values = {
        "order_id": order.panel_order_id or "—",
        "name": escape(order.service_name),
        "link": escape(order.link),
        "quantity": format_amount(order.quantity, lang),
        "total": _money(order.paid, currency, lang),
    }
    again = button(t(context, "wizard_btn_again"), callbacks.ORDER, callbacks.ORDER_AGAIN, order.id)
    if placement.outcome is Outcome.UNKNOWN:
        markup = InlineKeyboardMarkup(
            [[button(t(context, "wizard_btn_status"), callbacks.ORDER_DETAIL, order.id)]]
        )
        return Receipt(t(context, "wizard_unknown", **values), markup)
    markup = InlineKeyboardMarkup(
        [
            [
                button(t(context, "wizard_btn_status"), callbacks.ORDER_REFRESH, order.id),
                again,
            ]
        ]
    )
    placed = t(context, "wizard_placed", **values)
    if order.price is not None:
        balance = await deps(context).wallet.balance(order.user_id)
        placed += "\n" + t(context, "wallet_paid", balance=_money(balance, currency, lang))
    return Receipt(placed, markup)


async def confirm_outside_wizard(update: Update, context: Context) -> None:
    """A Confirm tap that no open wizard owns: a repeat tap, or a summary from long ago."""
    query = update.callback_query
    assert query is not None
    token = (callbacks.parse(query.data) or [""])[0]
    placed = await deps(context).ordering.find_placed(token) if token else None
    if placed is not None and placed.user_id == query.from_user.id:
        await query.answer(
            t(context, "wizard_already_placed", order_id=placed.panel_order_id or "—"), show_alert=True
        )
    else:
        await query.answer(t(context, "stale_button"), show_alert=True)


async def cancel_button(update: Update, context: Context) -> int:
    query = update.callback_query
    assert query is not None
    await query.answer()
    _clear(context)
    await replies.edit(update, context, t(context, "wizard_cancelled"))
    return END


async def cancel_command(update: Update, context: Context) -> int:
    _clear(context)
    await replies.reply(update, context, "wizard_cancelled")
    return END


async def cancel_outside_wizard(update: Update, context: Context) -> None:
    await replies.reply(update, context, "wizard_nothing_to_cancel")


async def stale_cancel_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer(t(context, "stale_button"), show_alert=True)


async def timed_out(update: object, context: Context) -> None:
    _clear(context)
    if isinstance(update, Update):
        await replies.reply(update, context, "wizard_timeout")


def _answer_text(update: Update) -> str:
    """The answer as text: what the user typed, or the value of the quick button tapped."""
    if update.callback_query is not None:
        return (callbacks.parse(update.callback_query.data) or [""])[0]
    return _text(update)


def _text(update: Update) -> str:
    return update.effective_message.text if update.effective_message and update.effective_message.text else ""


def _money(amount: Decimal, currency: str, lang: str) -> str:
    return format_money(amount, escape(currency), lang)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    timeout = app.bot_data[DEPS_KEY].settings.wizard_timeout_seconds
    text = filters.TEXT & ~filters.COMMAND
    conversation = SharedConversationHandler(
        entry_points=[
            CommandHandler("order", order_command),
            CallbackQueryHandler(order_button, pattern=callbacks.pattern(callbacks.ORDER)),
        ],
        states={
            ASK_SERVICE: [MessageHandler(text, got_service_id)],
            # One state per `add` parameter a service type may ask for (link, quantity,
            # comments, usernames, answer_number, Subscriptions' min/max/posts…).
            **{name: [MessageHandler(text, ANSWER_STEPS[name])] for name in STEPS},
            ASK_QUANTITY: [
                MessageHandler(text, got_quantity),
                CallbackQueryHandler(got_quantity, pattern=callbacks.pattern(callbacks.WIZARD_QUANTITY)),
            ],
            ASK_RUNS: [
                MessageHandler(text, got_runs),
                CallbackQueryHandler(skip_runs, pattern=callbacks.pattern(callbacks.WIZARD_SKIP)),
            ],
            ASK_INTERVAL: [MessageHandler(text, got_interval)],
            CONFIRM: [
                CallbackQueryHandler(confirm, pattern=callbacks.pattern(callbacks.WIZARD_CONFIRM)),
                CallbackQueryHandler(edit_menu, pattern=callbacks.pattern(callbacks.WIZARD_EDIT)),
                MessageHandler(text, not_a_button_answer),
            ],
            ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
        },
        fallbacks=[
            CommandHandler("cancel", cancel_command),
            # ‹ Back and ✖ Cancel are under every question, whatever the state.
            CallbackQueryHandler(back, pattern=callbacks.pattern(callbacks.WIZARD_BACK)),
            CallbackQueryHandler(cancel_button, pattern=callbacks.pattern(callbacks.WIZARD_CANCEL)),
        ],
        allow_reentry=True,
        conversation_timeout=timeout,
        name="order_wizard",
        persistent=True,
    )
    app.add_handler(conversation)
    # Buttons of summaries no open wizard owns, and /cancel outside the wizard.
    app.add_handler(
        CallbackQueryHandler(confirm_outside_wizard, pattern=callbacks.pattern(callbacks.WIZARD_CONFIRM))
    )
    app.add_handler(
        CallbackQueryHandler(stale_cancel_button, pattern=callbacks.pattern(callbacks.WIZARD_CANCEL))
    )
    stale = (callbacks.WIZARD_SKIP, callbacks.WIZARD_BACK, callbacks.WIZARD_QUANTITY, callbacks.WIZARD_EDIT)
    for prefix in stale:
        app.add_handler(CallbackQueryHandler(stale_cancel_button, pattern=callbacks.pattern(prefix)))
    app.add_handler(CommandHandler("cancel", cancel_outside_wizard))
