"""The tracking job: poll the panel, tell owners what changed, alert admins.

Runs every `STATUS_POLL_SECONDS` on PTB's job queue. Messages go through the
application's bot, whose `AIORateLimiter` keeps a burst of a thousand
completions under Telegram's limits (and retries 429s) instead of storming.
Notices queue behind interactive replies in that limiter (`ratelimit.BACKGROUND`),
so a burst never makes anyone wait for an answer.
A notice is marked delivered only after Telegram accepted it: a transient
failure is retried next cycle, a user who blocked the bot is marked blocked
and skipped from then on.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import Any

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes, ExtBot

from bot.services.alerts import Alert
from bot.services.money import format_amount, format_money
from bot.services.notifications import Notice, NoticeKind
from bot.services.poller import CycleReport
from bot.services.tracking import NotFound
from bot.telegram import callbacks
from bot.telegram.context import Deps
from bot.telegram.keyboards import button
from bot.telegram.ratelimit import BACKGROUND
from bot.telegram.texts import language_for, text

log = logging.getLogger(__name__)

CONCURRENT_SENDS = 10  # enough to keep the limiter busy over a slow link; more only queues
# ahead of interactive replies, which share the same rate limiter

_TEXT_KEYS = {
    NoticeKind.STARTED: "notify_started",
    NoticeKind.COMPLETED: "notify_completed",
    NoticeKind.PARTIAL: "notify_partial",
    NoticeKind.CANCELED: "notify_canceled",
    NoticeKind.REFUNDED: "notify_refunded",
    NoticeKind.UNKNOWN: "recovered_unknown",
    NoticeKind.SETTLED_PLACED: "settled_placed",
    NoticeKind.SETTLED_NOT_PLACED: "settled_not_placed",
    NoticeKind.REFILL_COMPLETED: "notify_refill_completed",
    NoticeKind.REFILL_REJECTED: "notify_refill_rejected",
}


# Notices of a finished order, which offer to order the same service again.
_FINISHED = frozenset({NoticeKind.COMPLETED, NoticeKind.PARTIAL, NoticeKind.CANCELED, NoticeKind.REFUNDED})


@dataclass
class Delivery:
    sent: int = 0
    blocked: int = 0
    failed: int = 0  # transient: left pending for the next cycle


@dataclass(frozen=True)
class TrackingRun:
    cycle: CycleReport
    delivery: Delivery
    alerts: list[Alert]
    refunds: int = 0  # wallet refunds booked this cycle


class TrackingJob:
    def __init__(self, deps: Deps) -> None:
        self._deps = deps
        self._lock = asyncio.Lock()

    async def __call__(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.run(context.bot)

    async def run(self, bot: Bot) -> TrackingRun:
        """One full cycle; never overlaps itself (a slow panel can't stack cycles)."""
        async with self._lock:
            cycle = await self._deps.poller.cycle()
            refunds = await self._settle_refunds()
            delivery = await self.deliver(bot)
            alerts = await self._deps.alerts.check(self._deps.poller.outage_seconds)
            for alert in alerts:
                await self._alert_admins(bot, alert)
            if cycle.status_calls or delivery.sent or delivery.failed:
                log.info(
                    "tracking: %d orders polled in %d calls, %d changed; %d notified, %d failed",
                    cycle.orders_polled,
                    cycle.status_calls,
                    cycle.changed,
                    delivery.sent,
                    delivery.failed,
                )
            return TrackingRun(cycle, delivery, alerts, refunds)

    async def _settle_refunds(self) -> int:
        """Refunds owed to customers' wallets, booked before anyone is told (and whether or not
        they can be told: a user who blocked the bot is still owed their money)."""
        if not self._deps.shop.wallets:
            return 0
        try:
            booked = await self._deps.wallet.settle_refunds()
        except Exception:  # the next cycle tries again; notices book their own refund anyway
            log.exception("wallet refunds could not be booked this cycle")
            return 0
        if booked:
            log.info("tracking: %d wallet refunds booked", len(booked))
        return len(booked)

    async def deliver(self, bot: Bot) -> Delivery:
        """Users in parallel, each user's notices in order: a 403 on the first one spares
        the rest, and no chat gets a burst (Telegram allows about one message a second)."""
        delivery = Delivery()
        by_user: dict[int, list[Notice]] = {}
        for notice in await self._deps.notifications.pending():
            by_user.setdefault(notice.user_id, []).append(notice)
        gate = asyncio.Semaphore(CONCURRENT_SENDS)

        async def one_user(notices: list[Notice]) -> None:
            async with gate:
                for notice in notices:
                    if not await self._send(bot, notice, delivery):
                        return

        await asyncio.gather(*(one_user(notices) for notices in by_user.values()))
        return delivery

    async def _send(self, bot: Bot, notice: Notice, delivery: Delivery) -> bool:
        """Send one notice; False when this user can't be reached now (skip their others)."""
        message, markup = await self._render(notice)
        try:
            await bot.send_message(
                notice.chat_id,
                message,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                disable_web_page_preview=True,
                **_background(bot),
            )
        except Forbidden:
            delivery.blocked += 1
            await self._deps.users.mark_blocked(notice.user_id)
            log.info("user %s blocked the bot; notifications stop", notice.user_id)
            return False
        except BadRequest as exc:  # permanent (chat gone, ...): retrying can't help
            log.warning("notification for order %s dropped: %s", notice.order.id, exc.message)
        except TelegramError as exc:
            delivery.failed += 1
            log.info("notification for order %s postponed: %s", notice.order.id, exc)
            return False
        else:
            delivery.sent += 1
        await self._deps.notifications.delivered(notice)
        return True

    async def _render(self, notice: Notice) -> tuple[str, InlineKeyboardMarkup | None]:
        chosen, client = await self._deps.notifications.language_of(notice.user_id)
        lang = language_for(chosen, client)
        order = notice.order
        currency = await self._deps.shop.currency(order.user_id)
        delivered = order.quantity - max(0, order.remains or 0)
        values = {
            "order_id": order.panel_order_id,
            "name": escape(order.service_name),
            "link": escape(order.link),
            "quantity": format_amount(order.quantity, lang),
            "remains": format_amount(max(0, order.remains or 0), lang),
            "delivered": format_amount(max(0, delivered), lang),
            "charge": format_money(_paid(notice), escape(currency), lang),
            "refill_id": notice.refill.refill_id if notice.refill else "",
        }
        key = _TEXT_KEYS[notice.kind]
        if notice.at_owners_request:
            key = f"{key}_requested"  # notify_canceled_requested, notify_refunded_requested
        message = text(lang, key, **values)
        if notice.refund is not None and notice.refill is None:
            message += "\n\n" + text(
                lang,
                "notify_wallet_refund",
                amount=format_money(notice.refund.amount, escape(currency), lang),
                balance=format_money(notice.refund.balance_after, escape(currency), lang),
            )
        return message, await self._buttons(notice, lang)

    async def _buttons(self, notice: Notice, lang: str) -> InlineKeyboardMarkup | None:
        order = notice.order
        row = []
        if notice.kind is NoticeKind.COMPLETED:
            try:
                view = await self._deps.tracking.order_view(order.user_id, order.id)
            except NotFound:
                view = None
            if view is not None and view.can_refill:
                row.append(button(text(lang, "notify_btn_refill"), callbacks.ORDER_REFILL, order.id))
        if notice.kind in _FINISHED:
            again = button(text(lang, "wizard_btn_again"), callbacks.ORDER, callbacks.ORDER_AGAIN, order.id)
            row.append(again)
        if not row:
            row.append(button(text(lang, "notify_btn_details"), callbacks.ORDER_DETAIL, order.id))
        return InlineKeyboardMarkup([row])

    async def _alert_admins(self, bot: Bot, alert: Alert) -> None:
        for admin in sorted(self._deps.settings.admin_ids):
            lang = language_for(*await self._deps.notifications.language_of(admin))
            values: dict[str, object] = {"minutes": alert.minutes, "count": alert.count}
            if alert.amount is not None:
                values["amount"] = format_money(alert.amount, escape(alert.currency), lang)
                values["threshold"] = format_money(alert.threshold or 0, escape(alert.currency), lang)
            message = text(lang, f"alert_{alert.kind.value}", **values)
            try:
                await bot.send_message(admin, message, parse_mode=ParseMode.HTML, **_background(bot))
            except TelegramError as exc:
                log.warning("could not alert admin %s: %s", admin, exc)


def _paid(notice: Notice) -> Decimal:
    """What the notice's order cost its owner: a refund booked for it is already deducted,
    even when the record was read before the refund was (`NotificationService.pending`)."""
    order = notice.order
    if order.price is not None and notice.refund is not None:
        return order.price - notice.refund.amount
    return order.paid


def _background(bot: Bot) -> dict[str, Any]:
    """Marks a send nobody is waiting for, so replies go first (see ratelimit.py).  Only a bot
    with a rate limiter takes `rate_limit_args` (benchmarks may run one without)."""
    if isinstance(bot, ExtBot) and bot.rate_limiter is not None:
        return {"rate_limit_args": BACKGROUND}
    return {}
