"""Catalog browsing and search: the bot's own handling time per update, network excluded.

What is timed, per update: the raw update dict → `Update.de_json` → the application's update
processor (per-user ordering and the per-update log line, formatted as in production) →
`Application.process_update` on the bot's real Application, i.e. every handler group (access
gate, user pre-handler, the order wizard's conversation check, the catalog/search handler), the
view builders, and PTB's serialisation of the answer, with the HTTP transport swapped for an
in-memory stub and the rate limiter removed (`common.use_stub_transport`).  That is everything
the bot process does for a tap except waiting for Telegram.  The view builders and
`ServiceSearch.search` alone are timed as well, to show how the total splits between our code
and PTB's dispatch.
"""

from __future__ import annotations

import asyncio
import io
import logging
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
from telegram import Update
from telegram.ext import Application

from bench import memory
from bench.common import (
    PANEL_KEY,
    QUERIES,
    Check,
    ScenarioResult,
    Sizes,
    StubBotApi,
    Updates,
    ms,
    percentile,
    settings_for,
    simulator,
    use_stub_transport,
)
from bot.logs import RedactingFormatter
from bot.runtime import BotRuntime
from bot.services.catalog import Catalog, Category
from bot.telegram import callbacks, views
from tests.support.runtime import free_port

TARGET_P99_MS = 5.0
USERS = range(1, 51)  # handlers keep per-user state (language, searches): spread it like real traffic
BROWSE_STEPS = ("open category", "next page", "open service")


async def run(sizes: Sizes) -> ScenarioResult:
    with tempfile.TemporaryDirectory(prefix="bench-catalog-") as tmp:
        async with simulator(sizes) as sim:
            settings = settings_for(Path(tmp) / "bot.sqlite3", "http://127.0.0.1:9/bot", sim.url)
            runtime = BotRuntime(settings)
            stub = use_stub_transport(runtime.app)
            await runtime.store.open()
            try:
                await runtime.access.load()
                await runtime.app.initialize()
                with _update_log(settings.secrets):
                    return await _measure(runtime, stub, sizes)
            finally:
                await runtime.stop()


async def _measure(runtime: BotRuntime, stub: StubBotApi, sizes: Sizes) -> ScenarioResult:
    started = time.perf_counter()
    catalog = await runtime.catalog.get()
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    runtime.deps.search.prepare(catalog)
    index_s = time.perf_counter() - started
    currency = await runtime.deps.account.currency()  # learned once at start-up in production

    app, updates = runtime.app, Updates()
    for user_id in USERS:  # first sight of a user writes to the store; steady state doesn't
        await _dispatch(app, updates.message(user_id, "/start"))
    before = stub.calls.copy()

    rng = random.Random(7)
    browse: dict[str, list[float]] = {step: [] for step in BROWSE_STEPS}
    views_only: list[float] = []
    for index in range(sizes.browse_samples):
        user_id = USERS[index % len(USERS)]
        category = rng.choice(catalog.categories)
        page, service_id = _pick(category, rng)
        datas = (
            callbacks.make(callbacks.CATEGORY, category.key, 0),
            callbacks.make(callbacks.CATEGORY, category.key, page),
            callbacks.make(callbacks.SERVICE, service_id, callbacks.CATEGORY, category.key, page),
        )
        for step, data in zip(BROWSE_STEPS, datas, strict=True):
            browse[step].append(await _dispatch(app, updates.callback(user_id, data)))
        views_only.extend(_time_views(catalog, category, page, service_id, currency))

    searches: list[float] = []
    search_only: list[float] = []
    for index in range(sizes.search_samples):
        query = QUERIES[index % len(QUERIES)]
        searches.append(await _dispatch(app, updates.message(USERS[index % len(USERS)], f"/search {query}")))
        started = time.perf_counter()
        runtime.deps.search.matches(catalog, query)[: views.PER_PAGE]  # what /search ranks
        search_only.append(time.perf_counter() - started)

    problems = _unexpected_calls(stub, before, sizes)
    return _result(sizes, catalog, load_s, index_s, browse, views_only, searches, search_only, problems)


def _pick(category: Category, rng: random.Random) -> tuple[int, int]:
    """The page "Next ›" leads to (0 if the category fits on one page) and a service on it."""
    pages = max(1, -(-len(category.service_ids) // views.PER_PAGE))
    page = 1 if pages > 1 else 0
    on_page = category.service_ids[page * views.PER_PAGE : (page + 1) * views.PER_PAGE]
    return page, rng.choice(on_page)


async def _dispatch(app: Application, raw: dict[str, Any]) -> float:
    """Seconds from a raw update to the bot's answer handed to the (stub) transport, along the
    path the Updater takes: the update processor wrapping `process_update`."""
    started = time.perf_counter()
    update = Update.de_json(raw, app.bot)
    await app.update_processor.process_update(update, app.process_update(update))
    return time.perf_counter() - started


@contextmanager
def _update_log(secrets: tuple[str, ...]) -> Iterator[None]:
    """The bot logs one INFO line per update through a redacting formatter; pay for it as the
    bot does, into a buffer instead of stderr."""
    logger = logging.getLogger("bot.updates")
    handler = logging.StreamHandler(io.StringIO())
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets))
    saved = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


