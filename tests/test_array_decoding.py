"""A catalog's JSON array is decoded entry by entry (`_array_entries`), so its entries never
all exist at once: whatever text it is given, it must read exactly what `json.loads` reads,
and refuse exactly what `json.loads` refuses."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.panel.client import _array_entries, _decode, _json_int
from bot.panel.errors import PanelUnavailable

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=12,
)
SPACE = st.text(alphabet=" \t\n\r", max_size=3)


@st.composite
def arrays(draw: st.DrawFn) -> str:
    """A JSON array as panels write it: any entries, any whitespace between the tokens."""
    entries = [
        json.dumps(value, ensure_ascii=draw(st.booleans())) for value in draw(st.lists(VALUES, max_size=6))
    ]
    gap = lambda: draw(SPACE)  # noqa: E731
    inner = ",".join(f"{gap()}{entry}{gap()}" for entry in entries) or gap()
    return f"{gap()}[{inner}]{gap()}"


def _loads(text: str) -> Any:
    return json.loads(text, parse_int=_json_int)


@given(arrays())
def test_an_array_reads_as_json_loads_reads_it(text: str) -> None:
    assert list(_array_entries(text)) == _loads(text)


@given(arrays(), st.data())
def test_a_broken_array_is_refused_as_json_loads_refuses_it(text: str, data: st.DataObject) -> None:
    cut = data.draw(st.integers(0, len(text)))
    for broken in (text[:cut], text[:cut] + "]" + text[cut:], text[:cut] + "," + text[cut:], text + "x"):
        try:
            expected = _loads(broken)
        except ValueError:
            with pytest.raises(ValueError):
                list(_array_entries(broken))
        else:
            if isinstance(expected, list):
                assert list(_array_entries(broken)) == expected


def test_decode_converts_each_entry_and_reads_other_answers_whole() -> None:
    text = '[{"service": 1}, {"service": 2}, 7]'
    assert _decode(
        200, text, items=lambda entry: entry.get("service") if isinstance(entry, dict) else None
    ) == [
        1,
        2,
        None,
    ]
    assert _decode(200, '{"balance": "1.5"}', items=lambda entry: 0) == {"balance": "1.5"}  # not an array
    with pytest.raises(PanelUnavailable):
        _decode(200, '[{"service": 1}, {"serv', items=lambda entry: entry)
    with pytest.raises(PanelUnavailable):
        _decode(200, "<html>502 Bad Gateway</html>", items=lambda entry: entry)
