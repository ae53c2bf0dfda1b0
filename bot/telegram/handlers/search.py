"""Search: /search <words>, plain text in private chats, and inline mode (@bot words).

A query can be long and multibyte, so it never goes into callback data: it is
kept in the user's data under a short random id, and result pages are turned
with `sq:<search id>:<page>`.  Only the last few searches are kept, so the
user data (persisted as JSON) stays small.
"""

from __future__ import annotations

import logging
import secrets

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ParseMode
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.numbers import ascii_int
from bot.panel.errors import PanelClientError
from bot.panel.models import Service
from bot.services.search import Matches
from bot.telegram import callbacks, replies, views
from bot.telegram.context import App, Context, deps, language
from bot.telegram.keyboards import Page, paginate, shorten

log = logging.getLogger(__name__)

SEARCHES_KEY = "searches"  # user_data: {search id: query}, oldest first
MAX_SEARCHES = 10
MAX_QUERY_CHARS = 256  # longer text is not a search anyone means; keeps stored data small
INLINE_RESULTS = 50  # Telegram's maximum per answer
INLINE_CACHE_SECONDS = 60


async def search_command(update: Update, context: Context) -> None:
    """`/search words`; without words, explain how searching works."""
    query = " ".join(context.args or [])
    if not query.strip():
        await replies.reply(update, context, "search_hint")
        return
    await _search(update, context, query)


async def search_text(update: Update, context: Context) -> None:
    """Any plain text in a private chat (outside the order wizard) is a search."""
    message = update.effective_message
    if message is not None and message.text:
        await _search(update, context, message.text)


async def _search(update: Update, context: Context, query: str) -> None:
    catalog = await deps(context).catalog.get()
    query = query.strip()[:MAX_QUERY_CHARS]
    results = deps(context).search.matches(catalog, query)
    shown = await _priced_page(update, context, results, 0)
    search_id = _remember(context, query) if results else ""
    screen = views.search_screen(shown, len(results), query, search_id, language(context))
    await views.show(update, context, screen)


async def results_page(update: Update, context: Context) -> None:
    """`sq:<search id>:<page>`: another page of an earlier search, run again on today's catalog."""
    catalog = await deps(context).catalog.get()
    args = callbacks.parse(update.callback_query.data if update.callback_query else None)
    query = _recall(context, args[0]) if args else None
    page = views.page_arg(args, 1)
    if query is None or page is None:
        await views.stale(update, context)
        return
    results = deps(context).search.matches(catalog, query)
    shown = await _priced_page(update, context, results, page)
    screen = views.search_screen(shown, len(results), query, args[0], language(context))
    await views.show(update, context, screen)


async def inline_search(update: Update, context: Context) -> None:
    """`@bot words`: up to 50 services per answer, more on scrolling (`next_offset`)."""
    inline = update.inline_query
    if inline is None:
        return
    offset = ascii_int(inline.offset, max_digits=6) or 0
    try:
        catalog = await deps(context).catalog.get()
    except PanelClientError as exc:  # nowhere to write an apology: an empty answer, retried soon
        log.warning("inline search without a catalog: %s", exc)
        await inline.answer([], cache_time=5, is_personal=True)
        return
    query = inline.query.strip()[:MAX_QUERY_CHARS]
    found = deps(context).search.search(catalog, query, limit=offset + INLINE_RESULTS + 1)
    page = await _priced(update, context, found[offset : offset + INLINE_RESULTS])
    more = len(found) > offset + INLINE_RESULTS
    currency = await deps(context).shop.currency(inline.from_user.id)
    # Personal: cached answers are in the asking user's language.
    await inline.answer(
        [_article(service, language(context), currency) for service in page],
        cache_time=INLINE_CACHE_SECONDS,
        is_personal=True,
        next_offset=str(offset + INLINE_RESULTS) if more else "",
    )


async def _priced_page(update: Update, context: Context, results: Matches, page: int) -> Page[Service]:
    """The page shown, ranked and priced alone: ranking or pricing thousands of matches (a
    search for "like") to show ten cost more than everything else an answer does."""
    shown = paginate(results, page, views.PER_PAGE)
    return Page(await _priced(update, context, list(shown.items)), shown.number, shown.count)


async def _priced(update: Update, context: Context, services: list[Service]) -> list[Service]:
    """Search runs on the panel's catalog; a customer is shown the results at retail prices."""
    user = update.effective_user
    return await deps(context).shop.priced(user.id if user is not None else 0, services)


def _article(service: Service, lang: str, currency: str) -> InlineQueryResultArticle:
    card = views.service_card(service, lang, limit=views.INLINE_CARD_LIMIT, currency=currency)
    return InlineQueryResultArticle(
        id=str(service.id),
        title=shorten(service.name, 100),
        description=views.inline_description(service, lang),
        input_message_content=InputTextMessageContent(card, parse_mode=ParseMode.HTML),
    )


def _remember(context: Context, query: str) -> str:
    """Store the query under a new short id; the oldest searches are forgotten."""
    user_data = context.user_data
    if user_data is None:
        return ""
    searches: dict[str, str] = user_data.setdefault(SEARCHES_KEY, {})
    search_id = secrets.token_hex(3)
    searches[search_id] = query
    for old in list(searches)[:-MAX_SEARCHES]:
        del searches[old]
    return search_id


def _recall(context: Context, search_id: str) -> str | None:
    searches = (context.user_data or {}).get(SEARCHES_KEY)
    query = searches.get(search_id) if isinstance(searches, dict) else None
    return query if isinstance(query, str) else None


def register(app: App) -> None:
    app.add_handler(CommandHandler("search", search_command))
    app.add_handler(CallbackQueryHandler(results_page, pattern=callbacks.pattern(callbacks.SEARCH)))
    app.add_handler(InlineQueryHandler(inline_search))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE, search_text))
