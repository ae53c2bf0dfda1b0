"""The order wizard's domain logic: validation, pricing, and placing exactly one order.

Telegram-free on purpose: the wizard handlers only move a `Draft` from step to
step, and every rule about what may be ordered (and how money is computed and
spent) lives here where it can be tested without a chat.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from bot.numbers import ascii_int
from bot.panel.client import PanelClient
from bot.panel.errors import AddOutcomeUnknown, PanelError, PanelUnavailable
from bot.panel.models import Service
from bot.redaction import has_hidden_characters
from bot.services.alerts import NAMESPACE as ALERTS
from bot.services.alerts import AlertKind
from bot.services.catalog import CatalogCache
from bot.services.durable import DurableWrites
from bot.services.panel_errors import RefusalReason, refusal_reason
from bot.services.shop import Shop
from bot.services.wallets import WalletService
from bot.store import Store
from bot.store.errors import DuplicateConfirmation
from bot.store.ledger import Booking
from bot.store.models import NewOrder, OrderRecord, OrderState, utcnow

log = logging.getLogger(__name__)

MAX_LINK_LENGTH = 500
MAX_COMMENT_LENGTH = 500
MAX_RUNS = 1000
MAX_INTERVAL_MINUTES = 1440
MAX_LIST_LINES = 10_000  # lines of a list whose length does not set the quantity
MAX_POLL_ANSWER = 100
MAX_POSTS = 10_000
MAX_OLD_POSTS = 1000
# Subscriptions' `delay`: the minutes the family's panels accept
SUBSCRIPTION_DELAYS: tuple[int, ...] = (
    *(0, 5, 10, 15, 20, 30, 40, 50, 60, 90, 120, 150, 180, 210, 240, 270, 300),
    *(360, 420, 480, 540, 600),
)
CORE_STEPS = ("link", "quantity")  # kept in `Draft.link` / `Draft.quantity`


class InvalidInput(Exception):
    """The user's answer can't be used; `key` names the explanation, `values` fill it."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class Draft:
    """An order being put together; JSON-friendly so it survives a restart in user data.

    `link`, `quantity` and `comments` are the long-standing answers; every other
    type-specific `add` parameter (usernames, hashtag, answer_number, Subscriptions'
    min/max/posts…) is kept in `fields`, by its parameter name, as the text to send.
    """

    service_id: int
    link: str | None = None
    quantity: int | None = None
    comments: str | None = None
    runs: int | None = None
    interval: int | None = None
    token: str | None = None  # set when the summary is shown: one token, one order
    quoted: str | None = None  # the total shown with that summary (Decimal as text)
    fields: dict[str, str] = field(default_factory=dict)
    # Where the wizard is: the step whose question is open ("confirm" at the summary), so a
    # Back button from an older question is recognised as stale; `editing` when that
    # question came from the summary's ✏️ Edit, so its answer leads back to the summary.
    asking: str | None = None
    editing: bool = False

    def value(self, name: str) -> str | int | None:
        """The answer to the step `name`, None while it is not answered."""
        if name == "link":
            return self.link
        if name == "quantity":
            return self.quantity
        if name == "comments":
            return self.comments
        return self.fields.get(name)

    def answered(self, name: str, value: str | int) -> Draft:
        if name == "link":
            return replace(self, link=str(value))
        if name == "comments":
            return replace(self, comments=str(value))
        if name == "quantity":
            return replace(self, quantity=int(value))
        return replace(self, fields={**self.fields, name: str(value)})

    def without(self, names: Iterable[str]) -> Draft:
        """The draft with the answers to `names` forgotten (Back asks them again)."""
        names = set(names)
        core = {n: None for n in ("link", "quantity", "comments", "runs", "interval") if n in names}
        fields = {k: v for k, v in self.fields.items() if k not in names}
        return replace(self, **core, fields=fields)  # type: ignore[arg-type]  # all Optional

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> Draft | None:
        if not isinstance(data, dict) or not isinstance(data.get("service_id"), int):
            return None
        values = {k: data.get(k) for k in cls.__dataclass_fields__}
        fields = values.get("fields")
        if not isinstance(fields, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in fields.items()
        ):
            fields = {}  # a draft saved before fields existed, or a damaged one
        values["fields"] = dict(fields)
        values["asking"] = values["asking"] if isinstance(values["asking"], str) else None
        values["editing"] = values["editing"] is True
        try:
            return cls(**values)  # type: ignore[arg-type]  # checked by the constructor's TypeError
        except TypeError:
            return None


