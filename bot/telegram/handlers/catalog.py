"""/services: platforms → a platform's categories → a category's services → a service card,
all in one message; ⭐ on the card and /favorites.

Every button here carries untrusted data (old messages outlive catalog
refreshes, clients can forge anything), so each handler validates its args
and answers "this button is no longer active" instead of failing.  The catalog
is read before the callback is answered on purpose: if the panel is down on
the very first load, the global error handler answers the query and explains.
"""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.numbers import ascii_int
from bot.panel.models import Service
from bot.services.catalog import Catalog, category_key
from bot.telegram import callbacks, replies, views
from bot.telegram.context import App, Context, deps, language, t
from bot.telegram.working import working

# A category key or search id inside a card's "back" data: short and colon-free.
_ORIGIN_KEY = re.compile(r"[0-9A-Za-z_-]{1,16}")


async def services_command(update: Update, context: Context) -> None:
    """`/services`: the first page of platforms, as a new message the buttons then edit."""
    catalog = await _catalog(update, context)
    await views.show(update, context, views.platforms_screen(catalog, language(context), 0))


async def categories_page(update: Update, context: Context) -> None:
    """`cat:<page>`: a page of /services (out-of-range pages show the nearest one)."""
    catalog = await _catalog(update, context)
    page = views.page_arg(callbacks.parse(_data(update)), 0)
    if page is None:
        await views.stale(update, context)
        return
    await views.show(update, context, views.platforms_screen(catalog, language(context), page))


async def platform_page(update: Update, context: Context) -> None:
    """`pf:<platform key>:<page>`: a page of one platform's categories."""
    catalog = await _catalog(update, context)
    args = callbacks.parse(_data(update))
    platform = catalog.platform(args[0]) if args else None
    page = views.page_arg(args, 1)
    if platform is None or page is None:
        await views.stale(update, context)
        return
    await views.show(update, context, views.platform_screen(catalog, platform, language(context), page))


async def category_page(update: Update, context: Context) -> None:
    """`cs:<category key>:<page>`: a page of one category's services."""
    catalog = await _catalog(update, context)
    args = callbacks.parse(_data(update))
    category = catalog.category(args[0]) if args else None
    page = views.page_arg(args, 1)
    if category is None or page is None:
        await views.stale(update, context)
        return
    screen = views.category_screen(catalog, category, language(context), page)
    await views.show(update, context, screen)


async def open_service(update: Update, context: Context) -> None:
    """`sv:<id>[:<back prefix>:<key>:<page>]`: the card, with "‹ Back" to where it was opened."""
    catalog = await _catalog(update, context)
    args = callbacks.parse(_data(update))
    service_id = callbacks.int_arg(args, 0)
    service = catalog.get(service_id) if service_id is not None else None
    if service is None:
        await views.stale(update, context)
        return
    await views.show(update, context, await _card(update, context, catalog, service, args[1:]))


async def toggle_favorite(update: Update, context: Context) -> None:
    """`fav:<id>[:<origin>]`: ⭐ on the card — star or unstar, say which in a toast, and show
    the card again with the button flipped (and the same Back)."""
    catalog = await _catalog(update, context)
    args = callbacks.parse(_data(update))
    service_id = callbacks.int_arg(args, 0)
    service = catalog.get(service_id) if service_id is not None else None
    user = update.effective_user
    query = update.callback_query
    if service is None or user is None or query is None:
        await views.stale(update, context)
        return
    favorite = await deps(context).favorites.toggle(user.id, service.id)
    await query.answer(t(context, "fav_added" if favorite else "fav_removed"))
    screen = await _card(update, context, catalog, service, args[1:])
    await replies.edit(update, context, screen.text, screen.keyboard)


