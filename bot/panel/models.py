"""Typed results of the panel API.

Panels of the v2 family disagree on details (numbers as strings or ints, field
names, casing, answer shapes), so every parser here is lenient: a field it
cannot read becomes `None` or a safe default instead of an exception, and only
what the bot truly needs is validated.
"""

from __future__ import annotations

import html
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

T = TypeVar("T")

# Every number read from the panel is bounded before anything stores or computes with it.
# A panel (or whatever sits between us and it) can send `"start_count": "1e30"`: SQLite cannot
# bind an integer past 2**63, so one such number used to roll back a whole batch of statuses
# every cycle and stop tracking for everyone in it.
MAX_PANEL_NUMBER = 2**53 - 1  # IDs and counts: beyond this a number is garbage, not an order
MAX_MONEY = Decimal(10) ** 15  # amounts at or past this are garbage in any currency, VND included
MONEY_PLACES = 10  # USD panels price in 0.0015s; floats bring 15+ digits of noise beyond this
MAX_NUMBER_TEXT = 50  # a number written longer than this is garbage (and costs to parse)
MAX_STATUS_TEXT = 64  # the longest real status is "In progress"; longer text is not a status
MAX_ERROR_TEXT = 500  # a panel's error is a sentence, not a page
_MONEY_QUANTUM = Decimal(1).scaleb(-MONEY_PLACES)
_ZERO = Decimal(0)
# The spellings nearly every answer uses, read without the general parser: a status cycle
# reads 300,000 of them.  Anything else (spaces, "1,250", "12.0", exponents) takes the long way.
_PLAIN_INT = re.compile(r"-?[0-9]{1,15}")  # ≤ 15 digits: always within ±MAX_PANEL_NUMBER
_PLAIN_MONEY = re.compile(rf"-?[0-9]{{1,15}}(\.[0-9]{{1,{MONEY_PLACES}}})?")  # < MAX_MONEY, ≤ MONEY_PLACES
_PLAIN_CHARGE = re.compile(rf"[0-9]{{1,15}}(\.[0-9]{{1,{MONEY_PLACES}}})?")  # as _PLAIN_MONEY, and ≥ 0
_PLAIN_COUNT = re.compile(r"[0-9]{1,15}")  # as _PLAIN_INT, and ≥ 0


class OrderStatusKind(StrEnum):
    """An order's status, one spelling each; the values are what the store keeps.

    Panels spell the same status differently ("Cancelled", "In Progress"): `parse` reads
    each spelling listed in `_ORDER_SPELLINGS`.  A status no kind covers is kept as the
    panel wrote it (shown as is, tracked as open), so statuses stay `str` in the models.
    """

    PENDING = "Pending"
    IN_PROGRESS = "In progress"
    PROCESSING = "Processing"
    COMPLETED = "Completed"
    PARTIAL = "Partial"
    CANCELED = "Canceled"
    REFUNDED = "Refunded"  # final: the panel gave the money back (said as such, not "canceled")
    # The bot's own, never sent by a panel: `add` was refused, or its outcome is unknown.
    FAILED = "Failed"
    UNKNOWN = "Unknown"

    @classmethod
    def parse(cls, raw: Any) -> str:
        return _normalize(raw, _ORDER_VALUES)


class RefillStatusKind(StrEnum):
    """A refill's status (see `OrderStatusKind`)."""

    PENDING = "Pending"
    IN_PROGRESS = "In progress"
    PROCESSING = "Processing"
    COMPLETED = "Completed"
    REJECTED = "Rejected"
    ERROR = "Error"
    CANCELED = "Canceled"
    UNKNOWN = "Unknown"  # the bot's own: the panel did not answer for this refill

    @classmethod
    def parse(cls, raw: Any) -> str:
        return _normalize(raw, _REFILL_VALUES)


_UNKNOWN = OrderStatusKind.UNKNOWN.value

# Final statuses, in a fixed order: the store writes them into SQL literally, exactly as the
# partial indexes of the schema list them (SQLite uses a partial index only then).
FINAL_ORDER_STATUSES: tuple[OrderStatusKind, ...] = (
    OrderStatusKind.COMPLETED,
    OrderStatusKind.PARTIAL,
    OrderStatusKind.CANCELED,
    OrderStatusKind.REFUNDED,
)
FINAL_REFILL_STATUSES: tuple[RefillStatusKind, ...] = (
    RefillStatusKind.COMPLETED,
    RefillStatusKind.REJECTED,
    RefillStatusKind.ERROR,
    RefillStatusKind.CANCELED,
)
# Outcomes that give some or all of a wallet-paid order's price back (Partial: the part not
# delivered); written into SQL literally, as the `orders_refund_owed` index lists them.
GIVING_BACK_ORDER_STATUSES: tuple[OrderStatusKind, ...] = (
    OrderStatusKind.PARTIAL,
    OrderStatusKind.CANCELED,
    OrderStatusKind.REFUNDED,
    OrderStatusKind.FAILED,
)
# Orders whose money the panel gave back: not spent, whatever charge it last reported.
REFUNDED_ORDER_STATUSES: tuple[OrderStatusKind, ...] = (OrderStatusKind.CANCELED, OrderStatusKind.REFUNDED)

