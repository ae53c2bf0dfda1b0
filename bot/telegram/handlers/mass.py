"""/mass: many orders at once, one `service_id | link | quantity` per line.

The lines come after the command in the same message, or as the next message once
`/mass` has asked for them (the user is then *waiting* for lines: any other command or
button ends that). Every line is checked first; the summary lists each line's price and
the total, and its ✅ Confirm places each line once (see `bot.services.mass`), editing
the summary with the progress, then with what happened to each line.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, TypeHandler, filters

from bot.services.mass import (
    MAX_LINES,
    LineOutcome,
    LineResult,
    MassDraft,
    MassInvalid,
    MassOrderService,
    line_key,
)
from bot.services.money import format_amount, format_money
from bot.services.ordering import InvalidInput
from bot.telegram import callbacks, replies, views, waiting
from bot.telegram.context import App, Context, deps, language, t
from bot.telegram.keyboards import button, shorten

log = logging.getLogger(__name__)

DRAFT_KEY = "mass"  # user_data: the summary waiting for its Confirm (MassDraft as a dict)
DRAFT_AT_KEY = "mass_at"
WAITING_KEY = "mass_waiting"  # user_data: time /mass asked for the lines
DONE_KEY = "mass_done"  # user_data: tokens of the last confirmed summaries (repeat taps)
KEEP_DONE = 10
MESSAGE_LIMIT = 3800  # under Telegram's 4096, whatever the markup adds
PROGRESS_SECONDS = 2.0  # at most one progress edit this often
RESEND_SECONDS: tuple[float, ...] = (5, 30, 120, 600, 3600, 21600)


def _service(context: Context) -> MassOrderService:
    return MassOrderService(deps(context).ordering)


def _timeout(context: Context) -> float:
    return deps(context).settings.wizard_timeout_seconds


def _user_data(context: Context) -> dict[Any, Any]:
    return context.user_data if context.user_data is not None else {}


# -- asking for the lines ------------------------------------------------------------------------


async def _for_customers(update: Update, context: Context) -> bool:
    """A customer can't send a mass order (it is priced and paid line by line at cost): they
    are told to use the order form; True when that was said."""
    user = update.effective_user
    if user is None or not deps(context).shop.is_customer(user.id):
        return False
    await replies.reply(update, context, "mass_admins_only")
    return True


async def mass_command(update: Update, context: Context) -> None:
    """`/mass` + lines in the same message, or `/mass` alone: ask for them."""
    if await _for_customers(update, context):
        return
    message = update.effective_message
    parts = (message.text or "").split(maxsplit=1) if message else []
    if len(parts) < 2:
        _user_data(context)[WAITING_KEY] = time.time()
        await replies.reply(update, context, "mass_ask", limit=MAX_LINES)
        return
    await _prepare(update, context, parts[1])


async def got_lines(update: Update, context: Context) -> None:
    """The message after `/mass` asked for the lines."""
    _user_data(context).pop(WAITING_KEY, None)
    message = update.effective_message
    await _prepare(update, context, (message.text or "") if message else "")


async def _prepare(update: Update, context: Context, text: str) -> None:
    assert update.effective_user is not None
    if await _for_customers(update, context):
        return
    data = _user_data(context)
    try:
        draft = await _service(context).prepare(update.effective_user.id, text)
    except MassInvalid as invalid:
        data[WAITING_KEY] = time.time()  # the corrected list may come next
        head = t(context, "mass_invalid", count=len(invalid.errors))
        rows = [
            await views.render(context, error.key, line=error.line, **error.values)
            for error in invalid.errors
        ]
        await _send_all(update, context, [head, *rows, t(context, "mass_send_again")])
        return
    except InvalidInput as error:
        data[WAITING_KEY] = time.time()
        await replies.send(update, context, await views.render(context, error.key, **error.values))
        return
    data[DRAFT_KEY] = draft.to_dict()
    data[DRAFT_AT_KEY] = time.time()
    lang = language(context)
    currency = await deps(context).account.currency()
    rows = [
        t(
            context,
            "mass_summary_line",
            line=line.number,
            service_id=line.service_id,
            name=escape(shorten(line.service_name, 40)),
            link=escape(shorten(line.link, 60)),
            quantity=format_amount(line.quantity, lang),
            charge=format_money(line.charge, escape(currency), lang),
        )
        for line in draft.lines
    ]
    head = t(context, "mass_summary", count=len(draft.lines))
    total = t(
        context,
        "mass_summary_total",
        count=len(draft.lines),
        total=format_money(draft.total, escape(currency), lang),
    )
    markup = InlineKeyboardMarkup(
        [
            [
                button(t(context, "wizard_btn_confirm"), callbacks.MASS_CONFIRM, draft.token),
                button(t(context, "wizard_btn_cancel"), callbacks.MASS_CANCEL, draft.token),
            ]
        ]
    )
    await _send_all(update, context, [head, *rows, total], markup)


# -- confirm / cancel ----------------------------------------------------------------------------


def _pending(context: Context) -> MassDraft | None:
    data = _user_data(context)
    if time.time() - float(data.get(DRAFT_AT_KEY, 0)) > _timeout(context):
        return None
    return MassDraft.from_dict(data.get(DRAFT_KEY))


def _forget(context: Context, done: str | None = None) -> None:
    data = _user_data(context)
    data.pop(DRAFT_KEY, None)
    data.pop(DRAFT_AT_KEY, None)
    if done is not None:
        tokens = [token for token in data.get(DONE_KEY, []) if isinstance(token, str)]
        data[DONE_KEY] = [*tokens, done][-KEEP_DONE:]


async def confirm(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    token = (callbacks.parse(query.data) or [""])[0]
    draft = _pending(context)
    if draft is None or draft.token != token:
        await _stale_confirm(update, context, token)
        return
    await query.answer()
    user_id = update.effective_user.id
    chat_id = update.effective_chat.id if update.effective_chat else user_id
    count = len(draft.lines)
    await _edit_quietly(update, context, t(context, "mass_placing", done=0, count=count))
    last = time.monotonic()

    async def progress(done: int, total: int) -> None:
        nonlocal last
        if done < total and time.monotonic() - last >= PROGRESS_SECONDS:
            last = time.monotonic()
            await _edit_quietly(update, context, t(context, "mass_placing", done=done, count=total))

    # The draft stays until every line has an outcome: a restart in the middle leaves the
    # Confirm working, and the lines already recorded are found by their keys, not re-sent.
    results = await _service(context).place(user_id, chat_id, draft, progress)
    _forget(context, done=draft.token)
    texts = _pack(await _report(context, results))
    try:
        await replies.edit(update, context, texts[0])
        for more in texts[1:]:
            await replies.send_to(context.bot, chat_id, more)
    except TelegramError as exc:
        # The panel has the orders: an error now must not read as "try again". Say it later.
        log.warning("mass order report for chat %s not delivered (%s); retrying", chat_id, exc)
        _deliver_later(context, chat_id, texts, attempt=1)


async def _stale_confirm(update: Update, context: Context, token: str) -> None:
    """A Confirm no open summary owns: a repeat tap (already placed), or an old summary."""
    query = update.callback_query
    assert query is not None
    done = token in _user_data(context).get(DONE_KEY, [])
    if not done and token:
        first = await deps(context).ordering.find_placed(line_key(token, 1))
        done = first is not None and first.user_id == query.from_user.id
    await query.answer(t(context, "mass_already_placed" if done else "stale_button"), show_alert=True)


async def cancel_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    token = (callbacks.parse(query.data) or [""])[0]
    draft = _pending(context)
    if draft is None or draft.token != token:
        await query.answer(t(context, "stale_button"), show_alert=True)
        return
    await query.answer()
    _forget(context)
    await replies.edit(update, context, t(context, "mass_cancelled"))


async def cancel_command(update: Update, context: Context) -> None:
    """/cancel while /mass waits for the lines (a summary has its own ✖ Cancel)."""
    _user_data(context).pop(WAITING_KEY, None)
    _forget(context)
    await replies.reply(update, context, "mass_cancelled")


async def end_waiting(update: object, context: Context) -> None:
    """Group 1, after every handler: a command other than /mass, or a button, means the user
    moved on, so their next message is no longer a list of lines."""
    waiting.moved_on(update, context.user_data, WAITING_KEY, "mass", (callbacks.MASS_CONFIRM,))


# -- the report ----------------------------------------------------------------------------------


async def _report(context: Context, results: list[LineResult]) -> list[str]:
    lang = language(context)
    currency = escape(await deps(context).account.currency())
    placed = [r for r in results if r.outcome is LineOutcome.PLACED]
    charged = sum((r.order.charge if r.order else r.line.charge for r in placed), Decimal(0))
    rows = [
        t(
            context,
            "mass_report",
            placed=len(placed),
            count=len(results),
            total=format_money(charged, currency, lang),
        )
    ]
    for result in results:
        line = result.line
        values: dict[str, object] = {"line": line.number, "service_id": line.service_id}
        if result.outcome is LineOutcome.PLACED:
            order_id = result.order.panel_order_id if result.order else None
            key = "mass_line_placed_before" if result.earlier else "mass_line_placed"
            rows.append(
                t(
                    context,
                    key,
                    **values,
                    order_id=order_id or "—",
                    charge=format_money(line.charge, currency, lang),
                )
            )
        elif result.outcome is LineOutcome.REFUSED:
            refusal = views.refused(context, result.message)
            rows.append(t(context, "mass_line_refused", **values, message=refusal))
        elif result.outcome is LineOutcome.UNAVAILABLE:
            rows.append(t(context, "mass_line_unavailable", **values))
        elif result.outcome is LineOutcome.UNKNOWN:
            rows.append(t(context, "mass_line_unknown", **values))
        else:
            why = await views.render(context, result.reason or "mass_reason_error", **result.values)
            rows.append(t(context, "mass_line_not_placed", **values, reason=why))
    if any(r.outcome is LineOutcome.UNKNOWN for r in results):
        rows.append(t(context, "mass_unknown_note"))
    return rows


# -- sending -------------------------------------------------------------------------------------


def _pack(rows: Iterable[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Rows joined into as few messages as fit Telegram's length limit."""
    texts: list[str] = []
    for row in rows:
        if texts and len(texts[-1]) + 1 + len(row) <= limit:
            texts[-1] += "\n" + row
        else:
            texts.append(row[:limit])
    return texts or [""]


