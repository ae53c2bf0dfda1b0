"""My orders: /orders, the order card and its buttons, /status, /refill, /refills.

Handlers only present: what a user may see or do is decided by `TrackingService`
(ownership included), so a forged callback for someone else's order gets the
same "not found" as an order that never existed.  Every callback query is
answered exactly once, also when the panel is down, so no button keeps spinning.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal
from html import escape
from typing import Any
from urllib.parse import urlsplit

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
    RefillPending,
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
SEARCH_SHOWN = 10  # matches of `/orders <ID or link>` shown (newest first)
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

# /orders filters: callback letter → `finished` of the store query (None: all orders).
_FILTERS: dict[str, bool | None] = {"": None, "a": False, "f": True}
_FILTER_NAMES = {"": "all", "a": "active", "f": "finished"}  # of text keys orders_filter_<name>…
_POSITION = re.compile(r"([af]?)(\d{1,6})")


@dataclass(frozen=True)
class ListPosition:
    """Where an order card was opened from in /orders (filter and page), so ‹ Back returns there.
    Carried in the card's callback data as one short token: `3`, `a0`, `f2`."""

    filter: str = ""
    page: int = 0

    @property
    def token(self) -> str:
        return f"{self.filter}{self.page}"

    def args(self, page: int | None = None) -> tuple[object, ...]:
        """The args of an `ol` callback: `ol:<page>` for all orders, `ol:<filter>:<page>` otherwise."""
        number = self.page if page is None else page
        return (self.filter, number) if self.filter else (number,)

    @classmethod
    def parse(cls, token: str) -> ListPosition:
        """From untrusted callback data; anything odd is the first page of all orders."""
        match = _POSITION.fullmatch(token)
        return cls(match[1], int(match[2])) if match else cls()


# -- commands ----------------------------------------------------------------------------------


async def orders_command(update: Update, context: Context) -> None:
    """`/orders` lists them all; `/orders <order ID or part of the link>` finds orders."""
    query = " ".join(context.args or ()).strip()
    if query:
        await _send(update, context, await _search_screen(update, context, query))
        return
    await _send(update, context, await _orders_screen(update, context, ListPosition()))


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
        card = _card(view, ListPosition(), lang, _zone(context), await _currency(update, context))
        await _send(update, context, card)
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
    except RefillPending as exc:
        await _send(update, context, _refill_pending(exc.refill, lang, _zone(context)))
        return
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
    """`ol:<page>` (all orders) or `ol:<filter>:<page>`."""
    kind = args[0] if args and args[0] in ("a", "f") else ""
    page = callbacks.int_arg(args, 1 if kind else 0, 0) or 0
    await _edit(update, context, await _orders_screen(update, context, ListPosition(kind, page)))
    return None


async def _refills_page(update: Update, context: Context, args: list[str]) -> str | None:
    page = callbacks.int_arg(args, 0, 0) or 0
    await _edit(update, context, await _refills_screen(update, context, page))
    return None


async def _detail(update: Update, context: Context, args: list[str]) -> str | None:
    """The card, in place of the list (or the cancel question); from a notice's "📄 Details"
    (`od:<id>`, no list position) it comes as a new message and the notice stays as it was."""
    row_id, position = _card_args(args)
    view = await _tracking(context).order_view(_user_id(update), row_id)
    card = _card(view, position, language(context), _zone(context), await _currency(update, context))
    await _show(update, context, card, in_place=_from_a_card(args))
    return None


async def _refresh(update: Update, context: Context, args: list[str]) -> str | None:
    """Live status, answered with a toast.  On a card the card is updated; from the wizard's
    receipt (`orf:<id>`, no list position) the card comes as a new message: a receipt stays."""
    row_id, position = _card_args(args)
    tracking, user_id, lang = _tracking(context), _user_id(update), language(context)
    await tracking.refresh(user_id, row_id)
    view = await tracking.order_view(user_id, row_id)
    card = _card(view, position, lang, _zone(context), await _currency(update, context))
    await _show(update, context, card, in_place=_from_a_card(args))
    return text(lang, "orders_refreshed", status=_status_name(view.order, lang))


