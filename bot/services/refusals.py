"""How often strangers are told the bot is private.

Every refusal is a message, and messages share one rate limiter with every
allowed user's replies: a stranger repeating themselves, or a crowd of them,
would make the bot's own users wait.  So a stranger is told once per
`REFUSAL_WINDOW_S` (the second refusal says nothing new), and at most
`REFUSALS_PER_MINUTE` strangers are told in any minute (a thousand fresh
accounts cost the same as twenty).  Both are in memory: a restart only costs
one more refusal each.  Memory is bounded by construction: only strangers told
within the window are remembered, and the per-minute cap bounds how many
those can be.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable

REFUSAL_WINDOW_S = 300.0
REFUSALS_PER_MINUTE = 20


class RefusalThrottle:
    def __init__(
        self,
        *,
        window_s: float = REFUSAL_WINDOW_S,
        per_minute: int = REFUSALS_PER_MINUTE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._window_s = window_s
        self._per_minute = per_minute
        self._clock = clock
        self._told: OrderedDict[int, float] = OrderedDict()  # stranger → when told, oldest first
        self._last_minute: deque[float] = deque()  # when each recent refusal was sent

    def may_tell(self, user_id: int) -> bool:
        """Whether to refuse this stranger out loud now; a yes is remembered as sent."""
        now = self._clock()
        self._expire(now)
        if user_id in self._told or len(self._last_minute) >= self._per_minute:
            return False
        self._told[user_id] = now
        self._last_minute.append(now)
        return True

    def forget(self, user_id: int) -> None:
        """The user's access changed: if they are refused again, that is news to tell."""
        self._told.pop(user_id, None)

    def __len__(self) -> int:
        """How many strangers are remembered (for tests and curiosity)."""
        return len(self._told)

    def _expire(self, now: float) -> None:
        while self._told and next(iter(self._told.values())) <= now - self._window_s:
            self._told.popitem(last=False)
        while self._last_minute and self._last_minute[0] <= now - 60:
            self._last_minute.popleft()
