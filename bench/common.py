"""Shared benchmark plumbing: sizes, results, settings, fakes, seeding and child processes.

Kept in one module so that every scenario builds its world the same way and a change of
method (how a reply is observed, how orders are seeded) applies everywhere at once.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import os
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple, ParamSpec, TypeVar

from aiohttp import web
from sqlalchemy.dialects import postgresql, sqlite
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

from bot.config import Settings, load_settings
from bot.panel.simulator import PanelSimulator
from bot.store import Store, tables
from bot.store.models import utcnow
from tests.support.fake_telegram import FakeTelegram, SentMessage

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:BENCH-token-not-real"
PANEL_KEY = "bench-panel-key"
BOT_USER: dict[str, Any] = {
    "id": 123456,
    "is_bot": True,
    "first_name": "Bench Bot",
    "username": "smm_bench_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}

# Search input mixed like real users type it: English and Vietnamese, with and without
# diacritics, one to four words, a service ID, and a query that finds nothing.
QUERIES = (
    "like",
    "tang like",
    "Tăng like bài viết",
    "follow instagram",
    "tiktok view",
    "youtube subscribers",
    "facebook tăng like fanpage",
    "telegram member",
    "shopee",
    "sv1 tiktok",
    "live",
    "view reels",
    "bình luận",
    "comments",
    "twitter retweet",
    "spotify plays",
    "mắt livestream",
    "42",
    "xyzzy nothing",
)

P = ParamSpec("P")
R = TypeVar("R")


# ----------------------------------------------------------------------------- sizes and results


@dataclass(frozen=True)
class Sizes:
    """How big each scenario is. `FULL` produces the published numbers, `QUICK` is a CI smoke run
    that exercises every code path with tiny data (its figures mean nothing)."""

    label: str
    catalog_services: int
    catalog_categories: int
    browse_samples: int  # per browse step (open category, next page, open service)
    search_samples: int
    tracked_orders: int
    active_orders: int
    notifications: int
    update_users: int
    startup_runs: int
    wallets: int
    ledger_entries: int  # seeded across the wallets, before anything is timed
    wallet_reads: int  # /balance reads, and as many confirms
    refunds: int  # wallet-paid orders that one cycle refunds
    latency_orders: int = 100_000  # all running, polled at a real panel's pace
    panel_latency_s: float = 0.3  # per call, as real panels answer
    large_catalog: int = 50_000  # services of a big panel's catalog


FULL = Sizes("full", 10_000, 150, 300, 300, 100_000, 20_000, 1_000, 200, 5, 10_000, 1_000_000, 2_000, 5_000)
QUICK = Sizes("quick", 500, 20, 30, 30, 2_000, 400, 30, 10, 1, 50, 2_000, 100, 50, 2_000, 0.05, 2_000)


@dataclass(frozen=True)
class Check:
    """One target, e.g. "browse p99 < 5 ms", and whether this run met it."""

    what: str
    ok: bool


@dataclass
class ScenarioResult:
    """What a scenario hands back: `metrics` go to the JSON file (exact keys), `rows` to the
    table (may show more, e.g. p50s and breakdowns), `notes` explain the method."""

    name: str
    title: str
    metrics: dict[str, float]
    rows: list[tuple[str, str]] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), so the p99 of 300 samples
    is not simply their maximum."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


class Meter:
    """Wall time spent inside wrapped coroutine functions, e.g. every store call of a cycle.

    Only meaningful where the wrapped calls are awaited one after another (the poller's loop);
    with concurrent callers the intervals would overlap.
    """

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0

    def wrap(self, func: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        async def timed(*args: P.args, **kwargs: P.kwargs) -> R:
            started = time.perf_counter()
            try:
                return await func(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started
                self.calls += 1

        return timed


async def wait_until(
    predicate: Callable[[], bool], timeout: float, what: str, interval: float = 0.01
) -> None:
    """Poll `predicate` until true; a benchmark that silently waits forever measures nothing."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(interval)


# ----------------------------------------------------------------------------- settings and fakes


def simulator(sizes: Sizes, **kwargs: Any) -> PanelSimulator:
    """The panel simulator with this run's catalog size (latency 0: we time the bot, not a panel)."""
    return PanelSimulator(
        api_key=PANEL_KEY, service_count=sizes.catalog_services, categories=sizes.catalog_categories, **kwargs
    )


def database_env(database: str | Path) -> dict[str, str]:
    """How the bot is told its database: a SQLite path (`DATABASE_PATH`) or a PostgreSQL URL
    (`DATABASE_URL`, which wins over the path, as in production)."""
    if isinstance(database, Path):
        return {"DATABASE_PATH": str(database)}
    return {"DATABASE_URL": database}


def settings_for(database: str | Path, telegram_url: str, panel_url: str, **overrides: Any) -> Settings:
    """Settings as the tests build them: parsed from an env mapping, then adjusted.

    The tracking job is off (status_poll_seconds=0): scenarios run cycles by hand so that a
    timer-driven cycle can't land in the middle of a measurement.
    """
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": telegram_url,
        "SMM_API_URL": panel_url,
        "SMM_API_KEY": PANEL_KEY,
        **database_env(database),
        "ALLOWED_USER_IDS": "*",
    }
    return replace(load_settings(env, dotenv=None), **{"status_poll_seconds": 0, **overrides})


