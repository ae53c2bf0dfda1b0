"""`/unknown` (admins): settle orders whose outcome is unknown.

The list shows each order with who, what, where and when, and two buttons:
"placed…" asks for the panel's order ID (a small conversation), "not placed"
asks once more before it tells the owner.  Power users type
`/unknown <#> <panel id>` or `/unknown <#> no` instead.
"""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.numbers import ascii_int
from bot.panel.errors import PanelClientError
from bot.services.access import Role
from bot.services.money import format_amount
from bot.services.settlement import SettleError, UnknownOrder
from bot.store.models import OrderRecord
from bot.telegram import callbacks, replies, views
from bot.telegram.context import App, Context, deps, language, t
from bot.telegram.conversations import SharedConversationHandler
from bot.telegram.keyboards import button, shorten

SHOWN = 10
SETTLE_KEY = "settle_order"  # user data: the order whose panel ID the admin is asked for
AWAIT_PANEL_ID = "await_panel_id"
END = ConversationHandler.END
NOT_PLACED_WORDS = frozenset({"no", "none", "not", "khong", "không"})


def _is_admin(update: Update, context: Context) -> bool:
    user = update.effective_user
    return user is not None and deps(context).access.role(user.id) is Role.ADMIN


async def unknown_command(update: Update, context: Context) -> None:
    """`/unknown` lists; `/unknown 12 98765` attaches; `/unknown 12 no` marks not placed."""
    if not _is_admin(update, context):
        await replies.reply(update, context, "admin_only")
        return
    args = context.args or []
    if not args:
        await replies.send(update, context, *await _list_screen(context))
        return
    order_id = ascii_int(args[0], max_digits=15) if len(args) == 2 else None
    verdict = args[1].strip().lower() if len(args) == 2 else ""
    if order_id is None or not (verdict in NOT_PLACED_WORDS or ascii_int(verdict, max_digits=18) is not None):
        await replies.reply(update, context, "unknown_usage")
        return
    panel_id = None if verdict in NOT_PLACED_WORDS else ascii_int(verdict, max_digits=18)
    await replies.send(update, context, await _settle(update, context, order_id, panel_id))


async def _list_screen(context: Context) -> tuple[str, InlineKeyboardMarkup | None]:
    pending = await deps(context).settlement.unknown()
    if not pending:
        return t(context, "unknown_none"), None
    lines = [t(context, "unknown_title", count=len(pending))]
    lines += [await _line(context, item) for item in pending[:SHOWN]]
    if len(pending) > SHOWN:
        lines.append(t(context, "unknown_more", count=len(pending) - SHOWN))
    lines.append(t(context, "unknown_usage"))
    rows = [_verdict_buttons(context, item.order.id) for item in pending[:SHOWN]]
    return "\n\n".join(lines), InlineKeyboardMarkup(rows)


def _verdict_buttons(context: Context, order_id: int) -> list[InlineKeyboardButton]:
    placed = t(context, "unknown_btn_placed", id=order_id)
    not_placed = t(context, "unknown_btn_not_placed", id=order_id)
    return [
        button(placed, callbacks.UNKNOWN_PLACED, order_id),
        button(not_placed, callbacks.UNKNOWN_NOT_PLACED, order_id),
    ]


async def _line(context: Context, item: UnknownOrder) -> str:
    order, lang = item.order, language(context)
    currency = await deps(context).account.currency()
    zone = deps(context).settings.timezone
    who = f"<code>{order.user_id}</code> {escape(shorten(item.user_name, 32))}".rstrip()
    return t(
        context,
        "unknown_line",
        id=order.id,
        user=who,
        date=order.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z"),
        service=escape(shorten(order.service_name, 80)),
        link=escape(shorten(order.link, 120)),
        quantity=format_amount(order.quantity, lang),
        charge=f"{format_amount(order.charge, lang)} {escape(currency)}".rstrip(),
        reason=views.outside(order.error or "?", 120),
    )


async def _settle(update: Update, context: Context, order_id: int, panel_id: int | None) -> str:
    """Apply the verdict; the answer says what happened or why nothing did."""
    assert update.effective_user is not None
    settlement, admin = deps(context).settlement, update.effective_user.id
    try:
        if panel_id is None:
            order = await settlement.not_placed(order_id, by=admin)
            return t(context, "unknown_settled_not_placed", id=order.id)
        order = await settlement.attach(order_id, panel_id, by=admin)
        return t(context, "unknown_settled_placed", id=order.id, panel_id=panel_id)
    except SettleError as error:
        values = {k: views.outside(v, 200) for k, v in error.values.items()}
        return t(context, error.key, **values)
    except PanelClientError:
        return t(context, "panel_unavailable")


