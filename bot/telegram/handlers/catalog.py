"""/services: categories → a category's services → a service card, all in one message.

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
from bot.telegram import callbacks, views
from bot.telegram.context import App, Context, deps, language
from bot.telegram.working import working

# A category key or search id inside a card's "back" data: short and colon-free.
_ORIGIN_KEY = re.compile(r"[0-9A-Za-z_-]{1,16}")


async def services_command(update: Update, context: Context) -> None:
    """`/services`: the first page of categories, as a new message the buttons then edit."""
    catalog = await _catalog(update, context)
    await views.show(update, context, views.categories_screen(catalog, language(context), 0))


async def categories_page(update: Update, context: Context) -> None:
    """`cat:<page>`: a page of the category list (out-of-range pages show the nearest one)."""
    catalog = await _catalog(update, context)
    page = views.page_arg(callbacks.parse(_data(update)), 0)
    if page is None:
        await views.stale(update, context)
        return
    await views.show(update, context, views.categories_screen(catalog, language(context), page))


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
    back = back_data(catalog, service, args[1:])
    currency = await deps(context).account.currency()
    await views.show(update, context, views.service_screen(service, language(context), back, currency))


async def _catalog(update: Update, context: Context) -> Catalog:
    """The catalog.  When it must be loaded first, the user waits for the panel: at most the
    interactive deadline (`CatalogCache.refresh`), with "typing…" shown meanwhile."""
    cache = deps(context).catalog
    if cache.current is not None:
        return await cache.get()
    async with working(update, context):
        return await cache.get()


def back_data(catalog: Catalog, service: Service, origin: list[str]) -> str:
    """Where "‹ Back" leads: the list the card was opened from, if the data names a valid
    one (`cs:<key>:<page>` or `sq:<search id>:<page>`), else the service's own category page.

    The target handler re-validates when tapped; this only guarantees well-formed, short data.
    """
    if (
        len(origin) == 3
        and origin[0] in (callbacks.CATEGORY, callbacks.SEARCH)
        and _ORIGIN_KEY.fullmatch(origin[1])
        and ascii_int(origin[2], max_digits=6) is not None
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
    app.add_handler(CallbackQueryHandler(categories_page, pattern=callbacks.pattern(callbacks.CATEGORIES)))
    app.add_handler(CallbackQueryHandler(category_page, pattern=callbacks.pattern(callbacks.CATEGORY)))
    app.add_handler(CallbackQueryHandler(open_service, pattern=callbacks.pattern(callbacks.SERVICE)))
    app.add_handler(CallbackQueryHandler(noop, pattern=callbacks.pattern(callbacks.NOOP)))