def bot_env(database: str | Path, telegram_url: str, panel_url: str, **extra: str) -> dict[str, str]:
    """Environment for a bot child process: only what `python -m bot` reads, nothing inherited
    that could change its behaviour (a developer's ADMIN_IDS, LOG_LEVEL...)."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": telegram_url,
        "SMM_API_URL": panel_url,
        "SMM_API_KEY": PANEL_KEY,
        **database_env(database),
        "ALLOWED_USER_IDS": "*",
        "STATUS_POLL_SECONDS": "3600",
        **extra,
    }


class Reply(NamedTuple):
    at: float  # time.monotonic() when the fake accepted the send/edit
    message: SentMessage  # the live message object (tap its buttons later)


class BenchTelegram(FakeTelegram):
    """The project's fake Bot API plus two things a benchmark needs and the tests don't.

    * `first_arrival`: when each method was first *requested*.  The fake logs a call when it
      answers it, and a long poll is answered only when an update arrives or its timeout ends,
      so "the bot started polling" has to be taken at arrival.
    * `expect_reply(chat_id)`: a future resolved by the next message sent or edited in that
      chat.  `FakeUser.reply()` re-checks every waiting user on every event, which with 200
      users would cost the benchmark process more CPU than the bot it measures.
    """

    def __init__(self, *, latency: float = 0.0, **kwargs: Any) -> None:
        """`latency`: seconds added before each answer, as a distant Bot API's round trip."""
        super().__init__(token=TOKEN, bot_id=BOT_USER["id"], bot_username=BOT_USER["username"], **kwargs)
        self.first_arrival: dict[str, float] = {}
        self._reply_waiters: dict[int, asyncio.Future[Reply]] = {}
        self._latency = latency

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.path.rstrip("/").rsplit("/", 1)[-1].lower()
        self.first_arrival.setdefault(method, time.monotonic())
        if self._latency:
            await asyncio.sleep(self._latency)
        return await super()._handle(request)

    def _record_event(self, msg: SentMessage) -> None:
        super()._record_event(msg)
        waiter = self._reply_waiters.pop(msg.chat_id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(Reply(time.monotonic(), msg))

    def expect_reply(self, chat_id: int) -> asyncio.Future[Reply]:
        """Call *before* pushing the update, so a fast reply can't be missed."""
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._reply_waiters[chat_id] = future
        return future

    def chat_member_update(self, user_id: int) -> None:
        """The user (re)starts the bot: Telegram sends `my_chat_member` and from then on lets the
        bot write to them.  The bot answers nothing to it, so this opens a chat for notifications
        without a greeting that would eat into the rate limit being measured."""
        user = self.user(user_id, first_name=f"User{user_id}")
        self.push_update(
            {
                "my_chat_member": {
                    "chat": user.private_chat(),
                    "from": user.user_dict(),
                    "date": int(time.time()),
                    "old_chat_member": {"status": "kicked", "user": self.bot_user, "until_date": 0},
                    "new_chat_member": {"status": "member", "user": self.bot_user},
                }
            }
        )


class StubBotApi(BaseRequest):
    """An in-memory Bot API transport: every method is answered at once and counted.

    Used where we time the bot's own handling: a loopback round trip and the fake's HTML
    validation would cost more than the handler under test.  Request parameters are still
    serialised exactly as PTB's HTTP transport does, because the bot pays for that in production.
    """

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        message = {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": 1, "type": "private"},
            "from": BOT_USER,
            "text": "ok",
        }
        self._answers = {name: _ok(message) for name in ("sendMessage", "editMessageText")}
        self._answers["getMe"] = _ok(BOT_USER)
        self._true = _ok(True)

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = None,
        write_timeout: object = None,
        connect_timeout: object = None,
        pool_timeout: object = None,
    ) -> tuple[int, bytes]:
        if request_data is not None:
            request_data.json_parameters  # noqa: B018 - the serialisation HTTPXRequest performs
        endpoint = url.rsplit("/", 1)[-1]
        self.calls[endpoint] += 1
        return 200, self._answers.get(endpoint, self._true)


