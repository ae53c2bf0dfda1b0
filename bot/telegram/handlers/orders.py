"""My orders: /orders, the order card and its buttons, /status, /refill, /refills.

Handlers only present: what a user may see or do is decided by `TrackingService`
(ownership included), so a forged callback for someone else's order gets the
same "not found" as an order that never existed.  Every callback query is
answered exactly once, also when the panel is down, so no button keeps spinning.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import datetime, tzinfo
from decimal import Decimal
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.numbers import ascii_int
from bot.panel.errors import OutcomeUnknown, PanelClientError, PanelError
from bot.panel.models import OrderStatusKind, RefillStatusKind
from bot.services.money import format_amount, format_money
from bot.services.tracking import (
    NotAllowed,
    NotFound,
    OrderView,
    Refused,
    StatusLine,
    TrackingError,
    TrackingService,
)
from bot.store.models import OrderRecord, OrderState, RefillRecord
from bot.telegram import callbacks, replies, views
from bot.telegram.context import App, Context, deps, language
from bot.telegram.keyboards import Page, button, nav_row, shorten
from bot.telegram.texts import text
from bot.telegram.working import working

ORDERS_PER_PAGE = 8
REFILLS_PER_PAGE = 10
STATUS_MAX_IDS = 20  # keeps one /status answer far below Telegram's 4096 characters
ALERT_LIMIT = 200  # Telegram's limit for a callback answer

Screen = tuple[str, InlineKeyboardMarkup | None]
CallbackBody = Callable[[Update, Context, list[str]], Awaitable[str | None]]

# status → (icon, text key); statuses not listed are shown as the panel spells them.
_STATUS_LOOK: dict[str, tuple[str, str]] = {
    OrderStatusKind.PENDING: ("⏳", "status_pending"),
    OrderStatusKind.IN_PROGRESS: ("🔄", "status_in_progress"),
    OrderStatusKind.PROCESSING: ("🔄", "status_processing"),
    OrderStatusKind.COMPLETED: ("✅", "status_completed"),
    OrderStatusKind.PARTIAL: ("◐", "status_partial"),
    OrderStatusKind.CANCELED: ("✖", "status_canceled"),
    OrderStatusKind.REFUNDED: ("↩️", "status_refunded"),
    OrderStatusKind.FAILED: ("⚠️", "status_failed"),
    RefillStatusKind.REJECTED: ("✖", "status_rejected"),
    RefillStatusKind.ERROR: ("⚠️", "status_error"),
    OrderStatusKind.UNKNOWN: ("❓", "status_unknown"),
}
_UNKNOWN_ICON = "❓"


# -- commands ----------------------------------------------------------------------------------


async def orders_command(update: Update, context: Context) -> None:
    await _send(update, context, await _orders_screen(update, context, 0))


async def refills_command(update: Update, context: Context) -> None:
    await _send(update, context, await _refills_screen(update, context, 0))


async def status_command(update: Update, context: Context) -> None:
    """Live status by panel order ID; one ID gets the full card, several get one line each.

    The panel is asked while the user waits: one quick attempt (see `TrackingService`),
    "typing…" meanwhile, and "the panel is not answering" from the error handler."""
    lang = language(context)
    ids = _parse_ids(context.args)
    if not ids:
        await _send(update, context, (text(lang, "status_usage"), None))
        return
    if len(ids) > STATUS_MAX_IDS:
        await _send(update, context, (text(lang, "status_too_many", max=STATUS_MAX_IDS), None))
        return
    tracking, user_id = _tracking(context), _user_id(update)
    async with working(update, context):
        lines = await tracking.statuses(user_id, ids)
    single = lines[0] if len(lines) == 1 else None
    if single is not None and single.order is not None and single.error is None:
        view = await tracking.order_view(user_id, single.order.id)
        await _send(update, context, _card(view, 0, lang, _zone(context), await _currency(context)))
        return
    body = "\n".join([text(lang, "status_title"), *(_status_line(line, lang) for line in lines)])
    await _send(update, context, (body, None))


async def refill_command(update: Update, context: Context) -> None:
    """`/refill <panel order ID>`: the refill ID, or the reason there is none."""
    lang = language(context)
    ids = _parse_ids(context.args)
    if ids is None or len(ids) != 1:
        await _send(update, context, (text(lang, "refill_usage"), None))
        return
    tracking, user_id = _tracking(context), _user_id(update)
    try:
        order = await tracking.order_by_panel_id(user_id, ids[0])
        if order is None:
            raise NotFound()
        refill = await tracking.request_refill(user_id, order.id)
    except TrackingError as exc:
        await _send(update, context, (_problem(lang, exc, html=True), None))
        return
    await _send(update, context, _refill_done(refill, lang))


# -- callbacks ---------------------------------------------------------------------------------


def _callback(body: CallbackBody) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    """Wrap a callback body so its query is answered exactly once: with the body's notice,
    or with a short alert when the order is not the user's, not allowed, or the panel fails."""

    async def handle(update: Update, context: Context) -> None:
        query = update.callback_query
        assert query is not None
        alert = False
        try:
            notice = await body(update, context, callbacks.parse(query.data))
        except (TrackingError, PanelClientError) as exc:
            notice, alert = _problem(language(context), exc, html=False), True
        await query.answer(shorten(notice, ALERT_LIMIT) if notice else None, show_alert=alert)

    return handle