def _time_views(
    catalog: Catalog, category: Category, page: int, service_id: int, currency: str
) -> list[float]:
    """The three screens of a browse path built directly: our rendering cost without PTB."""
    service = catalog.by_id[service_id]
    back = callbacks.make(callbacks.CATEGORY, category.key, page)
    timings = []
    for build in (
        lambda: views.category_screen(catalog, category, "en", 0),
        lambda: views.category_screen(catalog, category, "en", page),
        lambda: views.service_screen(service, "en", back, currency),
    ):
        started = time.perf_counter()
        build()
        timings.append(time.perf_counter() - started)
    return timings


def _unexpected_calls(stub: StubBotApi, before: Counter[str], sizes: Sizes) -> list[str]:
    """Every browse step must edit the message once and answer its query once, every search must
    send one message; anything else (an error message, a stale-button alert) means the timings
    are of the wrong code path."""
    taps = sizes.browse_samples * len(BROWSE_STEPS)
    expected = {"editMessageText": taps, "answerCallbackQuery": taps, "sendMessage": sizes.search_samples}
    made = stub.calls - before
    return [
        f"{name}: {made.get(name, 0)} calls, expected {count}"
        for name, count in expected.items()
        if made.get(name, 0) != count
    ]


def _result(
    sizes: Sizes,
    catalog: Catalog,
    load_s: float,
    index_s: float,
    browse: dict[str, list[float]],
    views_only: list[float],
    searches: list[float],
    search_only: list[float],
    problems: list[str],
) -> ScenarioResult:
    pooled = [t for step in BROWSE_STEPS for t in browse[step]]
    browse_p99, search_p99 = ms(percentile(pooled, 99)), ms(percentile(searches, 99))

    def p50_p99(values: list[float]) -> str:
        return f"{ms(percentile(values, 50)):.2f} / {ms(percentile(values, 99)):.2f} ms"

    rows = [
        ("catalog", f"{len(catalog.services):,} services in {len(catalog.categories)} categories"),
        ("catalog load (panel fetch + parse), once", f"{ms(load_s):.0f} ms"),
        ("search index build, once per catalog", f"{ms(index_s):.0f} ms"),
        *((f"{step} p50 / p99 ({len(browse[step])} taps)", p50_p99(browse[step])) for step in BROWSE_STEPS),
        ("browse step p50 / p99 (all taps)", p50_p99(pooled)),
        ("  of which view builders alone p50 / p99", p50_p99(views_only)),
        (f"/search p50 / p99 ({len(searches)} queries)", p50_p99(searches)),
        ("  of which the search alone (first page) p50 / p99", p50_p99(search_only)),
    ]
    checks = [
        Check(f"browse p99 < {TARGET_P99_MS:g} ms", browse_p99 < TARGET_P99_MS),
        Check(f"search p99 < {TARGET_P99_MS:g} ms", search_p99 < TARGET_P99_MS),
        Check("every update took the intended code path", not problems),
    ]
    notes = [
        "Timed: raw update → Update.de_json → update processor → Application.process_update on "
        "the bot's real Application (all handler groups + views + PTB serialisation + the "
        "per-update log line); transport stubbed in memory, rate limiter removed. "
        "Network and Telegram excluded.",
        *problems,
    ]
    return ScenarioResult(
        "catalog",
        f"Catalog browsing and search ({sizes.label})",
        {"browse_p99_ms": browse_p99, "search_p99_ms": search_p99},
        rows,
        checks,
        notes,
    )


TARGET_RELOAD_BLOCK_MS = 50.0
TARGET_LARGE_P99_MS = 3.0  # browse and search, in process
TARGET_LARGE_PEAK_MB = 150.0


