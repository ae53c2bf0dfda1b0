"""Catalog search: accents, case, IDs, AND semantics, ranking, and a 10,000-service catalog."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

import pytest

from bot.panel.models import Service
from bot.panel.simulator import generate_catalog
from bot.services.catalog import Catalog
from bot.services.search import MAX_QUERY_WORDS, ServiceSearch, normalize


def service(service_id: int, name: str, category: str = "Misc") -> Service:
    return Service(service_id, name, "Default", category, Decimal("1000"), 10, 1000)


def catalog(*services: Service) -> Catalog:
    return Catalog(services, fetched_at=0.0)


def ids(found: list[Service]) -> list[int]:
    return [s.id for s in found]


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("Tăng LIKE 👍 Việt-Nam", "tang like 👍 viet nam"),  # an emoji is a word of its own
        ("Đăng ký kênh ĐỎ", "dang ky kenh do"),
        ("Ｆａｃｅｂｏｏｋ", "facebook"),  # full-width letters some panels use
        ("  Bảo hành   [30 ngày]!! ", "bao hanh 30 ngay"),
        ("🔥⚡💎", "🔥 ⚡ 💎"),
        ("", ""),
    ],
)
def test_normalize(raw: str, plain: str) -> None:
    assert normalize(raw) == plain


CATALOG = catalog(
    service(1, "Follow like tang", "Facebook"),  # every word starts a name word, not as a phrase
    service(2, "Tăng like bài viết", "Facebook"),  # the whole phrase
    service(3, "xtang likes", "Facebook"),  # "tang" only mid-word
    service(4, "Tang Like", "Instagram"),  # the whole phrase
    service(5, "Like", "Tăng tương tác"),  # "tang" only in the category
    service(6, "Tăng view video", "TikTok"),
    service(42, "Instagram followers 500", "Instagram"),
    service(500, "TikTok views 42K", "TikTok"),
)


def test_without_accents_finds_the_accented_names() -> None:
    search = ServiceSearch()
    plain = ids(search.search(CATALOG, "tang like"))
    assert 2 in plain
    assert plain == ids(search.search(CATALOG, "Tăng like"))
    assert plain == ids(search.search(CATALOG, "TĂNG   LIKE!!"))


def test_ranking_phrase_then_word_prefixes_then_the_rest_each_by_id() -> None:
    assert ids(ServiceSearch().search(CATALOG, "tang like")) == [2, 4, 1, 3, 5]


def test_every_word_must_match() -> None:
    search = ServiceSearch()
    assert ids(search.search(CATALOG, "tang view")) == [6]
    assert search.search(CATALOG, "tang nothingatall") == []


def test_category_words_match() -> None:
    assert ids(ServiceSearch().search(CATALOG, "instagram")) == [42, 4]  # name match outranks category


def test_a_number_matches_that_service_id_first() -> None:
    search = ServiceSearch()
    assert ids(search.search(CATALOG, "42")) == [42, 500]  # then "42K" in a name
    assert ids(search.search(CATALOG, "#500")) == [500, 42]
    assert ids(search.search(CATALOG, "7")) == []  # no such ID, no such text


def test_limit_keeps_the_best() -> None:
    assert ids(ServiceSearch().search(CATALOG, "tang like", limit=2)) == [2, 4]


@pytest.mark.parametrize("query", ["", "   ", "🔥!!", "-"])
def test_nothing_to_search_finds_nothing(query: str) -> None:
    assert ServiceSearch().search(CATALOG, query) == []


def test_a_new_snapshot_is_searched_not_the_cached_one() -> None:
    search = ServiceSearch()
    assert ids(search.search(CATALOG, "tang view")) == [6]
    refreshed = catalog(service(6, "Tăng share"), service(7, "Tăng view reels"))
    assert ids(search.search(refreshed, "tang view")) == [7]
    assert ids(search.search(CATALOG, "tang view")) == [6]


def test_a_pasted_paragraph_uses_only_the_first_words() -> None:
    words = ["tang", "like"] + [f"word{i}" for i in range(500)]
    assert len(words) > MAX_QUERY_WORDS
    assert ServiceSearch().search(CATALOG, " ".join(words)) == []  # word0.. do not match: AND
    assert ids(ServiceSearch().search(CATALOG, "tang like " + "like " * 500)) == [2, 4, 1, 3, 5]


def _plain(value: str) -> str:
    """The test's own accent folding, independent of the code under test."""
    value = value.replace("đ", "d").replace("Đ", "D")
    value = "".join(c for c in unicodedata.normalize("NFD", value) if not unicodedata.combining(c))
    return re.sub(r"[^\w]+|_", " ", value.lower())


BIG_SEARCH = ServiceSearch()  # shared across the 10k tests: one index build, as in the bot


