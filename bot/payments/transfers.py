"""What a bank-transfer notification means to the wallet, whichever service sent it.

SePay and Casso describe the same event (money moved on our account) in different
JSON; both are read into one `IncomingTransfer` so crediting, deduplication and code
matching are written once. Readers are strict: a body we cannot read exactly is
refused (HTTP 400) rather than guessed at, because a guess here is somebody's money.
"""

from __future__ import annotations

import hmac
import json
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

_MAX_AMOUNT_DIGITS = 15  # 10^15 dong is far beyond any transfer; bounds work on hostile input.
_MAX_ID_CHARS = 128  # room for UUIDs and bank ids, not for a body smuggled into a key.
_ASCII_UPPER_DIGITS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


@dataclass(frozen=True)
class IncomingTransfer:
    """One transaction as a webhook reported it; only `incoming` ones may credit anybody."""

    source: str  # "sepay" | "casso"
    transaction_id: str  # the service's own id (dedupe key within a source), as text
    amount: Decimal  # what moved, positive, whole VND
    incoming: bool  # money in
    content: str  # transfer content/description as the bank gave it ("" if missing)
    account: str | None  # the receiving account number, when given
    reference: str | None  # the bank's reference code, when given
    happened_at: str | None  # the time as the service wrote it, never parsed into a wrong zone


class BadNotification(ValueError):
    """The body isn't a notification we can read (→ HTTP 400).

    The message says why, briefly, and never echoes the body or a secret: it may be logged.
    """


def key_matches(given: str | None, expected: str) -> bool:
    """Constant-time comparison, so response timing never reveals how much of a key was right.

    An empty `expected` matches nothing: an unset secret must not open the door.
    """
    if given is None or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def normalized(text: str) -> str:
    """What code matching compares: uppercase A-Z/0-9 only, accents stripped.

    Banks and customers' apps add accents, case changes, spaces and punctuation to the
    content ("Nạp nap-7k2q 9d."); the code we issued survives only in this form.
    """
    text = text.replace("Đ", "D").replace("đ", "d")
    stripped = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return "".join(c for c in stripped.upper() if c in _ASCII_UPPER_DIGITS)


def _refuse_constant(name: str) -> Any:
    raise BadNotification(f"JSON constant {name} is not a number we accept")


def load_json(body: bytes) -> Any:
    """The parsed body, with JSON decimals as `Decimal` (never float) and NaN/Infinity refused."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadNotification("body is not UTF-8") from None
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)
    except BadNotification:
        raise
    except (ValueError, RecursionError):  # JSONDecodeError, over-long integers, deep nesting
        raise BadNotification("body is not valid JSON") from None


def whole_dong(value: object, field: str, *, signed: bool = False) -> Decimal:
    """An amount in whole dong from a JSON int, a zero-fraction decimal or a plain digit string.

    Refused: bools (JSON true is not 1 dong), fractions (VND has none), NaN, grouped
    strings like "2,277,000" (ambiguous across locales), and negatives unless `signed`.
    """
    if isinstance(value, bool):
        raise BadNotification(f"{field} is not a number")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, Decimal):
        amount = value
    elif isinstance(value, str):
        text = value.strip()
        digits = text[1:] if signed and text.startswith("-") else text
        if not digits or len(digits) > _MAX_AMOUNT_DIGITS or not (digits.isascii() and digits.isdigit()):
            raise BadNotification(f"{field} is not a whole number")
        amount = Decimal(text)
    else:
        raise BadNotification(f"{field} is missing or not a number")
    if not amount.is_finite():
        raise BadNotification(f"{field} is not a number")
    if amount != 0 and amount.adjusted() >= _MAX_AMOUNT_DIGITS:
        raise BadNotification(f"{field} is too large")
    try:
        if amount != amount.to_integral_value():
            raise BadNotification(f"{field} has a fraction of a dong")
    except InvalidOperation:
        raise BadNotification(f"{field} is not a number") from None
    if amount < 0 and not signed:
        raise BadNotification(f"{field} is negative")
    return amount.quantize(Decimal(1))


def transaction_id(value: object, field: str = "id") -> str:
    """The service's transaction id as text (ints and non-empty strings; never bools)."""
    if isinstance(value, bool):
        raise BadNotification(f"{field} is not an id")
    if isinstance(value, int):
        if value < 0:
            raise BadNotification(f"{field} is negative")
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise BadNotification(f"{field} is missing or not an id")
    if not text or len(text) > _MAX_ID_CHARS:
        raise BadNotification(f"{field} is empty or too long")
    return text


def optional_text(value: object, field: str) -> str | None:
    """A descriptive field: text as given, numbers as their digits, absent/null as None."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise BadNotification(f"{field} is not text")


def first_present(item: dict[str, Any], *keys: str) -> object:
    """The first of `keys` whose value is neither missing nor null (services rename fields by version)."""
    for key in keys:
        if item.get(key) is not None:
            return item[key]
    return None
