"""What catalog browsing and search look like, in one place.

Categories, a category's services, search results and the service card are
rendered here and nowhere else, so /services, /search, inline mode and the
order wizard show a service the same way.  Every panel-supplied string is
HTML-escaped here; every screen stays within Telegram's limits (≤ 4096
characters, ≤ 100 buttons, callback data ≤ 64 bytes) however big the catalog
or long the names are.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.panel.models import Service
from bot.redaction import for_user
from bot.services.catalog import Catalog, Category, Platform
from bot.services.money import format_amount, format_money
from bot.services.panel_errors import refusal_reason
from bot.telegram import callbacks, replies
from bot.telegram.context import Context, deps, language, t
from bot.telegram.keyboards import Page, button, nav_row, paginate, shorten
from bot.telegram.texts import text, type_name

PER_PAGE = 10  # buttons per page: readable on a phone, far below Telegram's 100
TEXT_LIMIT = 4096  # Telegram's message limit
INLINE_CARD_LIMIT = 1024  # inline answers carry 50 cards at once: keep each one small
LABEL_LIMIT = 48  # button labels longer than this are cut by clients anyway
SERVICE_LABEL_LIMIT = 56  # "#1234 · <what tells it apart> · 1,200/1000": one line on a phone
_NAME_LIMIT = 300  # a card's title; the description gets whatever room is left


@dataclass(frozen=True)
class Screen:
    """One message's worth of content: HTML text plus an optional inline keyboard."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None


# --------------------------------------------------------------------------- showing


async def show(update: Update, context: Context, screen: Screen) -> None:
    """Edit the message a button belongs to (navigation stays in one message), else send one.

    The callback query is answered first so the client stops its spinner. An edit that
    changes nothing (a double tap on the same button) is not an error.
    """
    if update.callback_query is not None:
        await update.callback_query.answer()
        await replies.edit(update, context, screen.text, screen.keyboard)
    else:
        await replies.send(update, context, screen.text, screen.keyboard)


async def stale(update: Update, context: Context) -> None:
    """Old or forged button data: say so in an alert and leave the message as it is."""
    query = update.callback_query
    if query is not None:
        await query.answer(t(context, "stale_button"), show_alert=True)


def page_arg(args: list[str], index: int) -> int | None:
    """A page number from callback data: absent → 0, malformed → None (stale button)."""
    if index >= len(args):
        return 0
    return callbacks.int_arg(args, index)


# --------------------------------------------------------------------------- prices and labels


def _number(value: int | Decimal, language: str) -> str:
    return format_amount(Decimal(value), language)


def price(service: Service, language: str, currency: str = "") -> str:
    """Full price text, e.g. "12,000 VND per 1000"; "per package" for a Package (its rate is the price)."""
    return _rate(service, language, "cat_price_per_1000", "cat_price_per_package", currency)


def short_price(service: Service, language: str) -> str:
    """Compact price, e.g. "12,000/1000", for buttons and inline results."""
    return _rate(service, language, "cat_button_per_1000", "cat_button_per_package")


def _rate(service: Service, language: str, per_1000: str, per_package: str, currency: str = "") -> str:
    key = per_package if service.type == "Package" else per_1000
    return text(language, key, amount=format_money(service.rate, escape(currency), language))


def _label(name: str, suffix: str) -> str:
    """Shorten the name, never the suffix (the price or count is what users compare)."""
    return shorten(name, max(8, LABEL_LIMIT - len(suffix))) + suffix


def service_label(service: Service, language: str, name: str | None = None) -> str:
    """ "#1234 · S2 không bảo hành · 1,200/1000": the ID first (neighbours never look alike),
    then `name` (default: the service's name) cut to fit, never the price."""
    suffix = f" · {short_price(service, language)}"
    head = f"#{service.id} · "
    room = max(8, SERVICE_LABEL_LIMIT - len(head) - len(suffix))
    return head + shorten(name or service.name, room) + suffix


