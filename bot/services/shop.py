"""The shop: who pays how, and the one place a customer's price is decided.

In `SHOP_MODE=wallet` (the default) admins order at cost from the panel balance, and every
other allowed user is a customer who pays retail from their own wallet; in `direct` mode
nobody has a wallet and everyone orders at cost, as before the shop existed.

Markups: `MARKUP_PERCENT` is the default until an admin sets one from the chat (`/markup`);
per-service and per-category overrides live in the database too (namespace `markups`), read
on every pricing, so a change is effective at once in every process sharing the database.
Customers are shown a copy of the catalog whose rates are retail rates (`Catalog.repriced`):
every screen that shows a price (buttons, cards, search, inline results) then shows the
customer's price without knowing the shop exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from bot.panel.models import Service
from bot.services.account import AccountService
from bot.services.catalog import Catalog, CatalogCache
from bot.services.pricing import Pricing
from bot.store import Store

NAMESPACE = "markups"
DEFAULT_KEY = "default"
MAX_MARKUP = Decimal(10_000)  # percent: a typo guard, not a business rule


class ShopMode(StrEnum):
    WALLET = "wallet"  # customers pay from wallets at retail prices
    DIRECT = "direct"  # everyone spends the panel balance at cost (no wallets)


@dataclass(frozen=True)
class Markups:
    """What is set: the default (None: `MARKUP_PERCENT` applies) and the overrides."""

    default: Decimal
    default_is_set: bool
    services: dict[int, Decimal]
    categories: dict[str, Decimal]

    def key(self) -> tuple[object, ...]:
        return (self.default, tuple(sorted(self.services.items())), tuple(sorted(self.categories.items())))


def parse_percent(text: str) -> Decimal | None:
    """ "40", "12.5", "40%" → Decimal; None for anything else (negative, float junk, huge)."""
    value = text.strip().removesuffix("%").replace(",", ".")
    if not value or len(value) > 12 or not all(c.isdigit() or c == "." for c in value):
        return None
    try:
        percent = Decimal(value)
    except InvalidOperation:
        return None
    if not percent.is_finite() or percent < 0 or percent > MAX_MARKUP:
        return None
    return percent.normalize() if percent != percent.to_integral() else percent.quantize(Decimal(1))


class Shop:
    def __init__(
        self,
        store: Store,
        account: AccountService,
        catalog: CatalogCache,
        *,
        mode: ShopMode,
        is_admin: Callable[[int], bool],
        markup_percent: Decimal = Decimal(0),
        decimals: int = 0,
        currency: str | None = None,
    ) -> None:
        self._store = store
        self._account = account
        self._catalog = catalog
        self.mode = mode
        self._is_admin = is_admin
        self._markup_percent = markup_percent
        self.decimals = decimals
        self._currency = currency
        self._repriced: tuple[tuple[object, ...], Catalog] | None = None

    @property
    def wallets(self) -> bool:
        return self.mode is ShopMode.WALLET

    def is_customer(self, user_id: int) -> bool:
        """Pays from a wallet at retail: any non-admin, in wallet mode."""
        return self.mode is ShopMode.WALLET and not self._is_admin(user_id)

    async def currency(self, user_id: int | None = None) -> str:
        """The currency a price is shown in: the shop's to a customer (`SHOP_CURRENCY`, by
        default the panel's), the panel's to an admin.  A wallet's currency is the shop's."""
        if user_id is not None and self.is_customer(user_id) and self._currency:
            return self._currency
        return await self._account.currency()

    async def wallet_currency(self) -> str:
        return self._currency or await self._account.currency()

    # -- markups -------------------------------------------------------------------------------

    async def markups(self) -> Markups:
        stored = await self._store.kv.load_namespace(NAMESPACE)
        services: dict[int, Decimal] = {}
        categories: dict[str, Decimal] = {}
        default = self._markup_percent
        default_is_set = False
        for key, raw in stored.items():
            percent = parse_percent(raw)
            if percent is None:
                continue  # a hand-edited value that isn't a markup: ignored, not fatal
            if key == DEFAULT_KEY:
                default, default_is_set = percent, True
            elif key.startswith("service:") and key[8:].isdigit():
                services[int(key[8:])] = percent
            elif key.startswith("category:"):
                categories[key[9:]] = percent
        return Markups(default, default_is_set, services, categories)

    async def pricing(self) -> Pricing:
        markups = await self.markups()
        return self._pricing(markups)

    def _pricing(self, markups: Markups) -> Pricing:
        overrides: dict[int | str, Decimal] = {key: value for key, value in markups.services.items()}
        overrides.update(markups.categories)
        return Pricing(markups.default, self.decimals, overrides)

    async def set_markup(
        self, percent: Decimal | None, *, service_id: int | None = None, category: str | None = None
    ) -> None:
        """Set (or with None, remove) the default markup, a service's, or a category's."""
        if service_id is not None:
            key = f"service:{service_id}"
        elif category is not None:
            key = f"category:{category}"
        else:
            key = DEFAULT_KEY
        if percent is None:
            await self._store.kv.delete_value(NAMESPACE, key)
        else:
            await self._store.kv.save_value(NAMESPACE, key, str(percent))

    # -- prices ----------------------------------------------------------------------------------

    async def catalog_for(self, user_id: int) -> Catalog:
        """The catalog as this user sees it: retail rates for a customer, cost for an admin."""
        catalog = await self._catalog.get()
        if not self.is_customer(user_id):
            return catalog
        return await self.repriced(catalog)

    async def repriced(self, catalog: Catalog) -> Catalog:
        """`catalog` with retail rates; kept until the catalog or a markup changes."""
        markups = await self.markups()
        key = (id(catalog), catalog.fetched_at, markups.key())
        if self._repriced is not None and self._repriced[0] == key:
            return self._repriced[1]
        pricing = self._pricing(markups)
        priced = catalog.repriced(
            {s.id: pricing.retail_rate(s.id, s.category, s.rate) for s in catalog.services}
        )
        self._repriced = (key, priced)
        return priced

    async def priced(self, user_id: int, services: list[Service]) -> list[Service]:
        """`services` (e.g. search results from the cost catalog) as this user sees them."""
        if not self.is_customer(user_id) or not services:
            return services
        pricing = await self.pricing()
        return [replace(s, rate=pricing.retail_rate(s.id, s.category, s.rate)) for s in services]