# -- parsing one answer ---------------------------------------------------------------------

_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*\.[^\s]+$", re.IGNORECASE)
_BARE_DOMAIN = re.compile(r"^(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)+(/[^\s]*)?$", re.IGNORECASE)
_USERNAME = re.compile(r"^@[A-Za-z0-9_.]{2,64}$")
_PLAIN_USERNAME = re.compile(r"^@?[A-Za-z0-9_.]{1,64}$")
_HASHTAG = re.compile(r"^#?\w{1,100}$")
_GROUPED_NUMBER = re.compile(r"^\d{1,3}([,. _]\d{3})+$")
_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def parse_link(text: str) -> str:
    """Accept URLs, bare domains (made https://) and @usernames; refuse obvious garbage."""
    link = text.strip()
    if not link or len(link) > MAX_LINK_LENGTH or any(c.isspace() for c in link):
        raise InvalidInput("wizard_link_invalid")
    if has_hidden_characters(link):  # U+202E and friends make a link read as another one
        raise InvalidInput("wizard_link_invalid")
    if _URL.match(link) or _USERNAME.match(link):
        return link
    if _BARE_DOMAIN.match(link):
        return "https://" + link
    raise InvalidInput("wizard_link_invalid")


def parse_whole_number(text: str) -> int | None:
    """ "1500", "1,500", "1.500", "1 500" → 1500; anything else → None."""
    value = text.strip()
    if _GROUPED_NUMBER.match(value):
        value = re.sub(r"[,. _]", "", value)
    return ascii_int(value, max_digits=12)


def parse_quantity(service: Service, text: str) -> int:
    """A quantity in the service's range; the refusal says which rule was broken (not a
    whole number, below the minimum, above the maximum) so the user knows what to fix."""
    quantity = parse_whole_number(text)
    if quantity is None:
        raise InvalidInput("wizard_quantity_invalid", min=service.min, max=service.max)
    if quantity < service.min:
        raise InvalidInput("wizard_quantity_below", min=service.min, max=service.max, value=quantity)
    if quantity > service.max:
        raise InvalidInput("wizard_quantity_above", min=service.min, max=service.max, value=quantity)
    return quantity


def quick_quantities(low: int, high: int, between: int = 3) -> list[int]:
    """The quantity step's quick buttons: the minimum, up to `between` round numbers (1, 2
    or 5 × 10ⁿ) spread across the range, and the maximum — the answers most people type."""
    if high <= low:
        return [low]
    round_numbers = [
        m * 10**e for e in range(len(str(high)) + 1) for m in (1, 2, 5) if low < m * 10**e < high
    ]
    if len(round_numbers) > between:
        last = len(round_numbers) - 1
        round_numbers = [round_numbers[round(i * last / (between - 1))] for i in range(between)]
    return [low, *round_numbers, high]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def parse_comments(service: Service, text: str, bounds: tuple[int, int] | None = None) -> str:
    """One comment per line, blank lines dropped; `bounds` on their number (default: the
    service's min and max, since the lines are the quantity)."""
    low, high = bounds or (service.min, service.max)
    lines = _lines(text)
    if any(len(line) > MAX_COMMENT_LENGTH or has_hidden_characters(line) for line in lines):
        raise InvalidInput("wizard_comments_too_long", limit=MAX_COMMENT_LENGTH)
    if not low <= len(lines) <= high:
        raise InvalidInput("wizard_comments_count", min=low, max=high, count=len(lines))
    return "\n".join(lines)


