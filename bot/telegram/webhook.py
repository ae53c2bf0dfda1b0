"""Webhook mode: Telegram POSTs updates to us instead of being polled.

Our own small aiohttp server (aiohttp is already a dependency) rather than
PTB's built-in one, because a platform like Heroku or Railway also wants a
health endpoint on the same port. Every update must carry the secret token
Telegram was given in `setWebhook`; anything else is refused before parsing.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable

from aiohttp import web
from telegram import Update

from bot.telegram.context import App

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1 << 20  # Telegram updates are small; refuse anything huge early


class WebhookServer:
    def __init__(
        self, app: App, path: str, secret: str, health: Callable[[], dict[str, object]]
    ) -> None:
        self._app = app
        self._path = path
        self._secret = secret
        self._health = health
        self._runner: web.AppRunner | None = None

    async def start(self, host: str, port: int) -> None:
        server = web.Application(client_max_size=MAX_BODY_BYTES)
        server.router.add_post(self._path, self._receive)
        server.router.add_get("/health", self._health_check)
        self._runner = web.AppRunner(server, access_log=None)  # access logs would carry the path
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        log.info("webhook server listening on %s:%s", host, port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self._secret.encode()):
            log.warning("webhook request without the right secret token refused")
            return web.Response(status=403)
        try:
            update = Update.de_json(await request.json(), self._app.bot)
        except Exception:  # garbage in a request that had the secret: Telegram never sends it
            log.warning("webhook request with an unreadable update refused")
            return web.Response(status=400)
        await self._app.update_queue.put(update)
        return web.Response(status=200)

    async def _health_check(self, request: web.Request) -> web.Response:
        return web.json_response(self._health())
