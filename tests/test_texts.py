"""The two language catalogs stay in step, and the Vietnamese one reads as Vietnamese (issue 13)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from bot.telegram import texts
from bot.telegram.texts import en, type_name, vi

PLACEHOLDER = re.compile(r"\{[^{}]*\}")
TAG = re.compile(r"</?[A-Za-z][^<>]*>")

# Words a Vietnamese product writer keeps in English: brands, technical tokens, and the
# SMM trade's own words that Vietnamese shops use as they are.
ALLOWED = {
    "admin", "api", "auto", "bot", "chat", "english", "facebook", "hashtag", "id", "instagram", "link",
    "panel", "seo", "shopee", "smm", "stars", "telegram", "tiktok", "url", "usd", "username", "video",
    "vietqr", "vnd", "youtube",
}  # fmt: skip
# Everyday English that must never appear in a Vietnamese sentence (short words the catalog
# harvest below skips); Vietnamese words spelled without accents ("cho", "khi", "tin") are not here.
COMMON_ENGLISH = {
    "a", "all", "an", "and", "are", "at", "back", "by", "can", "cancel", "charge", "done", "for", "from",
    "has", "have", "here", "is", "it", "its", "my", "new", "not", "now", "of", "ok", "or", "order", "orders",
    "our", "please", "send", "tap", "that", "the", "this", "was", "we", "were", "will", "with", "yes", "you",
    "your",
}  # fmt: skip


def _prose(template: str) -> str:
    """The words a reader reads: no placeholders, tags, code, commands, links, handles or env names."""
    prose = re.sub(r"<code>.*?</code>", " ", template, flags=re.S)
    prose = PLACEHOLDER.sub(" ", prose)
    prose = TAG.sub(" ", prose)
    prose = re.sub(r"https?://\S+|\b[\w.-]+\.(?:com|net|org|vn)\S*", " ", prose)  # URLs and hosts
    prose = re.sub(r"/[a-z_]+", " ", prose)  # commands
    prose = re.sub(r"[@#]\w+", " ", prose)  # @usernames, #hashtags
    prose = re.sub(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b|\.env\b", " ", prose)  # ADMIN_IDS, .env
    return prose


def _ascii_words(template: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[^\W\d_]+", _prose(template)) if w.isascii()]


def _english_words() -> set[str]:
    harvested = {w for template in en.TEXTS.values() for w in _ascii_words(template) if len(w) > 3}
    return (harvested | COMMON_ENGLISH) - ALLOWED


def test_both_catalogs_have_the_same_keys() -> None:
    only_en = sorted(set(en.TEXTS) - set(vi.TEXTS))
    only_vi = sorted(set(vi.TEXTS) - set(en.TEXTS))
    assert (only_en, only_vi) == ([], [])


@pytest.mark.parametrize("key", sorted(set(en.TEXTS) & set(vi.TEXTS)))
def test_placeholders_and_tags_match(key: str) -> None:
    english, vietnamese = en.TEXTS[key], vi.TEXTS[key]
    assert Counter(PLACEHOLDER.findall(vietnamese)) == Counter(PLACEHOLDER.findall(english))
    assert Counter(TAG.findall(vietnamese)) == Counter(TAG.findall(english))


def test_no_english_left_in_vietnamese() -> None:
    english = _english_words()
    leaks = {key: sorted(set(_ascii_words(value)) & english) for key, value in vi.TEXTS.items()}
    assert {key: words for key, words in leaks.items() if words} == {}


def test_the_english_check_would_catch_a_leak() -> None:
    english = _english_words()
    assert {"order", "please", "default", "refill"} <= english
    assert set(_ascii_words("Loại: Default · Vui lòng gửi link, please")) & english == {"default", "please"}
    kept = "Gửi <code>/search tang like</code> cho @name tới https://x.com/a?b"
    assert not set(_ascii_words(kept)) & english


def test_one_spelling_of_huy() -> None:
    source = Path(vi.__file__).read_text(encoding="utf-8")
    assert "Huỷ" not in source and "huỷ" not in source
    assert any("Hủy" in value for value in vi.TEXTS.values())


def test_service_types_are_translated_for_display_only() -> None:
    assert type_name("vi", "Default") == "Tiêu chuẩn"
    assert type_name("vi", "custom  comments") == "Bình luận theo yêu cầu"
    assert type_name("en", "Custom Comments") == "Custom Comments"
    assert type_name("vi", "Special") == "Special"  # a panel's own type, shown as the panel spells it
    assert texts.text("vi", "type_package") == "Gói"