def _parse_list(text: str, pattern: re.Pattern[str], key: str, bounds: tuple[int, int]) -> str:
    """A list of one item per line, each matching `pattern` (usernames, hashtags)."""
    lines = _lines(text)
    for number, line in enumerate(lines, 1):
        if not pattern.match(line):
            raise InvalidInput(key, line=number, value=line[:60])
    low, high = bounds
    if not low <= len(lines) <= high:
        raise InvalidInput("wizard_lines_count", min=low, max=high, count=len(lines))
    return "\n".join(lines)


def parse_runs(text: str) -> int:
    runs = parse_whole_number(text)
    if runs is None or not 2 <= runs <= MAX_RUNS:
        raise InvalidInput("wizard_runs_invalid", max=MAX_RUNS)
    return runs


def parse_interval(text: str) -> int:
    minutes = parse_whole_number(text)
    if minutes is None or not 1 <= minutes <= MAX_INTERVAL_MINUTES:
        raise InvalidInput("wizard_interval_invalid", max=MAX_INTERVAL_MINUTES)
    return minutes


def _number_in(text: str, low: int, high: int, key: str) -> str:
    number = parse_whole_number(text)
    if number is None or not low <= number <= high:
        raise InvalidInput(key, min=low, max=high)
    return str(number)


def parse_expiry(text: str, today: date | None = None) -> str:
    """A day after today, written d/m/Y as the panels read it ("31/12/2027")."""
    match = _DATE.match(text.strip())
    try:
        day = date(int(match[3]), int(match[2]), int(match[1])) if match else None
    except ValueError:
        day = None
    if day is None or day <= (today or utcnow().date()):
        raise InvalidInput("wizard_expiry_invalid")
    return day.strftime("%d/%m/%Y")


# -- the table of service types -------------------------------------------------------------


Parse = Callable[["Kind", Service, Draft, str], str | int]


@dataclass(frozen=True)
class Step:
    """One wizard step = one `add` parameter: how it is asked and how an answer is checked."""

    name: str  # the `add` parameter, and the wizard state that asks for it
    parse: Parse
    ask: str  # text key of the question ({min}/{max} filled by `bounds`)
    bounds: Callable[[Kind, Service, Draft], tuple[int, int]] | None = None
    label: str = ""  # text key of its line in the summary ("" = not listed there)


def _count_bounds(kind: Kind, service: Service, draft: Draft, name: str) -> tuple[int, int]:
    """A list that is the quantity is held to the service's min/max; another (or one of a
    flat-priced package) to 1…many."""
    return (service.min, service.max) if kind.count == name and not kind.flat else (1, MAX_LIST_LINES)


def _parse_media(kind: Kind, service: Service, draft: Draft, text: str) -> str:
    link = parse_link(text)
    if link.startswith("@"):
        raise InvalidInput("wizard_media_invalid")
    return link


def _parse_groups(kind: Kind, service: Service, draft: Draft, text: str) -> str:
    lines = _lines(text)
    if any(len(line) > MAX_LINK_LENGTH or has_hidden_characters(line) for line in lines):
        raise InvalidInput("wizard_groups_invalid", limit=MAX_LINK_LENGTH)
    bounds = _count_bounds(kind, service, draft, "groups")
    if not bounds[0] <= len(lines) <= bounds[1]:
        raise InvalidInput("wizard_lines_count", min=bounds[0], max=bounds[1], count=len(lines))
    return "\n".join(lines)


def _parse_single(pattern: re.Pattern[str], key: str) -> Parse:
    def parse(kind: Kind, service: Service, draft: Draft, text: str) -> str:
        value = text.strip()
        if not pattern.match(value):
            raise InvalidInput(key)
        return value

    return parse


def _sub_min(kind: Kind, service: Service, draft: Draft) -> tuple[int, int]:
    return service.min, service.max


def _sub_max(kind: Kind, service: Service, draft: Draft) -> tuple[int, int]:
    return int(draft.fields.get("min") or service.min), service.max


def _numeric(name: str, key: str, bounds: Callable[[Kind, Service, Draft], tuple[int, int]]) -> Step:
    def parse(kind: Kind, service: Service, draft: Draft, text: str) -> str:
        return _number_in(text, *bounds(kind, service, draft), key)

    return Step(name, parse, f"wizard_ask_{name}", bounds, f"wizard_label_{name}")