async def favorites_command(update: Update, context: Context) -> None:
    """`/favorites` and `fl:<page>`: the user's starred services as service buttons."""
    catalog = await _catalog(update, context)
    page = views.page_arg(callbacks.parse(_data(update)), 0) if update.callback_query else 0
    user = update.effective_user
    if page is None or user is None:
        await views.stale(update, context)
        return
    ids = await deps(context).favorites.ids(user.id)
    await views.show(update, context, views.favorites_screen(catalog, ids, language(context), page))


async def _card(
    update: Update, context: Context, catalog: Catalog, service: Service, origin: list[str]
) -> views.Screen:
    """The card, its Back leading where it was opened from, its ⭐ showing this user's state."""
    back = back_data(catalog, service, origin)
    kept = tuple(origin) if origin and back == callbacks.make(*origin) else ()  # a valid origin only
    user = update.effective_user
    currency = await deps(context).shop.currency(user.id if user is not None else None)
    favorite = await deps(context).favorites.contains(user.id, service.id) if user is not None else None
    return views.service_screen(service, language(context), back, currency, favorite=favorite, origin=kept)


async def _catalog(update: Update, context: Context) -> Catalog:
    """The catalog as this user sees it (a customer: retail prices).  When it must be loaded
    first, the user waits for the panel: at most the interactive deadline
    (`CatalogCache.refresh`), with "typing…" shown meanwhile."""
    shop, user = deps(context).shop, update.effective_user
    user_id = user.id if user is not None else 0
    if deps(context).catalog.current is not None:
        return await shop.catalog_for(user_id)
    async with working(update, context):
        return await shop.catalog_for(user_id)


def back_data(catalog: Catalog, service: Service, origin: list[str]) -> str:
    """Where "‹ Back" leads: the list the card was opened from, if the data names a valid
    one (`cs:<key>:<page>`, `sq:<search id>:<page>` or `fl:<page>`), else the service's own
    category page.

    The target handler re-validates when tapped; this only guarantees well-formed, short data.
    """
    if (
        len(origin) == 3
        and origin[0] in (callbacks.CATEGORY, callbacks.SEARCH)
        and _ORIGIN_KEY.fullmatch(origin[1])
        and ascii_int(origin[2], max_digits=6) is not None
    ) or (
        len(origin) == 2
        and origin[0] == callbacks.FAVORITES
        and ascii_int(origin[1], max_digits=6) is not None
    ):
        return callbacks.make(*origin)
    category = catalog.category(category_key(service.category))
    if category is None:  # cannot happen for a service of this snapshot; stay safe anyway
        return callbacks.make(callbacks.CATEGORIES, 0)
    return callbacks.make(callbacks.CATEGORY, category.key, views.category_page_of(category, service))


async def noop(update: Update, context: Context) -> None:
    """Labels such as the "2/7" page counter: just stop the client's spinner."""
    if update.callback_query is not None:
        await update.callback_query.answer()


def _data(update: Update) -> str | None:
    return update.callback_query.data if update.callback_query else None


def register(app: App) -> None:
    app.add_handler(CommandHandler("services", services_command))
    app.add_handler(CommandHandler("favorites", favorites_command))
    app.add_handler(CallbackQueryHandler(platform_page, pattern=callbacks.pattern(callbacks.PLATFORM)))
    app.add_handler(CallbackQueryHandler(toggle_favorite, pattern=callbacks.pattern(callbacks.FAVORITE)))
    app.add_handler(CallbackQueryHandler(favorites_command, pattern=callbacks.pattern(callbacks.FAVORITES)))
    app.add_handler(CallbackQueryHandler(categories_page, pattern=callbacks.pattern(callbacks.CATEGORIES)))
    app.add_handler(CallbackQueryHandler(category_page, pattern=callbacks.pattern(callbacks.CATEGORY)))
    app.add_handler(CallbackQueryHandler(open_service, pattern=callbacks.pattern(callbacks.SERVICE)))
    app.add_handler(CallbackQueryHandler(noop, pattern=callbacks.pattern(callbacks.NOOP)))
