"""Webhook mode: Telegram POSTs updates to us instead of being polled.

Served by the bot's own aiohttp server (`bot.web.server`) rather than PTB's built-in one,
because the health check and the payment notifications share the port.  Every update must
carry the secret token Telegram was given in `setWebhook`; anything else is refused before
parsing.
"""

from __future__ import annotations

import hmac
import logging

from aiohttp import web
from telegram import Update

from bot.telegram.context import App

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class TelegramWebhook:
    def __init__(self, app: App, secret: str) -> None:
        self._app = app
        self._secret = secret

    async def receive(self, request: web.Request) -> web.Response:
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