def _list_step(name: str, pattern: re.Pattern[str], key: str) -> Step:
    def parse(kind: Kind, service: Service, draft: Draft, text: str) -> str:
        return _parse_list(text, pattern, key, _count_bounds(kind, service, draft, name))

    def bounds(kind: Kind, service: Service, draft: Draft) -> tuple[int, int]:
        return _count_bounds(kind, service, draft, name)

    return Step(name, parse, f"wizard_ask_{name}", bounds, f"wizard_label_{name}")


def _parse_delay(kind: Kind, service: Service, draft: Draft, text: str) -> str:
    minutes = parse_whole_number(text)
    if minutes not in SUBSCRIPTION_DELAYS:
        raise InvalidInput("wizard_delay_invalid", allowed=", ".join(map(str, SUBSCRIPTION_DELAYS)))
    return str(minutes)


STEPS: dict[str, Step] = {
    step.name: step
    for step in (
        Step("link", lambda k, s, d, text: parse_link(text), "wizard_ask_link"),
        Step(
            "quantity",
            lambda k, s, d, text: parse_quantity(s, text),
            "wizard_ask_quantity",
            lambda k, s, d: (s.min, s.max),
        ),
        Step(
            "comments",
            lambda k, s, d, text: parse_comments(s, text, _count_bounds(k, s, d, "comments")),
            "wizard_ask_comments",
            lambda k, s, d: _count_bounds(k, s, d, "comments"),
            "wizard_label_comments",
        ),
        _list_step("usernames", _PLAIN_USERNAME, "wizard_usernames_invalid"),
        _list_step("hashtags", _HASHTAG, "wizard_hashtags_invalid"),
        Step(
            "hashtag",
            _parse_single(_HASHTAG, "wizard_hashtag_invalid"),
            "wizard_ask_hashtag",
            label="wizard_label_hashtag",
        ),
        Step(
            "username",
            _parse_single(_PLAIN_USERNAME, "wizard_username_invalid"),
            "wizard_ask_username",
            label="wizard_label_username",
        ),
        Step("media", _parse_media, "wizard_ask_media", label="wizard_label_media"),
        _numeric("answer_number", "wizard_answer_number_invalid", lambda k, s, d: (1, MAX_POLL_ANSWER)),
        Step(
            "groups",
            _parse_groups,
            "wizard_ask_groups",
            lambda k, s, d: _count_bounds(k, s, d, "groups"),
            "wizard_label_groups",
        ),
        _numeric("min", "wizard_sub_min_invalid", _sub_min),
        _numeric("max", "wizard_sub_max_invalid", _sub_max),
        _numeric("posts", "wizard_posts_invalid", lambda k, s, d: (1, MAX_POSTS)),
        _numeric("old_posts", "wizard_old_posts_invalid", lambda k, s, d: (0, MAX_OLD_POSTS)),
        Step(
            "delay",
            _parse_delay,
            "wizard_ask_delay",
            lambda k, s, d: (SUBSCRIPTION_DELAYS[0], SUBSCRIPTION_DELAYS[-1]),
            "wizard_label_delay",
        ),
        Step(
            "expiry",
            lambda k, s, d, text: parse_expiry(text),
            "wizard_ask_expiry",
            label="wizard_label_expiry",
        ),
    )
}


