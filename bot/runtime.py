"""Wiring: builds store, panel client, services and the Telegram application from `Settings`,
and starts/stops them in the right order.  `python -m bot` and the end-to-end tests
use this same code, so tests exercise the real start-up and shutdown paths.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import ContextTypes

from bot import redaction
from bot.config import Settings
from bot.panel.client import PanelClient
from bot.panel.errors import PanelKeyRefused
from bot.services.access import AccessService, Role
from bot.services.account import AccountService
from bot.services.admin import AdminService
from bot.services.alerts import AdminAlerts, Alert, AlertKind
from bot.services.catalog import CatalogCache
from bot.services.durable import DurableWrites
from bot.services.favorites import FavoritesService
from bot.services.leadership import Leadership
from bot.services.notifications import NotificationService
from bot.services.ordering import OrderingService
from bot.services.poller import StatusPoller
from bot.services.search import ServiceSearch
from bot.services.settlement import SettlementService
from bot.services.shop import Shop, ShopMode
from bot.services.topups import BankAccount, TopupRules, TopupService
from bot.services.tracking import TrackingService
from bot.services.users import UserService
from bot.services.wallets import WalletService
from bot.store import Store
from bot.store.models import OrderState
from bot.telegram.app import build_application
from bot.telegram.commands import register_commands
from bot.telegram.context import App, Deps
from bot.telegram.conversations import TURNS_KEY
from bot.telegram.notifier import TrackingJob
from bot.telegram.persistence import StorePersistence
from bot.telegram.polling import EarlyPolling, build_updater, say_if_unreachable, start_polling
from bot.telegram.processor import PerUserUpdateProcessor
from bot.telegram.topup_notices import SWEEP_SECONDS, TopupNotices
from bot.telegram.turns import UserTurns

if TYPE_CHECKING:  # imported when a server is wanted: aiohttp's server is not, in polling mode
    from bot.web.server import WebServer

log = logging.getLogger(__name__)

# SIGTERM to exit within 10 s, the usual wait before a platform's SIGKILL (Docker, Heroku),
# whatever the panel does: every step of `stop()` is bounded and they share one budget.
# Worst case, every step hanging: 7 s plus a floor of 0.25 s for each of the last six steps.
STOP_BUDGET_SECONDS = 7.0
STOP_GRACE_SECONDS = 2.0  # for updates being handled and a tracking cycle to finish by themselves
STOP_STEP_SECONDS = 2.0  # the most one step may take
STOP_STEP_MIN_SECONDS = 0.25  # even with the budget spent, closing the store gets a chance


class BotRuntime:
    def __init__(
        self, settings: Settings, *, demo: bool = False, polling: EarlyPolling | None = None
    ) -> None:
        """`demo`: running against the built-in simulator, where the first `/start` may claim
        the admin role (nothing real is at stake, and the owner has configured nothing).
        `polling`: long polling already begun (`bot.launch`); `start()` opens its gate."""
        self.settings = settings
        self._polling = polling
        self._updater = polling.updater if polling is not None else build_updater(settings)
        redaction.register(settings.secrets)  # chat texts are redacted like the logs
        self.store = Store(settings.database)
        self.panel = PanelClient(
            settings.smm_api_url,
            settings.smm_api_key,
            body_format=settings.smm_api_format,
            timeout=settings.panel_timeout_seconds,
            add_timeout=settings.panel_add_timeout_seconds,
            retries=settings.panel_retries,
            interactive_timeout=settings.panel_interactive_timeout_seconds,
            max_concurrency=settings.panel_max_concurrency,
        )
        search = ServiceSearch()
        self.catalog = CatalogCache(
            self.panel.services,
            settings.catalog_ttl_seconds,
            on_load=search.prepare,
            fetch_now=lambda: self.panel.services(interactive=True),
            interactive_wait=settings.panel_interactive_timeout_seconds,
        )
        account = AccountService(self.panel)
        self.writes = DurableWrites()  # order outcomes the database refused, retried until they land
        self.access = AccessService(settings, self.store, first_start_claims_admin=demo)
        shop = Shop(
            self.store,
            account,
            self.catalog,
            mode=ShopMode(settings.shop_mode),
            is_admin=lambda user_id: self.access.role(user_id) is Role.ADMIN,
            markup_percent=settings.markup_percent,
            decimals=settings.price_decimals,
            currency=settings.shop_currency or None,
        )
        wallet = WalletService(self.store, decimals=settings.price_decimals)
        self.topups = TopupService(self.store, topup_rules(settings))
        users = UserService(self.store, shared=self.store.locks.shared)
        notifications = NotificationService(self.store, wallet)
        self.topup_notices = TopupNotices(self.topups, shop, users, notifications)
        self.deps = Deps(
            settings=settings,
            users=users,
            account=account,
            catalog=self.catalog,
            search=search,
            ordering=OrderingService(
                self.store,
                self.panel,
                self.catalog,
                max_order_charge=settings.max_order_charge,
                user_daily_limit=settings.user_daily_limit,
                writes=self.writes,
                shop=shop,
                wallet=wallet,
            ),
            tracking=TrackingService(self.store, self.panel, self.catalog),
            poller=StatusPoller(
                self.store,
                self.panel,
                base_backoff=max(settings.status_poll_seconds, 5),
                concurrency=poll_concurrency(settings.panel_max_concurrency),
            ),
            notifications=notifications,
            alerts=AdminAlerts(self.store, account, settings.low_balance_alert, wallets=shop.wallets),
            access=self.access,
            admin=AdminService(self.store, self.access, zone=settings.timezone),
            settlement=SettlementService(self.store, self.panel),
            favorites=FavoritesService(self.store),
            shop=shop,
            wallet=wallet,
            topups=self.topups,
            topup_notices=self.topup_notices,
        )
        self.tracking = TrackingJob(self.deps)
        # A refused key is one log line (the client's) and one message to the admins.
        self.panel.on_key_refused = self._key_refused
        self._alerts: set[asyncio.Task[None]] = set()
        persistence = StorePersistence(self.store)
        self.app: App = build_application(self.deps, persistence, self._updater)
        # Processes sharing the database (PostgreSQL): a user's updates one at a time across
        # them, their state read and written per update (turns), one tracking poller among
        # them (lease).  A SQLite file has one process: its own memory is the truth, and
        # nothing more is needed around an update.
        self.turns = UserTurns(self.store.locks, persistence)
        self.turns.bind(self.app)
        if self.store.locks.shared:
            processor = self.app.update_processor
            assert isinstance(processor, PerUserUpdateProcessor)
            processor.turn = self.turns.turn
            self.app.bot_data[TURNS_KEY] = self.turns
        poll = max(settings.status_poll_seconds, 1)
        self.leader = Leadership(self.store.leases, "tracking", ttl=timedelta(seconds=poll))
        self._last_cycle: float | None = None
        self._warmup: asyncio.Task[None] | None = None
        self._tracking_run: asyncio.Task[Any] | None = None  # the tracking cycle running now
        self._stopped = False
        self._web: WebServer | None = None

    async def start(self, *, poll_timeout: int = 10) -> None:
        """Open the store, connect to Telegram, start long polling (or, when it began early,
        let it confirm what it fetched: the updates are handled from now on).

        Anything that fails stops what was started (the store's thread would keep the process
        alive) and propagates: `DatabaseUnusable` for a database that can't be used.
        """
        try:
            await self.store.open()
            interrupted = await self._mark_interrupted()
            if interrupted:
                log.warning(
                    "%d order(s) were being placed when the bot stopped; owners will be told", interrupted
                )
            await self.access.load()
            self._say_who_may_use_it()
            await self.app.initialize()
            await self.app.start()
            await self._start_web()
            if self.settings.webhook_url:
                await self._set_webhook()
            elif self._polling is None:
                await start_polling(self._updater, poll_timeout)
            else:
                self._polling.confirmations.open()  # handled from now on: they may be confirmed
            # While the first updates are being handled: a menu is no reason to keep them waiting.
            await register_commands(self.app.bot)
        except BaseException as exc:
            if self._polling is not None:
                self._polling.confirmations.refuse()  # fetched, not handled: Telegram keeps them
            say_if_unreachable(exc)
            await self.stop()
            raise
        self._warmup = asyncio.create_task(self._load_catalog())
        if self.settings.status_poll_seconds and self.app.job_queue is not None:
            interval = self.settings.status_poll_seconds
            # Every half interval: the lease holder runs a cycle when one is due, the others
            # check whether the holder is gone (see `Leadership`).
            self.app.job_queue.run_repeating(
                self._track, interval=interval / 2, first=min(interval, 10) / 2, name="tracking"
            )
        if self.topups.methods and self.app.job_queue is not None:
            self.app.job_queue.run_repeating(
                self._sweep_topups, interval=SWEEP_SECONDS, first=1, name="topups"
            )
        log.info("bot @%s is running", self.app.bot.username)

    async def _sweep_topups(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Expire top-ups past their time and tell customers what wasn't told (each once,
        whichever process gets there first)."""
        await self.topup_notices.sweep(context.bot)

    async def _start_web(self) -> None:
        """The HTTP server, when anything is to be posted to us: Telegram's updates (webhook
        mode) or the bank-notification services' (even when Telegram is long-polled)."""
        settings = self.settings
        if not (settings.webhook_url or settings.payment_webhooks):
            return
        from bot.telegram.webhook import TelegramWebhook
        from bot.web.payments import PaymentEndpoints
        from bot.web.server import WebServer

        self._web = WebServer(self.health)
        if settings.webhook_url:
            assert settings.webhook_secret
            webhook = TelegramWebhook(self.app, settings.webhook_secret)
            self._web.add_post(settings.webhook_path, webhook.receive)
        payments = PaymentEndpoints(
            self.topups,
            sepay_key=settings.sepay_api_key,
            casso_token=settings.casso_secure_token,
            credited=lambda credit: self.topup_notices.credited_soon(self.app.bot, credit),
        )
        for path, handler in payments.routes():
            self._web.add_post(path, handler)
        await self._web.start(settings.webhook_listen, settings.port)

    async def _set_webhook(self) -> None:
        """The server runs already: no update arrives before we can take it."""
        settings = self.settings
        assert settings.webhook_url and settings.webhook_secret
        await self.app.bot.set_webhook(
            settings.webhook_url, secret_token=settings.webhook_secret, allowed_updates=Update.ALL_TYPES
        )

    def _say_who_may_use_it(self) -> None:
        """A fresh install refuses everyone: say so at start, with the fix, not only in chat."""
        if self.access.can_claim:
            log.warning("no admin yet: the first person to send /start to the bot becomes its admin (demo)")
        elif self.access.nobody_allowed:
            log.warning(
                "nobody may use the bot yet: ADMIN_IDS and ALLOWED_USER_IDS are empty. Put your "
                "Telegram ID in ADMIN_IDS (write to the bot: it tells you your ID) and restart"
            )

    def health(self) -> dict[str, object]:
        """For the platform's health check: up, and whether the panel answers."""
        outage = self.deps.poller.outage_seconds
        return {"ok": True, "panel": "unavailable" if outage else "ok", "outage_seconds": int(outage)}

    async def stop(self) -> None:
        """Stop within `STOP_BUDGET_SECONDS` whatever the panel does; every step runs even if
        an earlier one failed or timed out. Idempotent.

        The order matters: first no new work (updates, tracking cycles); then the wizard
        states are saved, before anything that can be slow; then in-flight work gets a
        short grace and is cancelled (`_finish_in_flight`); then the panel session is
        closed so nothing else can hang on it; then PTB, the retried writes and the store.
        """
        if self._stopped:
            return
        self._stopped = True
        budget = _Budget(STOP_BUDGET_SECONDS)
        if self._warmup is not None and not self._warmup.done():
            self._warmup.cancel()
        for alert in list(self._alerts):
            alert.cancel()
        if self._web is not None:
            await _quietly(self._web.stop(), budget, "stopping the HTTP server")
        updater = self.app.updater
        if updater is not None and updater.running:
            await _quietly(updater.stop(), budget, "stopping long polling")
        job_queue = self.app.job_queue
        if job_queue is not None and job_queue.scheduler.running:
            job_queue.scheduler.pause()  # no new tracking cycle; the running one is handled below
        if self.app.running:
            await _quietly(self.app.update_persistence(), budget, "saving conversations")
            await self._finish_in_flight(budget)
        await _quietly(self.panel.close(), budget, "closing the panel client")
        if self.app.running:
            await _quietly(self.app.stop(), budget, "stopping the application")
        await _quietly(self.app.shutdown(), budget, "shutting the application down")
        # The application shuts its updater down only if it was initialized itself; polling
        # begun early may have outlived a start that failed before that.
        await _quietly(self._updater.shutdown(), budget, "closing the Telegram connection")
        await _quietly(self.topup_notices.close(), budget, "finishing top-up messages")
        await _quietly(self.catalog.close(), budget, "closing the catalog")
        await _quietly(self.writes.close(), budget, "flushing retried writes")
        await _quietly(self.leader.release(), budget, "handing over the tracking lease")
        await _quietly(self.store.close(), budget, "closing the database")
        log.info("bot stopped")

    async def _finish_in_flight(self, budget: _Budget) -> None:
        """Give updates being handled and a running tracking cycle a short grace, then cancel
        what is left and wait (briefly) for it to unwind.

        Without this, PTB's `Application.stop()` waits for every handler and job without a
        limit: an `add` on a hung panel held the process for up to 300 s, a stuck poll 75 s.
        Cancelling is safe for money: an `add` cut off here leaves its intent row, which the
        next start marks "unknown" and tells the owner about (`_mark_interrupted`); a
        cancelled read just never answers, and a write that did not finish is rolled back.
        """
        tasks = self._in_flight()
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=budget.left(STOP_GRACE_SECONDS))
        if not pending:
            return
        log.warning("stopping: cancelling %d unfinished task(s) (updates, tracking)", len(pending))
        for task in pending:
            task.cancel()
        _, stuck = await asyncio.wait(pending, timeout=budget.left(STOP_STEP_SECONDS))
        if stuck:
            log.warning("stopping: %d task(s) did not end when cancelled", len(stuck))

    def _in_flight(self) -> set[asyncio.Task[Any]]:
        """Tasks handling updates (and errors), and the tracking cycle.

        PTB keeps the former in a private set, the one `Application.stop()` waits for; there
        is no public handle.  Should a PTB upgrade rename it, nothing is cancelled here but
        every shutdown step is still bounded, so the process still exits in time.
        """
        tasks: set[asyncio.Task[Any]] = set(getattr(self.app, "_Application__create_task_tasks", ()))
        if self._tracking_run is not None:
            tasks.add(self._tracking_run)
        current = asyncio.current_task()
        return {task for task in tasks if not task.done() and task is not current}

    async def _track(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The job queue's way into the tracking cycle, remembering the task it runs in: PTB
        shields a running job from cancellation, so `stop()` cancels this task instead.

        Runs every half interval; only the lease holder polls, once per interval."""
        self._tracking_run = asyncio.current_task()
        try:
            if not await self.leader.claim():
                return
            now = time.monotonic()
            interval = self.settings.status_poll_seconds
            if self._last_cycle is not None and now - self._last_cycle < interval * 0.9:
                return
            self._last_cycle = now
            if self.store.locks.shared:
                await self._mark_interrupted()  # intents of a process that died meanwhile
            async with self.leader.kept():
                await self.tracking(context)
        finally:
            self._tracking_run = None

    async def _mark_interrupted(self) -> int:
        """Intents cut off by a crash become "unknown" (their owners are told).  An intent
        whose user's lock is held is being placed by a live process right now (ours, or
        another sharing the database) and is left alone."""
        intents = [o for o in await self.store.orders.unresolved_orders() if o.state is OrderState.INTENT]
        idle = await self.store.locks.idle({o.user_id for o in intents})
        return await self.store.orders.mark_interrupted([o.id for o in intents if o.user_id in idle])

    async def _load_catalog(self) -> None:
        """Warm the catalog so the first /services doesn't wait; an outage here is not fatal."""
        try:
            await self.catalog.get(interactive=False)  # nobody waits: retries are fine
        except PanelKeyRefused:
            pass  # said once already, by the client and to the admins (`_key_refused`)
        except Exception as exc:
            log.warning("could not load the catalog at start-up: %s", exc)

    def _key_refused(self) -> None:
        """The panel started refusing the API key (the first read at start-up usually finds
        it): the admins are told once, in the background; users just read "try later"."""
        task = asyncio.get_running_loop().create_task(
            self.tracking._alert_admins(self.app.bot, Alert(AlertKind.KEY_REFUSED))
        )
        self._alerts.add(task)
        task.add_done_callback(self._alerts.discard)


