"""Mass orders: many `service_id | link | quantity` lines checked, priced and placed at once.

Telegram-free. Every line is checked before anything is ordered (all problems reported
together, by line number); the summary gets one confirmation token, and each line is
placed through `OrderingService.place` under its own key `<token>:<line number>` — so
each line is an intent written before its `add`, and a second Confirm (or a restart in
the middle) finds the lines already recorded instead of ordering them again. Lines are
placed one after the other, and one line's refusal or unknown outcome never stops the
others.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from bot.services.ordering import (
    Draft,
    InvalidInput,
    OrderFailed,
    OrderingService,
    Outcome,
    Placement,
    PriceChanged,
    kind_of,
    parse_link,
    parse_quantity,
    parse_whole_number,
    quote,
)
from bot.store.models import OrderRecord, OrderState

log = logging.getLogger(__name__)

MAX_LINES = 100
LINK_AND_QUANTITY = ("link", "quantity")

# `id | link | quantity`; without pipes, spaces and/or commas separate the three (the link
# is the first run of characters without spaces, so a grouped quantity "1,000" survives).
_LOOSE_LINE = re.compile(r"^(?P<id>[^\s,|]+)\s*[\s,]\s*(?P<link>[^\s|]+?)\s*[\s,]\s*(?P<qty>[^|]+?)$")


def split_line(line: str) -> tuple[str, str, str] | None:
    """The three fields of one line, or None when it does not have that shape."""
    line = line.strip()
    if "|" in line:
        parts = [part.strip() for part in line.split("|")]
        return (parts[0], parts[1], parts[2]) if len(parts) == 3 and all(parts) else None
    match = _LOOSE_LINE.match(line)
    return (match["id"], match["link"], match["qty"].strip(" ,")) if match else None


def line_key(token: str, number: int) -> str:
    """The confirmation key of one line of a mass order: the summary's token + its number."""
    return f"{token}:{number}"


@dataclass(frozen=True)
class MassLine:
    number: int  # 1-based, counting the non-blank lines as sent
    service_id: int
    service_name: str
    link: str
    quantity: int
    charge: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "service_id": self.service_id,
            "service_name": self.service_name,
            "link": self.link,
            "quantity": self.quantity,
            "charge": str(self.charge),
        }

    @classmethod
    def from_dict(cls, data: Any) -> MassLine | None:
        if not isinstance(data, dict):
            return None
        try:
            line = cls(
                number=data["number"],
                service_id=data["service_id"],
                service_name=data["service_name"],
                link=data["link"],
                quantity=data["quantity"],
                charge=Decimal(data["charge"]),
            )
        except (KeyError, TypeError, InvalidOperation):
            return None
        ints = (line.number, line.service_id, line.quantity)
        strings = (line.service_name, line.link)
        ok = all(type(v) is int for v in ints) and all(isinstance(v, str) for v in strings)
        return line if ok else None


@dataclass(frozen=True)
class MassDraft:
    """A checked, priced mass order waiting for its Confirm (JSON-friendly for user data)."""

    token: str
    lines: tuple[MassLine, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.charge for line in self.lines), Decimal(0))

    def to_dict(self) -> dict[str, Any]:
        return {"token": self.token, "lines": [line.to_dict() for line in self.lines]}

    @classmethod
    def from_dict(cls, data: Any) -> MassDraft | None:
        if not isinstance(data, dict) or not isinstance(data.get("token"), str):
            return None
        raw = data.get("lines")
        if not isinstance(raw, list) or not raw or len(raw) > MAX_LINES:
            return None
        lines = [MassLine.from_dict(item) for item in raw]
        if any(line is None for line in lines):
            return None
        return cls(data["token"], tuple(line for line in lines if line is not None))


@dataclass(frozen=True)
class LineError:
    line: int
    key: str  # text key of the explanation; `values` fill it (`line` included)
    values: dict[str, Any] = field(default_factory=dict)


class MassInvalid(Exception):
    """Some lines can't be ordered; nothing was. `errors` name each, by line number."""

    def __init__(self, errors: list[LineError]) -> None:
        super().__init__(f"{len(errors)} invalid lines")
        self.errors = errors


class LineOutcome(StrEnum):
    PLACED = "placed"  # the panel gave an order ID (now, or at an earlier Confirm)
    REFUSED = "refused"  # the panel said no: nothing charged
    UNAVAILABLE = "unavailable"  # the panel could not be reached: nothing ordered
    UNKNOWN = "unknown"  # the panel may or may not have created it: the owner settles it
    NOT_PLACED = "not_placed"  # stopped before `add` (a limit reached, the price changed…)


@dataclass(frozen=True)
class LineResult:
    line: MassLine
    outcome: LineOutcome
    order: OrderRecord | None = None
    message: str | None = None  # the panel's words for a refusal
    reason: str | None = None  # text key of why a line was not placed
    values: dict[str, Any] = field(default_factory=dict)  # fill `reason`
    earlier: bool = False  # recorded at an earlier Confirm of the same summary


Progress = Callable[[int, int], Awaitable[None]]

_NOT_PLACED_REASONS = {
    "wizard_over_max_charge": "mass_reason_over_max",
    "wizard_over_daily_limit": "mass_reason_daily_limit",
    "wizard_service_not_found": "mass_reason_service_gone",
}


