"""Keyboard building blocks shared by every feature: pagination and navigation rows."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from telegram import InlineKeyboardButton

from bot.telegram import callbacks
from bot.telegram.texts import text

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    number: int  # 0-based, clamped into range
    count: int  # total number of pages (≥ 1)


def paginate(items: Sequence[T], page: int, per_page: int) -> Page[T]:
    """Slice one page; an out-of-range page (old button, forged data) shows the nearest one."""
    count = max(1, math.ceil(len(items) / per_page))
    number = min(max(page, 0), count - 1)
    return Page(items[number * per_page : (number + 1) * per_page], number, count)


def nav_row(page: Page[T], language: str, prefix: str, *args: object) -> list[InlineKeyboardButton]:
    """ "‹ Prev · x/y · Next ›"; empty when everything fits on one page.

    `prefix` and `args` are the callback prefix and the args before the page number,
    e.g. `nav_row(page, lang, callbacks.CATEGORY, key)` → `cs:<key>:<n>`.
    """
    if page.count <= 1:
        return []
    row: list[InlineKeyboardButton] = []
    if page.number > 0:
        row.append(button(text(language, "nav_prev"), prefix, *args, page.number - 1))
    row.append(button(f"{page.number + 1}/{page.count}", callbacks.NOOP))
    if page.number < page.count - 1:
        row.append(button(text(language, "nav_next"), prefix, *args, page.number + 1))
    return row


def button(label: str, prefix: str, *args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=callbacks.make(prefix, *args))


def shorten(label: str, limit: int = 48) -> str:
    """Button labels: collapse whitespace and cut at a word boundary with an ellipsis."""
    label = " ".join(label.split())
    if len(label) <= limit:
        return label
    cut = label[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" -|–—,.[(") + "…"
