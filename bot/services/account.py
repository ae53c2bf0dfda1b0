"""Account-level facts of the panel (balance), kept out of the handlers."""

from __future__ import annotations

from bot.panel.client import PanelClient
from bot.panel.models import Balance


class AccountService:
    def __init__(self, panel: PanelClient) -> None:
        self._panel = panel

    async def balance(self) -> Balance:
        """Always live: a cached balance could let a user order against money that is gone."""
        return await self._panel.balance()
