"""Retail prices: the one place a customer's price is made from the panel's cost.

retail = cost × (1 + markup / 100), where the markup is the service's own override if set,
else its category's, else the default (`MARKUP_PERCENT`).  Everything is `Decimal`: a float
anywhere (a rate, a markup) is refused with `TypeError`, since one float would make the
ledger inexact.

Rounding: an order's **total** is rounded, not the rate.  A customer's charge is
ceil(cost charge × factor) to `decimals` places (`PRICE_DECIMALS`, 0 for VND): rounding
up never makes a sale cheaper than its cost (margin ≥ 0), and rounding once, at the end,
keeps the charge as close to the true retail amount as the currency allows (a rate rounded
first and multiplied by a large quantity would add up to far more than the markup).  The
rate shown per 1000 is itself rounded up, so the rate a customer reads never understates
what they pay: ceil(cost × f × q) ≤ ceil(ceil(cost_rate × f) × q / 1000).  Markups below
zero (selling under cost) are refused, and the charge is additionally floored at the cost
charge rounded up.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_CEILING, Decimal, localcontext
from typing import Any

PER = 1000  # panels price per 1000 units
_PRECISION = 60  # digits enough that no product or quotient here is ever rounded by the context


def _decimal(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{what} must be a Decimal (or an int), not {type(value).__name__}")
    result = Decimal(value)
    if not result.is_finite():
        raise ValueError(f"{what} must be finite, not {result}")
    return result


def _markup(value: Any, what: str) -> Decimal:
    markup = _decimal(value, what)
    if markup < 0:
        raise ValueError(f"{what} can't be below 0 (it would sell under cost): {markup}")
    return markup


class Pricing:
    """`markup_percent`: the default markup (40 = +40 %); `decimals`: the places a retail
    amount is rounded up to; `overrides`: per-service markups keyed by the service ID (an
    `int`) and per-category markups keyed by the category's name (a `str`)."""

    def __init__(
        self,
        markup_percent: Decimal | int = 0,
        decimals: int = 0,
        overrides: Mapping[int | str, Decimal | int] | None = None,
    ) -> None:
        if isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0:
            raise ValueError(f"decimals must be an int ≥ 0, not {decimals!r}")
        self.markup_percent = _markup(markup_percent, "markup_percent")
        self.decimals = decimals
        self._quantum = Decimal(1).scaleb(-decimals)
        self._services: dict[int, Decimal] = {}
        self._categories: dict[str, Decimal] = {}
        for key, value in (overrides or {}).items():
            if isinstance(key, bool):
                raise TypeError("an override's key is a service ID (int) or a category (str)")
            if isinstance(key, int):
                self._services[key] = _markup(value, f"markup of service {key}")
            elif isinstance(key, str):
                self._categories[key] = _markup(value, f"markup of category {key!r}")
            else:
                raise TypeError("an override's key is a service ID (int) or a category (str)")

    def markup_for(self, service_id: int, category: str | None) -> Decimal:
        """The markup that applies: the service's, else its category's, else the default."""
        if service_id in self._services:
            return self._services[service_id]
        if category is not None and category in self._categories:
            return self._categories[category]
        return self.markup_percent

    def factor(self, service_id: int, category: str | None) -> Decimal:
        return 1 + self.markup_for(service_id, category) / 100

    def _up(self, amount: Decimal) -> Decimal:
        with localcontext() as context:
            context.prec = _PRECISION
            return amount.quantize(self._quantum, rounding=ROUND_CEILING)

    def retail_amount(self, service_id: int, category: str | None, cost: Decimal) -> Decimal:
        """The retail amount for a `cost` (an order's charge, or a rate per 1000): rounded up
        to `decimals` places and never below the cost rounded up — the one formula every
        customer price comes from."""
        cost = _decimal(cost, "cost")
        if cost < 0:
            raise ValueError(f"cost can't be negative: {cost}")
        with localcontext() as context:
            context.prec = _PRECISION
            return max(self._up(cost * self.factor(service_id, category)), self._up(cost))

    def retail_rate(self, service_id: int, category: str | None, cost_rate: Decimal) -> Decimal:
        """The retail price per 1000, as shown to customers, rounded up (see the module)."""
        return self.retail_amount(service_id, category, _decimal(cost_rate, "cost_rate"))

    def cost_charge(self, cost_rate: Decimal, quantity: int) -> Decimal:
        """What the panel charges for `quantity` at `cost_rate` per 1000, exactly."""
        cost = _decimal(cost_rate, "cost_rate")
        if isinstance(quantity, bool) or not isinstance(quantity, int):
            raise TypeError(f"quantity must be an int, not {type(quantity).__name__}")
        if cost < 0 or quantity < 0:
            raise ValueError("cost_rate and quantity can't be negative")
        with localcontext() as context:
            context.prec = _PRECISION
            return cost * quantity / PER

    def retail_charge(
        self, service_id: int, category: str | None, cost_rate: Decimal, quantity: int
    ) -> Decimal:
        """What a customer pays for `quantity`: ceil(cost charge × factor) to `decimals`
        places, never below the cost charge (see the module for why the total is rounded)."""
        return self.retail_amount(service_id, category, self.cost_charge(cost_rate, quantity))