_IN_PROGRESS = ("in progress", "inprogress", "in_progress")
_ORDER_SPELLINGS: dict[str, OrderStatusKind] = {
    "pending": OrderStatusKind.PENDING,
    **dict.fromkeys(_IN_PROGRESS, OrderStatusKind.IN_PROGRESS),
    "processing": OrderStatusKind.PROCESSING,
    "completed": OrderStatusKind.COMPLETED,
    "complete": OrderStatusKind.COMPLETED,
    "partial": OrderStatusKind.PARTIAL,
    "canceled": OrderStatusKind.CANCELED,
    "cancelled": OrderStatusKind.CANCELED,
    "refunded": OrderStatusKind.REFUNDED,
}
_REFILL_SPELLINGS: dict[str, RefillStatusKind] = {
    "pending": RefillStatusKind.PENDING,
    **dict.fromkeys(_IN_PROGRESS, RefillStatusKind.IN_PROGRESS),
    "processing": RefillStatusKind.PROCESSING,
    "completed": RefillStatusKind.COMPLETED,
    "complete": RefillStatusKind.COMPLETED,
    "rejected": RefillStatusKind.REJECTED,
    "error": RefillStatusKind.ERROR,
    "canceled": RefillStatusKind.CANCELED,
    "cancelled": RefillStatusKind.CANCELED,
    "refunded": RefillStatusKind.CANCELED,
}


# Spelling → the kind's value as plain `str`: an enum's `.value` is a descriptor call, which
# 100,000 statuses a cycle made a tenth of the parsing.
_ORDER_VALUES = {spelling: kind.value for spelling, kind in _ORDER_SPELLINGS.items()}
_REFILL_VALUES = {spelling: kind.value for spelling, kind in _REFILL_SPELLINGS.items()}


def _normalize(raw: Any, values: Mapping[str, str]) -> str:
    """The kind's value for a known spelling (as plain `str`); other text kept as is."""
    if raw is None:
        return _UNKNOWN
    if type(raw) is str:  # the usual "In progress": found without rebuilding the text
        found = values.get(raw.lower())
        if found is not None:
            return found
    text = " ".join(str(raw).split())
    return values.get(text.lower()) or text or _UNKNOWN


def normalize_status(raw: Any) -> str:
    """One spelling per order status ("cancelled", "CANCELED" → "Canceled"); unknown text kept."""
    return OrderStatusKind.parse(raw)


def normalize_refill_status(raw: Any) -> str:
    """One spelling per refill status; unknown text kept as is."""
    return RefillStatusKind.parse(raw)


def _parse_decimal(value: Any) -> Decimal | None:
    """The number written in `value` (ints, floats, `"2.5"`, `"1,250"`), unbounded and perhaps
    NaN or infinite; None when it is not a number or is written implausibly long."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    text = repr(value) if isinstance(value, float) else str(value)
    text = text.strip().replace(",", "")
    if not text or len(text) > MAX_NUMBER_TEXT:
        return None
    try:
        return Decimal(text)
    except (InvalidOperation, ValueError):
        return None


def to_decimal(value: Any, *, minimum: Decimal = -MAX_MONEY) -> Decimal | None:
    """Money and rates: `"2.5"`, `2.5`, `"1,250"` → Decimal; anything unreadable → None.

    Bounded so that what we store as text and add up is sane: finite, `minimum` ≤ x and
    |x| < `MAX_MONEY`, at most `MONEY_PLACES` fractional digits (rounded: a float's noise,
    not a refusal) and written plainly (`1E+5` → `100000`).
    """
    if type(value) is str and _PLAIN_MONEY.fullmatch(value):
        plain = Decimal(value)  # "0.27819": finite, under MAX_MONEY, few enough places already
        return plain if plain >= minimum else None
    number = _parse_decimal(value)
    if number is None or not number.is_finite() or abs(number) >= MAX_MONEY or number < minimum:
        return None
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)  # finite numbers have an integer exponent
    if exponent > 0:
        return number.quantize(Decimal(1))
    if exponent < -MONEY_PLACES:
        rounded = number.quantize(_MONEY_QUANTUM, rounding=ROUND_HALF_EVEN)
        return rounded.quantize(Decimal(1)) if rounded == rounded.to_integral_value() else rounded.normalize()
    return number


def to_int(value: Any, *, minimum: int = -MAX_PANEL_NUMBER, maximum: int = MAX_PANEL_NUMBER) -> int | None:
    """IDs and counts arrive as ints, strings, even `"12.0"`; anything else → None.

    Bounded to `minimum`…`maximum` (at most ±`MAX_PANEL_NUMBER`): a number past that is garbage
    and, past 2**63, can't even be stored.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif type(value) is str and _PLAIN_INT.fullmatch(value):
        number = int(value)  # "1000", as nearly every panel writes them: no Decimal needed
    else:
        parsed = _parse_decimal(value)
        if parsed is None or not parsed.is_finite() or abs(parsed) > MAX_PANEL_NUMBER:
            return None
        if parsed != parsed.to_integral_value():
            return None
        number = int(parsed)
    if not max(minimum, -MAX_PANEL_NUMBER) <= number <= min(maximum, MAX_PANEL_NUMBER):
        return None
    return number


