"""Money formatting: the panel's currency (VND: big whole numbers) with thousands separators."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

_SEPARATORS = {"vi": (".", ","), "en": (",", ".")}
# Written out in full below this; at and past it (nothing real: panel amounts are bounded far
# lower) in scientific form, so a garbage amount can't become a 1,000-digit message.
_LARGEST_WRITTEN_OUT = Decimal(10) ** 21
_PRECISION = 40  # digits needed to round anything below `_LARGEST_WRITTEN_OUT` to cents


def format_amount(amount: Decimal | int, language: str = "en") -> str:
    """`1234567` → "1,234,567" (en) or "1.234.567" (vi); keeps up to 2 decimals when present.

    Never raises: an amount only shown must not break the message it is in, whatever it is
    (`1E+999` is shown as "1E+999", NaN as "NaN").
    """
    thousands, decimal_point = _SEPARATORS.get(language, _SEPARATORS["en"])
    value = Decimal(amount)
    if not value.is_finite():
        return "NaN" if value.is_nan() else ("-∞" if value < 0 else "∞")
    if value.copy_abs() >= _LARGEST_WRITTEN_OUT:  # copy_abs: exact, abs() can overflow
        mantissa, _, exponent = f"{value:.3E}".partition("E")
        mantissa = mantissa.rstrip("0").rstrip(".").replace(".", decimal_point)
        return f"{mantissa}E{exponent}"
    with localcontext() as context:
        # The default 28 digits can't hold 10**26 with cents: quantize would raise.
        context.prec = _PRECISION
        rounded = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    whole, _, fraction = f"{abs(rounded):,.2f}".partition(".")
    fraction = fraction.rstrip("0")
    text = whole.replace(",", thousands) + (decimal_point + fraction if fraction else "")
    return ("-" if rounded < 0 else "") + text


def format_money(amount: Decimal | int, currency: str, language: str = "en") -> str:
    return f"{format_amount(amount, language)} {currency}".rstrip()
