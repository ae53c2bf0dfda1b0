"""Wiring: builds store, panel client, services and the Telegram application from `Settings`,
and starts/stops them in the right order.  `python -m bot` and the end-to-end tests
use this same code, so tests exercise the real start-up and shutdown paths.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.ext import Application

from bot import redaction
from bot.config import Settings
from bot.panel.client import PanelClient
from bot.services.access import AccessService
from bot.services.account import AccountService
from bot.services.admin import AdminService
from bot.services.alerts import AdminAlerts
from bot.services.catalog import CatalogCache
from bot.services.durable import DurableWrites
from bot.services.notifications import NotificationService
from bot.services.ordering import OrderingService
from bot.services.poller import StatusPoller
from bot.services.search import ServiceSearch
from bot.services.settlement import SettlementService
from bot.services.tracking import TrackingService
from bot.services.users import UserService
from bot.store.sqlite import SqliteStore
from bot.telegram.app import build_application
from bot.telegram.commands import register_commands
from bot.telegram.context import Deps
from bot.telegram.notifier import TrackingJob
from bot.telegram.persistence import StorePersistence
from bot.telegram.webhook import WebhookServer

log = logging.getLogger(__name__)


class BotRuntime:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        redaction.register(settings.secrets)  # chat texts are redacted like the logs
        self.store = SqliteStore(settings.database_path)
        self.panel = PanelClient(
            settings.smm_api_url,
            settings.smm_api_key,
            body_format=settings.smm_api_format,
            timeout=settings.panel_timeout_seconds,
            add_timeout=settings.panel_add_timeout_seconds,
            retries=settings.panel_retries,
        )
        search = ServiceSearch()
        self.catalog = CatalogCache(self.panel.services, settings.catalog_ttl_seconds, on_load=search.prepare)
        account = AccountService(self.panel)
        self.writes = DurableWrites()  # order outcomes the database refused, retried until they land
        self.access = AccessService(settings, self.store)
        self.deps = Deps(
            settings=settings,
            users=UserService(self.store),
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
            ),
            tracking=TrackingService(self.store, self.panel, self.catalog),
            poller=StatusPoller(self.store, self.panel, base_backoff=max(settings.status_poll_seconds, 5)),
            notifications=NotificationService(self.store),
            alerts=AdminAlerts(self.store, account, settings.low_balance_alert),
            access=self.access,
            admin=AdminService(self.store, self.access, zone=settings.timezone),
            settlement=SettlementService(self.store, self.panel),
        )
        self.tracking = TrackingJob(self.deps)
        self.app: Application = build_application(settings, self.deps, StorePersistence(self.store))
        self._warmup: asyncio.Task[None] | None = None
        self._stopped = False
        self._webhook: WebhookServer | None = None

    async def start(self, *, poll_timeout: int = 10) -> None:
        """Open the store, connect to Telegram, start long polling."""
        await self.store.open()
        interrupted = await self.store.mark_interrupted()
        if interrupted:
            log.warning(
                "%d order(s) were being placed when the bot stopped; owners will be told", interrupted
            )
        try:
            await self.access.load()
            await self.app.initialize()
            await register_commands(self.app.bot)
            await self.app.start()
            if self.settings.webhook_url:
                await self._start_webhook()
            else:
                assert self.app.updater is not None
                await self.app.updater.start_polling(
                    poll_interval=0, timeout=poll_timeout, allowed_updates=Update.ALL_TYPES
                )
        except BaseException:
            await self.stop()
            raise
        self._warmup = asyncio.create_task(self._load_catalog())
        if self.settings.status_poll_seconds and self.app.job_queue is not None:
            interval = self.settings.status_poll_seconds
            self.app.job_queue.run_repeating(
                self.tracking, interval=interval, first=min(interval, 10), name="tracking"
            )
        log.info("bot @%s is running", self.app.bot.username)

    async def _start_webhook(self) -> None:
        """Serve first, then tell Telegram where: no update arrives before we can take it."""
        settings = self.settings
        assert settings.webhook_url and settings.webhook_secret
        self._webhook = WebhookServer(self.app, settings.webhook_path, settings.webhook_secret, self.health)
        await self._webhook.start(settings.webhook_listen, settings.port)
        await self.app.bot.set_webhook(
            settings.webhook_url, secret_token=settings.webhook_secret, allowed_updates=Update.ALL_TYPES
        )

    def health(self) -> dict[str, object]:
        """For the platform's health check: up, and whether the panel answers."""
        outage = self.deps.poller.outage_seconds
        return {"ok": True, "panel": "unavailable" if outage else "ok", "outage_seconds": int(outage)}

    async def stop(self) -> None:
        """Stop in reverse order; every step runs even if an earlier one failed. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        if self._warmup is not None and not self._warmup.done():
            self._warmup.cancel()
        if self._webhook is not None:
            await _quietly(self._webhook.stop())
        updater = self.app.updater
        if updater is not None and updater.running:
            await _quietly(updater.stop())
        if self.app.running:
            await _quietly(self.app.stop())
        await _quietly(self.app.shutdown())
        await _quietly(self.catalog.close())
        await _quietly(self.panel.close())
        await _quietly(self.writes.close())
        await _quietly(self.store.close())
        log.info("bot stopped")

    async def _load_catalog(self) -> None:
        """Warm the catalog so the first /services doesn't wait; an outage here is not fatal."""
        try:
            await self.catalog.get()
        except Exception as exc:
            log.warning("could not load the catalog at start-up: %s", exc)


async def _quietly(step: object) -> None:
    try:
        await step  # type: ignore[misc]
    except Exception:
        log.exception("error during shutdown")
