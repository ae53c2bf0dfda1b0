"""Conversations (the order wizard, /unknown's question) that time out right when two
processes share the database.

PTB times a conversation out with a job in the process that handled the user's last update.
With two processes, the user may have gone on in the other one: this process's timer is then
stale, and firing it would tell them "expired" mid-wizard and end a conversation that lives
on elsewhere.  So a timer fires only if the user has really been idle that long, in any
process (`UserTurns.idle_for`); otherwise it is dropped, the other process's timer being the
live one.  And it fires inside the user's turn, like an update: locked, state read afresh,
written back.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from telegram.ext import ConversationHandler, Job

TURNS_KEY = "turns"  # bot_data key of the application's `UserTurns`


class SharedConversationHandler(ConversationHandler[Any]):
    async def _trigger_timeout(self, context: Any) -> None:
        job = cast(Job[Any], context.job)
        data: Any = job.data  # PTB's _ConversationTimeoutContext
        turns = data.application.bot_data.get(TURNS_KEY)
        key = data.conversation_key
        if turns is None or not self.conversation_timeout:
            await super()._trigger_timeout(context)
            return
        timeout = self.conversation_timeout
        seconds = timeout.total_seconds() if isinstance(timeout, timedelta) else float(timeout)
        user_id = int(key[-1])
        if not await turns.idle_for(user_id, seconds):
            async with self._timeout_jobs_lock:
                if self.timeout_jobs.get(key) is job:
                    del self.timeout_jobs[key]
            return
        async with turns.turn(user_id, data.update):
            await super()._trigger_timeout(context)
