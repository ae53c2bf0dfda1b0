"""Update processing: concurrent across users, in order within one user, bounded per user.

PTB's default processes one update at a time, so one user's slow panel call
would stall everybody.  Fully concurrent processing would instead let two
taps of the same user race inside a conversation.  Serialising per user
(per chat when there is no user) gives both: throughput and order.

The per-user queue comes *before* the application's concurrency slots: an
update waiting for its user's earlier one holds no slot, so a user with a
backlog behind a slow call occupies one slot, not all of them.  And the queue
is bounded: past `MAX_QUEUED_PER_USER`, that user's updates are dropped (the
user is asked once to slow down), so nobody can pile up work or memory.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import BaseUpdateProcessor

from bot.telegram.texts import language_for, text

log = logging.getLogger("bot.updates")

MAX_CONCURRENT_UPDATES = 256
_NOT_STARTED = inspect.CORO_CREATED
# Updates of one user being handled or waiting their turn.  A person taps and types a
# few things while a slow call runs, not dozens; past this it is a stuck client or a flood.
MAX_QUEUED_PER_USER = 20


@dataclass
class _Lane:
    """One user's queue: the lock gives the order, `queued` the bound."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    queued: int = 0  # updates holding or waiting for the lock
    dropped: int = 0  # updates refused in this burst (since the queue was last empty)
    told: bool = False  # the user was asked to slow down in this burst


Turn = Callable[[int, object], AbstractAsyncContextManager[None]]


class PerUserUpdateProcessor(BaseUpdateProcessor):
    def __init__(
        self,
        max_concurrent_updates: int = MAX_CONCURRENT_UPDATES,
        max_queued_per_user: int = MAX_QUEUED_PER_USER,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._max_queued = max_queued_per_user
        self._lanes: dict[int, _Lane] = {}
        # What else a user's update needs around it, across processes (`bot.telegram.turns`);
        # set once the application exists.  Taken after the in-process queue, before a slot.
        self.turn: Turn | None = None

    # PTB marks process_update @final (typing only); its version takes a slot *first*, which
    # is exactly what let one user's backlog hold every slot.  Same contract otherwise.
    async def process_update(  # type: ignore[misc]
        self, update: object, coroutine: Awaitable[Any]
    ) -> None:
        """Wait for the user's earlier updates, then for a slot, then handle the update."""
        try:
            await self._process(update, coroutine)
        except asyncio.CancelledError:
            # Stopped while still waiting its turn (shutdown cancels what is in flight): the
            # handler never started, so its coroutine is closed, not left for the garbage
            # collector to warn about ("never awaited").
            if inspect.iscoroutine(coroutine) and inspect.getcoroutinestate(coroutine) == _NOT_STARTED:
                coroutine.close()
            raise

    async def _process(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _key(update)
        if isinstance(update, Update) and update.pre_checkout_query is not None:
            # Telegram fails the payment unless it is answered within 10 s: never behind the
            # user's other updates, nor waiting for a slot.  It reads; it changes nothing.
            await self.do_process_update(update, coroutine)
            return
        if key is None:
            await self._in_slot(update, coroutine)
            return
        lane = self._lanes.setdefault(key, _Lane())
        if lane.queued >= self._max_queued:
            await self._drop(key, lane, update, coroutine)
            return
        lane.queued += 1
        try:
            async with lane.lock:
                if self.turn is None:
                    await self._in_slot(update, coroutine)
                else:
                    async with self.turn(key, update):
                        await self._in_slot(update, coroutine)
        finally:
            lane.queued -= 1
            if not lane.queued:
                self._end_burst(key, lane)

    async def _in_slot(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Hold one of the application's slots only while actually handling the update."""
        async with self._semaphore:
            await self.do_process_update(update, coroutine)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Handle the update (its turn and slot already taken) and log it, timed from here."""
        started = time.monotonic()
        try:
            await coroutine
        finally:
            # One line per update: who and what kind, never what they wrote.
            log.info(
                "update user=%s %s %.0fms",
                _key(update),
                describe(update),
                (time.monotonic() - started) * 1000,
            )

    async def _drop(self, key: int, lane: _Lane, update: object, coroutine: Awaitable[Any]) -> None:
        """Refuse an update past the user's bound: never run, answered at most as "slow down"."""
        if inspect.iscoroutine(coroutine):
            coroutine.close()  # never awaited on purpose; closing keeps asyncio from warning
        lane.dropped += 1
        if lane.dropped == 1:
            log.warning("user %s has %d updates queued; dropping more until handled", key, lane.queued)
        if isinstance(update, Update) and _answerable(update):
            tell, lane.told = not lane.told, True
            await _slow_down(update, tell=tell)

    def _end_burst(self, key: int, lane: _Lane) -> None:
        """The user's queue is empty: forget it (memory stays per active user) and say
        how much was dropped, once, instead of a line per dropped update."""
        del self._lanes[key]
        if lane.dropped:
            log.info("user %s: %d updates dropped while their queue was full", key, lane.dropped)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


def _answerable(update: Update) -> bool:
    """Updates that deserve a "slow down": a tap, or a new message in a private chat
    (a group hears nothing from us, an edit or an inline query just expires)."""
    if update.callback_query is not None:
        return True
    message = update.message
    return message is not None and message.chat.type == ChatType.PRIVATE


async def _slow_down(update: Update, *, tell: bool) -> None:
    """Ask the user to slow down (`tell`), or just stop a dropped tap's spinner.

    Sent outside the user's queue and without a slot: it must not wait behind the backlog
    it is about.  A failure here changes nothing for anybody, so it is only logged."""
    user = update.effective_user
    message = text(language_for(None, user.language_code if user else None), "slow_down")
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(message if tell else None)
        elif tell and update.message is not None:
            await update.get_bot().send_message(update.message.chat.id, message)
    except (TelegramError, RuntimeError) as exc:  # RuntimeError: an update without a bot
        log.info("could not ask user %s to slow down: %s", _key(update), exc)


def _key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    return update.effective_chat.id if update.effective_chat is not None else None


def describe(update: object) -> str:
    """The update's kind for the log: the command name or callback prefix, no user content."""
    if not isinstance(update, Update):
        return type(update).__name__
    if update.callback_query is not None:
        prefix = (update.callback_query.data or "").split(":", 1)[0][:16]
        return "callback:" + (prefix if prefix.isalnum() else "?")
    if update.inline_query is not None:
        return "inline"
    if update.pre_checkout_query is not None:
        return "pre_checkout"
    message = update.effective_message
    if message is not None and message.text and message.text.startswith("/"):
        command = message.text.split()[0].split("@", 1)[0]
        return command[:33] if command[1:].replace("_", "").isalnum() else "command"
    if message is not None:
        kind = "edited" if update.edited_message is not None else "message"
        return f"{kind}:{'text' if message.text else 'other'}"
    return "other"