async def _send_all(
    update: Update, context: Context, rows: list[str], markup: InlineKeyboardMarkup | None = None
) -> None:
    """Rows as one message or several; the buttons go under the last one."""
    texts = _pack(rows)
    for index, body in enumerate(texts):
        await replies.send(update, context, body, markup if index == len(texts) - 1 else None)


async def _edit_quietly(update: Update, context: Context, text: str) -> None:
    """A progress line: cosmetic, so Telegram refusing it changes nothing."""
    try:
        await replies.edit(update, context, text)
    except TelegramError as exc:
        log.info("mass order progress not shown: %s", exc)


@dataclass(frozen=True)
class PendingReport:
    chat_id: int
    texts: list[str]
    attempt: int  # deliveries tried already


def _deliver_later(context: Context, chat_id: int, texts: list[str], attempt: int) -> None:
    if attempt > len(RESEND_SECONDS) or context.job_queue is None:
        log.error("mass order report for chat %s given up after %d attempts", chat_id, attempt)
        return
    context.job_queue.run_once(
        _resend_report,
        RESEND_SECONDS[attempt - 1],
        data=PendingReport(chat_id, texts, attempt),
        name=f"mass-report:{chat_id}",
    )


async def _resend_report(context: Context) -> None:
    assert context.job is not None and isinstance(context.job.data, PendingReport)
    chat_id, texts, attempt = context.job.data.chat_id, context.job.data.texts, context.job.data.attempt
    try:
        for body in texts:
            await replies.send_to(context.bot, chat_id, body)
    except Forbidden:
        log.info("mass order report for chat %s not delivered: the user blocked the bot", chat_id)
    except TelegramError as exc:
        log.warning("mass order report for chat %s still not delivered (%s)", chat_id, exc)
        _deliver_later(context, chat_id, texts, attempt + 1)


# -- registration --------------------------------------------------------------------------------


def register(app: App) -> None:
    """Before the order wizard: a list of lines /mass asked for goes here even if a wizard was
    left open (any other command or button ends the waiting, see `end_waiting`)."""
    text = filters.TEXT & ~filters.COMMAND
    app.add_handler(CommandHandler("mass", mass_command))
    app.add_handler(MessageHandler(text & waiting.Waiting(app, WAITING_KEY), got_lines))
    app.add_handler(CommandHandler("cancel", cancel_command, filters=waiting.Waiting(app, WAITING_KEY)))
    app.add_handler(CallbackQueryHandler(confirm, pattern=callbacks.pattern(callbacks.MASS_CONFIRM)))
    app.add_handler(CallbackQueryHandler(cancel_button, pattern=callbacks.pattern(callbacks.MASS_CANCEL)))
    app.add_handler(TypeHandler(Update, end_waiting), group=1)
