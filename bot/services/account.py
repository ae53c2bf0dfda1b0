"""Account-level facts of the panel (balance), kept out of the handlers."""

from __future__ import annotations

from bot.panel.client import PanelClient
from bot.panel.errors import PanelClientError
from bot.panel.models import Balance


class AccountService:
    def __init__(self, panel: PanelClient) -> None:
        self._panel = panel
        self._currency: str | None = None

    async def balance(self) -> Balance:
        """Always live: a cached balance could let a user order against money that is gone."""
        balance = await self._panel.balance()
        self._currency = balance.currency
        return balance

    async def currency(self) -> str:
        """The account's currency, for showing prices: the catalog doesn't carry it, the
        balance does. Learned once; an outage just means prices show without a code."""
        if self._currency is None:
            try:
                await self.balance()
            except PanelClientError:
                return ""
        return self._currency or ""
