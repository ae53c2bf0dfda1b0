"""Reading numbers people and clients type: ASCII digits only.

`str.isdigit()` is true for "²", "①" or "١٢٣", which `int()` then rejects
(or, for Arabic-Indic digits, silently accepts): every ID, page, quantity and
setting is read through here so such input is just "not a number".
"""

from __future__ import annotations


def ascii_int(text: str, max_digits: int = 18) -> int | None:
    """A non-negative whole number written in 0-9 only (at most `max_digits`), else None."""
    if not text or len(text) > max_digits or not (text.isascii() and text.isdigit()):
        return None
    return int(text)