async def _refill(update: Update, context: Context, args: list[str]) -> str | None:
    row_id, _ = _card_args(args)
    lang = language(context)
    try:
        refill = await _tracking(context).request_refill(_user_id(update), row_id)
    except RefillPending as exc:
        await _send(update, context, _refill_pending(exc.refill, lang, _zone(context)))
        return None
    await _send(update, context, _refill_done(refill, lang))
    return None


async def _cancel(update: Update, context: Context, args: list[str]) -> str | None:
    """`ocl:<id>:<page>` asks for confirmation, `ocl:<id>:<page>:1` cancels: a refund-bearing
    write deserves a second tap, and the question is only asked for a cancellable order."""
    row_id, position = _card_args(args)
    tracking, user_id, lang = _tracking(context), _user_id(update), language(context)
    if callbacks.int_arg(args, 2) != 1:
        order = await tracking.cancellable(user_id, row_id)
        await _edit(update, context, _cancel_question(order, position, lang))
        return None
    await tracking.cancel(user_id, row_id)
    view = await tracking.order_view(user_id, row_id)
    currency = await _currency(update, context)
    await _edit(update, context, _card(view, position, lang, _zone(context), currency))
    return text(lang, "orders_canceled")


# -- screens -----------------------------------------------------------------------------------


async def _orders_screen(update: Update, context: Context, position: ListPosition) -> Screen:
    lang, kind = language(context), position.filter
    paged = await _tracking(context).page_of_orders(
        _user_id(update), position.page, ORDERS_PER_PAGE, finished=_FILTERS[kind]
    )
    filters = [
        button(
            ("• " if key == kind else "") + text(lang, f"orders_filter_{_FILTER_NAMES[key]}"),
            callbacks.ORDERS,
            *ListPosition(key).args(),
        )
        for key in ("a", "f", "")
    ]
    if not paged.total:
        if not kind:
            return text(lang, "orders_empty"), None
        return text(lang, f"orders_empty_{_FILTER_NAMES[kind]}"), _markup([filters])
    here = ListPosition(kind, paged.number)
    zone, currency = _zone(context), await _currency(update, context)
    title = f"orders_title_{_FILTER_NAMES[kind]}" if kind else "orders_title"
    lines = [
        text(lang, title, total=paged.total),
        *(_order_line(o, lang, zone, currency) for o in paged.items),
        text(lang, "orders_search_hint"),
    ]
    rows = [[button(_order_label(o), callbacks.ORDER_DETAIL, o.id, here.token)] for o in paged.items]
    page = Page(paged.items, paged.number, paged.count)
    rows.append(nav_row(page, lang, callbacks.ORDERS, *here.args()[:-1]))
    rows.append(filters)
    rows.append([button(text(lang, "orders_btn_refills"), callbacks.REFILLS, 0)])
    return "\n\n".join(lines), _markup(rows)


async def _search_screen(update: Update, context: Context, query: str) -> Screen:
    """The user's orders with this panel ID or with `query` in their link, newest first."""
    lang = language(context)
    found = await _tracking(context).search_orders(_user_id(update), query, SEARCH_SHOWN)
    shown_query = escape(shorten(query, 60))
    if not found.total:
        return text(lang, "orders_search_none", query=shown_query), None
    zone, currency = _zone(context), await _currency(update, context)
    lines = [
        text(lang, "orders_search_title", query=shown_query, total=found.total),
        *(_order_line(o, lang, zone, currency) for o in found.items),
    ]
    if found.total > len(found.items):
        lines.append(text(lang, "orders_search_more", shown=len(found.items)))
    rows = [[button(_order_label(o), callbacks.ORDER_DETAIL, o.id, 0)] for o in found.items]
    rows.append([button(text(lang, "orders_btn_orders"), callbacks.ORDERS, 0)])
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


