"""The order wizard's domain logic: validation, pricing, and placing exactly one order.

Telegram-free on purpose: the wizard handlers only move a `Draft` from step to
step, and every rule about what may be ordered (and how money is computed and
spent) lives here where it can be tested without a chat.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from bot.numbers import ascii_int
from bot.panel.client import PanelClient
from bot.panel.errors import AddOutcomeUnknown, PanelError, PanelUnavailable
from bot.panel.models import Service
from bot.redaction import has_hidden_characters
from bot.services.catalog import CatalogCache
from bot.services.durable import DurableWrites
from bot.store.errors import DuplicateConfirmation
from bot.store.models import NewOrder, OrderRecord, OrderState, utcnow
from bot.store.repository import Store

log = logging.getLogger(__name__)

MAX_LINK_LENGTH = 500
MAX_COMMENT_LENGTH = 500
MAX_RUNS = 1000
MAX_INTERVAL_MINUTES = 1440


class Form(StrEnum):
    """Which fields a service type needs, i.e. which wizard steps apply."""

    QUANTITY = "quantity"  # link + quantity (Default and friends)
    PACKAGE = "package"  # link only, flat price
    COMMENTS = "comments"  # link + one comment per line; quantity = number of lines
    UNSUPPORTED = "unsupported"


_FORMS = {
    "Default": Form.QUANTITY,
    "SEO": Form.QUANTITY,
    "Package": Form.PACKAGE,
    "Custom Comments": Form.COMMENTS,
}


def form_of(service: Service) -> Form:
    """Types needing extra fields we can't collect in chat (polls, subscriptions, mention
    lists…) are refused up front rather than sent to the panel half-filled."""
    return _FORMS.get(service.type, Form.UNSUPPORTED)


class InvalidInput(Exception):
    """The user's answer can't be used; `key` names the explanation, `values` fill it."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class Draft:
    """An order being put together; JSON-friendly so it survives a restart in user data."""

    service_id: int
    link: str | None = None
    quantity: int | None = None
    comments: str | None = None
    runs: int | None = None
    interval: int | None = None
    token: str | None = None  # set when the summary is shown: one token, one order
    quoted: str | None = None  # the total shown with that summary (Decimal as text)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> Draft | None:
        if not isinstance(data, dict) or not isinstance(data.get("service_id"), int):
            return None
        try:
            return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})
        except TypeError:
            return None


@dataclass(frozen=True)
class Quote:
    service: Service
    link: str
    quantity: int  # per run
    runs: int | None
    interval: int | None
    total_quantity: int
    charge: Decimal


class Outcome(StrEnum):
    PLACED = "placed"
    ALREADY_PLACED = "already_placed"  # a second tap on the same Confirm
    UNKNOWN = "unknown"  # the panel may or may not have created it


@dataclass(frozen=True)
class Placement:
    outcome: Outcome
    order: OrderRecord


class OrderFailed(Exception):
    """Nothing was ordered or charged: the panel refused, or could not be reached at all."""

    def __init__(self, message: str | None, *, unavailable: bool = False) -> None:
        super().__init__(message or "unavailable")
        self.message = message
        self.unavailable = unavailable


class PriceChanged(Exception):
    """The catalog price moved between the summary and the tap: the user must see it again."""

    def __init__(self, draft: Draft) -> None:
        super().__init__("price changed")
        self.draft = draft


_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*\.[^\s]+$", re.IGNORECASE)
_BARE_DOMAIN = re.compile(r"^(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)+(/[^\s]*)?$", re.IGNORECASE)
_USERNAME = re.compile(r"^@[A-Za-z0-9_.]{2,64}$")
_GROUPED_NUMBER = re.compile(r"^\d{1,3}([,. _]\d{3})+$")


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
    quantity = parse_whole_number(text)
    if quantity is None or not service.min <= quantity <= service.max:
        raise InvalidInput("wizard_quantity_invalid", min=service.min, max=service.max)
    return quantity