@dataclass(frozen=True)
class Kind:
    """What one service type needs (`steps`, asked in this order and sent to `add` as they
    are) and how the panel charges it.

    Charge = rate × units / 1000, where units is the asked quantity, or the number of
    lines of the list named by `count` (comments, usernames); a `flat` type costs its
    rate whatever the units (Package, Custom Comments Package).

    Subscriptions are charged, by assumption, for the most they can deliver: `max` per
    post on `posts` new plus `old_posts` existing posts, i.e. rate × max × (posts +
    old_posts) / 1000. The panel bills each post's order as it is created (at most
    that), so the summary never understates what the subscription can cost.
    """

    type: str
    steps: tuple[str, ...]
    count: str | None = None  # the list whose lines are the quantity (recorded, and priced unless flat)
    flat: bool = False
    dripfeed: bool = False  # drip-feed (runs, interval) when the service allows it
    known: bool = True  # False: an unknown type ordered as Default, with a note

    def units(self, draft: Draft) -> int:
        """Units per run, the quantity recorded for the order."""
        if self.count is not None:
            return len(str(draft.value(self.count) or "").splitlines())
        if "posts" in self.steps:
            posts = int(draft.fields.get("posts") or 0) + int(draft.fields.get("old_posts") or 0)
            return int(draft.fields.get("max") or 0) * posts
        if "quantity" in self.steps:
            return draft.quantity or 0
        return 1

    def charge(self, service: Service, total: int) -> Decimal:
        return service.rate if self.flat else service.rate * total / 1000

    def sequence(self, service: Service) -> tuple[str, ...]:
        """Every question of the wizard in order: the type's steps, then drip-feed's runs and
        interval when both the type and the service allow it (what Back walks through)."""
        return self.steps + (("runs", "interval") if self.dripfeed and service.dripfeed else ())

    def next_step(self, draft: Draft) -> str | None:
        """The first parameter still to ask, None when the draft is complete."""
        return next((name for name in self.steps if draft.value(name) is None), None)

    def answer(self, service: Service, draft: Draft, name: str, text: str) -> Draft:
        """`draft` with the answer to `name`; InvalidInput (draft unchanged) when it is bad."""
        return draft.answered(name, STEPS[name].parse(self, service, draft, text))

    def bounds(self, service: Service, draft: Draft, name: str) -> tuple[int, int] | None:
        bounds = STEPS[name].bounds
        return None if bounds is None else bounds(self, service, draft)

    def params(self, draft: Draft) -> dict[str, str]:
        """The type-specific `add` parameters (all but link, quantity, runs, interval)."""
        return {name: str(draft.value(name)) for name in self.steps if name not in CORE_STEPS}


DEFAULT = Kind("Default", ("link", "quantity"), dripfeed=True)
KINDS: dict[str, Kind] = {
    kind.type.lower(): kind
    for kind in (
        DEFAULT,
        Kind("SEO", ("link", "quantity"), dripfeed=True),
        Kind("Package", ("link",), flat=True),
        Kind("Custom Comments", ("link", "comments"), count="comments"),
        Kind("Custom Comments Package", ("link", "comments"), count="comments", flat=True),
        Kind("Mentions with Hashtags", ("link", "quantity", "usernames", "hashtags")),
        Kind("Mentions Custom List", ("link", "usernames"), count="usernames"),
        Kind("Mentions Hashtag", ("link", "quantity", "hashtag")),
        Kind("Mentions User Followers", ("link", "quantity", "username")),
        Kind("Mentions Media Likers", ("link", "quantity", "media")),
        Kind("Mentions Media Likes", ("link", "quantity", "media")),  # spelling seen in docs
        Kind("Comment Likes", ("link", "quantity", "username")),
        Kind("Comment Replies", ("link", "username", "comments"), count="comments"),
        Kind("Poll", ("link", "quantity", "answer_number")),
        Kind("Invites from Groups", ("link", "quantity", "groups")),
        Kind("Subscriptions", ("username", "min", "max", "posts", "old_posts", "delay", "expiry")),
    )
}


def kind_of(service: Service) -> Kind:
    """The service's type from the table; a type the table does not know (a panel's own
    `Special`) is ordered like Default — link and quantity — and the summary says so."""
    known = KINDS.get(" ".join(service.type.split()).lower())
    return known if known is not None else replace(DEFAULT, type=service.type, known=False)


@dataclass(frozen=True)
class Quote:
    service: Service
    link: str  # the link, or for Subscriptions the username: what the order is "for"
    quantity: int  # per run
    runs: int | None
    interval: int | None
    total_quantity: int
    charge: Decimal
    kind: Kind = DEFAULT
    params: dict[str, str] = field(default_factory=dict)  # type-specific `add` parameters
    price: Decimal | None = None  # a customer's retail price (None: ordered at cost)

    @property
    def total(self) -> Decimal:
        """What the person ordering pays: the retail price from a wallet, else the charge."""
        return self.charge if self.price is None else self.price