class MassOrderService:
    def __init__(self, ordering: OrderingService) -> None:
        self._ordering = ordering

    async def prepare(self, user_id: int, text: str) -> MassDraft:
        """Check and price every line; InvalidInput for the list as a whole (empty, too long,
        over the daily limit), MassInvalid listing every bad line."""
        rows = [row.strip() for row in text.splitlines() if row.strip()]
        if not rows:
            raise InvalidInput("mass_empty", limit=MAX_LINES)
        if len(rows) > MAX_LINES:
            raise InvalidInput("mass_too_many", count=len(rows), limit=MAX_LINES)
        lines: list[MassLine] = []
        errors: list[LineError] = []
        for number, row in enumerate(rows, 1):
            checked = await self._check(user_id, number, row)
            if isinstance(checked, LineError):
                errors.append(checked)
            else:
                lines.append(checked)
        if errors:
            raise MassInvalid(errors)
        draft = MassDraft(secrets.token_urlsafe(9), tuple(lines))
        try:
            await self._ordering.check_daily_limit(user_id, draft.total)
        except InvalidInput as error:
            raise InvalidInput("mass_over_daily_limit", **error.values) from None
        return draft

    async def _check(self, user_id: int, number: int, row: str) -> MassLine | LineError:
        fields = split_line(row)
        if fields is None:
            return LineError(number, "mass_line_format")
        id_text, link_text, quantity_text = fields
        service_id = parse_whole_number(id_text)
        if service_id is None:
            return LineError(number, "mass_line_service_id", {"value": id_text[:40]})
        try:
            service = await self._ordering.service(service_id)
        except InvalidInput:
            return LineError(number, "mass_line_no_service", {"service_id": service_id})
        if kind_of(service).steps != LINK_AND_QUANTITY:
            return LineError(number, "mass_line_type", {"service_id": service_id, "type": service.type})
        try:
            link = parse_link(link_text)
        except InvalidInput:
            return LineError(number, "mass_line_link", {"value": link_text[:60]})
        try:
            quantity = parse_quantity(service, quantity_text)
        except InvalidInput:
            return LineError(number, "mass_line_quantity", {"min": service.min, "max": service.max})
        charge = quote(service, Draft(service_id=service.id, link=link, quantity=quantity)).charge
        try:
            await self._ordering.check_limits(user_id, charge)
        except InvalidInput as error:
            if error.key == "wizard_over_max_charge":
                return LineError(number, "mass_line_over_max", dict(error.values))
            # over the daily limit alone: the total is over it too, and says so once
        return MassLine(number, service.id, service.name, link, quantity, charge)

    async def place(
        self, user_id: int, chat_id: int, draft: MassDraft, progress: Progress | None = None
    ) -> list[LineResult]:
        """Place each line once, in order; what happened to each, in the same order."""
        results: list[LineResult] = []
        for line in draft.lines:
            results.append(await self._place_line(user_id, chat_id, draft.token, line))
            if progress is not None:
                await progress(len(results), len(draft.lines))
        return results

    async def _place_line(self, user_id: int, chat_id: int, token: str, line: MassLine) -> LineResult:
        key = line_key(token, line.number)
        draft = Draft(
            service_id=line.service_id,
            link=line.link,
            quantity=line.quantity,
            token=key,
            quoted=str(line.charge),
        )
        try:
            placement = await self._ordering.place(user_id, chat_id, draft)
        except PriceChanged:
            return LineResult(line, LineOutcome.NOT_PLACED, reason="mass_reason_price_changed")
        except InvalidInput as error:  # before the intent: a limit reached, the service gone
            reason = _NOT_PLACED_REASONS.get(error.key, "mass_reason_error")
            return LineResult(line, LineOutcome.NOT_PLACED, reason=reason, values=dict(error.values))
        except OrderFailed as failure:
            outcome = LineOutcome.UNAVAILABLE if failure.unavailable else LineOutcome.REFUSED
            return LineResult(line, outcome, message=failure.message)
        except Exception:
            # Not from `add` (the ordering service turns everything after the intent into an
            # outcome): whatever the record says is the truth, no record means not placed.
            log.exception("mass order %s: line %d failed before or around its intent", token, line.number)
            try:
                recorded = await self._ordering.find_placed(key)
            except Exception:
                log.exception("mass order %s: line %d could not be looked up", token, line.number)
                recorded = None
            if recorded is None:
                return LineResult(line, LineOutcome.NOT_PLACED, reason="mass_reason_error")
            return _from_record(line, recorded, earlier=False)
        if placement.outcome is Outcome.ALREADY_PLACED:
            return _from_record(line, placement.order, earlier=True)
        return _from_placement(line, placement)


def _from_placement(line: MassLine, placement: Placement) -> LineResult:
    if placement.outcome is Outcome.PLACED:
        return LineResult(line, LineOutcome.PLACED, placement.order)
    return LineResult(line, LineOutcome.UNKNOWN, placement.order)


def _from_record(line: MassLine, order: OrderRecord, *, earlier: bool) -> LineResult:
    if order.state is OrderState.PLACED:
        return LineResult(line, LineOutcome.PLACED, order, earlier=earlier)
    if order.state is OrderState.FAILED:
        return LineResult(line, LineOutcome.REFUSED, order, message=order.error, earlier=earlier)
    return LineResult(line, LineOutcome.UNKNOWN, order, earlier=earlier)  # intent or unknown
