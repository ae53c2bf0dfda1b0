"""Retail prices: which markup applies, rounding up once on the total, never below cost,
never a float."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.pricing import Pricing


def test_the_default_markup_applies_to_the_total() -> None:
    pricing = Pricing(Decimal(40), 0)
    # cost 18,000 per 1000 → 1,500 units cost 27,000 → retail 37,800
    assert pricing.retail_charge(1, "Likes", Decimal(18000), 1500) == Decimal(37800)
    assert pricing.retail_rate(1, "Likes", Decimal(18000)) == Decimal(25200)
    assert Pricing().retail_charge(1, None, Decimal(18000), 1500) == Decimal(27000)  # no markup


def test_service_beats_category_beats_default() -> None:
    pricing = Pricing(Decimal(10), 2, {7: Decimal(50), "Likes": Decimal(30), 8: 0})
    cost = Decimal(100)
    assert pricing.retail_rate(7, "Likes", cost) == Decimal(150)  # the service's own
    assert pricing.retail_rate(9, "Likes", cost) == Decimal(130)  # its category's
    assert pricing.retail_rate(9, "Views", cost) == Decimal(110)  # the default
    assert pricing.retail_rate(9, None, cost) == Decimal(110)
    assert pricing.retail_rate(8, "Likes", cost) == Decimal(100)  # an override of 0 is an override
    assert pricing.markup_for(7, "Views") == 50


def test_rounding_is_up_on_the_total_not_the_rate() -> None:
    pricing = Pricing(Decimal(25), 0)
    # 0.0015 per 1000 × 1000 = 0.0015 → × 1.25 = 0.001875 → 1 (rounded up, never 0)
    assert pricing.retail_charge(1, None, Decimal("0.0015"), 1000) == Decimal(1)
    # rounding the total: 333 × 1.25 = 416.25 → 417, whereas a rounded-up rate would over-charge
    assert pricing.retail_charge(1, None, Decimal(1000), 333) == Decimal(417)
    cents = Pricing(Decimal(10), 2)
    assert cents.retail_charge(1, None, Decimal("1.2345"), 1000) == Decimal("1.36")  # 1.35795 → 1.36
    assert cents.retail_rate(1, None, Decimal("1.2345")) == Decimal("1.36")
    assert cents.retail_charge(1, None, Decimal("2"), 1000) == Decimal("2.20")  # exact stays exact


def test_a_zero_cost_stays_zero() -> None:
    assert Pricing(Decimal(40), 0).retail_charge(1, None, Decimal(0), 1000) == 0


def test_floats_and_below_cost_markups_are_refused() -> None:
    pricing = Pricing(Decimal(10), 0)
    with pytest.raises(TypeError):
        pricing.retail_charge(1, None, 1.5, 100)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        pricing.retail_rate(1, None, 0.1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        pricing.retail_charge(1, None, Decimal(1), 10.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Pricing(10.5, 0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Pricing(Decimal(10), 0, {1: 2.5})  # type: ignore[dict-item]
    with pytest.raises(ValueError):
        Pricing(Decimal(-5), 0)
    with pytest.raises(ValueError):
        Pricing(Decimal(5), 0, {"Likes": Decimal(-1)})
    with pytest.raises(ValueError):
        pricing.retail_charge(1, None, Decimal(-1), 10)
    with pytest.raises(ValueError):
        Pricing(Decimal(5), -1)


rates = st.decimals(min_value=0, max_value=10**7, places=6, allow_nan=False, allow_infinity=False)
markups = st.decimals(min_value=0, max_value=500, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(
    cost_rate=rates,
    quantity=st.integers(min_value=0, max_value=10**9),
    markup=markups,
    override=st.one_of(st.none(), markups),
    decimals=st.integers(min_value=0, max_value=4),
)
def test_never_below_cost_and_never_finer_than_the_currency(
    cost_rate: Decimal, quantity: int, markup: Decimal, override: Decimal | None, decimals: int
) -> None:
    pricing = Pricing(markup, decimals, {} if override is None else {"Likes": override})
    cost = cost_rate * quantity / 1000
    charge = pricing.retail_charge(1, "Likes", cost_rate, quantity)
    factor = 1 + (markup if override is None else override) / 100
    assert charge >= cost and charge >= cost * factor
    assert charge - cost * factor < Decimal(1).scaleb(-decimals)  # rounded up by less than one unit
    exponent = charge.as_tuple().exponent
    assert isinstance(exponent, int) and -exponent <= decimals
    # the rate shown never understates what is charged
    rate = pricing.retail_rate(1, "Likes", cost_rate)
    shown = (rate * quantity / 1000).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_CEILING)
    assert shown >= charge
    assert rate >= cost_rate
