"""Client of the SMM panel API v2 (the only module that speaks the panel's protocol).

Money is at stake, so the rules are strict:

* `add` (and other writes: `refill`, `cancel`) are never retried: a retried
  write can double-charge.  `add` gets a generous timeout because the panel
  asks for none: a client that gives up early is the main cause of orders
  that were charged but never recorded.  When an `add` may have gone through
  we raise `AddOutcomeUnknown`, so the caller keeps the intent as "unknown".
* Read-only calls get a sane timeout and a small bounded retry with backoff, for
  background work (the poller, the catalog warm-up).  A read a person is waiting
  for (`interactive=True`) gets one attempt with a short deadline instead: "the
  panel is not answering" in 10 s beats the right answer after 79 s of silence.
* The API key lives in the request body only and never in an exception,
  a log line or a repr.
* Body format (`auto`, the default): the seed documents JSON, but most panels of the family
  read form bodies only, and a body they can't read looks to them like a call without a key.
  The first read-only call goes as a form (what most panels read) and, if the panel answers
  "no key" / "bad request", once more as JSON; what worked is remembered.  A write is never
  the probe: with the format unknown, a `balance` settles it first.  One probe at a time;
  concurrent first calls wait for it.  A key refused in every format is `PanelKeyRefused`,
  logged once (the owner must act), never shown to users as "your key is wrong".
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import quote, quote_plus

import aiohttp

from bot import collector
from bot.panel.errors import AddOutcomeUnknown, OutcomeUnknown, PanelError, PanelKeyRefused, PanelUnavailable
from bot.panel.errors import NotSent as _NotSent
from bot.panel.models import (
    MAX_ERROR_TEXT,
    Balance,
    CancelResult,
    OrderStatus,
    RefillRequest,
    RefillStatus,
    RefillStatusKind,
    Service,
    normalize_refill_status,
    to_decimal,
    to_int,
)
from bot.redaction import REDACTED

log = logging.getLogger(__name__)

MAX_IDS_PER_CALL = 100
BODY_FORMATS = ("auto", "json", "form")
# Form first: most panels of the family are PHP reading `$_POST` (their own client posts a form);
# a JSON-only panel costs one refused read at start-up, a form-only one would cost it otherwise.
_PROBE_ORDER = ("form", "json")
# The panel did not see our key: "Invalid API key", "API key is required", "error.invalid_key"...
_KEY_REFUSAL = re.compile(
    r"\b(invalid|incorrect|wrong|missing|bad|unknown|empty|no)[\s_.-]+(api[\s_.-]*)?(key|token)\b"
    r"|\b(api[\s_.-]*)?(key|token)[\s_.-]+(is[\s_.-]+)?"
    r"(invalid|incorrect|wrong|missing|required|empty|not[\s_.-]+(found|valid))\b",
    re.IGNORECASE,
)
# ... or did not read the body at all ("Incorrect request"); only a probe reads it so.
_BAD_REQUEST = re.compile(
    r"\b(incorrect|invalid|bad|wrong|missing|unknown|empty)[\s_.-]+(request|action)\b", re.IGNORECASE
)


def chunked(ids: Sequence[int], size: int = MAX_IDS_PER_CALL) -> list[list[int]]:
    """Split IDs into panel-sized batches (the multi actions accept at most 100)."""
    unique = list(dict.fromkeys(ids))
    return [unique[i : i + size] for i in range(0, len(unique), size)]


# Answers this big are decoded, and catalogs this long read, in a worker thread: on the event
# loop a 50,000-service catalog would freeze every user for about a second.
DECODE_OFF_LOOP_BYTES = 256 * 1024


class PanelClient:
    """Async client for one panel account."""

    def __init__(
        self,
        url: str,
        api_key: str,
        *,
        body_format: str = "json",  # the app's default is SMM_API_FORMAT=auto (bot.config)
        timeout: float = 25.0,
        add_timeout: float = 300.0,
        retries: int = 2,
        backoff: float = 0.5,
        interactive_timeout: float = 10.0,
        key_retry_seconds: float = 30.0,
        max_concurrency: int = 20,
    ) -> None:
        if body_format not in BODY_FORMATS:
            raise ValueError("body_format must be 'auto', 'json' or 'form'")
        self.url = url
        self._key = api_key
        # The key as it may come back: raw, JSON-escaped (PHP also escapes "/"), URL-encoded.
        escaped = json.dumps(api_key)[1:-1]
        forms = {api_key, escaped, escaped.replace("/", "\\/"), quote(api_key, safe=""), quote_plus(api_key)}
        self._key_forms = sorted((f for f in forms if len(f) >= 4), key=len, reverse=True)
        self._forced = body_format != "auto"
        self._format: str | None = body_format if self._forced else None  # None: not known yet
        self._probing: asyncio.Event | None = None  # set when the running probe ends
        self._probe_failure: PanelUnavailable | None = None  # how the last probe failed
        self._key_refused = False
        # After a refusal the key is not offered again for a while: every user's tap would
        # otherwise cost the panel two refused calls (some panels ban after a few).
        self._key_retry = key_retry_seconds
        self._retry_key_at = 0.0
        # Called once when the panel starts refusing the key (the owner must be told).
        self.on_key_refused: Callable[[], None] | None = None
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._add_timeout = aiohttp.ClientTimeout(total=add_timeout)
        # A deadline for a waiting person, never longer than a background read's.
        self._interactive_timeout = aiohttp.ClientTimeout(total=min(timeout, interactive_timeout))
        self._retries = retries
        self._backoff = backoff
        self._session: aiohttp.ClientSession | None = None
        # Connections to the panel at once, whoever asks: more requests wait for one.
        self.max_concurrency = max_concurrency

    def __repr__(self) -> str:
        return f"PanelClient(url={self.url!r})"

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _http(self) -> aiohttp.ClientSession:
        # Created lazily so the session is bound to the running event loop.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                headers={"User-Agent": "smm-panel-telegram-bot/0.1"},
                connector=aiohttp.TCPConnector(limit=self.max_concurrency),
            )
        return self._session

    # -- transport ---------------------------------------------------------------------------

    async def _post(
        self,
        action: str,
        params: dict[str, Any],
        timeout: aiohttp.ClientTimeout,
        *,
        errors: bool = True,
        fmt: str | None = None,
        probe: bool = False,
        items: Callable[[Any], Any] | None = None,
    ) -> Any:
        """One HTTP round trip; returns the decoded JSON or raises a panel error (`errors=False`
        leaves an `{"error": ...}` answer to the caller).  A refused key is `PanelKeyRefused`
        whatever `errors` says (a `probe` leaves telling the owner to the prober)."""
        body = fmt or self._format
        if body is None:
            raise RuntimeError("the panel's body format is not settled yet")
        if not probe:
            self._refused_recently()
        payload: dict[str, Any] = {"key": self._key, "action": action, **params}
        form = {k: str(v) for k, v in payload.items()} if body == "form" else None
        started = time.monotonic()
        try:
            status, text = await self._exchange(timeout, form, payload)
        except TimeoutError:
            raise PanelUnavailable("timeout") from None
        except aiohttp.ClientConnectorError:
            raise _NotSent("connection refused") from None
        except aiohttp.ClientError as exc:
            raise PanelUnavailable(f"connection error ({type(exc).__name__})") from None
        log.debug("panel %s: HTTP %s in %.0f ms", action, status, (time.monotonic() - started) * 1000)
        try:
            if len(text) > DECODE_OFF_LOOP_BYTES:  # a big catalog: megabytes of JSON
                with collector.paused():
                    data = await asyncio.to_thread(
                        lambda: _decode(status, self._scrub(text), errors=errors, items=items)
                    )
            else:
                data = _decode(status, self._scrub(text), errors=errors, items=items)
        except PanelError as exc:
            if _KEY_REFUSAL.search(exc.message):
                raise self._refusal(f"sent as {body}", probe) from None
            raise
        if isinstance(data, dict) and data.get("order") is None:  # `add` leaves errors to us
            error = _error_text(data)
            if error is not None and _KEY_REFUSAL.search(error):
                raise self._refusal(f"sent as {body}", probe)
        if self._key_refused and not probe and _error_text(data if isinstance(data, dict) else {}) is None:
            self._key_refused = False
            log.info("the panel accepts the API key again")
        return data

    async def _read(
        self,
        action: str,
        *,
        interactive: bool = False,
        items: Callable[[Any], Any] | None = None,
        **params: Any,
    ) -> Any:
        """A read-only call: retried a few times with backoff when the panel is unavailable.

        `interactive`: a person is waiting for this answer, so one attempt within the short
        interactive timeout; a retry would only stretch their silence (the outage is rarely
        over a second later), and they can ask again themselves.
        """
        timeout = self._interactive_timeout if interactive else self._timeout
        retries = 0 if interactive else self._retries
        attempt = 0
        while True:
            try:
                return await self._in_format(action, params, timeout, items)
            except PanelKeyRefused:
                raise  # asking again can't help; the owner has been told
            except PanelUnavailable as exc:
                if attempt >= retries:
                    # Callers decide how loud an outage is (the poller logs once per outage).
                    log.debug("panel %s failed: %s", action, exc.reason)
                    raise PanelUnavailable(exc.reason) from None
                attempt += 1
                await asyncio.sleep(self._backoff * 2 ** (attempt - 1))

    async def _write(self, action: str, **params: Any) -> Any:
        """A call that changes something on the panel: exactly one attempt."""
        await self._settle_format()
        try:
            return await self._post(action, params, self._add_timeout)
        except _NotSent as exc:
            log.warning("panel %s not sent: %s", action, exc.reason)
            raise PanelUnavailable(exc.reason) from None
        except PanelUnavailable as exc:
            log.warning("panel %s outcome unknown: %s", action, exc.reason)
            raise OutcomeUnknown(exc.reason) from None

    # -- body format -------------------------------------------------------------------------

    @property
    def body_format(self) -> str | None:
        """`json` or `form` once known (forced, or found by the first read); None before."""
        return self._format

    async def _in_format(
        self,
        action: str,
        params: dict[str, Any],
        timeout: aiohttp.ClientTimeout,
        items: Callable[[Any], Any] | None = None,
    ) -> Any:
        """One read-only round trip in the panel's format; the first one finds the format.

        Concurrent first calls don't each probe: they wait for the running probe, then go in
        the format it found, or fail as it failed (a refused key, an unreachable panel).
        """
        self._refused_recently()
        while self._format is None:
            probing = self._probing
            if probing is None:
                return await self._probe(action, params, timeout, items)
            await probing.wait()
            failure = self._probe_failure
            if self._format is None and failure is not None:
                raise type(failure)(failure.reason)
        return await self._post(action, params, timeout, items=items)

    async def _probe(
        self,
        action: str,
        params: dict[str, Any],
        timeout: aiohttp.ClientTimeout,
        items: Callable[[Any], Any] | None = None,
    ) -> Any:
        """This read-only call in each format until the panel reads our key; remembers the one."""
        self._probing = probing = asyncio.Event()
        self._probe_failure = None
        try:
            for fmt in _PROBE_ORDER:
                try:
                    data = await self._post(action, params, timeout, fmt=fmt, probe=True, items=items)
                except PanelKeyRefused:
                    log.debug("panel %s: no key seen in a %s body", action, fmt)
                    continue
                except PanelError as exc:
                    if _BAD_REQUEST.search(exc.message):
                        log.debug("panel %s: a %s body was not understood", action, fmt)
                        continue
                    self._settle(fmt)  # a real refusal: the panel read the key
                    raise
                self._settle(fmt)
                if self._key_refused:
                    self._key_refused = False
                    log.info("the panel accepts the API key again")
                return data
            raise self._refusal("sent as " + " and as ".join(_PROBE_ORDER), probe=False)
        except PanelUnavailable as exc:
            self._probe_failure = exc
            raise
        finally:
            self._probing = None
            probing.set()

    def _settle(self, fmt: str) -> None:
        if self._format is None:
            self._format = fmt
            log.info("the panel reads %s request bodies; using them from now on", fmt)

    async def _settle_format(self) -> None:
        """Before a write: the format must be known, and it is found by a read-only `balance`,
        never by sending the write twice.  Raises `PanelUnavailable` (the write was not sent)
        when it can't be found."""
        if self._format is not None:
            return
        # A refusal of something else still means the panel read the key: the format is settled.
        with contextlib.suppress(PanelError):
            await self._in_format("balance", {}, self._interactive_timeout)
        if self._format is None:
            raise PanelUnavailable("body format unknown")

    def _refused_recently(self) -> None:
        """Within `key_retry_seconds` of a refused key: refused again, without a call."""
        if self._key_refused and time.monotonic() < self._retry_key_at:
            raise PanelKeyRefused("API key refused")

    def _refusal(self, how: str, probe: bool) -> PanelKeyRefused:
        """The panel refused our key; the first time, one line for the owner (no key in it)."""
        if not probe:
            self._retry_key_at = time.monotonic() + self._key_retry
        if not probe and not self._key_refused:
            self._key_refused = True
            hint = "" if not self._forced else "; SMM_API_FORMAT=auto would also try the other body format"
            log.error(
                "the panel refuses the API key (request body %s): check SMM_API_KEY%s; "
                "orders can't be placed until it is accepted",
                how,
                hint,
            )
            if self.on_key_refused is not None:
                self.on_key_refused()
        return PanelKeyRefused("API key refused")

    async def _exchange(
        self, timeout: aiohttp.ClientTimeout, form: dict[str, str] | None, payload: dict[str, Any]
    ) -> tuple[int, str]:
        """(HTTP status, body text).  Its own frame: the response, and the raw body it keeps,
        are gone before the text is decoded (a big catalog's body is tens of megabytes)."""
        async with self._http().post(
            self.url, timeout=timeout, data=form, json=None if form is not None else payload
        ) as response:
            return response.status, await response.text(errors="replace")

    def _scrub(self, text: str) -> str:
        """Some panels echo the request, key included, in their answers (errors above all):
        the key is taken out of the raw answer before anything can quote it."""
        for form in self._key_forms:
            text = text.replace(form, REDACTED)
        return text

    # -- actions -----------------------------------------------------------------------------

    async def services(self, *, interactive: bool = False) -> list[Service]:
        """The catalog; entries without an ID or a rate are left out (they can't be ordered).
        Each entry becomes a `Service` as it is decoded (see `_decode`): 50,000 decoded
        entries never exist at once."""
        shared: dict[Any, Any] = {}  # this catalog's repeated names and rates, kept once
        data = await self._read(
            "services", interactive=interactive, items=lambda raw: Service.from_api(raw, shared)
        )
        if not isinstance(data, list):
            raise PanelUnavailable("unexpected services answer")
        return [service for service in data if service is not None]

    async def balance(self, *, interactive: bool = False) -> Balance:
        data = _expect_dict(await self._read("balance", interactive=interactive))
        amount = to_decimal(data.get("balance"))
        if amount is None:
            raise PanelUnavailable("unexpected balance answer")
        return Balance(amount=amount, currency=str(data.get("currency") or "").strip())

    async def add(
        self,
        service_id: int,
        link: str | None,
        quantity: int | None = None,
        *,
        comments: str | None = None,
        runs: int | None = None,
        interval: int | None = None,
        extra: Mapping[str, str] | None = None,
    ) -> int:
        """Place an order and return the panel's order ID.

        Only the parameters given are sent (a Subscriptions order has no `link`); `extra`
        carries a service type's own ones (`usernames`, `answer_number`, `posts`…).
        Raises `PanelError` when the panel refused (nothing was charged),
        `PanelUnavailable` when the request never left (connection refused),
        `AddOutcomeUnknown` when it may have been created.
        """
        params: dict[str, Any] = {"service": service_id}
        optional = {"link": link, "quantity": quantity, "comments": comments}
        optional.update({"runs": runs, "interval": interval})
        params.update({k: v for k, v in optional.items() if v is not None})
        params.update({k: v for k, v in (extra or {}).items() if k not in {"key", "action", "service"}})
        await self._settle_format()  # never by this write: a read-only probe first
        try:
            data = await self._post("add", params, self._add_timeout, errors=False)
        except _NotSent as exc:
            log.warning("panel add not sent: %s", exc.reason)
            raise PanelUnavailable(exc.reason) from None
        except PanelUnavailable as exc:
            log.warning("panel add outcome unknown: %s", exc.reason)
            raise AddOutcomeUnknown(exc.reason) from None
        return _added_order_id(_expect_dict(data, unknown=AddOutcomeUnknown))

    async def status(self, order_id: int, *, interactive: bool = False) -> OrderStatus:
        data = _expect_dict(await self._read("status", interactive=interactive, order=order_id))
        return OrderStatus.from_api(order_id, data)

    async def statuses(
        self, order_ids: Iterable[int], *, interactive: bool = False
    ) -> dict[int, OrderStatus]:
        """Status of many orders, in ⌈n/100⌉ calls. IDs the panel refused carry `error`."""
        result: dict[int, OrderStatus] = {}
        for batch in chunked(list(order_ids)):
            data = _expect_dict(await self._read("status", interactive=interactive, orders=_join(batch)))
            by_key = {str(k).strip(): v for k, v in data.items()}
            for order_id in batch:
                raw = by_key.get(str(order_id), {"error": "missing from the panel's answer"})
                result[order_id] = OrderStatus.from_api(order_id, raw)
        return result

    async def refill(self, order_id: int) -> int:
        data = _expect_dict(await self._write("refill", order=order_id))
        refill_id = to_int(data.get("refill"), minimum=1)
        if refill_id is None:
            raise PanelUnavailable("answer without a refill ID")
        return refill_id

    async def refills(self, order_ids: Iterable[int]) -> dict[int, RefillRequest]:
        """Request refills of many orders; accepts both answer shapes panels use."""
        result: dict[int, RefillRequest] = {}
        for batch in chunked(list(order_ids)):
            data = await self._write("refill", orders=_join(batch))
            _raise_if_error(data)
            result.update(_parse_multi_refill(batch, data))
        return result

    async def refill_status(self, refill_id: int) -> RefillStatus:
        data = _expect_dict(await self._read("refill_status", refill=refill_id))
        return RefillStatus(refill_id, normalize_refill_status(data.get("status")))

    async def refill_statuses(
        self, refill_ids: Iterable[int], *, interactive: bool = False
    ) -> dict[int, RefillStatus]:
        result: dict[int, RefillStatus] = {}
        for batch in chunked(list(refill_ids)):
            data = await self._read("refill_status", interactive=interactive, refills=_join(batch))
            _raise_if_error(data)
            found = _parse_multi_refill_status(data)
            for refill_id in batch:
                result[refill_id] = found.get(
                    refill_id,
                    RefillStatus(refill_id, RefillStatusKind.UNKNOWN, "missing from the panel's answer"),
                )
        return result

    async def cancel(self, order_ids: Iterable[int]) -> dict[int, CancelResult]:
        """Ask the panel to cancel orders (an extension; only for services whose `cancel` is true)."""
        result: dict[int, CancelResult] = {}
        for batch in chunked(list(order_ids)):
            data = await self._write("cancel", orders=_join(batch))
            _raise_if_error(data)
            items = data if isinstance(data, list) else [{"order": batch[0], "cancel": data}]
            for item in items:
                if not isinstance(item, dict) or (order_id := to_int(item.get("order"), minimum=1)) is None:
                    continue
                outcome = item.get("cancel")
                if isinstance(outcome, dict) and "error" in outcome:
                    result[order_id] = CancelResult(order_id, False, str(outcome["error"]))
                elif isinstance(outcome, dict) and "cancel" in outcome:
                    result[order_id] = CancelResult(order_id, True)
                else:
                    result[order_id] = CancelResult(order_id, bool(outcome))
            for order_id in batch:
                result.setdefault(order_id, CancelResult(order_id, False, "no answer for this order"))
        return result


