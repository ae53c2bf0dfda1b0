"""Catalog search: accent- and case-insensitive matching of names, categories and IDs.

Vietnamese users type without diacritics ("tang like") as often as with them
("Tăng like"), and panels decorate names with emoji and punctuation, so both the
catalog and the query are reduced to the same plain form before comparing.  Emoji
are words of their own there (panels mark services with 💧 or 🇻🇳 and users search
for exactly that); punctuation is dropped.

The catalog can hold 10,000+ services and plain-text search runs on every
message a user types, so each catalog snapshot is indexed once: every distinct
word maps to a bitmask of the services containing it (bit i = i-th service in
ID order).  A query then costs a scan of the vocabulary (a few thousand short
words) plus big-integer ANDs/ORs, instead of a scan of every service name.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import unicodedata
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import overload

from bot.numbers import ascii_int
from bot.panel.models import Service
from bot.services.catalog import Catalog

# Words beyond this are ignored: a pasted paragraph must not cost a vocabulary scan per word.
MAX_QUERY_WORDS = 10

_LETTER_D = str.maketrans({"đ": "d", "Đ": "d"})
_REGIONAL_INDICATORS = ("\U0001f1e6", "\U0001f1ff")  # 🇦 … 🇿: two of them make a flag


def normalize(text: str) -> str:
    """Plain searchable form: "Tăng LIKE 👍 Việt-Nam" → "tang like 👍 viet nam".

    Works word by word through a cache: catalogs repeat the same few hundred
    words thousands of times, and indexing 10,000 names char by char is slow.
    """
    return " ".join(filter(None, map(_normalize_word, text.split())))


@functools.lru_cache(maxsize=65536)
def _normalize_word(word: str) -> str:
    """One whitespace-free chunk → zero or more plain words.

    NFKD (a superset of NFD) also folds the full-width and styled letters some
    panels use in names; combining marks are the diacritics, dropped.  "đ" is a
    letter of its own in Unicode, not d + mark, so it is mapped explicitly.
    Punctuation becomes a word break ("Việt-Nam" → "viet nam"); each emoji is a word
    of its own ("💧Nước" → "💧 nuoc"), a flag being its two regional indicators
    ("🇻🇳"), without the presentation selectors, skin tones and joiners that only
    change how it is drawn ("❤️" and "❤" are the same word).
    """
    decomposed = unicodedata.normalize("NFKD", word.translate(_LETTER_D).casefold())
    found: list[str] = []
    letters: list[str] = []
    flag = ""  # the first regional indicator of a flag, until its second arrives
    for ch in decomposed:
        if unicodedata.combining(ch):
            continue
        regional = _REGIONAL_INDICATORS[0] <= ch <= _REGIONAL_INDICATORS[1]
        if flag and not regional:  # half a flag: kept as it is
            found.append(flag)
            flag = ""
        if ch.isalnum():
            letters.append(ch)
            continue
        found.append("".join(letters))
        letters.clear()
        if regional:
            found.append(flag + ch if flag else "")
            flag = "" if flag else ch
        elif unicodedata.category(ch) == "So":  # pictographs and other symbols: the emoji
            found.append(ch)
    found += ["".join(letters), flag]
    return " ".join(filter(None, found))


def words(text: str) -> list[str]:
    """The distinct normalised words of a query, in order, at most MAX_QUERY_WORDS."""
    return list(dict.fromkeys(normalize(text).split()))[:MAX_QUERY_WORDS]


def _bits(mask: int) -> Iterator[int]:
    """Indices of the set bits, lowest first (= ascending service ID).

    Goes through the binary string: one C-level scan instead of one big-integer
    operation per bit, which would be quadratic on a 10,000-bit mask.
    """
    digits = bin(mask)[:1:-1]  # least significant digit first, "0b" dropped
    position = digits.find("1")
    while position >= 0:
        yield position
        position = digits.find("1", position + 1)


def _mask(positions: Iterable[int], size: int) -> int:
    """A bitmask from positions, built in a bytearray: OR-ing ints one bit at a time is quadratic."""
    buffer = bytearray((size + 7) // 8)
    for position in positions:
        buffer[position >> 3] |= 1 << (position & 7)
    return int.from_bytes(buffer, "little")


@dataclass(frozen=True)
class _Index:
    """Everything a query needs, precomputed for one catalog snapshot."""

    services: tuple[Service, ...]  # sorted by ID; position = bit number
    ids: array[int]  # the services' IDs, same order: an ID's position is found by bisection
    # " normalised name " (padded so phrase matches can anchor on words), UTF-8: names keep
    # their emoji, and a str holding one takes 4 bytes per character (13 MB at 50,000).
    names: tuple[bytes, ...]
    vocabulary: dict[str, int]  # any word of name or category → services containing it
    name_words: tuple[str, ...]  # sorted distinct words of names, for prefix lookups
    name_masks: tuple[int, ...]  # parallel to name_words

    @classmethod
    def build(cls, catalog: Catalog) -> _Index:
        services = tuple(sorted(catalog.services, key=lambda s: s.id))
        size = len(services)
        in_names: dict[str, list[int]] = {}
        in_categories: dict[str, list[int]] = {}
        names: list[bytes] = []
        for position, service in enumerate(services):
            name = normalize(service.name)
            names.append(f" {name} ".encode())
            for word in set(name.split()):
                in_names.setdefault(word, []).append(position)
            in_categories.setdefault(service.category, []).append(position)
        name_masks = {word: _mask(found, size) for word, found in in_names.items()}
        vocabulary = dict(name_masks)
        for category, found in in_categories.items():  # one mask per category, not per service
            category_mask = _mask(found, size)
            for word in set(normalize(category).split()):
                vocabulary[word] = vocabulary.get(word, 0) | category_mask
        sorted_words = tuple(sorted(name_masks))
        return cls(
            services=services,
            ids=array("q", (s.id for s in services)),
            names=tuple(names),
            vocabulary=vocabulary,
            name_words=sorted_words,
            name_masks=tuple(name_masks[word] for word in sorted_words),
        )

    def containing(self, word: str) -> int:
        """Services whose name or category contains `word` anywhere (also mid-word)."""
        mask = 0
        for known, services in self.vocabulary.items():
            if word in known:
                mask |= services
        return mask

    def name_prefixed(self, word: str) -> int:
        """Services with a name word starting with `word` (sorted words: one bisect range)."""
        start = bisect.bisect_left(self.name_words, word)
        mask = 0
        for index in range(start, len(self.name_words)):
            if not self.name_words[index].startswith(word):
                break
            mask |= self.name_masks[index]
        return mask


class Matches(Sequence[Service]):
    """A search's results: `len` is the number of matches, counted without ranking them;
    indexing and slicing rank as far as they reach, once (ranked positions are kept)."""

    def __init__(self, total: int, ranked: Iterator[int], services: tuple[Service, ...]) -> None:
        self._total = total
        self._ranked = ranked
        self._services = services
        self._seen: list[int] = []

    def __len__(self) -> int:
        return self._total

    def __iter__(self) -> Iterator[Service]:
        """All of them, ranked in one go (`Sequence`'s own iteration would index one by one)."""
        self._rank_to(self._total)
        return (self._services[position] for position in self._seen)

    @overload
    def __getitem__(self, item: int) -> Service: ...

    @overload
    def __getitem__(self, item: slice) -> list[Service]: ...

    def __getitem__(self, item: int | slice) -> Service | list[Service]:
        if isinstance(item, slice):
            wanted = range(*item.indices(self._total))  # positions in the whole ranking
            if wanted:
                self._rank_to(max(wanted[0], wanted[-1]) + 1)
            return [self._services[self._seen[rank]] for rank in wanted]
        if item < 0:
            item += self._total
        if not 0 <= item < self._total:
            raise IndexError("search result index out of range")
        self._rank_to(item + 1)
        return self._services[self._seen[item]]

    def _rank_to(self, count: int) -> None:
        missing = count - len(self._seen)
        if missing > 0:
            self._seen.extend(itertools.islice(self._ranked, missing))


class ServiceSearch:
    """Ranked search over a catalog snapshot; the index is rebuilt only when the snapshot changes."""

    def __init__(self) -> None:
        # The catalog and its index, as ONE attribute: `prepare` builds a new pair in a worker
        # thread and swaps it in with a single assignment, so a search never sees a catalog
        # with another catalog's index.
        self._current: tuple[Catalog, _Index] | None = None

    def search(self, catalog: Catalog, query: str, limit: int | None = None) -> list[Service]:
        """Services matching every word of `query`, best first (see `matches`); the first
        `limit` of them, or all."""
        found = self.matches(catalog, query)
        return found[:limit] if limit is not None else list(found)

    def matches(self, catalog: Catalog, query: str) -> Matches:
        """Services matching every word of `query`, best first, as a lazy sequence: its length
        is known at once, and a slice ranks only as far as it reaches.  Showing ten of 50,000
        matches must not rank 50,000.

        Order: the service whose ID is the query (e.g. "1234" or "#1234"), then
        names containing the whole phrase, then names where every word starts a
        name word, then the rest (words found mid-word or only in the category);
        ties by ascending ID.
        """
        terms = words(query)
        if not terms:
            return Matches(0, iter(()), ())
        index = self._index_for(catalog)
        exact = self._exact_id(index, terms)
        matched = -1  # every bit set; narrowed by each word (AND)
        for term in terms:
            matched &= index.containing(term)
        total = (exact | matched).bit_count()
        matched &= ~exact
        prefixed = matched
        for term in terms:
            prefixed &= index.name_prefixed(term)
        phrase = " ".join(terms) if len(terms) > 1 else None
        return Matches(total, self._ranked(index, exact, matched, prefixed, phrase), index.services)

    @staticmethod
    def _ranked(index: _Index, exact: int, matched: int, prefixed: int, phrase: str | None) -> Iterator[int]:
        """Positions in rank order, produced on demand: the phrase is looked for in one name
        after another only until the slice asked for is filled."""
        yield from _bits(exact)
        if phrase is None:
            yield from _bits(prefixed)
        else:
            needle = f" {phrase}".encode()
            without: list[int] = []  # prefixed, but the phrase is not in the name: ranked next
            for position in _bits(prefixed):
                if needle in index.names[position]:
                    yield position
                else:
                    without.append(position)
            yield from without
        yield from _bits(matched & ~prefixed)

    def prepare(self, catalog: Catalog) -> None:
        """Build the index ahead of the first search (start-up warm-up, every reload), off the
        user's time; safe to call from a worker thread (see `_current`)."""
        self._index_for(catalog)

    def _index_for(self, catalog: Catalog) -> _Index:
        """Cached by snapshot identity: a refreshed catalog is a new object, so a new index."""
        current = self._current
        if current is not None and current[0] is catalog:
            return current[1]
        index = _Index.build(catalog)
        self._current = (catalog, index)
        return index

    @staticmethod
    def _exact_id(index: _Index, terms: list[str]) -> int:
        service_id = ascii_int(terms[0]) if len(terms) == 1 else None
        if service_id is None:
            return 0
        position = bisect.bisect_left(index.ids, service_id)
        found = position < len(index.ids) and index.ids[position] == service_id
        return 1 << position if found else 0
