"""Lenient parsing of what panels of the v2 family really send."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.panel.models import OrderStatus, Service, normalize_status, to_int
from bot.services.money import format_amount, format_money


def test_service_tolerates_strings_missing_fields_and_aliases() -> None:
    s = Service.from_api(
        {
            "service": "12",
            "name": "Tăng like",
            "type": "custom comments",
            "category": "Facebook",
            "rate": "2.5",
            "min": "200",
            "max": "10000",
            "refill": "1",
            "description": "Mô tả",
            "unknown_field": [1, 2],
        }
    )
    assert s is not None
    assert (s.id, s.type, s.rate, s.min, s.max, s.refill) == (
        12,
        "Custom Comments",
        Decimal("2.5"),
        200,
        10000,
        True,
    )
    assert (s.cancel, s.dripfeed, s.description) == (None, False, "Mô tả")  # no field: unknown
    bare = Service.from_api({"service": 3, "rate": 10, "name": "x"})
    assert bare is not None and bare.type == "Default" and bare.category == "Other"
    assert bare.min == 1 and bare.max == 1 and bare.description == ""


@pytest.mark.parametrize("raw", [{"name": "no id", "rate": "1"}, {"service": 1, "rate": "abc"}, "x", None])
def test_unorderable_service_is_skipped(raw: object) -> None:
    assert Service.from_api(raw) is None


def test_charge_is_rate_per_thousand_and_flat_for_packages() -> None:
    s = Service(1, "a", "Default", "c", Decimal("2.5"), 1, 10**6)
    assert s.charge_for(1500) == Decimal("3.75")
    package = Service(2, "p", "Package", "c", Decimal("150000"), 1, 1)
    assert package.charge_for(1) == Decimal("150000")


def test_status_tolerates_negative_and_garbage_remains() -> None:
    st = OrderStatus.from_api(
        5, {"charge": "2.5", "start_count": "168", "status": "completed", "remains": "-2"}
    )
    assert (st.status, st.charge, st.start_count, st.remains, st.is_final) == (
        "Completed",
        Decimal("2.5"),
        168,
        -2,
        True,
    )
    odd = OrderStatus.from_api(6, {"status": "In Progress", "remains": "n/a", "charge": None})
    assert (odd.status, odd.remains, odd.charge, odd.is_final) == ("In progress", None, None, False)
    err = OrderStatus.from_api(7, {"error": "Incorrect order ID"})
    assert err.error == "Incorrect order ID" and not err.is_final


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Cancelled", "Canceled"),
        ("CANCELED", "Canceled"),
        ("in progress", "In progress"),
        ("Processing", "Processing"),
        ("Refilling", "Refilling"),
        (None, "Unknown"),
    ],
)
def test_status_spelling_is_normalised(raw: object, expected: str) -> None:
    assert normalize_status(raw) == expected


def test_ids_as_int_or_string() -> None:
    assert to_int("99999") == 99999 and to_int(5) == 5 and to_int("12.0") == 12
    assert to_int("1.5") is None and to_int("abc") is None and to_int(True) is None


def test_money_has_thousands_separators_per_language() -> None:
    assert format_amount(Decimal("343423")) == "343,423"
    assert format_amount(Decimal("343423"), "vi") == "343.423"
    assert format_amount(Decimal("1234567.5")) == "1,234,567.5"
    assert format_amount(Decimal("1234567.5"), "vi") == "1.234.567,5"
    assert format_amount(Decimal("3.755")) == "3.755"  # exact, not cut to cents
    assert format_money(Decimal("5000000"), "VND") == "5,000,000 VND"


def test_a_catalog_keeps_one_object_per_repeated_name_and_rate() -> None:
    """Parsed with one `shared` dict, entries read exactly as alone, and equal names,
    descriptions and rate spellings are one object each ("0.50" and "0.5" stay apart)."""
    entries = [
        {
            "service": 1,
            "name": "Likes 🔥",
            "rate": "0.50",
            "min": "10",
            "max": "100",
            "category": "A",
            "desc": "d",
        },
        {"service": 2, "name": "Likes 🔥", "rate": "0.50", "min": 5, "max": 50, "category": "B", "desc": "d"},
        {"service": 3, "name": "Views", "rate": "0.5", "min": "10", "max": "100", "category": "A"},
        {"service": 4, "name": "Bad", "rate": "-1", "min": "10", "max": "100", "category": "A"},
        {"service": 5, "name": "Bad too", "rate": "-1", "min": "10", "max": "100", "category": "A"},
    ]
    shared: dict[object, object] = {}
    together = [Service.from_api(entry, shared) for entry in entries]
    assert together == [Service.from_api(entry) for entry in entries]
    first, second, third = together[0], together[1], together[2]
    assert first is not None and second is not None and third is not None
    assert first.name is second.name and first.rate is second.rate and first.description is second.description
    assert str(third.rate) == "0.5" and str(first.rate) == "0.50"
    assert together[3] is None and together[4] is None