def _added_order_id(data: dict[str, Any]) -> int:
    """The order ID of an `add` answer, or why there is none.

    An ID is proof the order exists, so it wins over anything else in the answer.  A
    refusal is an `error` with no `order` at all.  Anything else (`{"error": null}`, an
    ID of 0, -5 or 1e30, no ID) may hide a charged order: its outcome is unknown.
    """
    raw = data.get("order")
    order_id = to_int(raw, minimum=1)  # bounded to MAX_PANEL_NUMBER: 1e30 is garbage, not an ID
    if order_id is not None:
        return order_id
    if raw is None and _error_text(data) is not None:
        raise PanelError(_error_text(data) or "unknown panel error")
    if raw is None:
        raise AddOutcomeUnknown("answer without an order ID")
    raise AddOutcomeUnknown("answer with an order ID that is not a positive whole number")


def _error_text(data: dict[str, Any]) -> str | None:
    """The panel's refusal, cut to a sane length; None when `error` is absent or null."""
    error = data.get("error")
    if error is None or error is False:
        return None
    return str(error).strip()[:MAX_ERROR_TEXT]


def _json_int(digits: str) -> int | Decimal:
    """JSON integers as Python reads them, except that one too long for `int()` (over 4,300
    digits raises) becomes a Decimal, which the models' bounded parsers then refuse: one
    absurd number must cost its own field, not the whole answer."""
    return int(digits) if len(digits) <= 40 else Decimal(digits)


