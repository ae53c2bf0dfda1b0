"""The shop's money in the chat: /balance, /wallet, and the admins' /credit, /debit, /markup.

A customer sees only their wallet (never the panel or its balance); an admin sees the panel
balance, what customers' wallets hold, any customer's wallet, and sets markups.  Every
amount typed is checked (`parse_amount`) and refused with the usage line when it isn't one;
nothing is booked twice for one message (the booking's key is the chat and message).
"""

from __future__ import annotations

import logging
from decimal import Decimal
from html import escape

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.numbers import ascii_int
from bot.services.access import Role
from bot.services.catalog import Category
from bot.services.money import format_money
from bot.services.shop import parse_percent
from bot.services.wallets import History, InsufficientFunds, parse_amount
from bot.store.ledger import LedgerEntry
from bot.telegram import callbacks, replies, views
from bot.telegram.context import App, Context, deps, language, t
from bot.telegram.handlers.admin import admin_only
from bot.telegram.keyboards import Page, button, nav_row, shorten
from bot.telegram.texts import language_for, text
from bot.telegram.working import working

log = logging.getLogger(__name__)

PER_PAGE = 10
MAX_NOTE = 200
CATEGORY_CHOICES = 8  # category buttons offered for an ambiguous /markup


async def _money(context: Context, amount: Decimal, user_id: int | None) -> str:
    currency = await deps(context).shop.currency(user_id)
    return format_money(amount, escape(currency), language(context))


# -- /balance and /wallet --------------------------------------------------------------------


async def balance(update: Update, context: Context) -> None:
    """A customer's wallet; an admin's (or, in direct mode, anyone's) panel balance, live."""
    user = update.effective_user
    if user is None:
        return
    shop = deps(context).shop
    if shop.is_customer(user.id):
        amount = await deps(context).wallet.balance(user.id)
        history = button(t(context, "wallet_btn_history"), callbacks.WALLET, user.id, 0)
        row = [history]
        message = t(context, "wallet_balance", balance=await _money(context, amount, user.id))
        if deps(context).topups.methods:
            row.insert(0, button(t(context, "topup_btn"), callbacks.TOPUP))
        else:
            message += "\n\n" + t(context, "wallet_topup_hint", user_id=user.id)
        markup = InlineKeyboardMarkup([row])
        await replies.send(update, context, message, markup)
        return
    async with working(update, context):
        result = await deps(context).account.balance(interactive=True)
    amount_text = format_money(result.amount, escape(result.currency), language(context))
    message = t(context, "balance", amount=amount_text)
    if shop.wallets:
        owed = await deps(context).wallet.liability()
        message += "\n" + t(context, "balance_wallets", amount=await _money(context, owed, None))
    await replies.send(update, context, message)


async def wallet_command(update: Update, context: Context) -> None:
    """`/wallet`: your wallet's history; `/wallet <user id>`: an admin looks at a customer's."""
    user = update.effective_user
    if user is None:
        return
    args = context.args or []
    if args:
        if deps(context).access.role(user.id) is not Role.ADMIN:
            await replies.reply(update, context, "admin_only")
            return
        target = ascii_int(args[0].removeprefix("#"), max_digits=15) if len(args) == 1 else None
        if target is None:
            await replies.reply(update, context, "wallet_usage")
            return
    else:
        if not deps(context).shop.wallets:
            await replies.reply(update, context, "wallet_disabled")
            return
        target = user.id
    await _show_history(update, context, target, 0)


async def history_page(update: Update, context: Context) -> None:
    """`wal:<user id>:<page>`: another page; only the owner of the wallet or an admin."""
    user = update.effective_user
    args = callbacks.parse(update.callback_query.data if update.callback_query else None)
    target = callbacks.int_arg(args, 0)
    page = views.page_arg(args, 1)
    if user is None or target is None or page is None:
        await views.stale(update, context)
        return
    if target != user.id and deps(context).access.role(user.id) is not Role.ADMIN:
        await views.stale(update, context)  # a forged button: looks like an expired one
        return
    await _show_history(update, context, target, page)