@pytest.fixture(scope="module")
def big_catalog() -> Catalog:
    services = [Service.from_api(raw) for raw in generate_catalog(10_000, categories=120)]
    return catalog(*[s for s in services if s is not None])


@pytest.fixture(scope="module")
def haystacks(big_catalog: Catalog) -> dict[int, str]:
    """Each service's name and category, folded by the test's own rules."""
    return {s.id: _plain(f"{s.name} {s.category}") for s in big_catalog.services}


@pytest.mark.parametrize(
    "query",
    ["tang like", "Tăng follow", "facebook viet nam", "bao hanh 30", "tiktok", "sv1", "hq", "zzz", "t"],
)
def test_ten_thousand_services_match_a_brute_force_scan(
    big_catalog: Catalog, haystacks: dict[int, str], query: str
) -> None:
    """Correctness at scale; speed is checked by hand (a few ms), never by a timed assertion."""
    assert len(big_catalog.services) == 10_000
    terms = _plain(query).split()
    expected = {service_id for service_id, text in haystacks.items() if all(t in text for t in terms)}
    found = BIG_SEARCH.search(big_catalog, query)
    assert {s.id for s in found} == expected
    assert len(found) == len(expected)  # no duplicates


def test_ten_thousand_services_repeated_queries_use_one_index(big_catalog: Catalog) -> None:
    search = ServiceSearch()
    first = ids(search.search(big_catalog, "tang like"))
    for _ in range(200):  # would take seconds if every query rebuilt the index
        assert ids(search.search(big_catalog, "tang like", limit=10)) == first[:10]


def _rank_by_hand(services: tuple[Service, ...], query: str) -> list[int]:
    """The documented order, computed service by service: the ID, then the whole phrase at a
    word start, then every word starting a name word, then the rest; ties by ID."""
    terms = list(dict.fromkeys(normalize(query).split()))
    tiers: list[tuple[int, int]] = []
    for s in services:
        name = normalize(s.name)
        text = f"{name} {normalize(s.category)}"
        exact = len(terms) == 1 and terms[0].lstrip("#").isdigit() and int(terms[0].lstrip("#")) == s.id
        if not exact and not all(t in text for t in terms):
            continue
        starts = all(any(w.startswith(t) for w in name.split()) for t in terms)
        phrase = len(terms) > 1 and f" {' '.join(terms)}" in f" {name} "
        tier = 0 if exact else 1 if starts and phrase else 2 if starts else 3
        tiers.append((tier, s.id))
    return [service_id for _, service_id in sorted(tiers)]


@pytest.mark.parametrize(
    "query", ["tang like", "like", "Tăng like bài viết", "view reels", "42", "sv1 tiktok"]
)
def test_ten_thousand_services_rank_as_documented(big_catalog: Catalog, query: str) -> None:
    assert ids(BIG_SEARCH.search(big_catalog, query)) == _rank_by_hand(big_catalog.services, query)


@pytest.mark.parametrize("query", ["tang like", "like", "view reels", "zzz"])
def test_a_page_of_matches_is_that_slice_of_the_whole_ranking(big_catalog: Catalog, query: str) -> None:
    whole = ids(BIG_SEARCH.search(big_catalog, query))
    for start in (0, 10, 30, len(whole) - 5, len(whole) + 10):
        found = BIG_SEARCH.matches(big_catalog, query)  # a fresh one: nothing ranked yet
        assert len(found) == len(whole)
        assert ids(found[max(start, 0) : max(start, 0) + 10]) == whole[max(start, 0) : max(start, 0) + 10]
    found = BIG_SEARCH.matches(big_catalog, query)
    if whole:
        assert found[-1].id == whole[-1] and found[0].id == whole[0]
    with pytest.raises(IndexError):
        found[len(whole)]


def test_showing_ten_of_thousands_ranks_only_what_is_shown(big_catalog: Catalog) -> None:
    """The cost of a page must not grow with the number of matches: count them, rank ten."""
    found = BIG_SEARCH.matches(big_catalog, "tang like")
    assert len(found) > 1000
    first = found[:10]
    assert len(first) == 10 and len(found._seen) == 10


def test_matches_slice_like_a_list() -> None:
    """Negative bounds and steps mean what they mean on the whole ranking, however little of
    it has been ranked so far."""
    whole = ids(ServiceSearch().search(CATALOG, "tang like"))
    for item in (slice(None, -2), slice(-3, None), slice(None, None, -1), slice(1, -1, 2), slice(4, 1, -1)):
        found = ServiceSearch().matches(CATALOG, "tang like")  # nothing ranked yet
        assert ids(found[item]) == whole[item], item
    assert ServiceSearch().matches(CATALOG, "tang like")[-2].id == whole[-2]