def parse_comments(service: Service, text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if any(len(line) > MAX_COMMENT_LENGTH for line in lines):
        raise InvalidInput("wizard_comments_too_long", limit=MAX_COMMENT_LENGTH)
    if not service.min <= len(lines) <= service.max:
        raise InvalidInput("wizard_comments_count", min=service.min, max=service.max, count=len(lines))
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


def quote(service: Service, draft: Draft) -> Quote:
    """The price the user will confirm: rate × total quantity / 1000 (flat for packages)."""
    if draft.link is None:
        raise ValueError("draft without a link")
    form = form_of(service)
    if form is Form.PACKAGE:
        quantity = 1
    elif form is Form.COMMENTS:
        quantity = len((draft.comments or "").splitlines())
    else:
        quantity = draft.quantity or 0
    runs = draft.runs if service.dripfeed else None
    total = quantity * (runs or 1)
    return Quote(
        service,
        draft.link,
        quantity,
        runs,
        draft.interval if runs else None,
        total,
        service.charge_for(total),
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
    ) -> None:
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
        if self._daily_limit is not None:
            since = self._clock() - timedelta(hours=24)
            spent = sum((s.charge for s in await self._store.spending(since, user_id)), Decimal(0))
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
        if form_of(service) is Form.UNSUPPORTED:
            raise InvalidInput("wizard_type_unsupported", type=service.type)
        return service

    async def prepare(self, user_id: int, draft: Draft) -> tuple[Draft, Quote]:
        """Price the draft, check the owner's limits, and give it a fresh confirmation token."""
        service = await self.service(draft.service_id)
        priced = quote(service, draft)
        await self.check_limits(user_id, priced.charge)
        ready = replace(draft, token=secrets.token_urlsafe(12), quoted=str(priced.charge))
        return ready, priced

    async def find_placed(self, token: str) -> OrderRecord | None:
        """The order already recorded for this confirmation, if any (a repeated tap)."""
        return await self._store.get_order_by_confirmation(token)

    async def place(self, user_id: int, chat_id: int, draft: Draft) -> Placement:
        """Place the confirmed draft exactly once.

        The order is written as an intent *before* the panel call, keyed by the
        confirmation token, so a second tap collides in the database and a crash
        mid-call leaves a row its owner is told about.
        """
        if draft.token is None or draft.link is None:
            raise ValueError("draft was never summarised")
        existing = await self.find_placed(draft.token)
        if existing is not None:
            return Placement(Outcome.ALREADY_PLACED, existing)
        service = await self.service(draft.service_id)
        priced = quote(service, draft)
        if str(priced.charge) != draft.quoted:
            raise PriceChanged(draft)
        await self.check_limits(user_id, priced.charge)  # spending may have grown since the summary
        try:
            intent = await self._store.create_order_intent(
                NewOrder(
                    user_id=user_id,
                    chat_id=chat_id,
                    service_id=service.id,
                    service_name=service.name,
                    link=priced.link,
                    quantity=priced.total_quantity,
                    charge=priced.charge,
                    confirm_token=draft.token,
                    comments=draft.comments,
                    runs=priced.runs,
                    interval=priced.interval,
                )
            )
        except DuplicateConfirmation:
            existing = await self.find_placed(draft.token)
            assert existing is not None
            return Placement(Outcome.ALREADY_PLACED, existing)
        return await self._send(intent, priced, draft)

    async def _send(self, intent: OrderRecord, priced: Quote, draft: Draft) -> Placement:
        """Call `add` once and record what it said.

        From the moment the request may have left, nothing may surface as an error the
        user would answer by ordering again: a refusal is a refusal, an ID is a placed
        order (even if the database refuses to record it right now), anything else is
        "unknown" for the owner to settle.
        """
        form = form_of(priced.service)
        try:
            panel_id = await self._panel.add(
                priced.service.id,
                priced.link,
                None if form in (Form.PACKAGE, Form.COMMENTS) else priced.quantity,
                comments=draft.comments if form is Form.COMMENTS else None,
                runs=priced.runs,
                interval=priced.interval,
            )
        except PanelError as exc:
            refusal = exc.message  # bound now: the write may be retried after this block
            await self._record(intent, lambda: self._store.mark_order_failed(intent.id, refusal))
            raise OrderFailed(refusal) from None
        except AddOutcomeUnknown as exc:
            return await self._unknown(intent, exc.reason)
        except PanelUnavailable as exc:  # never reached the panel: certainly not placed
            reason = f"panel unavailable: {exc.reason}"
            await self._record(intent, lambda: self._store.mark_order_failed(intent.id, reason))
            raise OrderFailed(None, unavailable=True) from None
        except Exception as exc:  # a bug or a library surprise after the request may have left
            log.exception("order %s: unexpected error during add", intent.id)
            return await self._unknown(intent, f"unexpected error ({type(exc).__name__})")
        log.info("order %s placed on the panel as %s", intent.id, panel_id)
        await self._record(intent, lambda: self._store.mark_order_placed(intent.id, panel_id), panel_id)
        placed = {"state": OrderState.PLACED, "panel_order_id": panel_id, "error": None}
        return Placement(Outcome.PLACED, await self._reload(intent, placed))

    async def _unknown(self, intent: OrderRecord, reason: str) -> Placement:
        log.warning("order %s: outcome unknown (%s)", intent.id, reason)
        await self._record(intent, lambda: self._store.mark_order_unknown(intent.id, reason))
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
            fresh = await self._store.get_order(intent.id)
        except Exception:
            log.exception("order %s: could not read it back", intent.id)
            fresh = None
        if fresh is not None and fresh.state == outcome["state"]:
            return fresh
        return replace(fresh or intent, **outcome)
