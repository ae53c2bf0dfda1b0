"""The SMM panel: protocol client, typed results, errors (and a simulator for tests and demos)."""

from bot.panel.client import PanelClient
from bot.panel.errors import (
    AddOutcomeUnknown,
    OutcomeUnknown,
    PanelClientError,
    PanelError,
    PanelUnavailable,
)
from bot.panel.models import Balance, OrderStatus, RefillRequest, RefillStatus, Service

__all__ = [
    "AddOutcomeUnknown",
    "Balance",
    "OrderStatus",
    "OutcomeUnknown",
    "PanelClient",
    "PanelClientError",
    "PanelError",
    "PanelUnavailable",
    "RefillRequest",
    "RefillStatus",
    "Service",
]