class Outcome(StrEnum):
    PLACED = "placed"
    ALREADY_PLACED = "already_placed"  # a second tap on the same Confirm
    UNKNOWN = "unknown"  # the panel may or may not have created it


@dataclass(frozen=True)
class Placement:
    outcome: Outcome
    order: OrderRecord


class OrderFailed(Exception):
    """Nothing was ordered or charged: the panel refused, or could not be reached at all.
    `refund`: what went back to the customer's wallet (None: ordered at cost)."""

    def __init__(
        self, message: str | None, *, unavailable: bool = False, refund: Booking | None = None
    ) -> None:
        super().__init__(message or "unavailable")
        self.message = message
        self.unavailable = unavailable
        self.refund = refund


class PriceChanged(Exception):
    """The catalog price moved between the summary and the tap: the user must see it again."""

    def __init__(self, draft: Draft) -> None:
        super().__init__("price changed")
        self.draft = draft


def quote(service: Service, draft: Draft) -> Quote:
    """The price the user will confirm, by the type's rule (see `Kind`)."""
    kind = kind_of(service)
    missing = kind.next_step(draft)
    if missing is not None:
        raise ValueError(f"draft without {missing}")
    quantity = kind.units(draft)
    runs = draft.runs if service.dripfeed and kind.dripfeed else None
    total = quantity * (runs or 1)
    return Quote(
        service,
        draft.link or str(draft.value("username") or ""),
        quantity,
        runs,
        draft.interval if runs else None,
        total,
        kind.charge(service, total),
        kind,
        kind.params(draft),
    )