async def _show_history(update: Update, context: Context, user_id: int, page: int) -> None:
    history = await deps(context).wallet.history(user_id, page, PER_PAGE)
    viewer = update.effective_user.id if update.effective_user else None
    title_key = "wallet_history_title" if viewer == user_id else "wallet_history_of"
    lines = [
        t(
            context,
            title_key,
            user_id=user_id,
            balance=await _money(context, history.balance, user_id),
            count=history.total,
        )
    ]
    if not history.entries:
        lines.append(t(context, "wallet_history_empty"))
    lines += [await _entry_line(context, entry) for entry in history.entries]
    nav = nav_row(_page(history), language(context), callbacks.WALLET, user_id)
    keyboard = InlineKeyboardMarkup([nav]) if nav else None
    await views.show(update, context, views.Screen("\n".join(lines), keyboard))


def _page(history: History) -> Page[LedgerEntry]:
    return Page(history.entries, history.number, history.count)


async def _entry_line(context: Context, entry: LedgerEntry) -> str:
    zone = deps(context).settings.timezone
    when = entry.created_at.astimezone(zone).strftime("%d/%m %H:%M")
    sign = "+" if entry.amount > 0 else "−"
    amount = await _money(context, abs(entry.amount), entry.user_id)
    note = f" · {escape(shorten(entry.note, 60))}" if entry.note else ""
    return t(
        context,
        "wallet_entry",
        when=when,
        kind=t(context, f"wallet_kind_{entry.kind.value}"),
        amount=f"{sign}{amount}",
        balance=await _money(context, entry.balance_after, entry.user_id),
        detail=note,
    )


# -- admins: /credit, /debit -----------------------------------------------------------------


@admin_only
async def credit(update: Update, context: Context) -> None:
    """`/credit <user id> <amount> [note]`: put money in a customer's wallet."""
    await _adjust(update, context, credit=True)


@admin_only
async def debit(update: Update, context: Context) -> None:
    """`/debit <user id> <amount> [note]`: take money out; never below zero."""
    await _adjust(update, context, credit=False)


async def _adjust(update: Update, context: Context, *, credit: bool) -> None:
    admin, message = update.effective_user, update.effective_message
    if admin is None or message is None:
        return
    usage = "wallet_credit_usage" if credit else "wallet_debit_usage"
    if not deps(context).shop.wallets:
        await replies.reply(update, context, "wallet_disabled")
        return
    args = context.args or []
    target = ascii_int(args[0], max_digits=15) if args else None
    amount = parse_amount(args[1], deps(context).shop.decimals) if len(args) > 1 else None
    note = " ".join(args[2:])[:MAX_NOTE] or None
    if target is None or amount is None:
        await replies.reply(update, context, usage)
        return
    wallet = deps(context).wallet
    key = f"{message.chat_id}:{message.message_id}"  # the message: a redelivery books nothing more
    try:
        if credit:
            booking = await wallet.credit(target, amount, by_admin=admin.id, note=note, key=key)
        else:
            booking = await wallet.debit(target, amount, by_admin=admin.id, note=note, key=key)
    except InsufficientFunds as short:
        await replies.reply(
            update,
            context,
            "wallet_debit_short",
            user_id=target,
            balance=await _money(context, short.balance, target),
        )
        return
    entry = booking.entry
    shown = await _money(context, abs(entry.amount), target)
    after = await _money(context, entry.balance_after, target)
    done = "wallet_credited" if credit else "wallet_debited"
    await replies.reply(update, context, done, user_id=target, amount=shown, balance=after)
    if booking.created:
        await _tell_customer(context, entry, credit=credit)


async def _tell_customer(context: Context, entry: LedgerEntry, *, credit: bool) -> None:
    """The customer hears of money put in or taken out (if they ever opened the chat)."""
    chosen, client = await deps(context).notifications.language_of(entry.user_id)
    lang = language_for(chosen, client)
    currency = escape(await deps(context).shop.wallet_currency())
    values = {
        "amount": format_money(abs(entry.amount), currency, lang),
        "balance": format_money(entry.balance_after, currency, lang),
        "note": escape(entry.note or ""),
    }
    key = "wallet_credit_notice" if credit else "wallet_debit_notice"
    try:
        await replies.send_to(context.bot, entry.user_id, text(lang, key, **values))
    except TelegramError as exc:  # never opened the chat, or blocked the bot: the admin was told
        log.info("wallet notice to %s not delivered: %s", entry.user_id, exc)