def _looks_numeric(value: Any) -> bool:
    """Whether `value` is written as a number (NaN, Infinity and absurdly long text included).

    Text like `"n/a"` is a panel's way of saying "unknown" and reads as None; a *number* that
    doesn't fit its field (`"1e30"`, `-5` as a count) means the answer itself is broken.
    """
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    if not isinstance(value, str):
        return False
    return len(value.strip()) > MAX_NUMBER_TEXT or _parse_decimal(value) is not None


def _bounded(value: Any, parse: Callable[[Any], T | None]) -> tuple[T | None, bool]:
    """(parsed value, whether it is poisoned: a number present but outside its bounds)."""
    parsed = parse(value)
    return parsed, parsed is None and _looks_numeric(value)


def _charge(value: Any) -> Decimal | None:
    return to_decimal(value, minimum=_ZERO)


def _count(value: Any) -> int | None:
    return to_int(value, minimum=0)


def to_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def to_optional_bool(value: Any) -> bool | None:
    """A yes/no field a panel may leave out: missing, null or empty is unknown (None)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return to_bool(value)


@dataclass(frozen=True, slots=True)
class Service:
    id: int
    name: str
    type: str
    category: str
    rate: Decimal  # price per 1000 units
    min: int
    max: int
    # None: the catalog doesn't say (many panels omit the field), so the panel decides;
    # only an explicit false means "no".
    refill: bool | None = False
    cancel: bool | None = False
    dripfeed: bool = False
    description: str = ""

    @classmethod
    def from_api(cls, raw: Any, shared: dict[Any, Any] | None = None) -> Service | None:
        """Parse one catalog entry; None when it lacks an ID or a rate (unorderable).

        `shared`, one dict for all of a catalog's entries: equal names, descriptions and rates
        are then one object each.  A big panel repeats them (50,000 services: 37,000 distinct
        names, 12,000 distinct rates), and each copy decoded was an object of its own, about
        9 MB in all.
        """
        if not isinstance(raw, dict):
            return None
        service_id = to_int(raw.get("service", raw.get("id")), minimum=1)
        rate = _shared_rate(raw.get("rate"), shared)
        if service_id is None or rate is None:
            return None
        minimum = to_int(raw.get("min"), minimum=0) or 1
        maximum = to_int(raw.get("max"), minimum=0) or minimum
        name = _service_name(raw.get("name")) or f"#{service_id}"
        description = str(raw.get("desc") or raw.get("description") or "").strip()
        if shared is not None:
            name = shared.setdefault(name, name)
            description = shared.setdefault(description, description)
        return cls(
            id=service_id,
            name=name,
            type=_service_type(raw.get("type")),
            # Interned: a catalog repeats each category's name a few hundred times, and each
            # copy decoded from JSON was an object of its own (5 MB at 50,000 services).
            category=sys.intern(str(raw.get("category") or "").strip() or "Other"),
            rate=rate,
            min=minimum,
            max=max(minimum, maximum),
            refill=to_optional_bool(raw.get("refill")),
            cancel=to_optional_bool(raw.get("cancel")),
            dripfeed=to_bool(raw.get("dripfeed", False)),
            description=description,
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


# One character reference, well formed: `&amp;`, `&#39;`, `&#x1F4A7;` (not a bare "&" or "&lt").
_CHARACTER_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _service_name(raw: Any) -> str:
    """The name as the panel's own website shows it: many panels store names HTML-escaped
    ("Likes &amp; Views", "Today&#39;s"), so character references are decoded, once ("&amp;lt;"
    stays "&lt;" literally). Escaping for our messages happens where they are written."""
    if not raw:
        return ""
    return _CHARACTER_REFERENCE.sub(lambda found: html.unescape(found.group()), str(raw)).strip()


def _shared_rate(raw: Any, shared: dict[Any, Any] | None) -> Decimal | None:
    """The rate, a negative one refused (it would pay us); with `shared`, one `Decimal` per
    spelling (keyed by the panel's text, so "0.50" and "0.5" keep their own)."""
    if shared is None or type(raw) is not str:
        return to_decimal(raw, minimum=Decimal(0))
    key = ("rate", raw)
    rate = shared.get(key)
    if rate is None:
        rate = shared[key] = to_decimal(raw, minimum=Decimal(0))
    return rate


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
    # The panel's entry for this ID was broken (a number out of range, not an object): its
    # status can't be trusted; the entry is skipped, the rest of its batch still applies.
    unreadable: bool = False

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_ORDER_STATUSES

    @property
    def within_bounds(self) -> bool:
        """Whether every value fits what the parsers accept, so storing it can't fail.

        `from_api` guarantees it; the store checks it too, because one value SQLite can't
        bind (an int past 2**63) would roll back the whole batch it is written with.
        """
        for number in (self.order_id, self.start_count, self.remains):
            if number is not None and not -MAX_PANEL_NUMBER <= number <= MAX_PANEL_NUMBER:
                return False
        if self.charge is not None and not (self.charge.is_finite() and abs(self.charge) < MAX_MONEY):
            return False
        return len(self.status) <= MAX_STATUS_TEXT

    @classmethod
    def from_api(cls, order_id: int, raw: Any) -> OrderStatus:
        """One order's entry; a refused ID carries `error`, a broken entry is `unreadable`.

        Placeholders (`"remains": "n/a"`, null, "") read as unknown and the status still
        counts; a number that is present but impossible (`"1e30"`, NaN, a negative count or
        charge) means the entry is garbage, so none of it is believed.
        """
        if type(raw) is dict and "error" not in raw:
            plain = _plain_entry(order_id, raw)
            if plain is not None:
                return plain
        return cls._read_entry(order_id, raw)

    @classmethod
    def _read_entry(cls, order_id: int, raw: Any) -> OrderStatus:
        """`from_api` for any entry at all, through the general parsers."""
        if not isinstance(raw, dict):
            return cls(order_id, _UNKNOWN, error="unreadable answer", unreadable=True)
        if "error" in raw:
            return cls(order_id, _UNKNOWN, error=str(raw["error"])[:MAX_ERROR_TEXT])
        charge, bad_charge = _bounded(raw.get("charge"), _charge)
        start_count, bad_start = _bounded(raw.get("start_count"), _count)
        remains, bad_remains = _bounded(raw.get("remains"), to_int)  # negative: over-delivered
        status = normalize_status(raw.get("status"))
        too_long = len(status) > MAX_STATUS_TEXT
        if bad_charge or bad_start or bad_remains or too_long:
            broken = [
                name
                for name, bad in (
                    ("charge", bad_charge),
                    ("start_count", bad_start),
                    ("remains", bad_remains),
                    ("status", too_long),
                )
                if bad
            ]
            return cls(order_id, _UNKNOWN, error=f"unreadable {', '.join(broken)}", unreadable=True)
        currency = raw.get("currency")
        return cls(
            order_id=order_id,
            status=status,
            charge=charge,
            start_count=start_count,
            remains=remains,
            currency=str(currency)[:MAX_STATUS_TEXT] if currency else None,
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


def _plain_entry(order_id: int, raw: dict[str, Any]) -> OrderStatus | None:
    """The usual status entry, its numbers written plainly (`"0.27819"`, `"3572"`, `157`): read
    without the general parsers, where a cycle of 100,000 orders spent a second.  Anything
    else (placeholders, floats, poison, a status too long) → None, and the general path decides;
    where this answers, it answers exactly what the general path would (a property test holds it)."""
    charge, start, remains = raw.get("charge"), raw.get("start_count"), raw.get("remains")
    if type(charge) is not str or _PLAIN_CHARGE.fullmatch(charge) is None:
        return None
    if type(start) is str and _PLAIN_COUNT.fullmatch(start) is not None:
        start = int(start)
    elif type(start) is not int or not 0 <= start <= MAX_PANEL_NUMBER:
        return None
    if type(remains) is str and _PLAIN_INT.fullmatch(remains) is not None:
        remains = int(remains)
    elif type(remains) is not int or not -MAX_PANEL_NUMBER <= remains <= MAX_PANEL_NUMBER:
        return None
    status = normalize_status(raw.get("status"))
    if len(status) > MAX_STATUS_TEXT:
        return None
    currency = raw.get("currency")
    return OrderStatus(
        order_id,
        status,
        charge=Decimal(charge),
        start_count=start,
        remains=remains,
        currency=str(currency)[:MAX_STATUS_TEXT] if currency else None,
    )
