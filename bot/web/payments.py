"""The payment services' notifications: SePay and Casso post every bank transfer they see.

What the services need from us: 200 once the transfer is recorded (they retry anything else,
for hours), so a retry of a recorded transfer gets 200 again and credits nothing; a request
without the right key gets 401 and records nothing; a body we can't read gets 400.  An
error of ours (the database down) is a 500: the service retries later and nothing is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiohttp import web

from bot.payments import casso, sepay
from bot.payments.transfers import BadNotification, IncomingTransfer
from bot.services.topups import Credit, Received, TopupService
from bot.web.server import Handler

log = logging.getLogger(__name__)

SEPAY_PATH = "/payments/sepay"
CASSO_PATH = "/payments/casso"


class PaymentEndpoints:
    """`credited` is called once for every credit a notification booked (to tell the
    customer); it must not block."""

    def __init__(
        self,
        topups: TopupService,
        *,
        sepay_key: str | None,
        casso_token: str | None,
        credited: Callable[[Credit], None],
    ) -> None:
        self._topups = topups
        self._sepay_key = sepay_key
        self._casso_token = casso_token
        self._credited = credited

    def routes(self) -> list[tuple[str, Handler]]:
        found: list[tuple[str, Handler]] = []
        if self._sepay_key:
            found.append((SEPAY_PATH, self.sepay))
        if self._casso_token:
            found.append((CASSO_PATH, self.casso))
        return found

    async def sepay(self, request: web.Request) -> web.Response:
        assert self._sepay_key
        if not sepay.authorized(request.headers.get(sepay.AUTH_HEADER), self._sepay_key):
            log.warning("payments: a SePay notification without the right API key refused")
            return web.json_response({"success": False}, status=401)
        try:
            transfer = sepay.parse(await request.read())
        except BadNotification as exc:
            log.warning("payments: an unreadable SePay notification refused: %s", exc)
            return web.json_response({"success": False, "message": "bad notification"}, status=400)
        if not await self._receive([transfer]):
            return web.json_response({"success": False}, status=500)
        return web.json_response({"success": True})

    async def casso(self, request: web.Request) -> web.Response:
        assert self._casso_token
        if not casso.authorized(request.headers.get(casso.AUTH_HEADER), self._casso_token):
            log.warning("payments: a Casso notification without the right secure token refused")
            return web.json_response({"error": 401, "message": "unauthorized"}, status=401)
        try:
            transfers = casso.parse(await request.read())
        except BadNotification as exc:
            log.warning("payments: an unreadable Casso notification refused: %s", exc)
            return web.json_response({"error": 400, "message": "bad notification"}, status=400)
        if not await self._receive(transfers):
            return web.json_response({"error": 500, "message": "try again"}, status=500)
        return web.json_response({"error": 0})

    async def _receive(self, transfers: list[IncomingTransfer]) -> bool:
        """Record each transfer (each in its own transaction); False when one couldn't be: the
        service then retries the lot, and those already recorded are found and skipped."""
        for transfer in transfers:
            try:
                received = await self._topups.receive(transfer)
            except Exception:
                log.exception(
                    "payments: %s transfer %s could not be recorded", transfer.source, transfer.transaction_id
                )
                return False
            self._log(transfer, received)
            if received.credit is not None and received.credit.created:
                self._credited(received.credit)
        return True

    @staticmethod
    def _log(transfer: IncomingTransfer, received: Received) -> None:
        what = f"payments: {transfer.source} transfer {transfer.transaction_id} of {transfer.amount}"
        if received.duplicate:
            log.info("%s: recorded before, nothing more to do", what)
        elif received.ignored:
            log.info("%s: outgoing, ignored", what)
        elif received.credit is not None:
            log.info(
                "%s: credited top-up %s of user %s",
                what,
                received.credit.topup.id,
                received.credit.topup.user_id,
            )
        elif received.transfer is not None:
            log.warning("%s: unmatched (%s), kept for the admins' /topups", what, received.transfer.reason)