def _card(view: OrderView, position: ListPosition, lang: str, zone: tzinfo, currency: str) -> Screen:
    """The order card: every field the panel knows, and only the buttons that can work."""
    order = view.order
    body = text(
        lang,
        "orders_card",
        number=_number(order, lang),
        service=escape(shorten(order.service_name, 300)),
        link=escape(shorten(order.link, 300)),
        quantity=_amount(order.quantity, lang),
        charge=_money(order.paid, lang, currency),
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
    token = position.token
    actions = [button(text(lang, "orders_btn_refresh"), callbacks.ORDER_REFRESH, order.id, token)]
    if view.can_refill:
        actions.append(button(text(lang, "orders_btn_refill"), callbacks.ORDER_REFILL, order.id, token))
    if view.can_cancel:
        actions.append(button(text(lang, "orders_btn_cancel"), callbacks.ORDER_CANCEL, order.id, token))
    bottom = [button(text(lang, "nav_back"), callbacks.ORDERS, *position.args())]
    if not _is_unknown(order):  # an order that may exist must not invite a second one
        again = button(text(lang, "wizard_btn_again"), callbacks.ORDER, callbacks.ORDER_AGAIN, order.id)
        bottom.append(again)
    return body, _markup([actions, bottom])


def _cancel_question(order: OrderRecord, position: ListPosition, lang: str) -> Screen:
    number, service = _number(order, lang), escape(shorten(order.service_name, 300))
    body = text(lang, "orders_cancel_confirm", number=number, service=service)
    yes = button(text(lang, "orders_btn_cancel_yes"), callbacks.ORDER_CANCEL, order.id, position.token, 1)
    back = button(text(lang, "nav_back"), callbacks.ORDER_DETAIL, order.id, position.token)
    return body, _markup([[yes, back]])


def _refill_done(refill: RefillRecord, lang: str) -> Screen:
    body = text(lang, "refill_requested", order=refill.panel_order_id, refill=refill.refill_id)
    return body, _markup([[button(text(lang, "orders_btn_refills"), callbacks.REFILLS, 0)]])


def _refill_pending(refill: RefillRecord, lang: str, zone: tzinfo) -> Screen:
    """The order's refill still running: shown instead of asking the panel for another."""
    icon, key = _STATUS_LOOK.get(refill.status, (_UNKNOWN_ICON, ""))
    body = text(
        lang,
        "refill_already_pending",
        order=refill.panel_order_id,
        refill=refill.refill_id,
        status=f"{icon} {escape(text(lang, key) if key else refill.status)}",
        date=_date(refill.created_at, zone),
    )
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
        return text(lang, "orders_unknown_item", link=escape(shorten(order.link, 60)), **values)
    return text(
        lang,
        "orders_item",
        icon=_icon(order),
        number=_number(order, lang),
        charge=_money(order.paid, lang, currency),
        status=escape(_status_name(order, lang)),
        host=escape(_host(order.link)),
        **values,
    )


def _host(link: str) -> str:
    """The site of a link (`facebook.com`), or the link itself, shortened, when it has none
    (a username, say): enough to tell orders apart in a list."""
    candidate = link.strip()
    if "://" not in candidate:
        candidate = "//" + candidate
    try:
        host = urlsplit(candidate).hostname or ""
    except ValueError:
        host = ""
    if "." not in host:
        return shorten(link, 40)
    return host.removeprefix("www.")


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


async def _currency(update: Update, context: Context) -> str:
    """The currency this user's orders were paid in: the shop's for a customer, else the
    panel's (learned once from its `balance` answer, "" while unknown)."""
    user = update.effective_user
    return await deps(context).shop.currency(user.id if user is not None else None)


def _date(moment: datetime, zone: tzinfo) -> str:
    """In the owner's time zone (`TIMEZONE`), with its abbreviation so nobody has to guess."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def _zone(context: Context) -> tzinfo:
    return deps(context).settings.timezone


def _problem(lang: str, exc: Exception, *, html: bool) -> str:
    """Plain words for a refusal; `html` escapes the panel's text for a message (not an alert)."""
    if isinstance(exc, NotAllowed):
        return text(lang, exc.reason_key)
    if isinstance(exc, RefillPending):  # callers show the refill itself; this is a fallback
        return text(lang, "refusal_refill_running")
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


def _card_args(args: list[str]) -> tuple[int, ListPosition]:
    """(order row ID, list position to go back to) from untrusted callback data."""
    row_id = callbacks.int_arg(args, 0)
    if row_id is None:
        raise NotFound()
    return row_id, ListPosition.parse(args[1] if len(args) > 1 else "")


def _from_a_card(args: list[str]) -> bool:
    """Buttons of the card and of the list carry a list position; those of other messages
    (the wizard's receipt, a notification) carry only the order: those messages stay."""
    return len(args) > 1


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


async def _show(update: Update, context: Context, screen: Screen, *, in_place: bool) -> None:
    await (_edit if in_place else _send)(update, context, screen)


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