def service_button(
    service: Service, language: str, *origin: object, name: str | None = None
) -> InlineKeyboardButton:
    """A service's button (`service_label`) opening its card; `origin` is the list it sits in
    (for Back).  In a category, `name` is the part of the name that tells it from the others."""
    return button(service_label(service, language, name), callbacks.SERVICE, service.id, *origin)


def _rows(buttons: list[InlineKeyboardButton], *extra: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    """One button per row (long names stay readable), then the non-empty extra rows."""
    return InlineKeyboardMarkup([[b] for b in buttons] + [row for row in extra if row])


# --------------------------------------------------------------------------- catalog screens


def platforms_screen(catalog: Catalog, language: str, page: int) -> Screen:
    """/services: page `page` of the platforms (Facebook, TikTok…, "Other" last).

    A platform of one category opens that category straight away; a catalog of one platform
    has nothing to choose at this level, so its categories are shown instead.
    """
    if len(catalog.platforms) <= 1:
        return categories_screen(catalog, language, page)
    shown = paginate(catalog.platforms, page, PER_PAGE)
    buttons = [_platform_button(platform, language) for platform in shown.items]
    body = text(
        language,
        "cat_platforms",
        platforms=_number(len(catalog.platforms), language),
        categories=_number(len(catalog.categories), language),
        services=_number(len(catalog.services), language),
    )
    return Screen(body, _rows(buttons, nav_row(shown, language, callbacks.CATEGORIES)))


def _platform_name(platform: Platform, language: str) -> str:
    return platform.name or text(language, "cat_platform_other")


def _platform_button(platform: Platform, language: str) -> InlineKeyboardButton:
    name = _platform_name(platform, language)
    if len(platform.categories) == 1:
        count = _number(platform.service_count, language)
        return button(_label(name, f" ({count})"), callbacks.CATEGORY, platform.categories[0].key, 0)
    counts = text(
        language,
        "cat_platform_counts",
        categories=_number(len(platform.categories), language),
        services=_number(platform.service_count, language),
    )
    return button(_label(name, f" ({counts})"), callbacks.PLATFORM, platform.key, 0)


def platforms_page_of(catalog: Catalog, platform: Platform | None) -> int:
    """The page of /services that shows `platform`."""
    if platform is None or len(catalog.platforms) <= 1:
        return 0
    return catalog.platforms.index(platform) // PER_PAGE


def platform_screen(catalog: Catalog, platform: Platform, language: str, page: int) -> Screen:
    """Page `page` of one platform's categories, with a way back to the platforms."""
    shown = paginate(platform.categories, page, PER_PAGE)
    buttons = [
        button(_label(c.name, f" ({_number(len(c.service_ids), language)})"), callbacks.CATEGORY, c.key, 0)
        for c in shown.items
    ]
    body = text(
        language,
        "cat_platform",
        platform=escape(_platform_name(platform, language)),
        categories=_number(len(platform.categories), language),
        services=_number(platform.service_count, language),
    )
    back = button(text(language, "nav_back"), callbacks.CATEGORIES, platforms_page_of(catalog, platform))
    nav = nav_row(shown, language, callbacks.PLATFORM, platform.key)
    return Screen(body, _rows(buttons, nav, [back]))


def categories_screen(catalog: Catalog, language: str, page: int) -> Screen:
    """Page `page` of the whole category list (clamped into range), with service counts:
    /services when the catalog has a single platform."""
    if not catalog.categories:
        return Screen(text(language, "cat_empty"))
    shown = paginate(catalog.categories, page, PER_PAGE)
    buttons = [
        button(_label(c.name, f" ({_number(len(c.service_ids), language)})"), callbacks.CATEGORY, c.key, 0)
        for c in shown.items
    ]
    body = text(
        language,
        "cat_title",
        categories=_number(len(catalog.categories), language),
        services=_number(len(catalog.services), language),
    )
    return Screen(body, _rows(buttons, nav_row(shown, language, callbacks.CATEGORIES)))


def category_back(catalog: Catalog, category: Category) -> str:
    """Where "‹ Back" leads from a category: its platform's page listing it, or the /services
    page listing it (its platform has no other category, or there is one platform only)."""
    platform = catalog.platform_of(category)
    if len(catalog.platforms) <= 1 or platform is None:
        return callbacks.make(callbacks.CATEGORIES, catalog.categories.index(category) // PER_PAGE)
    if len(platform.categories) == 1:
        return callbacks.make(callbacks.CATEGORIES, platforms_page_of(catalog, platform))
    return callbacks.make(callbacks.PLATFORM, platform.key, platform.categories.index(category) // PER_PAGE)


def category_screen(catalog: Catalog, category: Category, language: str, page: int) -> Screen:
    """Page `page` of one category's services, with a way back to the category list."""
    shown: Page[int] = paginate(category.service_ids, page, PER_PAGE)
    buttons = []
    for service_id in shown.items:
        service = catalog.by_id[service_id]
        origin = (callbacks.CATEGORY, category.key, shown.number)
        buttons.append(service_button(service, language, *origin, name=catalog.short_name(service)))
    back = InlineKeyboardButton(text(language, "nav_back"), callback_data=category_back(catalog, category))
    body = text(
        language,
        "cat_category",
        category=escape(shorten(category.name, 200)),
        count=_number(len(category.service_ids), language),
    )
    nav = nav_row(shown, language, callbacks.CATEGORY, category.key)
    return Screen(body, _rows(buttons, nav, [back]))


def category_page_of(category: Category, service: Service) -> int:
    """The page of its category that lists `service`."""
    try:
        return category.service_ids.index(service.id) // PER_PAGE
    except ValueError:
        return 0


# --------------------------------------------------------------------------- the service card


def _utf16_len(value: str) -> int:
    """Telegram counts message length in UTF-16 code units (an emoji can count twice)."""
    return len(value.encode("utf-16-le")) // 2


def _escaped_within(raw: str, budget: int) -> str:
    """`raw` HTML-escaped, cut (with "…") so the escaped form fits `budget` UTF-16 units.

    Cutting happens before escaping, so an entity like `&amp;` is never split.
    """
    escaped = escape(raw)
    if _utf16_len(escaped) <= budget:
        return escaped
    if budget < 2:
        return ""
    cut = raw[:budget]
    while (over := _utf16_len(escape(cut)) - (budget - 1)) > 0:
        cut = cut[: len(cut) - over]  # every char removed frees at least one unit
    return escape(cut.rstrip()) + "…"


def service_card(service: Service, language: str, limit: int = TEXT_LIMIT, currency: str = "") -> str:
    """The service's details as HTML, at most `limit` characters whatever the panel sent.

    Public: the order wizard and inline mode show the same card.
    """
    card = text(
        language,
        "cat_card",
        name=escape(shorten(service.name, _NAME_LIMIT)),
        id=service.id,
        category=escape(shorten(service.category, 200)),
        type=escape(shorten(type_name(language, service.type), 60)),
        price=price(service, language, currency),
        min=_number(service.min, language),
        max=_number(service.max, language),
        refill=_yes_no(service.refill, language),
        cancel=_yes_no(service.cancel, language),
    )
    if not service.description:
        return card
    opening, closing = "\n\n<blockquote expandable>", "</blockquote>"
    budget = limit - _utf16_len(card + opening + closing)
    description = _escaped_within(service.description, budget)
    return card + opening + description + closing if description.strip() else card


def service_screen(
    service: Service,
    language: str,
    back_data: str,
    currency: str = "",
    *,
    favorite: bool | None = None,
    origin: tuple[str, ...] = (),
) -> Screen:
    """The card with "🛒 Order" (handled by the order wizard) and "‹ Back" to `back_data`;
    with `favorite` known, a ⭐ toggle too (`fav:<id>:<origin>`, so the card keeps its Back)."""
    order = button(text(language, "cat_order"), callbacks.ORDER, service.id)
    back = InlineKeyboardButton(text(language, "nav_back"), callback_data=back_data)
    rows = [[order, back]]
    if favorite is not None:
        label = text(language, "fav_remove" if favorite else "fav_add")
        rows.append([button(label, callbacks.FAVORITE, service.id, *origin)])
    return Screen(service_card(service, language, currency=currency), InlineKeyboardMarkup(rows))


def favorites_screen(catalog: Catalog, favorite_ids: list[int], language: str, page: int) -> Screen:
    """/favorites: the user's starred services still in the catalog, newest first; when
    there are none, how to add one."""
    services = [s for s in (catalog.get(i) for i in favorite_ids) if s is not None]
    if not services:
        return Screen(text(language, "fav_empty"))
    shown = paginate(services, page, PER_PAGE)
    buttons = [service_button(s, language, callbacks.FAVORITES, shown.number) for s in shown.items]
    body = text(language, "fav_title", count=_number(len(services), language))
    return Screen(body, _rows(buttons, nav_row(shown, language, callbacks.FAVORITES)))


# --------------------------------------------------------------------------- search


def search_screen(shown: Page[Service], total: int, query: str, search_id: str, language: str) -> Screen:
    """One page of search results (`shown`, of `total` matches), or a friendly "nothing found"
    with what to try instead."""
    shown_query = escape(shorten(query, 64))
    if not total:
        return Screen(text(language, "search_none", query=shown_query))
    buttons = [service_button(s, language, callbacks.SEARCH, search_id, shown.number) for s in shown.items]
    body = text(language, "search_results", query=shown_query, count=_number(total, language))
    return Screen(body, _rows(buttons, nav_row(shown, language, callbacks.SEARCH, search_id)))


def inline_description(service: Service, language: str) -> str:
    """What an inline result shows under the name, e.g. "12,000/1000 · 100–50,000"."""
    return text(
        language,
        "search_inline_description",
        price=short_price(service, language),
        min=_number(service.min, language),
        max=_number(service.max, language),
    )


def outside(raw: object, limit: int = 200) -> str:
    """Words from the panel or a library, ready for an HTML message: secrets redacted the way
    the logs redact them, one visible line, at most `limit` characters, escaped."""
    return escape(for_user(raw, limit))


def refusal(language: str, raw: object, limit: int = 200, *, html: bool = True) -> str:
    """A panel's refusal in the user's words: a known one (`bot.services.panel_errors`) as one
    clear message with the next step; anything else as the panel wrote it, through `outside`
    (`html=False`, for an alert: redacted and cut the same way, not escaped)."""
    reason = refusal_reason(raw)
    if reason is not None:
        return text(language, reason)
    return outside(raw, limit) if html else for_user(raw, limit)


def refused(context: Context, raw: object, limit: int = 200) -> str:
    """`refusal` in the language of this update (for an HTML message); None reads as nothing."""
    reason = refusal_reason(raw)
    return t(context, reason) if reason is not None else outside("" if raw is None else raw, limit)


def refusal_line(language: str, raw: object, *, html: bool = True) -> str:
    """A refusal as a whole message: "⚠️ <what it means>" or "⚠️ The panel said: <its words>"."""
    reason = refusal_reason(raw)
    if reason is not None:
        return text(language, "panel_refused", message=text(language, reason))
    return text(language, "panel_error", message=refusal(language, raw, html=html))


def _yes_no(flag: bool | None, language: str) -> str:
    """A catalog's yes/no; None: the catalog doesn't say (the panel decides when asked)."""
    if flag is None:
        return text(language, "cat_unknown")
    return text(language, "cat_yes" if flag else "cat_no")


async def render(context: Context, key: str, **values: object) -> str:
    """The text `key` with its values shown the way every screen shows them: money with the
    panel's currency, counts grouped (IDs and line numbers not), a service type in the reader's
    language, anything else escaped.  The currency is looked up only when money is shown."""
    lang = language(context)
    money = any(isinstance(v, Decimal) for v in values.values())
    currency = await deps(context).account.currency() if money else ""
    shown: dict[str, object] = {}
    for name, value in values.items():
        if isinstance(value, Decimal):
            shown[name] = format_money(value, escape(currency), lang)
        elif isinstance(value, int) and not name.endswith("id") and name != "line":
            shown[name] = format_amount(value, lang)
        elif name == "type":
            shown[name] = escape(type_name(lang, str(value)))
        else:
            shown[name] = escape(str(value))
    return t(context, key, **shown)
