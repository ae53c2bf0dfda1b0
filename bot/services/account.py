"""Account-level facts of the panel (balance), kept out of the handlers."""

from __future__ import annotations

from bot.panel.client import PanelClient
from bot.panel.errors import PanelClientError
from bot.panel.models import Balance


class AccountService:
    def __init__(self, panel: PanelClient) -> None:
        self._panel = panel
        self._currency: str | None = None

    async def balance(self, *, interactive: bool = False) -> Balance:
        """Always live: a cached balance could let a user order against money that is gone.

        `interactive`: a person is waiting (/balance), so one quick attempt instead of the
        background retries the low-balance alert can afford.
        """
        balance = await self._panel.balance(interactive=interactive)
        self._currency = balance.currency
        return balance

    async def currency(self) -> str:
        """The account's currency, for showing prices: the catalog doesn't carry it, the
        balance does. Learned once; an outage just means prices show without a code.

        Always one quick attempt: callers are screens a person waits for (and a notice that
        goes out without a currency code is better than one held up by retries)."""
        if self._currency is None:
            try:
                await self.balance(interactive=True)
            except PanelClientError:
                return ""
        return self._currency or ""