def _ok(result: object) -> bytes:
    return json.dumps({"ok": True, "result": result}).encode()


def use_stub_transport(app: Application) -> StubBotApi:
    """Replace the application's HTTP transport with `StubBotApi` and remove its rate limiter.

    PTB 22 keeps the transports in `Bot._request` (getUpdates, everything else) and the limiter
    in `ExtBot._rate_limiter`; both are slots, so a PTB release that renames them makes this
    fail loudly instead of silently timing the network.  The limiter goes because at 30
    messages/s it would turn a timing loop into a sleep loop; its queueing is not handling cost
    (the updates scenario keeps it and shows its effect).
    """
    bot = app.bot
    if not isinstance(getattr(bot, "_request", None), tuple):
        raise RuntimeError("unexpected PTB internals: Bot._request is not a (getUpdates, other) tuple")
    stub = StubBotApi()
    bot._request = (stub, stub)  # type: ignore[attr-defined]
    bot._rate_limiter = None  # type: ignore[attr-defined]
    return stub


class Updates:
    """Raw update dicts as getUpdates delivers them, for in-process dispatch."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._message_ids = itertools.count(1000)

    @staticmethod
    def user(user_id: int) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}", "language_code": "en"}

    @staticmethod
    def chat(user_id: int) -> dict[str, Any]:
        return {"id": user_id, "type": "private", "first_name": f"User{user_id}"}

    def message(self, user_id: int, text: str) -> dict[str, Any]:
        msg: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self.chat(user_id),
            "from": self.user(user_id),
            "text": text,
        }
        if text.startswith("/"):
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return {"update_id": next(self._ids), "message": msg}

    def callback(self, user_id: int, data: str, message_id: int = 1) -> dict[str, Any]:
        """A tap on a button of bot message `message_id` (the message the handler edits)."""
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self.chat(user_id),
            "from": BOT_USER,
            "text": "…",
        }
        query = {
            "id": str(next(self._ids) + 4_300_000_000),
            "from": self.user(user_id),
            "message": message,
            "chat_instance": str(7_000_000_000 + user_id),
            "data": data,
        }
        return {"update_id": next(self._ids), "callback_query": query}


# ----------------------------------------------------------------------------- seeding


SEED_CHUNK = 10_000  # rows per executemany: bounded memory per statement, still few round trips


async def bulk_insert(store: Store, statement: Any, rows: Iterable[Mapping[str, object]]) -> None:
    """One transaction of `executemany`s (SQLAlchemy Core, either engine) through the store's own
    database: seeding 100,000 orders through `create_order_intent` would take minutes and
    measure nothing we care about."""
    pending = iter(rows)
    async with store.db.write() as conn:
        while chunk := list(itertools.islice(pending, SEED_CHUNK)):
            await conn.execute(statement, chunk)


async def seed_users(store: Store, user_ids: Iterable[int]) -> None:
    now = utcnow()
    insert = (postgresql.insert if store.db.name == "postgresql" else sqlite.insert)(tables.users)
    await bulk_insert(
        store,
        insert.on_conflict_do_nothing(index_elements=["id"]),
        (
            {
                "id": uid,
                "first_name": f"User{uid}",
                "telegram_language": "en",
                "first_seen": now,
                "last_seen": now,
            }
            for uid in user_ids
        ),
    )


async def seed_orders(
    store: Store, sim: PanelSimulator, panel_ids: Sequence[int], owner: Callable[[int], int]
) -> None:
    """Placed orders mirroring the simulator's (same IDs, services, statuses), the owner of the
    i-th being `owner(i)`.  Already notified of their current status, as a steady-state
    database is: a tracking cycle over them finds nothing to tell anyone until the panel moves."""
    names = {int(raw["service"]): str(raw["name"]) for raw in sim.services}
    now = utcnow()
    rows = []
    for index, panel_id in enumerate(panel_ids):
        order = sim.orders[panel_id]
        user_id = owner(index)
        rows.append(
            {
                "panel_order_id": panel_id,
                "user_id": user_id,
                "chat_id": user_id,
                "service_id": order.service_id,
                "service_name": names.get(order.service_id, "?"),
                "link": order.link,
                "quantity": order.quantity,
                "charge": Decimal(str(order.charge)),
                "confirm_token": f"bench-{panel_id}",
                "state": "placed",
                "status": order.status,
                "remains": order.remains,
                "start_count": order.start_count,
                "created_at": now,
                "updated_at": now,
                "notified_status": order.status,
            }
        )
    await bulk_insert(store, tables.orders.insert(), rows)


async def seed_tracking_world(store: Store, sim: PanelSimulator, total: int, active: int) -> None:
    """`total` tracked orders, `active` of them still running, over `total // 20` users (20 each)."""
    users = max(1, total // 20)
    await seed_users(store, range(1, users + 1))
    finished = sim.seed_orders(total - active, status="Completed")
    running = sim.seed_orders(active, status="In progress")
    await seed_orders(store, sim, finished + running, lambda i: 1 + i % users)


# ----------------------------------------------------------------------------- processes


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (from `/proc/<pid>/stat`)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def spawn(
    env: dict[str, str], workdir: Path, *args: str, stdout: bool = False
) -> asyncio.subprocess.Process:
    """`python <args>` from outside the repository (so no `.env` is picked up), stderr to
    `workdir/stderr.log` and stdout piped only when asked for: an unread pipe that fills up
    would stall the child."""
    out = asyncio.subprocess.PIPE if stdout else asyncio.subprocess.DEVNULL
    with (workdir / "stderr.log").open("ab") as stderr:
        return await asyncio.create_subprocess_exec(
            sys.executable, *args, cwd=workdir, env=env, stdout=out, stderr=stderr
        )


async def terminate(process: asyncio.subprocess.Process, timeout: float = 15.0) -> float:
    """SIGTERM and wait (the bot's own shutdown path); kill if it hangs. Returns the seconds taken."""
    started = time.monotonic()
    if process.returncode is None:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), timeout)
        except TimeoutError:
            process.kill()
            await process.wait()
    return time.monotonic() - started


def stderr_tail(workdir: Path, lines: int = 15) -> str:
    path = workdir / "stderr.log"
    text = path.read_text(errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])