class OrderingService:
    def __init__(
        self,
        store: Store,
        panel: PanelClient,
        catalog: CatalogCache,
        *,
        max_order_charge: Decimal | None = None,
        user_daily_limit: Decimal | None = None,
        clock: Callable[[], datetime] = utcnow,
        writes: DurableWrites | None = None,
        shop: Shop | None = None,
        wallet: WalletService | None = None,
    ) -> None:
        if (shop is None) != (wallet is None):
            raise ValueError("the shop and the wallet service come together")
        self._shop = shop
        self._wallet = wallet
        self._writes = writes or DurableWrites()
        self._store = store
        self._panel = panel
        self._catalog = catalog
        self._max_order_charge = max_order_charge
        self._daily_limit = user_daily_limit
        self._clock = clock

    async def check_limits(self, user_id: int, charge: Decimal) -> None:
        """The owner's guards: largest single order, and spend per user per rolling 24 hours
        (orders whose outcome is unknown count as spent)."""
        if self._max_order_charge is not None and charge > self._max_order_charge:
            raise InvalidInput("wizard_over_max_charge", total=charge, limit=self._max_order_charge)
        await self.check_daily_limit(user_id, charge)

    async def check_daily_limit(self, user_id: int, charge: Decimal) -> None:
        """Only the spend-per-24-hours guard: a mass order holds each line to `check_limits`
        and the lines' total to this."""
        if self._daily_limit is not None:
            since = self._clock() - timedelta(hours=24)
            spent = sum((s.charge for s in await self._store.orders.spending(since, user_id)), Decimal(0))
            if spent + charge > self._daily_limit:
                left = max(Decimal(0), self._daily_limit - spent)
                raise InvalidInput(
                    "wizard_over_daily_limit", total=charge, left=left, limit=self._daily_limit
                )

    async def service(self, service_id: int) -> Service:
        """The service to order, if it exists and can be ordered in chat."""
        service = (await self._catalog.get()).get(service_id)
        if service is None:
            raise InvalidInput("wizard_service_not_found", service_id=service_id)
        return service  # every type can be ordered: see `kind_of`

    async def prepare(self, user_id: int, draft: Draft) -> tuple[Draft, Quote]:
        """Price the draft, check the owner's limits, and give it a fresh confirmation token."""
        service = await self.service(draft.service_id)
        priced = await self._quote(user_id, service, draft)
        if priced.price is None:  # a customer's wallet is their limit (and cost stays unsaid)
            await self.check_limits(user_id, priced.charge)
        ready = replace(draft, token=secrets.token_urlsafe(12), quoted=str(priced.total))
        return ready, priced

    async def _quote(self, user_id: int, service: Service, draft: Draft) -> Quote:
        """The quote as this user pays it: a customer's carries the retail price."""
        priced = quote(service, draft)
        if self._shop is None or not self._shop.is_customer(user_id):
            return priced
        pricing = await self._shop.pricing()
        price = pricing.retail_amount(service.id, service.category, priced.charge)
        shown = replace(service, rate=pricing.retail_rate(service.id, service.category, service.rate))
        return replace(priced, service=shown, price=price)

    async def wallet_balance(self, user_id: int) -> Decimal | None:
        """The customer's wallet balance (None: this user orders at cost, no wallet)."""
        if self._shop is None or self._wallet is None or not self._shop.is_customer(user_id):
            return None
        return await self._wallet.balance(user_id)

    async def draft_again(self, user_id: int, order_id: int) -> Draft:
        """A draft for ordering the user's order `order_id` again: the same service, link,
        quantity and type fields, each checked again as if typed now (the catalog and the
        service's limits may have moved), so an answer no longer valid is simply left
        unanswered for the wizard to ask. Someone else's order, or no such order, is
        InvalidInput("stale_button"): a forged ID looks like a button that expired."""
        order = await self._store.orders.get_order(order_id)
        if order is None or order.user_id != user_id:
            raise InvalidInput("stale_button")
        service = await self.service(order.service_id)
        kind = kind_of(service)
        drip = bool(order.runs) and "runs" in kind.sequence(service)
        recorded = Draft(
            service.id,
            link=order.link,
            quantity=order.quantity // order.runs if drip and order.runs else order.quantity,
            comments=order.comments,
            fields=dict(order.fields or {}),
        )
        draft = Draft(service.id)
        for name in kind.steps:
            value = recorded.value(name)
            if value is None:
                continue
            try:
                draft = kind.answer(service, draft, name, str(value))
            except InvalidInput:
                continue  # asked again by the wizard
        if drip and order.runs and order.interval:
            draft = replace(draft, runs=order.runs, interval=order.interval)
        return draft

    async def find_placed(self, token: str) -> OrderRecord | None:
        """The order already recorded for this confirmation, if any (a repeated tap)."""
        return await self._store.orders.get_order_by_confirmation(token)

    async def place(self, user_id: int, chat_id: int, draft: Draft) -> Placement:
        """Place the confirmed draft exactly once.

        The order is written as an intent *before* the panel call, keyed by the
        confirmation token, so a second tap collides in the database and a crash
        mid-call leaves a row its owner is told about.
        """
        if draft.token is None:
            raise ValueError("draft was never summarised")
        existing = await self.find_placed(draft.token)
        if existing is not None:
            return Placement(Outcome.ALREADY_PLACED, existing)
        service = await self.service(draft.service_id)
        priced = await self._quote(user_id, service, draft)
        if str(priced.total) != draft.quoted:
            raise PriceChanged(draft)
        if priced.price is None:
            await self.check_limits(user_id, priced.charge)  # spending may have grown since the summary
        try:
            intent = await self._open(
                NewOrder(
                    user_id=user_id,
                    chat_id=chat_id,
                    service_id=service.id,
                    service_name=service.name,
                    link=priced.link,
                    quantity=priced.total_quantity,
                    charge=priced.charge,
                    confirm_token=draft.token,
                    comments=priced.params.get("comments"),
                    runs=priced.runs,
                    interval=priced.interval,
                    fields={k: v for k, v in priced.params.items() if k != "comments"} or None,
                    price=priced.price,
                )
            )
        except DuplicateConfirmation:
            existing = await self.find_placed(draft.token)
            assert existing is not None
            return Placement(Outcome.ALREADY_PLACED, existing)
        return await self._send(intent, priced, draft)

    async def _open(self, order: NewOrder) -> OrderRecord:
        """The intent, paid for in the same transaction when a wallet pays (raises
        `InsufficientFunds`, with nothing written, when it can't)."""
        if order.price is not None and self._wallet is not None:
            return await self._wallet.open_order(order)
        return await self._store.orders.create_order_intent(order)

    async def _fail(self, intent: OrderRecord, reason: str) -> Booking | None:
        """Record that `add` was refused or never sent, refunding a wallet at the same time."""
        if intent.price is not None and self._wallet is not None:
            wallet = self._wallet
            refunds: list[Booking | None] = []

            async def fail_and_refund() -> None:
                refunds.append(await wallet.fail_order(intent, reason))

            await self._record(intent, fail_and_refund)
            return refunds[-1] if refunds else None
        await self._record(intent, lambda: self._store.orders.mark_order_failed(intent.id, reason))
        return None

    async def _send(self, intent: OrderRecord, priced: Quote, draft: Draft) -> Placement:
        """Call `add` once and record what it said.

        From the moment the request may have left, nothing may surface as an error the
        user would answer by ordering again: a refusal is a refusal, an ID is a placed
        order (even if the database refuses to record it right now), anything else is
        "unknown" for the owner to settle.
        """
        steps = priced.kind.steps  # exactly the type's parameters, nothing else
        try:
            panel_id = await self._panel.add(
                priced.service.id,
                priced.link if "link" in steps else None,
                priced.quantity if "quantity" in steps else None,
                runs=priced.runs,
                interval=priced.interval,
                extra=priced.params,
            )
        except PanelError as exc:
            refund = await self._fail(intent, exc.message)
            if refund is not None and refusal_reason(exc.message) is RefusalReason.SHOP_UNAVAILABLE:
                await self._funds_refused()
            raise OrderFailed(exc.message, refund=refund) from None
        except AddOutcomeUnknown as exc:
            return await self._unknown(intent, exc.reason)
        except PanelUnavailable as exc:  # never reached the panel: certainly not placed
            refund = await self._fail(intent, f"panel unavailable: {exc.reason}")
            raise OrderFailed(None, unavailable=True, refund=refund) from None
        except Exception as exc:  # a bug or a library surprise after the request may have left
            log.exception("order %s: unexpected error during add", intent.id)
            return await self._unknown(intent, f"unexpected error ({type(exc).__name__})")
        log.info("order %s placed on the panel as %s", intent.id, panel_id)
        orders = self._store.orders
        await self._record(intent, lambda: orders.mark_order_placed(intent.id, panel_id), panel_id)
        placed = {"state": OrderState.PLACED, "panel_order_id": panel_id, "error": None}
        return Placement(Outcome.PLACED, await self._reload(intent, placed))

    async def _funds_refused(self) -> None:
        """The panel balance can't pay a customer's order: the admins are told (once, by the
        alerts cycle); the customer only hears that the shop can't take orders right now."""
        try:
            await self._store.kv.save_value(ALERTS, AlertKind.FUNDS_REFUSED, "1")
        except Exception:
            log.exception("could not note the panel's refusal for lack of funds")

    async def _unknown(self, intent: OrderRecord, reason: str) -> Placement:
        log.warning("order %s: outcome unknown (%s)", intent.id, reason)
        await self._record(intent, lambda: self._store.orders.mark_order_unknown(intent.id, reason))
        unknown = {"state": OrderState.UNKNOWN, "status": "Unknown", "error": reason}
        return Placement(Outcome.UNKNOWN, await self._reload(intent, unknown))

    async def _record(
        self, intent: OrderRecord, write: Callable[[], Awaitable[object]], panel_id: int | None = None
    ) -> None:
        """An outcome write that must land even if the database refuses it for now."""
        key = f"order {intent.id}" + (f" (panel order {panel_id})" if panel_id is not None else "")
        await self._writes.run(key, write)

    async def _reload(self, intent: OrderRecord, outcome: dict[str, Any]) -> OrderRecord:
        """The order as recorded; when the record has not landed yet (or can't be read), the
        intent with its outcome applied, so the user is shown what really happened."""
        try:
            fresh = await self._store.orders.get_order(intent.id)
        except Exception:
            log.exception("order %s: could not read it back", intent.id)
            fresh = None
        if fresh is not None and fresh.state == outcome["state"]:
            return fresh
        return replace(fresh or intent, **outcome)