def poll_concurrency(panel_max_concurrency: int) -> int:
    """Status calls the tracking cycle keeps in flight: all the panel connections but two,
    so a person's call never waits behind a whole cycle."""
    return max(1, panel_max_concurrency - 2)


def topup_rules(settings: Settings) -> TopupRules:
    bank = (
        BankAccount(settings.bank_bin, settings.bank_account, settings.bank_account_name)
        if settings.bank_transfer
        else None
    )
    return TopupRules(
        amounts=settings.topup_amounts,
        minimum=settings.topup_min,
        maximum=settings.topup_max,
        expiry=timedelta(minutes=settings.topup_expiry_minutes),
        prefix=settings.topup_prefix,
        bank=bank,
        stars_rate=settings.stars_rate,
        decimals=settings.price_decimals,
    )


class _Budget:
    """One deadline shared by the steps of `stop()`: no step gets more than its own cap or
    what is left, so their sum stays inside the budget (give or take the small floor)."""

    def __init__(self, seconds: float) -> None:
        self._end = time.monotonic() + seconds

    def left(self, cap: float) -> float:
        return max(STOP_STEP_MIN_SECONDS, min(cap, self._end - time.monotonic()))


async def _quietly(step: Awaitable[object], budget: _Budget, what: str) -> None:
    """One shutdown step: bounded, and never stopping the steps after it."""
    try:
        async with asyncio.timeout(budget.left(STOP_STEP_SECONDS)):
            await step
    except TimeoutError:
        log.warning("stopping: %s took too long; going on without it", what)
    except Exception:
        log.exception("error during shutdown (%s)", what)
