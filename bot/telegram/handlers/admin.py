"""Admin commands: /allow, /deny, /users, /stats, /refresh (hidden from other users' menus)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from decimal import Decimal
from html import escape
from typing import Any

from telegram import Update
from telegram.ext import CommandHandler

from bot.numbers import ascii_int
from bot.panel.errors import PanelClientError
from bot.services.access import Role
from bot.services.admin import Group, UserLine
from bot.services.money import format_money
from bot.telegram import replies
from bot.telegram.context import App, Context, deps, language, t
from bot.telegram.keyboards import shorten

USERS_SHOWN = 40
TOP_SHOWN = 5
ROLE_ICONS = {Role.ADMIN: "👑", Role.USER: "✅", Role.STRANGER: "⛔"}

Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]


def admin_only(handler: Handler) -> Handler:
    """Non-admins get a plain refusal and the command does nothing."""

    async def guarded(update: Update, context: Context) -> None:
        user = update.effective_user
        if user is None or deps(context).access.role(user.id) is not Role.ADMIN:
            await replies.reply(update, context, "admin_only")
            return
        await handler(update, context)

    guarded.__doc__ = handler.__doc__
    return guarded


def _target(context: Context) -> int | None:
    args = context.args or []
    return ascii_int(args[0], max_digits=15) if len(args) == 1 else None


@admin_only
async def allow(update: Update, context: Context) -> None:
    """`/allow <id>`: takes effect at once, no restart."""
    target = _target(context)
    if target is None or update.effective_user is None:
        await replies.reply(update, context, "admin_allow_usage")
        return
    await deps(context).access.allow(target, by=update.effective_user.id)
    await replies.reply(update, context, "admin_allowed", user_id=target)


@admin_only
async def deny(update: Update, context: Context) -> None:
    target = _target(context)
    if target is None or update.effective_user is None:
        await replies.reply(update, context, "admin_deny_usage")
        return
    if await deps(context).access.deny(target, by=update.effective_user.id):
        await replies.reply(update, context, "admin_denied", user_id=target)
    else:
        await replies.reply(update, context, "admin_deny_admin", user_id=target)


@admin_only
async def users(update: Update, context: Context) -> None:
    lines = await deps(context).admin.users()
    lang, currency = language(context), await deps(context).account.currency()
    body = [t(context, "admin_users_header", count=len(lines))]
    body += [_user_line(line, lang, currency) for line in lines[:USERS_SHOWN]]
    if len(lines) > USERS_SHOWN:
        body.append(t(context, "admin_more", count=len(lines) - USERS_SHOWN))
    await replies.reply(update, context, "admin_text", text="\n".join(body))


def _user_line(line: UserLine, lang: str, currency: str) -> str:
    blocked = " 🚫" if line.blocked else ""
    return (
        f"{ROLE_ICONS[line.role]} <code>{line.user_id}</code> {escape(shorten(line.name, 32))}{blocked}"
        f" · {line.totals.orders} · {_money(line.totals.charge, lang, currency)}"
    )


@admin_only
async def stats(update: Update, context: Context) -> None:
    """The three period totals, then one top list (users, services) of the longest period:
    the shorter periods' tops are mostly the same names again."""
    periods = await deps(context).admin.stats()
    currency, lang = await deps(context).account.currency(), language(context)
    shop = deps(context).shop
    body = []
    for period in periods:
        totals = period.totals
        charge = _money(totals.charge, lang, currency)
        body.append(t(context, f"admin_stats_{period.days}d", orders=totals.orders, charge=charge))
        if shop.wallets:
            body.append(
                t(
                    context,
                    "admin_stats_shop",
                    revenue=_money(totals.revenue, lang, currency),
                    cost=_money(totals.cost, lang, currency),
                    margin=_money(totals.margin, lang, currency),
                )
            )
    body += await _shop_lines(context)
    longest = max(periods, key=lambda period: period.days, default=None)
    if longest is not None and (longest.by_user or longest.by_service):
        body += ["", t(context, "admin_stats_top")]
        if longest.by_user:
            body.append(t(context, "admin_stats_users") + " " + _top(longest.by_user, lang, currency))
        if longest.by_service:
            body.append(t(context, "admin_stats_services") + " " + _top(longest.by_service, lang, currency))
    await replies.reply(update, context, "admin_text", text="\n".join(body))


async def _shop_lines(context: Context) -> list[str]:
    """What customers' wallets hold against the panel balance (nothing in direct mode)."""
    if not deps(context).shop.wallets:
        return []
    owed = await deps(context).wallet.liability()
    lang = language(context)
    try:
        panel = await deps(context).account.balance(interactive=True)
        panel_text = _money(panel.amount, lang, panel.currency)
    except PanelClientError:
        panel_text = "—"
    owed_text = _money(owed, lang, await deps(context).shop.wallet_currency())
    return [t(context, "admin_stats_liability", owed=owed_text, panel=panel_text)]


def _top(groups: list[Group], lang: str, currency: str) -> str:
    return "; ".join(_group(g, lang, currency) for g in groups[:TOP_SHOWN])


def _group(group: Group, lang: str, currency: str) -> str:
    name = escape(shorten(group.name or str(group.key), 28))
    return f"{name} ({group.totals.orders} · {_money(group.totals.charge, lang, currency)})"


def _money(amount: Decimal, lang: str, currency: str) -> str:
    """Every amount with the panel's currency, as the rest of the bot shows it."""
    return format_money(amount, escape(currency), lang)


@admin_only
async def refresh(update: Update, context: Context) -> None:
    """Reload the catalog now (after the owner changed prices on the panel)."""
    catalog = await deps(context).catalog.refresh()  # the search index is rebuilt with it
    await replies.reply(
        update, context, "admin_refreshed", services=len(catalog.services), categories=len(catalog.categories)
    )


def register(app: App) -> None:
    for name, handler in (
        ("allow", allow),
        ("deny", deny),
        ("users", users),
        ("stats", stats),
        ("refresh", refresh),
    ):
        app.add_handler(CommandHandler(name, handler))