async def _orders_page(update: Update, context: Context, args: list[str]) -> str | None:
    page = callbacks.int_arg(args, 0, 0) or 0
    await _edit(update, context, await _orders_screen(update, context, page))
    return None


async def _refills_page(update: Update, context: Context, args: list[str]) -> str | None:
    page = callbacks.int_arg(args, 0, 0) or 0
    await _edit(update, context, await _refills_screen(update, context, page))
    return None


async def _detail(update: Update, context: Context, args: list[str]) -> str | None:
    row_id, page = _card_args(args)
    view = await _tracking(context).order_view(_user_id(update), row_id)
    card = _card(view, page, language(context), _zone(context), await _currency(context))
    await _edit(update, context, card)
    return None


async def _refresh(update: Update, context: Context, args: list[str]) -> str | None:
    """Live status; also used from the wizard's success message, which becomes the card."""
    row_id, page = _card_args(args)
    tracking, user_id, lang = _tracking(context), _user_id(update), language(context)
    await tracking.refresh(user_id, row_id)
    view = await tracking.order_view(user_id, row_id)
    await _edit(update, context, _card(view, page, lang, _zone(context), await _currency(context)))
    return text(lang, "orders_refreshed", status=_status_name(view.order, lang))


async def _refill(update: Update, context: Context, args: list[str]) -> str | None:
    row_id, _ = _card_args(args)
    refill = await _tracking(context).request_refill(_user_id(update), row_id)
    await _send(update, context, _refill_done(refill, language(context)))
    return None


async def _cancel(update: Update, context: Context, args: list[str]) -> str | None:
    """`ocl:<id>:<page>` asks for confirmation, `ocl:<id>:<page>:1` cancels: a refund-bearing
    write deserves a second tap, and the question is only asked for a cancellable order."""
    row_id, page = _card_args(args)
    tracking, user_id, lang = _tracking(context), _user_id(update), language(context)
    if callbacks.int_arg(args, 2) != 1:
        order = await tracking.cancellable(user_id, row_id)
        await _edit(update, context, _cancel_question(order, page, lang))
        return None
    await tracking.cancel(user_id, row_id)
    view = await tracking.order_view(user_id, row_id)
    await _edit(update, context, _card(view, page, lang, _zone(context), await _currency(context)))
    return text(lang, "orders_canceled")


# -- screens -----------------------------------------------------------------------------------


async def _orders_screen(update: Update, context: Context, page: int) -> Screen:
    lang = language(context)
    paged = await _tracking(context).page_of_orders(_user_id(update), page, ORDERS_PER_PAGE)
    if not paged.total:
        return text(lang, "orders_empty"), None
    zone, currency = _zone(context), await _currency(context)
    lines = [
        text(lang, "orders_title", total=paged.total),
        *(_order_line(o, lang, zone, currency) for o in paged.items),
    ]
    rows = [[button(_order_label(o), callbacks.ORDER_DETAIL, o.id, paged.number)] for o in paged.items]
    rows.append(nav_row(Page(paged.items, paged.number, paged.count), lang, callbacks.ORDERS))
    rows.append([button(text(lang, "orders_btn_refills"), callbacks.REFILLS, 0)])
    return "\n\n".join(lines), _markup(rows)