def _decode(status: int, text: str, *, errors: bool = True, items: Callable[[Any], Any] | None = None) -> Any:
    """The answer's JSON.  With `items`, an answer that is an array is returned as a list of
    `items(entry)`, each entry converted as soon as it is decoded and then dropped: a big
    catalog's 50,000 decoded entries were its reload's peak memory."""
    if status >= 500:
        raise PanelUnavailable(f"HTTP {status}")
    try:
        if items is not None and status < 400 and _ARRAY_START.match(text):
            return [items(entry) for entry in _array_entries(text)]
        data = json.loads(text, parse_int=_json_int)
    except ValueError:
        looks = "HTML page" if "<" in text[:200] else "invalid JSON"
        raise PanelUnavailable(f"{looks} (HTTP {status})") from None
    if errors or status >= 400:
        _raise_if_error(data)
    if status >= 400:
        raise PanelUnavailable(f"HTTP {status}")
    return data


_ARRAY_START = re.compile(r"[ \t\n\r]*\[")
_SPACE = re.compile(r"[ \t\n\r]*")


def _array_entries(text: str) -> Iterator[Any]:
    """The entries of the JSON array `text`, decoded one at a time; `ValueError` where
    `json.loads` would raise one (whatever was yielded before is then to be discarded)."""
    decoder = json.JSONDecoder(parse_int=_json_int)
    at = _after_space(text, 0)
    if not text.startswith("[", at):
        raise ValueError("not an array")
    at = _after_space(text, at + 1)
    if text.startswith("]", at):
        at += 1
    else:
        while True:
            entry, at = decoder.raw_decode(text, at)
            yield entry
            at = _after_space(text, at)
            if text.startswith("]", at):
                at += 1
                break
            if not text.startswith(",", at):
                raise ValueError("expected ',' or ']' in an array")
            at = _after_space(text, at + 1)
    if _after_space(text, at) != len(text):
        raise ValueError("extra data after the array")


