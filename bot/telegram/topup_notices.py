"""Telling customers about their top-ups: money credited, a top-up expired, Stars refunded.

A message about a top-up goes out once: the sender claims it in the database first
(`claim_telling`), so a payment webhook and the sweep, or two processes, never both send it;
a send that fails for a reason that may pass (Telegram down) gives the claim back for the
next sweep.  The sweep also expires pending top-ups past their time, and finds credits whose
message never went out (a crash between the commit and the send).
"""

from __future__ import annotations

import asyncio
import logging
from decimal import Decimal
from html import escape

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.services.money import format_money
from bot.services.notifications import NotificationService
from bot.services.shop import Shop
from bot.services.topups import Credit, TopupService
from bot.services.users import UserService
from bot.store.topups import Topup, TopupState
from bot.telegram.texts import language_for, text

log = logging.getLogger(__name__)

SWEEP_SECONDS = 20.0


class TopupNotices:
    def __init__(
        self, topups: TopupService, shop: Shop, users: UserService, notifications: NotificationService
    ) -> None:
        self._topups = topups
        self._shop = shop
        self._users = users
        self._notifications = notifications
        self._tasks: set[asyncio.Task[bool]] = set()

    def credited_soon(self, bot: Bot, credit: Credit) -> None:
        """Tell the customer in the background (a payment webhook must answer at once)."""
        task = asyncio.get_running_loop().create_task(self.tell(bot, credit.topup))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def tell(self, bot: Bot, topup: Topup) -> bool:
        """One message about `topup`'s state, at most once; whether this call sent it."""
        if topup.state not in (TopupState.PAID, TopupState.EXPIRED):
            return False
        if not await self._topups.claim_telling(topup):
            return False
        try:
            message = await self.render(topup)
            await bot.send_message(topup.chat_id, message, parse_mode=ParseMode.HTML)
        except Forbidden:
            await self._users.mark_blocked(topup.user_id)
            log.info("top-up %s: user %s blocked the bot; not told", topup.id, topup.user_id)
        except BadRequest as exc:  # the chat is gone: retrying can't help
            log.warning("top-up %s: message dropped: %s", topup.id, exc.message)
        except TelegramError as exc:
            log.info("top-up %s: message postponed: %s", topup.id, exc)
            await self._topups.unclaim_telling(topup)
            return False
        return True

    async def render(self, topup: Topup) -> str:
        lang = language_for(*await self._notifications.language_of(topup.user_id))
        currency = escape(await self._shop.wallet_currency())

        def money(amount: Decimal) -> str:
            return format_money(amount, currency, lang)

        if topup.state is TopupState.EXPIRED:
            content = escape(self._topups.transfer_content(topup))
            return text(lang, "topup_expired", content=content, amount=money(topup.amount))
        credited = topup.credited if topup.credited is not None else topup.amount
        balance = await self._topups.balance(topup.user_id)
        method = text(lang, f"topup_method_{topup.method.value}")
        key = "topup_credited" if credited == topup.amount else "topup_credited_other"
        return text(
            lang,
            key,
            amount=money(credited),
            asked=money(topup.amount),
            method=method,
            balance=money(balance),
        )

    async def sweep(self, bot: Bot) -> int:
        """Expire what is due and tell whoever wasn't told; the number of messages sent."""
        sent = 0
        try:
            for topup in await self._topups.expire_due():
                sent += await self.tell(bot, topup)
            for topup in await self._topups.untold():
                sent += await self.tell(bot, topup)
        except Exception:
            log.exception("top-ups: the sweep failed; trying again later")
        return sent

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
