"""Typed results of the panel API.

Panels of the v2 family disagree on details (numbers as strings or ints, field
names, casing, answer shapes), so every parser here is lenient: a field it
cannot read becomes `None` or a safe default instead of an exception, and only
what the bot truly needs is validated.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

FINAL_ORDER_STATUSES = frozenset({"Completed", "Partial", "Canceled"})
FINAL_REFILL_STATUSES = frozenset({"Completed", "Rejected", "Error", "Canceled"})

_STATUS_SPELLINGS = {
    "pending": "Pending",
    "in progress": "In progress",
    "inprogress": "In progress",
    "in_progress": "In progress",
    "processing": "Processing",
    "completed": "Completed",
    "complete": "Completed",
    "partial": "Partial",
    "canceled": "Canceled",
    "cancelled": "Canceled",
    "rejected": "Rejected",
    "error": "Error",
    "refunded": "Canceled",
}


def normalize_status(raw: Any) -> str:
    """One spelling per status ("cancelled", "CANCELED" → "Canceled"); unknown text kept as is."""
    if raw is None:
        return "Unknown"
    text = " ".join(str(raw).split())
    return _STATUS_SPELLINGS.get(text.lower(), text or "Unknown")


def to_decimal(value: Any) -> Decimal | None:
    """Money and rates: `"2.5"`, `2.5`, `"1,250"` → Decimal; anything unreadable → None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        result = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return result if result.is_finite() else None


def to_int(value: Any) -> int | None:
    """IDs and counts arrive as ints, strings, even `"12.0"`; anything else → None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    number = to_decimal(value)
    if number is None or number != number.to_integral_value():
        return None
    return int(number)


def to_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


@dataclass(frozen=True, slots=True)
class Service:
    id: int
    name: str
    type: str
    category: str
    rate: Decimal  # price per 1000 units
    min: int
    max: int
    refill: bool = False
    cancel: bool = False
    dripfeed: bool = False
    description: str = ""

    @classmethod
    def from_api(cls, raw: Any) -> Service | None:
        """Parse one catalog entry; None when it lacks an ID or a rate (unorderable)."""
        if not isinstance(raw, dict):
            return None
        service_id = to_int(raw.get("service", raw.get("id")))
        rate = to_decimal(raw.get("rate"))
        if service_id is None or rate is None:
            return None
        minimum = to_int(raw.get("min")) or 1
        maximum = to_int(raw.get("max")) or minimum
        return cls(
            id=service_id,
            name=str(raw.get("name") or f"#{service_id}").strip(),
            type=_service_type(raw.get("type")),
            category=str(raw.get("category") or "").strip() or "Other",
            rate=rate,
            min=minimum,
            max=max(minimum, maximum),
            refill=to_bool(raw.get("refill", False)),
            cancel=to_bool(raw.get("cancel", False)),
            dripfeed=to_bool(raw.get("dripfeed", False)),
            description=str(raw.get("desc") or raw.get("description") or "").strip(),
        )

    def charge_for(self, quantity: int) -> Decimal:
        """What the panel will charge: `rate` per 1000 units (a Package's rate is its price)."""
        if self.type == "Package":
            return self.rate
        return self.rate * quantity / 1000


_KNOWN_TYPES = {
    "default": "Default",
    "package": "Package",
    "custom comments": "Custom Comments",
    "custom comments package": "Custom Comments Package",
    "mentions": "Mentions",
    "mentions with hashtags": "Mentions with Hashtags",
    "mentions custom list": "Mentions Custom List",
    "mentions hashtag": "Mentions Hashtag",
    "mentions user followers": "Mentions User Followers",
    "mentions media likers": "Mentions Media Likers",
    "comment likes": "Comment Likes",
    "poll": "Poll",
    "subscriptions": "Subscriptions",
    "seo": "SEO",
    "invites from groups": "Invites from Groups",
}


def _service_type(raw: Any) -> str:
    text = " ".join(str(raw or "Default").split())
    return _KNOWN_TYPES.get(text.lower(), text)


@dataclass(frozen=True, slots=True)
class Balance:
    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class OrderStatus:
    order_id: int
    status: str
    charge: Decimal | None = None
    start_count: int | None = None
    remains: int | None = None
    currency: str | None = None
    error: str | None = None  # set when the panel refused this ID inside a multi answer

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_ORDER_STATUSES

    @classmethod
    def from_api(cls, order_id: int, raw: Any) -> OrderStatus:
        if not isinstance(raw, dict):
            return cls(order_id, "Unknown", error="unreadable answer")
        if "error" in raw:
            return cls(order_id, "Unknown", error=str(raw["error"]))
        return cls(
            order_id=order_id,
            status=normalize_status(raw.get("status")),
            charge=to_decimal(raw.get("charge")),
            start_count=to_int(raw.get("start_count")),
            remains=to_int(raw.get("remains")),
            currency=str(raw["currency"]) if raw.get("currency") else None,
        )


@dataclass(frozen=True, slots=True)
class RefillRequest:
    """Outcome of asking for a refill of one order."""

    order_id: int
    refill_id: int | None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class RefillStatus:
    refill_id: int
    status: str
    error: str | None = None

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_REFILL_STATUSES


@dataclass(frozen=True, slots=True)
class CancelResult:
    order_id: int
    ok: bool
    error: str | None = None
