"""Domain records the store hands out: plain dataclasses, no database or Telegram types."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum


def utcnow() -> datetime:
    """The store's clock: an aware UTC moment, the one form every time is stored in."""
    return datetime.now(UTC)


class OrderState(StrEnum):
    """Where an order stands on *our* side, independent of the panel's status.

    INTENT: written before `add` was sent; PLACED: the panel gave an order ID;
    FAILED: the panel refused (nothing charged); UNKNOWN: `add` may or may not
    have gone through (timeout, crash) and the owner must check on the panel.
    """

    INTENT = "intent"
    PLACED = "placed"
    FAILED = "failed"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: int
    language: str | None
    first_name: str
    username: str | None
    first_seen: datetime
    last_seen: datetime
    blocked: bool
    telegram_language: str | None = None  # the client's language, for messages we start


@dataclass(frozen=True, slots=True)
class NewOrder:
    """An order the user confirmed, recorded as an intent before the panel is called.

    `confirm_token` is unique per confirmation: a second tap on the same
    Confirm button (or a concurrent one) collides on it instead of ordering twice.
    """

    user_id: int
    chat_id: int
    service_id: int
    service_name: str
    link: str
    quantity: int
    charge: Decimal
    confirm_token: str
    comments: str | None = None
    runs: int | None = None
    interval: int | None = None
    fields: dict[str, str] | None = None  # a service type's own `add` parameters
    price: Decimal | None = None  # a customer's retail price, paid from their wallet


@dataclass(frozen=True, slots=True)
class OrderRecord:
    id: int  # our own row ID; the panel's ID is `panel_order_id` once known
    panel_order_id: int | None
    user_id: int
    chat_id: int
    service_id: int
    service_name: str
    link: str
    quantity: int
    charge: Decimal
    state: OrderState
    status: str
    remains: int | None
    start_count: int | None
    error: str | None
    created_at: datetime
    updated_at: datetime
    notified_status: str | None
    comments: str | None = None
    runs: int | None = None
    interval: int | None = None
    fields: dict[str, str] | None = None  # a service type's own `add` parameters
    cancel_requested: bool = False  # the owner asked the panel to cancel it
    # The shop: what the customer's wallet paid (None: ordered at cost from the panel
    # balance) and what it got back (None: not settled yet).  `charge` stays the panel's.
    price: Decimal | None = None
    refunded: Decimal | None = None

    @property
    def paid(self) -> Decimal:
        """What the person who ordered paid in the end: the retail price from a wallet less
        what came back, else the panel's charge (which the panel lowers on a refund)."""
        return self.charge if self.price is None else self.price - (self.refunded or 0)


@dataclass(frozen=True, slots=True)
class RefillRecord:
    id: int
    refill_id: int | None
    order_id: int  # our orders.id
    panel_order_id: int | None
    user_id: int
    status: str
    error: str | None
    created_at: datetime
    updated_at: datetime
    notified_status: str | None


@dataclass(frozen=True, slots=True)
class Spend:
    """One order's charge, the raw material of statistics and spending limits."""

    user_id: int
    service_id: int
    service_name: str
    charge: Decimal
    created_at: datetime
    price: Decimal | None = None  # retail, for a wallet-paid order
    refunded: Decimal | None = None