# -- admins: /markup -------------------------------------------------------------------------


@admin_only
async def markup(update: Update, context: Context) -> None:
    """`/markup` shows what is set; `/markup 40` sets the default; `/markup 25 <service id>` a
    service's; `/markup 30 <category words>` a category's (buttons when several match);
    `/markup off <service id | category words>` removes an override, `/markup off` the
    chat's default (back to MARKUP_PERCENT)."""
    args = context.args or []
    shop = deps(context).shop
    if not args:
        await _show_markups(update, context)
        return
    off = args[0].lower() in ("off", "reset", "-")
    percent = None if off else parse_percent(args[0])
    if not off and percent is None:
        await replies.reply(update, context, "markup_usage")
        return
    rest = args[1:]
    if not rest:
        await shop.set_markup(percent)
        await _show_markups(update, context)
        return
    service_id = ascii_int(rest[0].removeprefix("#"), max_digits=12) if len(rest) == 1 else None
    if service_id is not None:
        await shop.set_markup(percent, service_id=service_id)
        await _show_markups(update, context)
        return
    await _markup_category(update, context, percent, " ".join(rest))


async def _markup_category(update: Update, context: Context, percent: Decimal | None, words: str) -> None:
    async with working(update, context):
        catalog = await deps(context).catalog.get()
    wanted = " ".join(words.lower().split())
    matches = [c for c in catalog.categories if wanted in " ".join(c.name.lower().split())]
    exact = [c for c in matches if " ".join(c.name.lower().split()) == wanted]
    if len(exact) == 1 or len(matches) == 1:
        await _set_category(update, context, percent, (exact or matches)[0])
        return
    if not matches:
        await replies.reply(update, context, "markup_no_category", words=escape(words))
        return
    value = "off" if percent is None else str(percent)
    rows = [
        [button(shorten(c.name, 60), callbacks.MARKUP_CATEGORY, value, c.key)]
        for c in matches[:CATEGORY_CHOICES]
    ]
    await replies.send(
        update, context, t(context, "markup_pick_category", count=len(matches)), InlineKeyboardMarkup(rows)
    )


async def markup_category_button(update: Update, context: Context) -> None:
    """`mkc:<percent|off>:<category key>`: the category an admin picked."""
    user = update.effective_user
    if user is None or deps(context).access.role(user.id) is not Role.ADMIN:
        await views.stale(update, context)
        return
    args = callbacks.parse(update.callback_query.data if update.callback_query else None)
    percent = None if args[:1] == ["off"] else parse_percent(args[0]) if args else None
    catalog = await deps(context).catalog.get()
    category = catalog.category(args[1]) if len(args) > 1 else None
    if category is None or (percent is None and args[:1] != ["off"]):
        await views.stale(update, context)
        return
    await _set_category(update, context, percent, category)


async def _set_category(
    update: Update, context: Context, percent: Decimal | None, category: Category
) -> None:
    await deps(context).shop.set_markup(percent, category=category.name)
    await _show_markups(update, context)


async def _show_markups(update: Update, context: Context) -> None:
    markups = await deps(context).shop.markups()
    lines = [t(context, "markup_default", percent=markups.default)]
    if not markups.default_is_set:
        lines[0] += " " + t(context, "markup_from_settings")
    for service_id, percent in sorted(markups.services.items()):
        lines.append(t(context, "markup_service", service_id=service_id, percent=percent))
    for name, percent in sorted(markups.categories.items()):
        lines.append(t(context, "markup_category", name=escape(shorten(name, 60)), percent=percent))
    lines.append("")
    lines.append(t(context, "markup_usage"))
    await views.show(update, context, views.Screen("\n".join(lines)))


def register(app: App) -> None:
    app.add_handler(CommandHandler("balance", balance))
    app.add_handler(CommandHandler("wallet", wallet_command))
    app.add_handler(CommandHandler("credit", credit))
    app.add_handler(CommandHandler("debit", debit))
    app.add_handler(CommandHandler("markup", markup))
    app.add_handler(CallbackQueryHandler(history_page, pattern=callbacks.pattern(callbacks.WALLET)))
    app.add_handler(
        CallbackQueryHandler(markup_category_button, pattern=callbacks.pattern(callbacks.MARKUP_CATEGORY))
    )
