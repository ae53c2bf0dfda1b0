"""The plain spellings of numbers ("1000", "0.27819") are read by a fast path; whatever it
reads, the general parser must read the same (a leading space sends a value the long way)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.panel.models import OrderStatus, to_decimal, to_int

PLAIN_INT = st.from_regex(r"-?[0-9]{1,15}", fullmatch=True)
PLAIN_MONEY = st.from_regex(r"-?[0-9]{1,15}(\.[0-9]{1,10})?", fullmatch=True)
NEAR_MISSES = st.from_regex(r"-?[0-9]{1,17}(\.[0-9]{0,12})?", fullmatch=True)


@given(PLAIN_INT | NEAR_MISSES, st.integers(-(2**53), 2**53), st.integers(-(2**53), 2**53))
def test_to_int_reads_plain_text_as_the_general_parser_does(text: str, low: int, high: int) -> None:
    assert to_int(text, minimum=low, maximum=high) == to_int(f" {text}", minimum=low, maximum=high)


@given(PLAIN_MONEY | NEAR_MISSES, st.sampled_from([0, -(10**15)]))
def test_to_decimal_reads_plain_text_as_the_general_parser_does(text: str, minimum: int) -> None:
    fast, slow = to_decimal(text, minimum=minimum), to_decimal(f" {text}", minimum=minimum)  # type: ignore[arg-type]
    assert fast == slow
    assert fast is None or str(fast) == str(slow)  # the same spelling stored, too


def test_an_entry_reads_the_same_either_way() -> None:
    plain = {"charge": "0.27819", "start_count": "3572", "status": "In progress", "remains": "157"}
    spaced = {key: f" {value} " for key, value in plain.items()}
    assert OrderStatus.from_api(1, plain) == OrderStatus.from_api(1, spaced)
    assert OrderStatus.from_api(1, {**plain, "remains": "-5"}).remains == -5  # over-delivered
    assert OrderStatus.from_api(1, {**plain, "start_count": "-5"}).unreadable


NUMBERISH = (
    PLAIN_INT
    | NEAR_MISSES
    | st.integers(-(2**54), 2**54)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(["", "n/a", None, " 12 ", "1,250", "1e5", "0x10", True])
)
ENTRY = st.fixed_dictionaries(
    {},
    optional={
        "charge": PLAIN_MONEY | NUMBERISH,
        "start_count": NUMBERISH,
        "remains": NUMBERISH,
        "status": st.sampled_from(["In progress", "completed", "CANCELED", "Partial", "x" * 70, None, 5]),
        "currency": st.sampled_from(["USD", "VND", "", None, 7]),
    },
)


@given(st.integers(1, 2**53 - 1), ENTRY)
def test_a_status_entry_reads_as_the_general_parsers_read_it(order_id: int, raw: dict[str, object]) -> None:
    """`from_api` takes a short cut for plainly written entries; it must land where the long
    way lands, for every entry, plain or not."""
    assert OrderStatus.from_api(order_id, raw) == OrderStatus._read_entry(order_id, raw)


def test_the_short_cut_is_taken_for_the_usual_entry() -> None:
    """Not a timing: the short cut must actually serve the shapes panels send, strings and ints."""
    from bot.panel.models import _plain_entry

    for entry in (
        {
            "charge": "0.27819",
            "start_count": "3572",
            "status": "In progress",
            "remains": "157",
            "currency": "USD",
        },
        {"charge": "12", "start_count": 0, "status": "Completed", "remains": 0},
    ):
        assert _plain_entry(9, entry) == OrderStatus._read_entry(9, entry) != None  # noqa: E711