def _after_space(text: str, at: int) -> int:
    found = _SPACE.match(text, at)
    return found.end() if found else at


def _raise_if_error(data: Any) -> None:
    """`{"error": "..."}` (perhaps with one more field) is a refusal; `{"error": null}` is not."""
    if isinstance(data, dict) and len(data) <= 2 and (error := _error_text(data)) is not None:
        raise PanelError(error or "unknown panel error")


def _expect_dict(data: Any, unknown: type[PanelUnavailable] = PanelUnavailable) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise unknown("unexpected answer shape")
    return data


def _join(ids: Sequence[int]) -> str:
    return ",".join(str(i) for i in ids)


def _parse_multi_refill(batch: list[int], data: Any) -> dict[int, RefillRequest]:
    """Two shapes: `[{"order": 1, "refill": 5}, ...]` or the documented `{"refill": "5"}`.

    The documented object does not say which order a refill belongs to; with a
    single order that is unambiguous, with several we refuse to guess.
    """
    result: dict[int, RefillRequest] = {}
    if isinstance(data, list):
        for item in data:
            if not isinstance(item, dict) or (order_id := to_int(item.get("order"), minimum=1)) is None:
                continue
            outcome = item.get("refill")
            if isinstance(outcome, dict):
                error = str(outcome.get("error") or "refill refused")
                result[order_id] = RefillRequest(order_id, None, error)
            else:
                result[order_id] = RefillRequest(order_id, to_int(outcome, minimum=1))
    elif isinstance(data, dict) and len(batch) == 1:
        result[batch[0]] = RefillRequest(batch[0], to_int(data.get("refill"), minimum=1))
    elif isinstance(data, dict):
        log.warning("panel answered a multi refill without per-order results")
    for order_id in batch:
        result.setdefault(order_id, RefillRequest(order_id, None, "no per-order answer"))
    return result


def _parse_multi_refill_status(data: Any) -> dict[int, RefillStatus]:
    """`[{"refill": 1, "status": "Completed"}, ...]` or `{"1": {"status": ...}}`."""
    items: list[tuple[Any, Any]] = []
    if isinstance(data, list):
        items = [(i.get("refill"), i.get("status")) for i in data if isinstance(i, dict)]
    elif isinstance(data, dict):
        items = [
            (k, v.get("status") if isinstance(v, dict) and "error" not in v else v) for k, v in data.items()
        ]
    result: dict[int, RefillStatus] = {}
    for raw_id, raw_status in items:
        refill_id = to_int(raw_id, minimum=1)
        if refill_id is None:
            continue
        if isinstance(raw_status, dict):
            error = str(raw_status.get("error") or "unknown")
            result[refill_id] = RefillStatus(refill_id, RefillStatusKind.UNKNOWN, error)
        else:
            result[refill_id] = RefillStatus(refill_id, normalize_refill_status(raw_status))
    return result
