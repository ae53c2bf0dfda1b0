"""Money formatting: the panel's currency (VND: big whole numbers) with thousands separators."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

_SEPARATORS = {"vi": (".", ","), "en": (",", ".")}


def format_amount(amount: Decimal | int, language: str = "en") -> str:
    """`1234567` → "1,234,567" (en) or "1.234.567" (vi); keeps up to 2 decimals when present."""
    thousands, decimal_point = _SEPARATORS.get(language, _SEPARATORS["en"])
    rounded = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    whole, _, fraction = f"{abs(rounded):,.2f}".partition(".")
    fraction = fraction.rstrip("0")
    text = whole.replace(",", thousands) + (decimal_point + fraction if fraction else "")
    return ("-" if rounded < 0 else "") + text


def format_money(amount: Decimal | int, currency: str, language: str = "en") -> str:
    return f"{format_amount(amount, language)} {currency}".rstrip()