async def run_large(sizes: Sizes) -> ScenarioResult:
    """A big panel's catalog (`large_catalog` services): how long a reload (fetch, decode,
    parse, group, index) blocks the event loop, measured by a ticker that wakes every
    millisecond meanwhile; browse (the three screens of a browse path, built by the views) and
    search (`ServiceSearch.matches`, the first page) at that size; and the peak resident set
    of a bot process holding that catalog and the memory scenario's 100,000 orders.

    The catalog is served by a separate process (the simulator's answer, encoded once): served
    from this process, encoding 23 MB of JSON would block this loop itself (≈ 200 ms), which
    is the panel's work, not the bot's."""
    count = sizes.large_catalog
    with tempfile.TemporaryDirectory(prefix="bench-catalog-large-") as tmp:
        categories = max(20, count // 70)
        sim = simulator(replace(sizes, catalog_services=count, catalog_categories=categories))
        async with sim:
            answer = await _services_answer(sim.url)
        body = Path(tmp) / "services.json"
        body.write_bytes(answer)
        port = free_port()
        server = await asyncio.create_subprocess_exec(
            sys.executable, "-c", _STATIC_PANEL, str(body), str(port), stdout=asyncio.subprocess.PIPE
        )
        try:
            assert server.stdout is not None
            await asyncio.wait_for(server.stdout.readline(), 30)  # "ready"
            url = f"http://127.0.0.1:{port}/api/v2"
            settings = settings_for(Path(tmp) / "bot.sqlite3", "http://127.0.0.1:9/bot", url)
            runtime = BotRuntime(settings)
            try:
                gaps: list[float] = []
                ticking = True

                async def ticker() -> None:
                    last = time.perf_counter()
                    while ticking:
                        await asyncio.sleep(0.001)
                        now = time.perf_counter()
                        gaps.append(now - last)
                        last = now

                tick = asyncio.create_task(ticker())
                started = time.perf_counter()
                catalog = await runtime.catalog.refresh(interactive=False)
                reload_s = time.perf_counter() - started
                ticking = False
                await tick
                search = runtime.deps.search
                timings = []
                for _ in range(max(1, sizes.search_samples // len(QUERIES))):
                    for query in QUERIES:
                        begun = time.perf_counter()
                        search.matches(catalog, query)[: views.PER_PAGE]
                        timings.append(time.perf_counter() - begun)
                rng = random.Random(7)
                browsing: list[float] = []
                for _ in range(sizes.browse_samples):
                    category = rng.choice(catalog.categories)
                    page, service_id = _pick(category, rng)
                    browsing.extend(_time_views(catalog, category, page, service_id, "USD"))
            finally:
                await runtime.stop()
        finally:
            server.terminate()
            await server.wait()
    child = await memory.measure_child(replace(sizes, catalog_services=count, catalog_categories=categories))
    peak_mb = child["peak_kb"] / 1024
    block_ms = ms(max(gaps)) if gaps else 0.0
    search_p99, browse_p99 = ms(percentile(timings, 99)), ms(percentile(browsing, 99))
    rows = [
        ("services", f"{len(catalog.services):,}"),
        ("reload (fetch, decode, parse, group, index) wall", f"{reload_s:.3f} s"),
        ("longest the event loop was blocked meanwhile", f"{block_ms:.1f} ms"),
        ("browse screen p50 / p99 (views)", f"{ms(percentile(browsing, 50)):.3f} / {browse_p99:.3f} ms"),
        ("search p50 / p99 (first page)", f"{ms(percentile(timings, 50)):.3f} / {search_p99:.3f} ms"),
        ("peak RSS, a bot with this catalog + 100,000 orders", f"{peak_mb:.1f} MB"),
        *((f"  RSS after {stage}", f"{kb / 1024:.1f} MB") for stage, kb in child["stages_kb"].items()),
    ]
    checks = [
        Check(f"reload blocks the loop ≤ {TARGET_RELOAD_BLOCK_MS:g} ms", block_ms <= TARGET_RELOAD_BLOCK_MS),
        Check(f"browse p99 ≤ {TARGET_LARGE_P99_MS:g} ms", browse_p99 <= TARGET_LARGE_P99_MS),
        Check(f"search p99 ≤ {TARGET_LARGE_P99_MS:g} ms", search_p99 <= TARGET_LARGE_P99_MS),
        Check(f"peak RSS ≤ {TARGET_LARGE_PEAK_MB:g} MB", peak_mb <= TARGET_LARGE_PEAK_MB),
    ]
    metrics = {
        "services": len(catalog.services),
        "browse_p99_ms": round(browse_p99, 3),
        "search_p99_ms": round(search_p99, 3),
        "reload_block_ms": round(block_ms, 1),
        "peak_rss_mb": round(peak_mb, 1),
    }
    notes = ["The catalog is served by another process (the simulator's answer, encoded once)."]
    title = f"Large catalog ({sizes.label})"
    return ScenarioResult("catalog_large", title, metrics, rows, checks, notes)


async def _services_answer(url: str) -> bytes:
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json={"key": PANEL_KEY, "action": "services"}) as response,
    ):
        return await response.read()


# A panel that answers every POST with one prepared body (the services list): in a process
# of its own, so its work is not in the bot's event loop.
_STATIC_PANEL = """
import sys
from aiohttp import web
body = open(sys.argv[1], "rb").read()
async def answer(request):
    await request.read()
    return web.Response(body=body, content_type="application/json")
app = web.Application(client_max_size=1 << 20)
app.router.add_post("/api/v2", answer)
async def ready(app):
    print("ready", flush=True)
app.on_startup.append(ready)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[2]), print=None, access_log=None)
"""
