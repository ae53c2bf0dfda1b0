"""Money formatting: the one way any amount (price, charge, balance, total) is written.

Panels price in VND (big whole numbers: `18,000`) or in USD and the like (tiny rates:
`0.0015` per 1000), so an amount is never cut to a fixed number of decimals: it is shown
exactly when it has at most `_EXACT_PLACES` decimals (everything a panel sends: see
`MONEY_PLACES` in bot/panel/models.py), else rounded to at least `_SIGNIFICANT` significant
digits.  A non-zero amount is never shown as 0.  Separators follow the reader's language:
"18,000" / "0.0015" in English, "18.000" / "0,0015" in Vietnamese.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

_SEPARATORS = {"vi": (".", ","), "en": (",", ".")}
# Written out in full between these; outside (nothing real: panel amounts are bounded far
# tighter) in scientific form, so a garbage amount can't become a 1,000-digit message.
_LARGEST_WRITTEN_OUT = Decimal(10) ** 21
_SMALLEST_WRITTEN_OUT = Decimal(10) ** -12
_EXACT_PLACES = 10  # decimals shown as they are; more (a computed quotient) are rounded
_SIGNIFICANT = 3  # ... but never to fewer significant digits than this
_PRECISION = 60  # digits enough to round anything written out to its shown decimals


def format_amount(amount: Decimal | int, language: str = "en") -> str:
    """`1234567` → "1,234,567" (en) or "1.234.567" (vi); `0.0015` → "0.0015"; `100.84292` →
    "100.84292"; `1/3` → "0.3333333333"; `0.000000001234567` → "0.00000000123".

    Never raises: an amount only shown must not break the message it is in, whatever it is
    (`1E+999` is shown as "1E+999", `1E-999` as "1E-999", NaN as "NaN").
    """
    thousands, decimal_point = _SEPARATORS.get(language, _SEPARATORS["en"])
    value = Decimal(amount)
    if not value.is_finite():
        return "NaN" if value.is_nan() else ("-∞" if value < 0 else "∞")
    size = value.copy_abs()  # exact; abs() can overflow
    if size >= _LARGEST_WRITTEN_OUT or (size and size < _SMALLEST_WRITTEN_OUT):
        mantissa, _, power = f"{value:.{_SIGNIFICANT}E}".partition("E")
        mantissa = mantissa.rstrip("0").rstrip(".").replace(".", decimal_point)
        return f"{mantissa}E{power}"
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # finite
    exact_places = max(0, -exponent)
    significant_places = _SIGNIFICANT - 1 - value.adjusted() if value else 0
    places = min(exact_places, max(_EXACT_PLACES, significant_places))
    with localcontext() as context:
        context.prec = _PRECISION  # the default 28 digits can't hold 10**20 with 10 decimals
        rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    whole, _, fraction = f"{abs(rounded):,.{places}f}".partition(".")
    fraction = fraction.rstrip("0")
    text = whole.replace(",", thousands) + (decimal_point + fraction if fraction else "")
    return ("-" if rounded < 0 else "") + text


def format_money(amount: Decimal | int, currency: str, language: str = "en") -> str:
    """An amount with the panel's currency code: "0.0015 USD", "18.000 VND" (vi)."""
    return f"{format_amount(amount, language)} {currency}".rstrip()
