"""One aiohttp server for everything posted to the bot: a platform like Heroku or Railway
gives a process one port, and the Telegram webhook, the health check and the payment
services' notifications all have to arrive on it.

Routes are added by whoever owns them (the Telegram webhook, the payment endpoints); this
module knows none of them.  Access logs are off: a path or a query string can carry a secret.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1 << 20  # updates and notifications are small; refuse anything huge early

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class WebServer:
    def __init__(self, health: Callable[[], dict[str, object]]) -> None:
        self._health = health
        self._routes: list[tuple[str, Handler]] = []
        self._runner: web.AppRunner | None = None

    def add_post(self, path: str, handler: Handler) -> None:
        self._routes.append((path, handler))

    async def start(self, host: str, port: int) -> None:
        server = web.Application(client_max_size=MAX_BODY_BYTES)
        for path, handler in self._routes:
            server.router.add_post(path, handler)
        server.router.add_get("/health", self._health_check)
        self._runner = web.AppRunner(server, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        log.info("HTTP server listening on %s:%s", host, port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _health_check(self, request: web.Request) -> web.Response:
        return web.json_response(self._health())