async def _refills_screen(update: Update, context: Context, page: int) -> Screen:
    lang = language(context)
    paged = await _tracking(context).page_of_refills(_user_id(update), page, REFILLS_PER_PAGE)
    to_orders = [button(text(lang, "orders_btn_orders"), callbacks.ORDERS, 0)]
    if not paged.total:
        return text(lang, "refill_list_empty"), _markup([to_orders])
    title = text(lang, "refill_list_title", total=paged.total)
    lines = [title, *(_refill_line(r, lang, _zone(context)) for r in paged.items)]
    nav = nav_row(Page(paged.items, paged.number, paged.count), lang, callbacks.REFILLS)
    return "\n\n".join(lines), _markup([nav, to_orders])


def _card(view: OrderView, page: int, lang: str, zone: tzinfo, currency: str) -> Screen:
    """The order card: every field the panel knows, and only the buttons that can work."""
    order = view.order
    body = text(
        lang,
        "orders_card",
        number=_number(order, lang),
        service=escape(shorten(order.service_name, 300)),
        link=escape(shorten(order.link, 300)),
        quantity=_amount(order.quantity, lang),
        charge=_money(order.charge, lang, currency),
        status=f"{_icon(order)} {escape(_status_name(order, lang))}",
        start_count=_amount(order.start_count, lang),
        remains=_amount(order.remains, lang),
        date=_date(order.created_at, zone),
    )
    if _is_unknown(order):
        body += "\n\n" + text(lang, "orders_card_unknown_note")
    elif order.state is OrderState.FAILED:
        error = views.refusal(lang, order.error or "?", 300).rstrip(".")
        body += "\n\n" + text(lang, "orders_card_failed_note", error=error)
    actions = [button(text(lang, "orders_btn_refresh"), callbacks.ORDER_REFRESH, order.id, page)]
    if view.can_refill:
        actions.append(button(text(lang, "orders_btn_refill"), callbacks.ORDER_REFILL, order.id, page))
    if view.can_cancel:
        actions.append(button(text(lang, "orders_btn_cancel"), callbacks.ORDER_CANCEL, order.id, page))
    return body, _markup([actions, [button(text(lang, "nav_back"), callbacks.ORDERS, page)]])


def _cancel_question(order: OrderRecord, page: int, lang: str) -> Screen:
    number, service = _number(order, lang), escape(shorten(order.service_name, 300))
    body = text(lang, "orders_cancel_confirm", number=number, service=service)
    yes = button(text(lang, "orders_btn_cancel_yes"), callbacks.ORDER_CANCEL, order.id, page, 1)
    back = button(text(lang, "nav_back"), callbacks.ORDER_DETAIL, order.id, page)
    return body, _markup([[yes, back]])


def _refill_done(refill: RefillRecord, lang: str) -> Screen:
    body = text(lang, "refill_requested", order=refill.panel_order_id, refill=refill.refill_id)
    return body, _markup([[button(text(lang, "orders_btn_refills"), callbacks.REFILLS, 0)]])


# -- pieces ------------------------------------------------------------------------------------


def _order_line(order: OrderRecord, lang: str, zone: tzinfo, currency: str) -> str:
    """One order in the list; an unconfirmed one shows its link so the owner can find it."""
    values = {
        "service": escape(shorten(order.service_name, 60)),
        "quantity": _amount(order.quantity, lang),
        "date": _date(order.created_at, zone),
    }
    if _is_unknown(order):
        return text(lang, "orders_unknown_line", link=escape(shorten(order.link, 60)), **values)
    return text(
        lang,
        "orders_line",
        icon=_icon(order),
        number=_number(order, lang),
        charge=_money(order.charge, lang, currency),
        **values,
    )


def _order_label(order: OrderRecord) -> str:
    number = f"#{order.panel_order_id} · " if order.panel_order_id else ""
    return f"{_icon(order)} {number}{shorten(order.service_name, 28)}"


def _status_line(line: StatusLine, lang: str) -> str:
    order = line.order
    if order is None:
        return text(lang, "status_not_found", order=line.panel_order_id)
    if line.error is not None:
        message = views.refusal(lang, line.error, 100)
        return text(lang, "status_panel_error", order=line.panel_order_id, message=message)
    return text(
        lang,
        "status_line",
        icon=_icon(order),
        order=line.panel_order_id,
        status=escape(_status_name(order, lang)),
        remains=_amount(order.remains, lang),
        service=escape(shorten(order.service_name, 60)),
    )


def _refill_line(refill: RefillRecord, lang: str, zone: tzinfo) -> str:
    icon, key = _STATUS_LOOK.get(refill.status, (_UNKNOWN_ICON, ""))
    return text(
        lang,
        "refill_line",
        icon=icon,
        refill=refill.refill_id if refill.refill_id is not None else "—",
        order=refill.panel_order_id,
        status=escape(text(lang, key) if key else refill.status),
        date=_date(refill.created_at, zone),
    )