# -- buttons -----------------------------------------------------------------------------------


async def ask_panel_id(update: Update, context: Context) -> str | int:
    query = update.callback_query
    assert query is not None
    order = await _tapped_order(update, context)
    if order is None:
        return END
    await query.answer()
    if context.user_data is not None:
        context.user_data[SETTLE_KEY] = order.id
    await replies.send(update, context, t(context, "unknown_ask_panel_id", **_what(order)))
    return AWAIT_PANEL_ID


async def got_panel_id(update: Update, context: Context) -> str | int | None:
    text = update.effective_message.text if update.effective_message else None
    panel_id = ascii_int((text or "").strip().lstrip("#"), max_digits=18)
    order_id = (context.user_data or {}).get(SETTLE_KEY)
    if not isinstance(order_id, int) or not _is_admin(update, context):
        return END
    if panel_id is None:
        await replies.reply(update, context, "unknown_panel_id_invalid")
        return None  # stay: ask again
    (context.user_data or {}).pop(SETTLE_KEY, None)
    await replies.send(update, context, await _settle(update, context, order_id, panel_id))
    return END


async def cancel_settle(update: Update, context: Context) -> int:
    (context.user_data or {}).pop(SETTLE_KEY, None)
    await replies.reply(update, context, "unknown_cancelled")
    return END


async def ask_not_placed(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    order = await _tapped_order(update, context)
    if order is None:
        return
    await query.answer()
    markup = InlineKeyboardMarkup(
        [
            [
                button(t(context, "unknown_btn_yes_not_placed"), callbacks.UNKNOWN_NOT_PLACED_SURE, order.id),
                button(t(context, "unknown_btn_back"), callbacks.UNKNOWN_LIST),
            ]
        ]
    )
    await replies.edit(update, context, t(context, "unknown_confirm_not_placed", **_what(order)), markup)


def _what(order: OrderRecord) -> dict[str, object]:
    return {
        "id": order.id,
        "service": escape(shorten(order.service_name, 80)),
        "link": escape(shorten(order.link, 120)),
    }


async def not_placed(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    order_id = callbacks.int_arg(callbacks.parse(query.data), 0)
    if not _is_admin(update, context) or order_id is None:
        await query.answer(t(context, "stale_button"), show_alert=True)
        return
    await query.answer()
    await replies.edit(update, context, await _settle(update, context, order_id, None))


async def back_to_list(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    if not _is_admin(update, context):
        await query.answer(t(context, "stale_button"), show_alert=True)
        return
    await query.answer()
    await replies.edit(update, context, *await _list_screen(context))


async def _tapped_order(update: Update, context: Context) -> OrderRecord | None:
    """The still-unknown order a button names, or None after telling the admin why not."""
    query = update.callback_query
    assert query is not None
    order_id = callbacks.int_arg(callbacks.parse(query.data), 0)
    if not _is_admin(update, context) or order_id is None:
        await query.answer(t(context, "stale_button"), show_alert=True)
        return None
    try:
        return await deps(context).settlement.pending(order_id)
    except SettleError:
        await query.answer(t(context, "settle_already", order_id=order_id), show_alert=True)
        return None


def register(app: App) -> None:
    """The conversation goes before the wizard and free-text search: while it waits for a
    panel order ID, the admin's next message is that ID, not a search."""
    app.add_handler(
        SharedConversationHandler(
            entry_points=[
                CallbackQueryHandler(ask_panel_id, pattern=callbacks.pattern(callbacks.UNKNOWN_PLACED))
            ],
            states={AWAIT_PANEL_ID: [MessageHandler(filters.TEXT & ~filters.COMMAND, got_panel_id)]},
            fallbacks=[CommandHandler("cancel", cancel_settle)],
            allow_reentry=True,
            conversation_timeout=600,
            name="settle_unknown",
            persistent=True,
        )
    )
    app.add_handler(CommandHandler("unknown", unknown_command))
    for prefix, handler in (
        (callbacks.UNKNOWN_NOT_PLACED, ask_not_placed),
        (callbacks.UNKNOWN_NOT_PLACED_SURE, not_placed),
        (callbacks.UNKNOWN_LIST, back_to_list),
    ):
        app.add_handler(CallbackQueryHandler(handler, pattern=callbacks.pattern(prefix)))
