"""Finding the right service: platforms above categories, and service names that tell
neighbours apart.

Both are computed once per catalog load (`Catalog.__post_init__`), never per tap, so
browsing a 10,000-service catalog costs dictionary look-ups only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

OTHER = "other"

# (key, shown name, words or phrases that name it, folded: lowercase, no accents).
# The key goes into callback data: short ASCII.  Order only breaks ties of position.
PLATFORMS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("fb", "Facebook", ("facebook", "fb", "fanpage", "face book")),
    ("ig", "Instagram", ("instagram", "insta", "ig")),
    ("tt", "TikTok", ("tiktok", "tik tok")),
    ("yt", "YouTube", ("youtube", "yt", "you tube")),
    ("tg", "Telegram", ("telegram", "tele")),
    ("sp", "Shopee", ("shopee",)),
    ("tw", "Twitter/X", ("twitter", "tweet", "retweet", "x")),
    ("th", "Threads", ("threads",)),
    ("sf", "Spotify", ("spotify",)),
    ("gg", "Google", ("google", "gmap", "gmaps")),
    ("web", "Website traffic", ("website", "web traffic", "traffic", "seo")),
    ("dc", "Discord", ("discord",)),
    ("tv", "Twitch", ("twitch",)),
    ("zl", "Zalo", ("zalo",)),
    ("lz", "Lazada", ("lazada",)),
    ("li", "LinkedIn", ("linkedin",)),
    ("pi", "Pinterest", ("pinterest",)),
    ("rd", "Reddit", ("reddit",)),
    ("sc", "SoundCloud", ("soundcloud",)),
    ("sn", "Snapchat", ("snapchat",)),
    ("kk", "Kick", ("kick com",)),
)
NAMES: dict[str, str] = {key: name for key, name, _ in PLATFORMS}

_NON_WORD = re.compile(r"[\W_]+")
_SEPARATORS = frozenset("-|–—/:·•,;+")
_BRACKETS = frozenset("[](){}<>")
_DROP, _SEPARATOR, _KEEP, _NUMBER = 0, 1, 2, 3  # _NUMBER: kept, and names a number
_DIGIT = re.compile(r"\d")


@lru_cache(maxsize=65536)
def fold(value: str) -> str:
    """Lowercase, accent-free, words separated by single spaces ("Tăng Like!" → "tang like")."""
    value = value.replace("đ", "d").replace("Đ", "D")
    value = "".join(c for c in unicodedata.normalize("NFD", value) if not unicodedata.combining(c))
    return " ".join(_NON_WORD.sub(" ", value.lower()).split())


def _first_mention(folded: str) -> str | None:
    """The platform named earliest in a folded text, or None."""
    padded = f" {folded} "
    best: tuple[int, int, str] | None = None
    for order, (key, _, words) in enumerate(PLATFORMS):
        for word in words:
            at = padded.find(f" {word} ")
            if at >= 0 and (best is None or (at, order) < best[:2]):
                best = (at, order, key)
    return best[2] if best else None


def detect(category: str, service_names: Iterable[str]) -> str:
    """The platform of a category: named in the category, else the one most of its
    service names mention (the first few suffice), else `OTHER`."""
    found = _first_mention(fold(category))
    if found is not None:
        return found
    votes: dict[str, int] = {}
    for index, name in enumerate(service_names):
        if index >= 20:
            break
        key = _first_mention(fold(name))
        if key is not None:
            votes[key] = votes.get(key, 0) + 1
    return max(votes, key=lambda k: votes[k]) if votes else OTHER


def distinguishing_names(names: Sequence[str]) -> list[str]:
    """Each name without the words every name of the group repeats ("Facebook", "Tăng like
    bài viết"…), keeping what tells them apart (server, warranty, speed), in its own order.

    Only whole plain words are dropped (never "[Bảo" from "[Bảo hành]", so brackets stay
    balanced); separators left dangling are collapsed.  A name that would be left empty, or
    a group of one, keeps its full name.
    """
    tokens = [name.split() for name in names]
    if len(names) < 2:
        return [" ".join(t) for t in tokens]
    common: set[str] | None = None
    for words in tokens:
        plain = set().union(*(_parts(w) for w in words))
        common = plain if common is None else common & plain
        if not common:
            break
    if not common:
        return [" ".join(t) for t in tokens]
    kinds: dict[str, int] = {}  # word → _DROP, _SEPARATOR, _KEEP or _NUMBER, decided once per group
    result = []
    for words in tokens:
        marks = []
        for word in words:
            kind = kinds.get(word)
            if kind is None:
                kind = kinds[word] = _kind(word, common)
            marks.append(kind)
        _keep_number_names(words, marks)
        kept: list[str] = []
        last = _SEPARATOR  # a leading separator goes too
        for word, kind in zip(words, marks, strict=True):
            if kind == _DROP or (kind == _SEPARATOR and last == _SEPARATOR):
                continue
            kept.append(word)
            last = kind
        if last == _SEPARATOR and kept:
            kept.pop()
        result.append(" ".join(kept) if kept else " ".join(words))
    return result


def _keep_number_names(words: list[str], marks: list[int]) -> None:
    """Keep up to two repeated words right before a kept number: "Server 2", "Tốc độ 1K/ngày"
    read better than a bare "2" or "1K/ngày"."""
    rescue = 0
    for index in range(len(words) - 1, -1, -1):
        if marks[index] == _DROP:
            if rescue:
                marks[index] = _KEEP
                rescue -= 1
        else:
            rescue = 2 if marks[index] == _NUMBER else 0


def _kind(word: str, common: set[str]) -> int:
    if _repeated(word, common):
        return _DROP
    if _is_separator(word):
        return _SEPARATOR
    return _NUMBER if _DIGIT.search(word) else _KEEP


@lru_cache(maxsize=65536)
def _parts(word: str) -> frozenset[str]:
    """The folded words of a token, none for one with brackets (never dropped, see below)."""
    return frozenset() if not _BRACKETS.isdisjoint(word) else frozenset(fold(word).split())


def _repeated(word: str, common: set[str]) -> bool:
    """A plain word every name has ("like"), or one joined by separators ("Twitter/X")."""
    if word.isalnum():
        return fold(word) in common
    if any(c in _BRACKETS for c in word):
        return False  # "[Bảo": dropping it would unbalance the brackets
    parts = fold(word).split()
    return bool(parts) and all(part in common for part in parts)


def _is_separator(word: str) -> bool:
    return all(c in _SEPARATORS for c in word)