def _is_unknown(order: OrderRecord) -> bool:
    """Written before `add` but never confirmed: it may or may not exist on the panel."""
    return order.panel_order_id is None and order.state in (OrderState.INTENT, OrderState.UNKNOWN)


def _icon(order: OrderRecord) -> str:
    if _is_unknown(order):
        return _UNKNOWN_ICON
    return _STATUS_LOOK.get(order.status, (_UNKNOWN_ICON, ""))[0]


def _status_name(order: OrderRecord, lang: str) -> str:
    """The status in the user's language (unescaped; callers escape for HTML)."""
    if _is_unknown(order):
        return text(lang, "orders_unknown")
    key = _STATUS_LOOK.get(order.status, ("", ""))[1]
    return text(lang, key) if key else order.status


def _number(order: OrderRecord, lang: str) -> str:
    return f"#{order.panel_order_id}" if order.panel_order_id else text(lang, "orders_unknown")


def _amount(value: int | Decimal | None, lang: str) -> str:
    return "—" if value is None else format_amount(Decimal(value), lang)


def _money(value: Decimal | None, lang: str, currency: str) -> str:
    """A charge with the panel's currency ("0.000575 USD"), as every amount is shown."""
    return "—" if value is None else format_money(value, escape(currency), lang)


async def _currency(context: Context) -> str:
    """The panel's currency, from its `balance` answer (learned once, "" while unknown)."""
    return await deps(context).account.currency()


def _date(moment: datetime, zone: tzinfo) -> str:
    """In the owner's time zone (`TIMEZONE`), with its abbreviation so nobody has to guess."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def _zone(context: Context) -> tzinfo:
    return deps(context).settings.timezone


def _problem(lang: str, exc: Exception, *, html: bool) -> str:
    """Plain words for a refusal; `html` escapes the panel's text for a message (not an alert)."""
    if isinstance(exc, NotAllowed):
        return text(lang, exc.reason_key)
    if isinstance(exc, Refused | PanelError):
        return views.refusal_line(lang, exc.message, html=html)
    if isinstance(exc, OutcomeUnknown):
        return text(lang, "panel_outcome_unknown")
    if isinstance(exc, PanelClientError):
        return text(lang, "panel_unavailable")
    return text(lang, "orders_not_found")


def _parse_ids(args: Sequence[str] | None) -> list[int] | None:
    """Panel order IDs separated by spaces and/or commas (`#` allowed); None if any is junk."""
    tokens = " ".join(args or ()).replace(",", " ").split()
    ids = [ascii_int(token.removeprefix("#")) for token in tokens]
    if any(value is None for value in ids):
        return None
    return list(dict.fromkeys(value for value in ids if value is not None))


def _card_args(args: list[str]) -> tuple[int, int]:
    """(order row ID, list page to go back to) from untrusted callback data."""
    row_id = callbacks.int_arg(args, 0)
    if row_id is None:
        raise NotFound()
    return row_id, callbacks.int_arg(args, 1, 0) or 0


def _markup(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([row for row in rows if row])


def _tracking(context: Context) -> TrackingService:
    return deps(context).tracking


def _user_id(update: Update) -> int:
    user = update.effective_user
    assert user is not None  # commands and callback queries always have a sender
    return user.id


async def _send(update: Update, context: Context, screen: Screen) -> None:
    body, markup = screen
    await replies.send(update, context, body, markup)


async def _edit(update: Update, context: Context, screen: Screen) -> None:
    body, markup = screen
    await replies.edit(update, context, body, markup)


def register(app: App) -> None:
    app.add_handler(CommandHandler("orders", orders_command))
    app.add_handler(CommandHandler("status", status_command))
    app.add_handler(CommandHandler("refill", refill_command))
    app.add_handler(CommandHandler("refills", refills_command))
    bodies: dict[str, CallbackBody] = {
        callbacks.ORDERS: _orders_page,
        callbacks.ORDER_DETAIL: _detail,
        callbacks.ORDER_REFRESH: _refresh,
        callbacks.ORDER_REFILL: _refill,
        callbacks.ORDER_CANCEL: _cancel,
        callbacks.REFILLS: _refills_page,
    }
    for prefix, body in bodies.items():
        app.add_handler(CallbackQueryHandler(_callback(body), pattern=callbacks.pattern(prefix)))
