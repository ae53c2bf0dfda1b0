"""An offline, in-process fake of the Telegram Bot API for tests and benchmarks.

Why this exists: the bot under test is a real python-telegram-bot ``Application`` with a real
``Updater`` doing long polling.  Instead of mocking PTB internals (which would hide real
integration bugs: wrong parameter types, HTML that Telegram rejects, callback data that is too
long, ...), tests point PTB at this server via
``ApplicationBuilder().base_url(fake.base_url)`` and play a Telegram user through
:class:`FakeUser`.

The fake is deliberately *honest*: it enforces the same limits Telegram enforces and answers
with the same error descriptions, so a bot that passes here does not fail on the real API for
those reasons.  It depends only on the standard library and aiohttp so that benchmarks can import
it without pulling in pytest.

Everything runs in the caller's event loop; no threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import html
import itertools
import json
import math
import re
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

JSON = dict[str, Any]

__all__ = [
    "ApiCall",
    "ApiError",
    "Button",
    "FakeTelegram",
    "FakeUser",
    "SentMessage",
    "StarCharge",
    "iter_buttons",
    "render_text",
]

# --------------------------------------------------------------------------------------------
# Telegram limits (https://core.telegram.org/bots/api, https://limits.tginfo.me)
# --------------------------------------------------------------------------------------------
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64  # bytes, UTF-8
MAX_INLINE_BUTTONS = 100
CALLBACK_ANSWER_TEXT_LIMIT = 200
MAX_INLINE_RESULTS = 50
MAX_BOT_COMMANDS = 100
LONG_POLL_CAP_S = 30.0
# Payments (https://core.telegram.org/bots/api#sendinvoice, /bots/payments-stars).
INVOICE_TITLE_LIMIT = 32  # characters
INVOICE_DESCRIPTION_LIMIT = 255  # characters
INVOICE_PAYLOAD_LIMIT = 128  # bytes, UTF-8
STARS_CURRENCY = "XTR"
# The most Telegram Stars one invoice may ask for.  Not confirmed against core.telegram.org
# from here (the docs search did not show the number); 10000 is the figure used for Stars
# subscriptions and paid media.  Change it here if Telegram publishes another.
STARS_MAX_PER_INVOICE = 10_000
PRE_CHECKOUT_TIMEOUT_S = 10.0  # "The Bot API must receive an answer within 10 seconds"

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
BLOCKED = "Forbidden: bot was blocked by the user"
QUERY_ID_INVALID = "Bad Request: QUERY_ID_INVALID"
CURRENCY_TOTAL_AMOUNT_INVALID = "Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID"
PAYMENT_PROVIDER_INVALID = "Bad Request: PAYMENT_PROVIDER_INVALID"
CHARGE_NOT_FOUND = "Bad Request: CHARGE_NOT_FOUND"
CHARGE_ALREADY_REFUNDED = "Bad Request: CHARGE_ALREADY_REFUNDED"

# Update kinds Telegram does not deliver unless explicitly requested via ``allowed_updates``.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

# Methods that are part of the polling/bootstrap machinery: never rate limited and never count
# as "bot activity" for :meth:`FakeTelegram.wait_idle`.
_PLUMBING_METHODS = frozenset(
    {"getupdates", "getme", "deletewebhook", "setwebhook", "getwebhookinfo", "close", "logout"}
)

# Parameters that are strings in the Bot API and must never be JSON-decoded (PTB sends str
# values verbatim, so a text of "123" or "true" must stay a string).
_STRING_FIELDS = frozenset(
    {
        "action",
        "business_connection_id",
        "callback_query_id",
        "caption",
        "data",
        "description",
        "document",
        "emoji",
        "error_message",
        "currency",
        "file_id",
        "inline_message_id",
        "inline_query_id",
        "language_code",
        "message_effect_id",
        "name",
        "next_offset",
        "parse_mode",
        "payload",
        "photo",
        "pre_checkout_query_id",
        "provider_data",
        "provider_token",
        "query",
        "secret_token",
        "short_description",
        "start_parameter",
        "sticker",
        "switch_pm_parameter",
        "telegram_payment_charge_id",
        "switch_pm_text",
        "text",
        "title",
        "url",
    }
)

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

_INLINE_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "web_app",
    "login_url",
    "callback_game",
    "pay",
    "copy_text",
)


def _now() -> int:
    return int(time.time())


def _utf16_len(text: str) -> int:
    """Telegram measures entity offsets/lengths in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    """Telegram reports parse errors as UTF-8 byte offsets."""
    return len(text[:index].encode("utf-8"))


# --------------------------------------------------------------------------------------------
# Errors and records
# --------------------------------------------------------------------------------------------
class ApiError(Exception):
    """A Bot API error answer (``ok: false``); raised inside method handlers."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


class _EntityParseError(Exception):
    """Text could not be parsed with the given parse_mode (becomes "can't parse entities")."""


@dataclass
class ApiCall:
    """One request the bot made, as the fake understood and answered it.

    ``at`` is ``time.monotonic()`` at arrival (useful for rate computations in benchmarks).
    ``result`` is the ``result`` field of a successful answer (``None`` for errors).
    """

    method: str
    params: dict[str, Any]
    ok: bool
    error_code: int | None = None
    description: str | None = None
    at: float = 0.0
    result: Any = None


@dataclass(frozen=True)
class Button:
    """One inline keyboard button as the bot sent it."""

    text: str
    callback_data: str | None = None
    url: str | None = None
    switch_inline_query_current_chat: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)


@dataclass
class SentMessage:
    """A message the bot sent, in its *current* state (edits applied, ``deleted`` flag set).

    ``text`` is what the bot sent (raw, including HTML tags when ``parse_mode`` is set; for
    media messages it holds the caption).  ``plain_text`` is what the user sees (tags removed,
    entities unescaped).  ``version`` is the fake's global sequence number of the last
    send/edit, used by :class:`FakeUser` to track what it has already looked at.
    """

    message_id: int
    chat_id: int
    text: str | None
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    edits: int = 0
    deleted: bool = False
    kind: str = "text"
    plain_text: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    date: int = 0
    edit_date: int | None = None
    file_name: str | None = None
    version: int = 0
    # The uploaded file as the bot sent it (sendPhoto/sendDocument with an upload); ``None``
    # when the media was given as a file_id or URL string.
    file_bytes: bytes | None = None
    # For ``kind == "invoice"``: what the bot asked for (title, description, payload,
    # currency, prices, total_amount, provider_token, start_parameter).
    invoice: dict[str, Any] | None = None

    @property
    def buttons(self) -> list[list[Button]]:
        """Inline keyboard rows (empty for no keyboard or for reply keyboards)."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [
            [
                Button(
                    text=str(b.get("text", "")),
                    callback_data=b.get("callback_data"),
                    url=b.get("url"),
                    switch_inline_query_current_chat=b.get("switch_inline_query_current_chat"),
                    raw=dict(b),
                )
                for b in row
                if isinstance(b, dict)
            ]
            for row in rows
            if isinstance(row, list)
        ]

    @property
    def button_texts(self) -> list[str]:
        """All inline button labels, flattened row by row."""
        return [b.text for row in self.buttons for b in row]

    def button(self, text_or_prefix: str) -> Button:
        """Find a button: exact label first, then label prefix, then substring.

        Raises AssertionError listing the available buttons when nothing matches, so a failing
        test says what the user could actually see.
        """
        flat = [b for row in self.buttons for b in row]
        for match in (
            lambda b: b.text == text_or_prefix,
            lambda b: b.text.startswith(text_or_prefix),
            lambda b: text_or_prefix in b.text,
        ):
            for b in flat:
                if match(b):
                    return b
        raise AssertionError(
            f"no button matching {text_or_prefix!r} in message {self.message_id} "
            f"(text={self.plain_text!r}); available buttons: {self.button_texts!r}"
        )

    def snapshot(self) -> SentMessage:
        """A deep copy, frozen at the current state (later edits do not change it)."""
        return copy.deepcopy(self)


@dataclass
class StarCharge:
    """One successful Telegram Stars payment as Telegram keeps it (see ``refundStarPayment``)."""

    charge_id: str
    user_id: int
    stars: int
    payload: str
    currency: str = STARS_CURRENCY
    refunded: bool = False
    date: int = 0


class _Upload(dict):  # type: ignore[type-arg]
    """The descriptor of an uploaded file ({_upload, filename, content_type, size}) that also
    carries the bytes in ``.data`` (kept off the dict so logs and comparisons stay small)."""

    data: bytes = b""


# --------------------------------------------------------------------------------------------
# Text rendering (parse_mode) - so we can count visible characters and reject bad markup
# --------------------------------------------------------------------------------------------
_HTML_TOKEN = re.compile(r"<[^<>]*>|&#?[A-Za-z0-9]{1,10};|[^<&]+|[<&]", re.S)
_HTML_ATTR = re.compile(
    r"""([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))|([A-Za-z_][A-Za-z0-9_-]*)"""
)
_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class _Builder:
    """Accumulates visible text and entities with UTF-16 offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.entities: list[dict[str, Any]] = []

    def emit(self, text: str) -> None:
        self.parts.append(text)
        self.pos += _utf16_len(text)

    def entity(self, etype: str, start: int, **extra: Any) -> None:
        if self.pos > start:
            ent = {"type": etype, "offset": start, "length": self.pos - start}
            ent.update({k: v for k, v in extra.items() if v is not None})
            self.entities.append(ent)

    def result(self) -> tuple[str, list[dict[str, Any]]]:
        ents = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), ents


def _parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram's HTML subset (strictly: unknown tags and bad nesting are errors)."""
    out = _Builder()
    stack: list[tuple[str, int, dict[str, str]]] = []
    for m in _HTML_TOKEN.finditer(text):
        tok = m.group(0)
        off = _byte_offset(text, m.start())
        if tok == "<":
            raise _EntityParseError(f'Unsupported start tag "" at byte offset {off}')
        if tok.startswith("<"):
            inner = tok[1:-1]
            if inner.startswith("/"):
                name = inner[1:].strip().lower()
                if not stack:
                    raise _EntityParseError(f'Unexpected end tag "{name}" at byte offset {off}')
                open_name, start, attrs = stack.pop()
                if name != open_name:
                    raise _EntityParseError(
                        f'Unmatched end tag at byte offset {off}, expected "</{open_name}>", '
                        f'found "</{name}>"'
                    )
                _close_html_tag(out, stack, open_name, start, attrs)
                continue
            tm = re.match(r"\s*([A-Za-z][A-Za-z0-9-]*)(.*)$", inner, re.S)
            name = tm.group(1).lower() if tm else inner.strip()
            if not tm or name not in _HTML_TAGS:
                raise _EntityParseError(f'Unsupported start tag "{name}" at byte offset {off}')
            attrs: dict[str, str] = {}
            for am in _HTML_ATTR.finditer(tm.group(2)):
                if am.group(5):
                    attrs[am.group(5).lower()] = ""
                else:
                    value = next(g for g in am.groups()[1:4] if g is not None)
                    attrs[am.group(1).lower()] = html.unescape(value)
            if name == "span" and attrs.get("class") != "tg-spoiler":
                raise _EntityParseError(f'Unsupported start tag "span" at byte offset {off}')
            stack.append((name, out.pos, attrs))
        elif tok.startswith("&") and tok.endswith(";") and len(tok) > 2:
            body = tok[1:-1]
            if body.startswith("#x") or body.startswith("#X"):
                out.emit(_codepoint(body[2:], 16, tok))
            elif body.startswith("#"):
                out.emit(_codepoint(body[1:], 10, tok))
            else:
                out.emit(_NAMED_ENTITIES.get(body, tok))
        else:
            out.emit(tok)
    if stack:
        raise _EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.result()


def _codepoint(digits: str, base: int, fallback: str) -> str:
    try:
        return chr(int(digits, base))
    except (ValueError, OverflowError):
        return fallback


def _close_html_tag(
    out: _Builder,
    stack: list[tuple[str, int, dict[str, str]]],
    name: str,
    start: int,
    attrs: dict[str, str],
) -> None:
    etype = _HTML_TAGS[name]
    if name == "code" and stack and stack[-1][0] == "pre":
        # <pre><code class="language-x">: the language belongs to the enclosing pre entity.
        lang = attrs.get("class", "")
        if lang.startswith("language-"):
            pre_name, pre_start, pre_attrs = stack[-1]
            stack[-1] = (pre_name, pre_start, {**pre_attrs, "_language": lang[9:]})
        return
    if etype == "text_link":
        out.entity("text_link", start, url=attrs.get("href") or None)
    elif etype == "pre":
        out.entity("pre", start, language=attrs.get("_language"))
    elif etype == "blockquote":
        out.entity("expandable_blockquote" if "expandable" in attrs else "blockquote", start)
    elif etype == "custom_emoji":
        out.entity("custom_emoji", start, custom_emoji_id=attrs.get("emoji-id", "0"))
    else:
        out.entity(etype, start)


_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_STYLES = {"*": "bold", "_": "italic", "__": "underline", "~": "strikethrough", "||": "spoiler"}
_STYLE_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
}


def _parse_markdown_v2(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse MarkdownV2, including Telegram's rule that reserved characters must be escaped."""
    out = _Builder()
    open_styles: dict[str, tuple[int, int]] = {}  # style -> (utf16 start, byte offset)
    links: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            if i + 1 < n:
                out.emit(text[i + 1])
                i += 2
                continue
            raise _EntityParseError("Character '\\' is reserved and must be escaped with the preceding '\\'")
        if text.startswith("```", i):
            end = _find_unescaped(text, "```", i + 3)
            if end < 0:
                raise _EntityParseError(
                    f"Can't find end of Pre entity at byte offset {_byte_offset(text, i)}"
                )
            block = text[i + 3 : end]
            lang = None
            first, sep, rest = block.partition("\n")
            if sep and first and " " not in first:
                lang, block = first, rest
            start = out.pos
            out.emit(_unescape_code(block))
            out.entity("pre", start, language=lang)
            i = end + 3
            continue
        if c == "`":
            end = _find_unescaped(text, "`", i + 1)
            if end < 0:
                raise _EntityParseError(
                    f"Can't find end of Code entity at byte offset {_byte_offset(text, i)}"
                )
            start = out.pos
            out.emit(_unescape_code(text[i + 1 : end]))
            out.entity("code", start)
            i = end + 1
            continue
        marker = next((mk for mk in ("||", "__") if text.startswith(mk, i)), None) or (
            c if c in "*_~" else None
        )
        if marker is not None:
            style = _MDV2_STYLES[marker]
            if style in open_styles:
                out.entity(style, open_styles.pop(style)[0])
            else:
                open_styles[style] = (out.pos, _byte_offset(text, i))
            i += len(marker)
            continue
        if c == "[":
            links.append((out.pos, _byte_offset(text, i)))
            i += 1
            continue
        if c == "]" and links and text.startswith("(", i + 1):
            close = _find_unescaped(text, ")", i + 2)
            if close < 0:
                raise _EntityParseError(f"Can't find end of a URL at byte offset {_byte_offset(text, i + 1)}")
            url = re.sub(r"\\(.)", r"\1", text[i + 2 : close])
            start, _ = links.pop()
            out.entity("text_link", start, url=url)
            i = close + 1
            continue
        if c == ">" and (i == 0 or text[i - 1] == "\n"):
            i += 1  # blockquote marker: not rendered
            continue
        if c in _MDV2_RESERVED:
            raise _EntityParseError(
                f"Character '{c}' is reserved and must be escaped with the preceding '\\'"
            )
        out.emit(c)
        i += 1
    if open_styles:
        style, (_, boff) = min(open_styles.items(), key=lambda kv: kv[1][1])
        raise _EntityParseError(f"Can't find end of {_STYLE_NAMES[style]} entity at byte offset {boff}")
    if links:
        raise _EntityParseError(f"Can't find end of TextUrl entity at byte offset {links[-1][1]}")
    return out.result()


def _find_unescaped(text: str, needle: str, start: int) -> int:
    i = start
    while True:
        j = text.find(needle, i)
        if j < 0:
            return -1
        backslashes = len(text[:j]) - len(text[:j].rstrip("\\"))
        if backslashes % 2 == 0:
            return j
        i = j + 1


def _unescape_code(text: str) -> str:
    return re.sub(r"\\([`\\])", r"\1", text)


def _parse_markdown(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse legacy Markdown (*bold*, _italic_, `code`, ```pre```, [text](url))."""
    out = _Builder()
    i, n = 0, len(text)
    kinds = {"*": "bold", "_": "italic", "`": "code"}
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.emit(text[i + 1])
            i += 2
        elif text.startswith("```", i):
            end = text.find("```", i + 3)
            if end < 0:
                raise _EntityParseError(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}"
                )
            start = out.pos
            out.emit(text[i + 3 : end])
            out.entity("pre", start)
            i = end + 3
        elif c in kinds:
            end = text.find(c, i + 1)
            if end < 0:
                raise _EntityParseError(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}"
                )
            start = out.pos
            out.emit(text[i + 1 : end])
            out.entity(kinds[c], start)
            i = end + 1
        elif c == "[":
            m = re.compile(r"\[([^\]]*)\]\(([^)]*)\)").match(text, i)
            if m:
                start = out.pos
                out.emit(m.group(1))
                out.entity("text_link", start, url=m.group(2))
                i = m.end()
            else:
                out.emit(c)
                i += 1
        else:
            out.emit(c)
            i += 1
    return out.result()


def render_text(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """Return ``(visible_text, entities)`` the way Telegram would, or raise :class:`ApiError`.

    Explicit ``entities`` win over ``parse_mode`` (as in the Bot API).
    """
    if entities:
        return text, list(entities)
    mode = (parse_mode or "").lower()
    try:
        if not mode:
            return text, []
        if mode == "html":
            return _parse_html(text)
        if mode == "markdownv2":
            return _parse_markdown_v2(text)
        if mode == "markdown":
            return _parse_markdown(text)
    except _EntityParseError as exc:
        raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
    raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode!r}")


# --------------------------------------------------------------------------------------------
# Request decoding
# --------------------------------------------------------------------------------------------
def _decode_value(key: str, value: Any) -> Any:
    """PTB sends non-string values JSON-encoded inside form fields; undo that."""
    if not isinstance(value, str) or key in _STRING_FIELDS or not value:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Collect parameters from the query string and a form, multipart or JSON body."""
    raw: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        ctype = request.content_type
        if ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    data = value.file.read()
                    upload = _Upload(
                        _upload=True,
                        filename=value.filename,
                        content_type=value.content_type,
                        size=len(data),
                    )
                    upload.data = data
                    raw[key] = upload
                else:
                    raw[key] = value
        else:
            body = await request.read()
            if body.strip():
                try:
                    decoded = json.loads(body)
                except ValueError:
                    raise ApiError(400, "Bad Request: can't parse JSON request body") from None
                if isinstance(decoded, dict):
                    raw.update(decoded)
    return {key: _decode_value(key, value) for key, value in raw.items()}


def _as_int(value: Any, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Bad Request: invalid {what} specified") from None


def _command_entities(text: str) -> list[dict[str, Any]]:
    """A bot_command entity for a leading "/command[@bot]" like Telegram clients produce."""
    m = re.match(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?", text)
    if not m:
        return []
    return [{"type": "bot_command", "offset": 0, "length": _utf16_len(m.group(0))}]


class _SlidingWindow:
    """Rate limiter: at most ``rate`` events per second, measured over a sliding window.

    Rates below 1/s (e.g. Telegram's 20 messages/minute in groups) widen the window instead of
    rounding the capacity down to zero.
    """

    def __init__(self, rate: float) -> None:
        self.span = max(1.0, 1.0 / rate)
        self.capacity = max(1, int(rate * self.span))
        self.hits: deque[float] = deque()

    def retry_after(self, now: float) -> float | None:
        while self.hits and self.hits[0] <= now - self.span:
            self.hits.popleft()
        if len(self.hits) >= self.capacity:
            return self.hits[0] + self.span - now
        return None

    def hit(self, now: float) -> None:
        self.hits.append(now)


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------
Handler = Callable[[dict[str, Any]], Awaitable[Any]]


class FakeTelegram:
    """A fake Bot API server on 127.0.0.1 plus the state a test wants to assert on.

    Usage::

        fake = FakeTelegram()
        await fake.start()
        app = ApplicationBuilder().token(fake.token).base_url(fake.base_url).build()
        ...
        alice = fake.user()
        await alice.send("/start")
        msg = await alice.reply()
    """

    def __init__(
        self,
        *,
        token: str = "123456:TEST-token-not-real",
        bot_id: int = 123456,
        bot_username: str = "smm_test_bot",
        rate_limit_per_s: float | None = None,
        per_chat_per_s: float | None = None,
    ) -> None:
        self.token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.rate_limit_per_s = rate_limit_per_s
        self.per_chat_per_s = per_chat_per_s
        self.bot_user: JSON = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "SMM Test Bot",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

        # Public, assertable state.
        self.calls: list[ApiCall] = []
        self.errors: list[ApiCall] = []
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.messages: dict[int, list[SentMessage]] = {}
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.inline_answers: dict[str, dict[str, Any]] = {}
        self.chat_actions: list[tuple[int, str]] = []
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.profile: dict[str, Any] = {}
        self.dropped_updates: list[dict[str, Any]] = []
        self.throttled = 0
        self.webhook_url = ""
        self._targets: list[str] = []  # see deliver_to
        self._delivering: set[asyncio.Task[None]] = set()
        self.deliveries: list[tuple[str, int]] = []
        self.webhook_secret: str | None = None
        # Set to True to simulate Telegram's own outage: sends answer 502 Bad Gateway.
        self.outage = False
        # Payments: answers to pre-checkout queries by query id ({ok, error_message, at}),
        # Stars charges by telegram_payment_charge_id, and the answer deadline (Telegram: 10 s;
        # lower it in a test to check late answers without sleeping).
        self.pre_checkout_answers: dict[str, dict[str, Any]] = {}
        self.star_charges: dict[str, StarCharge] = {}
        self.pre_checkout_timeout_s = PRE_CHECKOUT_TIMEOUT_S
        # Telegram tells the user's chat about a refund with a ``refunded_payment`` message.
        self.notify_refunds = True

        # Internal state.
        self._users: dict[int, FakeUser] = {}
        self._chats: dict[int, JSON] = {}
        self._blocked: set[int] = set()
        self._pending: list[JSON] = []
        self._update_ids = itertools.count(1)
        self._pushed = 0
        self._allowed_updates: list[str] | None = None
        self._msg_ids: dict[int, itertools.count[int]] = {}
        self._bot_msgs: dict[tuple[int, int], SentMessage] = {}
        self._user_msgs: dict[tuple[int, int], JSON] = {}
        self._callback_queries: dict[str, JSON] = {}
        self._inline_queries: dict[str, JSON] = {}
        self._pre_checkout_queries: dict[str, JSON] = {}
        self._charge_ids = itertools.count(1)
        self._charge_salt = secrets.token_hex(4)
        self._query_ids = itertools.count(4_300_000_000_000_000_001)
        self._file_ids = itertools.count(1)
        self._seq = 0
        self._events: dict[int, list[tuple[int, int]]] = {}
        self._wakeup = asyncio.Event()
        self._stopping = False
        self._inflight = 0
        self._last_activity = time.monotonic()
        self._global_window = _SlidingWindow(rate_limit_per_s) if rate_limit_per_s else None
        self._chat_windows: dict[Any, _SlidingWindow] = {}
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._methods: dict[str, Handler] = {
            name.lower(): getattr(self, f"_m_{name}")
            for name in (
                "getMe",
                "deleteWebhook",
                "setWebhook",
                "getWebhookInfo",
                "getUpdates",
                "close",
                "logOut",
                "setMyCommands",
                "getMyCommands",
                "deleteMyCommands",
                "setMyDescription",
                "getMyDescription",
                "setMyShortDescription",
                "getMyShortDescription",
                "setMyName",
                "getMyName",
                "sendMessage",
                "editMessageText",
                "editMessageReplyMarkup",
                "editMessageCaption",
                "deleteMessage",
                "answerCallbackQuery",
                "answerInlineQuery",
                "sendChatAction",
                "getChat",
                "setChatMenuButton",
                "getChatMenuButton",
                "sendDocument",
                "sendPhoto",
                "sendInvoice",
                "answerPreCheckoutQuery",
                "refundStarPayment",
            )
        }

    # -- lifecycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        """Bind to an ephemeral port on 127.0.0.1 and start serving."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        # handler_cancellation: when PTB abandons a long poll (Updater.stop), the server-side
        # handler is cancelled instead of lingering until its timeout.
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        self._stopping = False

    async def stop(self) -> None:
        """Release pending long polls (answering ``[]``) and shut the server down."""
        self._stopping = True
        self._bump()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeTelegram is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """Pass to ``ApplicationBuilder().base_url(...)``; PTB appends the token."""
        return f"http://127.0.0.1:{self.port}/bot"

    # -- public helpers ------------------------------------------------------------------------
    def calls_of(self, method: str) -> list[ApiCall]:
        """All calls of one method (case-insensitive, like Telegram's method names)."""
        low = method.lower()
        return [c for c in self.calls if c.method.lower() == low]

    def user(
        self,
        user_id: int = 1001,
        *,
        first_name: str = "Alice",
        username: str | None = None,
        language_code: str | None = "en",
    ) -> FakeUser:
        """The (cached) fake user with that id; its private chat has ``chat_id == user_id``."""
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        user = FakeUser(self, user_id, first_name=first_name, username=username, language_code=language_code)
        self._users[user_id] = user
        return user

    def block(self, user_id: int, *, notify: bool = False) -> None:
        """The user blocks the bot: later sends/edits to that chat answer 403.

        With ``notify=True`` a ``my_chat_member`` update (member -> kicked) is pushed, as
        Telegram does.
        """
        self._blocked.add(user_id)
        if notify:
            self._push_member_change(user_id, "member", "kicked")

    def unblock(self, user_id: int, *, notify: bool = False) -> None:
        """The user unblocks the bot (optionally with the ``my_chat_member`` update)."""
        self._blocked.discard(user_id)
        if notify:
            self._push_member_change(user_id, "kicked", "member")

    def deliver_to(self, urls: list[str]) -> None:
        """Webhook mode behind a load balancer: from now on every pushed update (a user's
        message or tap) is POSTed to these URLs in turn (1st update → urls[0], 2nd → urls[1],
        …) with the registered secret, instead of waiting for getUpdates.  The answers'
        HTTP statuses are kept in `deliveries` (url, status), in delivery order."""
        self._targets = list(urls)

    def push_update(self, update: dict[str, Any]) -> int:
        """Enqueue a raw update for getUpdates; assigns and returns its ``update_id``.

        Chats, messages, callback and inline queries mentioned in the update are registered, so
        the bot may answer them just like with updates built by :class:`FakeUser`.
        With `deliver_to` set, the update is POSTed to the next URL instead.
        """
        upd = dict(update)
        upd["update_id"] = next(self._update_ids)
        self._register(upd)
        if self._targets:
            url = self._targets[self._pushed % len(self._targets)]
            self._pushed += 1
            task = asyncio.get_running_loop().create_task(self._deliver(url, upd))
            self._delivering.add(task)
            task.add_done_callback(self._delivering.discard)
            return int(upd["update_id"])
        self._pending.append(upd)
        self._pushed += 1
        self._last_activity = time.monotonic()
        self._bump()
        return int(upd["update_id"])

    async def _deliver(self, url: str, update: JSON) -> None:
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.webhook_secret} if self.webhook_secret else {}
        try:
            async with (
                aiohttp.ClientSession() as session,
                session.post(url, json=update, headers=headers) as response,
            ):
                status = response.status
        except aiohttp.ClientError:
            status = 0  # nobody answered (e.g. that process was killed)
        self.deliveries.append((url, status))
        self._last_activity = time.monotonic()
        self._bump()

    async def post_to_webhook(self, update: dict[str, Any], *, secret: str | None = None) -> int:
        """Deliver an update the way Telegram does in webhook mode: POST it to the URL the bot
        registered with ``setWebhook``, with its secret token header (or `secret` to forge one).
        Returns the HTTP status the bot answered."""
        if not self.webhook_url:
            raise AssertionError("the bot has not set a webhook")
        upd = dict(update)
        upd["update_id"] = next(self._update_ids)
        self._register(upd)
        token = self.webhook_secret if secret is None else secret
        headers = {"X-Telegram-Bot-Api-Secret-Token": token} if token else {}
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.webhook_url, json=upd, headers=headers) as response,
        ):
            self._last_activity = time.monotonic()
            return response.status

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet acknowledged by the bot (read-only copy)."""
        return list(self._pending)

    async def wait_idle(self, timeout: float = 5.0, *, quiet: float = 0.15) -> None:
        """Wait until the bot fetched every pushed update and made no API call for ``quiet`` s.

        This is what lets a test assert that "nothing was sent": once idle, the bot has had the
        chance to react.  Raises AssertionError on timeout.
        """
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            if not self._pending and self._inflight == 0 and now - self._last_activity >= quiet:
                return
            if now >= deadline:
                raise AssertionError(
                    f"FakeTelegram not idle after {timeout}s: pending updates="
                    f"{[u['update_id'] for u in self._pending]}, in-flight calls={self._inflight}"
                    f"\n{self.describe_recent_calls()}"
                )
            await asyncio.sleep(0.02)

    async def wait_for(
        self, predicate: Callable[[], bool], timeout: float = 5.0, *, what: str = "condition"
    ) -> None:
        """Wait until ``predicate()`` is true (re-checked on every fake event and every 20 ms).

        The periodic re-check lets predicates look at state outside the fake (e.g. errors
        collected by the bot's error handler).  Raises AssertionError on timeout.
        """
        if not await self._wait_until(predicate, timeout, poll=0.02):
            raise AssertionError(
                f"timed out after {timeout}s waiting for {what}\n{self.describe_recent_calls()}"
            )

    def describe_recent_calls(self, n: int = 15) -> str:
        """Human-readable tail of the call log (getUpdates omitted) for assertion messages."""
        rows = [c for c in self.calls if c.method.lower() != "getupdates"][-n:]
        if not rows:
            return "recent API calls: (none)"
        lines = ["recent API calls:"]
        for c in rows:
            params = json.dumps(c.params, ensure_ascii=False, default=str)
            if len(params) > 300:
                params = params[:300] + "..."
            status = "ok" if c.ok else f"ERROR {c.error_code} {c.description}"
            lines.append(f"  {c.method} {params} -> {status}")
        return "\n".join(lines)

    # -- internals: state ----------------------------------------------------------------------
    def _bump(self) -> None:
        """Wake every waiter (long polls, FakeUser.reply...); they re-check their predicate."""
        self._wakeup.set()
        self._wakeup = asyncio.Event()

    async def _wait_until(
        self, predicate: Callable[[], bool], timeout: float, *, poll: float | None = None
    ) -> bool:
        deadline = time.monotonic() + max(0.0, timeout)
        while not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            event = self._wakeup
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), min(remaining, poll or remaining))
        return True

    def _next_message_id(self, chat_id: int) -> int:
        counter = self._msg_ids.setdefault(chat_id, itertools.count(1))
        return next(counter)

    def _new_query_id(self) -> str:
        return str(next(self._query_ids))

    def _register(self, update: JSON) -> None:
        """Learn chats/messages/queries from an incoming update (see :meth:`push_update`)."""
        for key in ("message", "edited_message", "channel_post", "edited_channel_post", "business_message"):
            msg = update.get(key)
            if isinstance(msg, dict):
                self._register_message(msg)
        cq = update.get("callback_query")
        if isinstance(cq, dict) and "id" in cq:
            msg = cq.get("message")
            chat_id = msg.get("chat", {}).get("id") if isinstance(msg, dict) else None
            self._callback_queries.setdefault(
                str(cq["id"]),
                {"chat_id": chat_id, "user_id": cq.get("from", {}).get("id"), "answered": False},
            )
        iq = update.get("inline_query")
        if isinstance(iq, dict) and "id" in iq:
            self._inline_queries.setdefault(str(iq["id"]), {"answered": False})
        pq = update.get("pre_checkout_query")
        if isinstance(pq, dict) and "id" in pq:
            self._pre_checkout_queries.setdefault(
                str(pq["id"]),
                {
                    "user_id": (pq.get("from") or {}).get("id"),
                    "currency": pq.get("currency"),
                    "total_amount": pq.get("total_amount"),
                    "invoice_payload": pq.get("invoice_payload"),
                    "pushed_at": time.monotonic(),
                    "answered": False,
                },
            )
        for key in ("my_chat_member", "chat_member", "chat_join_request"):
            obj = update.get(key)
            if isinstance(obj, dict) and isinstance(obj.get("chat"), dict):
                self._register_chat(obj["chat"])

    def _register_chat(self, chat: JSON) -> None:
        if "id" in chat:
            self._chats[int(chat["id"])] = dict(chat)

    def _register_message(self, msg: JSON) -> None:
        chat = msg.get("chat")
        if not isinstance(chat, dict) or "id" not in chat:
            return
        self._register_chat(chat)
        if "message_id" in msg:
            self._user_msgs[(int(chat["id"]), int(msg["message_id"]))] = msg

    def _push_member_change(self, user_id: int, old: str, new: str) -> None:
        user = self.user(user_id)
        self.push_update(
            {
                "my_chat_member": {
                    "chat": user.private_chat(),
                    "from": user.user_dict(),
                    "date": _now(),
                    "old_chat_member": {"status": old, "user": self.bot_user},
                    "new_chat_member": (
                        {"status": new, "user": self.bot_user, "until_date": 0}
                        if new == "kicked"
                        else {"status": new, "user": self.bot_user}
                    ),
                }
            }
        )

    def _record_event(self, msg: SentMessage) -> None:
        self._seq += 1
        msg.version = self._seq
        self._events.setdefault(msg.chat_id, []).append((self._seq, msg.message_id))
        self._bump()

    def _message_payload(self, msg: SentMessage) -> JSON:
        """The Message object Telegram would return/embed for a bot message."""
        out: JSON = {
            "message_id": msg.message_id,
            "date": msg.date,
            "chat": self._chats.get(msg.chat_id, {"id": msg.chat_id, "type": "private"}),
            "from": self.bot_user,
        }
        if msg.edit_date:
            out["edit_date"] = msg.edit_date
        if msg.kind == "text":
            out["text"] = msg.plain_text or ""
            if msg.entities:
                out["entities"] = msg.entities
        elif msg.kind == "invoice":
            inv = msg.invoice or {}
            out["invoice"] = {
                "title": inv.get("title", ""),
                "description": inv.get("description", ""),
                "start_parameter": inv.get("start_parameter", ""),
                "currency": inv.get("currency", ""),
                "total_amount": inv.get("total_amount", 0),
            }
        else:
            file_id = f"FAKE{msg.kind.upper()}{msg.chat_id}_{msg.message_id}"
            if msg.kind == "photo":
                out["photo"] = [
                    {
                        "file_id": file_id,
                        "file_unique_id": file_id[-16:],
                        "width": 90,
                        "height": 90,
                        "file_size": 1000,
                    }
                ]
            else:
                out["document"] = {
                    "file_id": file_id,
                    "file_unique_id": file_id[-16:],
                    "file_name": msg.file_name or "file",
                    "file_size": 1000,
                }
            if msg.plain_text:
                out["caption"] = msg.plain_text
                if msg.entities:
                    out["caption_entities"] = msg.entities
        if msg.reply_markup and "inline_keyboard" in msg.reply_markup:
            out["reply_markup"] = msg.reply_markup
        return out

    # -- internals: HTTP -----------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        arrived = time.monotonic()
        m = re.fullmatch(r"/bot([^/]+)/([A-Za-z0-9_]+)/?", request.path)
        method = m.group(2) if m else request.path
        plumbing = method.lower() in _PLUMBING_METHODS
        if not plumbing:
            self._inflight += 1
            self._last_activity = arrived
        params: dict[str, Any] = {}
        try:
            try:
                params = await _read_params(request)
                if m is None:
                    raise ApiError(404, "Not Found")
                if m.group(1) != self.token:
                    raise ApiError(401, "Unauthorized")
                handler = self._methods.get(method.lower())
                if handler is None:
                    raise ApiError(404, "Not Found: method not found")
                if not plumbing:
                    if self.outage:
                        raise ApiError(502, "Bad Gateway")
                    self._check_rate(params, arrived)
                result = await handler(params)
            except ApiError as err:
                call = ApiCall(method, params, False, err.code, err.description, arrived)
                self._record_call(call)
                body: JSON = {"ok": False, "error_code": err.code, "description": err.description}
                if err.retry_after is not None:
                    body["parameters"] = {"retry_after": err.retry_after}
                return web.json_response(body, status=err.code)
            self._record_call(ApiCall(method, params, True, at=arrived, result=result))
            return web.json_response({"ok": True, "result": result})
        finally:
            if not plumbing:
                self._inflight -= 1
                self._last_activity = time.monotonic()

    def _record_call(self, call: ApiCall) -> None:
        self.calls.append(call)
        if not call.ok:
            self.errors.append(call)
        self._bump()

    def _check_rate(self, params: dict[str, Any], now: float) -> None:
        windows: list[_SlidingWindow] = []
        if self._global_window is not None:
            windows.append(self._global_window)
        chat_key = params.get("chat_id")
        if self.per_chat_per_s and chat_key is not None:
            windows.append(self._chat_windows.setdefault(str(chat_key), _SlidingWindow(self.per_chat_per_s)))
        waits = [w for w in (win.retry_after(now) for win in windows) if w is not None]
        if waits:
            self.throttled += 1
            retry = max(1, math.ceil(max(waits)))
            raise ApiError(429, f"Too Many Requests: retry after {retry}", retry_after=retry)
        for win in windows:
            win.hit(now)

    # -- internals: validation -----------------------------------------------------------------
    def _resolve_chat(self, raw: Any) -> int:
        if raw is None or raw == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        if isinstance(raw, str) and raw.startswith("@"):
            for cid, chat in self._chats.items():
                if chat.get("username", "").lower() == raw[1:].lower():
                    return cid
            raise ApiError(400, "Bad Request: chat not found")
        try:
            chat_id = int(raw)
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None
        if chat_id not in self._chats:
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id

    def _writable_chat(self, raw: Any) -> int:
        chat_id = self._resolve_chat(raw)
        if chat_id in self._blocked:
            raise ApiError(403, BLOCKED)
        return chat_id

    @staticmethod
    def _render_checked(
        text: Any, parse_mode: Any, entities: Any, *, limit: int, too_long: str, empty: str | None
    ) -> tuple[str, list[dict[str, Any]]]:
        if text is None or text == "":
            if empty is not None:
                raise ApiError(400, empty)
            return "", []
        plain, ents = render_text(str(text), parse_mode, entities if isinstance(entities, list) else None)
        if empty is not None and not plain.strip():
            raise ApiError(400, empty)
        if len(plain) > limit:
            raise ApiError(400, too_long)
        return plain, ents

    @staticmethod
    def _check_markup(markup: Any) -> dict[str, Any] | None:
        """Validate reply_markup like Telegram: button data size, count, button kinds."""
        if markup is None or markup == "":
            return None
        if isinstance(markup, str):
            try:
                markup = json.loads(markup)
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object") from None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            return markup
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise ApiError(
                400,
                'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup should be an '
                "Array of Arrays",
            )
        buttons = [b for row in rows for b in row]
        if len(buttons) > MAX_INLINE_BUTTONS:
            raise ApiError(400, "Bad Request: reply markup is too long")
        for b in buttons:
            if not isinstance(b, dict) or not isinstance(b.get("text"), str):
                raise ApiError(400, "Bad Request: can't parse inline keyboard button")
            if "callback_data" in b:
                data = b["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode()) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            if not any(k in b for k in _INLINE_BUTTON_ACTIONS):
                raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
            if "url" in b and not str(b["url"]).strip():
                raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
        return markup

    def _check_reply_to(self, chat_id: int, params: dict[str, Any]) -> None:
        rp = params.get("reply_parameters")
        target = rp.get("message_id") if isinstance(rp, dict) else params.get("reply_to_message_id")
        if target is None:
            return
        allow = (
            (rp or {}).get("allow_sending_without_reply")
            if isinstance(rp, dict)
            else (params.get("allow_sending_without_reply"))
        )
        key = (chat_id, _as_int(target, "reply message identifier"))
        msg = self._bot_msgs.get(key)
        exists = key in self._user_msgs or (msg is not None and not msg.deleted)
        if not exists and not allow:
            raise ApiError(400, "Bad Request: message to be replied not found")

    def _find_bot_message(self, params: dict[str, Any], not_found: str) -> SentMessage:
        chat_id = self._resolve_chat(params.get("chat_id"))
        if chat_id in self._blocked:
            raise ApiError(403, BLOCKED)
        message_id = _as_int(params.get("message_id"), "message identifier")
        msg = self._bot_msgs.get((chat_id, message_id))
        if msg is None and (chat_id, message_id) in self._user_msgs:
            raise ApiError(400, "Bad Request: message can't be edited")
        if msg is None or msg.deleted:
            raise ApiError(400, not_found)
        return msg

    def _store(self, chat_id: int, **fields: Any) -> SentMessage:
        msg = SentMessage(message_id=self._next_message_id(chat_id), chat_id=chat_id, date=_now(), **fields)
        self.messages.setdefault(chat_id, []).append(msg)
        self._bot_msgs[(chat_id, msg.message_id)] = msg
        self._record_event(msg)
        return msg

    @staticmethod
    def _inline_only(markup: dict[str, Any] | None) -> dict[str, Any] | None:
        return markup if markup and "inline_keyboard" in markup else None

    # -- Bot API methods: bootstrap ------------------------------------------------------------
    async def _m_getMe(self, p: dict[str, Any]) -> Any:
        return self.bot_user

    async def _m_deleteWebhook(self, p: dict[str, Any]) -> Any:
        self.webhook_url = ""
        self._targets: list[str] = []  # see deliver_to
        self._delivering: set[asyncio.Task[None]] = set()
        self.deliveries: list[tuple[str, int]] = []
        if p.get("drop_pending_updates"):
            self.dropped_updates.extend(self._pending)
            self._pending.clear()
            self._bump()
        return True

    async def _m_setWebhook(self, p: dict[str, Any]) -> Any:
        self.webhook_url = str(p.get("url") or "")
        self.webhook_secret = str(p.get("secret_token") or "") or None
        return True

    async def _m_getWebhookInfo(self, p: dict[str, Any]) -> Any:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }

    async def _m_close(self, p: dict[str, Any]) -> Any:
        return True

    async def _m_logOut(self, p: dict[str, Any]) -> Any:
        return True

    def _deliverable(self, offset: int) -> list[JSON]:
        """Pending updates with id >= offset that the bot asked for; drops the others."""
        allowed = set(self._allowed_updates) if self._allowed_updates else None
        keep: list[JSON] = []
        out: list[JSON] = []
        for upd in self._pending:
            kind = next((k for k in upd if k != "update_id"), "")
            ok = kind in allowed if allowed is not None else kind not in _OPT_IN_UPDATES
            if not ok:
                self.dropped_updates.append(upd)
                continue
            keep.append(upd)
            if upd["update_id"] >= offset:
                out.append(upd)
        if len(keep) != len(self._pending):
            self._pending[:] = keep
            self._last_activity = time.monotonic()
        return out

    async def _m_getUpdates(self, p: dict[str, Any]) -> Any:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = int(p.get("offset") or 0)
        limit = min(100, max(1, int(p.get("limit") or 100)))
        timeout = min(LONG_POLL_CAP_S, max(0.0, float(p.get("timeout") or 0)))
        if "allowed_updates" in p:
            allowed = p["allowed_updates"]
            self._allowed_updates = list(allowed) if isinstance(allowed, list) else None
        if offset > 0:
            before = len(self._pending)
            self._pending[:] = [u for u in self._pending if u["update_id"] >= offset]
            if len(self._pending) != before:
                self._last_activity = time.monotonic()
                self._bump()
        await self._wait_until(lambda: self._stopping or bool(self._deliverable(offset)), timeout)
        if self._stopping:
            return []
        return self._deliverable(offset)[:limit]

    # -- Bot API methods: commands and profile -------------------------------------------------
    @staticmethod
    def _commands_key(p: dict[str, Any]) -> tuple[str, str]:
        scope = p.get("scope") if isinstance(p.get("scope"), dict) else {}
        stype = str(scope.get("type") or "default")
        if "chat_id" in scope:
            stype = f"{stype}:{scope['chat_id']}"
            if "user_id" in scope:
                stype = f"{stype}:{scope['user_id']}"
        lang = str(p.get("language_code") or "")
        if lang and not re.fullmatch(r"[a-z]{2}", lang):
            raise ApiError(400, "Bad Request: LANG_CODE_INVALID")
        return stype, lang

    async def _m_setMyCommands(self, p: dict[str, Any]) -> Any:
        commands = p.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > MAX_BOT_COMMANDS:
            raise ApiError(400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
        for cmd in commands:
            name = cmd.get("command") if isinstance(cmd, dict) else None
            if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            desc = cmd.get("description")
            if not isinstance(desc, str) or not 1 <= len(desc.strip()) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(p)
        if commands:
            self.commands[key] = [
                {"command": c["command"], "description": c["description"]} for c in commands
            ]
        else:
            self.commands.pop(key, None)
        return True

    async def _m_getMyCommands(self, p: dict[str, Any]) -> Any:
        return self.commands.get(self._commands_key(p), [])

    async def _m_deleteMyCommands(self, p: dict[str, Any]) -> Any:
        self.commands.pop(self._commands_key(p), None)
        return True

    def _profile_set(self, field_name: str, p: dict[str, Any], limit: int) -> bool:
        value = str(p.get(field_name) or "")
        if len(value) > limit:
            raise ApiError(400, f"Bad Request: {field_name.upper()}_INVALID")
        self.profile[(field_name, str(p.get("language_code") or ""))] = value
        return True

    def _profile_get(self, field_name: str, p: dict[str, Any]) -> JSON:
        value = self.profile.get((field_name, str(p.get("language_code") or "")), "")
        return {field_name: value}

    async def _m_setMyDescription(self, p: dict[str, Any]) -> Any:
        return self._profile_set("description", p, 512)

    async def _m_getMyDescription(self, p: dict[str, Any]) -> Any:
        return self._profile_get("description", p)

    async def _m_setMyShortDescription(self, p: dict[str, Any]) -> Any:
        return self._profile_set("short_description", p, 120)

    async def _m_getMyShortDescription(self, p: dict[str, Any]) -> Any:
        return self._profile_get("short_description", p)

    async def _m_setMyName(self, p: dict[str, Any]) -> Any:
        return self._profile_set("name", p, 64)

    async def _m_getMyName(self, p: dict[str, Any]) -> Any:
        return self._profile_get("name", p)

    # -- Bot API methods: messages -------------------------------------------------------------
    async def _m_sendMessage(self, p: dict[str, Any]) -> Any:
        chat_id = self._writable_chat(p.get("chat_id"))
        plain, ents = self._render_checked(
            p.get("text"),
            p.get("parse_mode"),
            p.get("entities"),
            limit=TEXT_LIMIT,
            too_long="Bad Request: message is too long",
            empty="Bad Request: message text is empty",
        )
        markup = self._check_markup(p.get("reply_markup"))
        self._check_reply_to(chat_id, p)
        msg = self._store(
            chat_id,
            text=str(p["text"]),
            parse_mode=p.get("parse_mode"),
            reply_markup=markup,
            plain_text=plain,
            entities=ents,
        )
        return self._message_payload(msg)

    async def _send_media(self, p: dict[str, Any], kind: str) -> Any:
        chat_id = self._writable_chat(p.get("chat_id"))
        media = p.get(kind)
        if media is None or media == "":
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        plain, ents = self._render_checked(
            p.get("caption"),
            p.get("parse_mode"),
            p.get("caption_entities"),
            limit=CAPTION_LIMIT,
            too_long="Bad Request: message caption is too long",
            empty=None,
        )
        markup = self._check_markup(p.get("reply_markup"))
        self._check_reply_to(chat_id, p)
        file_name = media.get("filename") if isinstance(media, dict) else str(media)
        file_bytes = media.data if isinstance(media, _Upload) else None
        caption = p.get("caption")
        msg = self._store(
            chat_id,
            text=None if caption is None else str(caption),
            kind=kind,
            parse_mode=p.get("parse_mode"),
            reply_markup=markup,
            plain_text=plain,
            entities=ents,
            file_name=file_name,
            file_bytes=file_bytes,
        )
        return self._message_payload(msg)

    async def _m_sendDocument(self, p: dict[str, Any]) -> Any:
        return await self._send_media(p, "document")

    async def _m_sendPhoto(self, p: dict[str, Any]) -> Any:
        return await self._send_media(p, "photo")

    def _apply_edit(self, msg: SentMessage, **changes: Any) -> JSON:
        for key, value in changes.items():
            setattr(msg, key, value)
        msg.edits += 1
        msg.edit_date = _now()
        self._record_event(msg)
        return self._message_payload(msg)

    async def _m_editMessageText(self, p: dict[str, Any]) -> Any:
        if p.get("inline_message_id"):
            self._render_checked(
                p.get("text"),
                p.get("parse_mode"),
                p.get("entities"),
                limit=TEXT_LIMIT,
                too_long="Bad Request: message is too long",
                empty="Bad Request: message text is empty",
            )
            self._check_markup(p.get("reply_markup"))
            return True
        msg = self._find_bot_message(p, "Bad Request: message to edit not found")
        if msg.kind != "text":
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        plain, ents = self._render_checked(
            p.get("text"),
            p.get("parse_mode"),
            p.get("entities"),
            limit=TEXT_LIMIT,
            too_long="Bad Request: message is too long",
            empty="Bad Request: message text is empty",
        )
        markup = self._check_markup(p.get("reply_markup"))
        if markup is not None and "inline_keyboard" not in markup:
            raise ApiError(400, "Bad Request: inline keyboard expected")
        if plain == msg.plain_text and ents == msg.entities and markup == self._inline_only(msg.reply_markup):
            raise ApiError(400, NOT_MODIFIED)
        return self._apply_edit(
            msg,
            text=str(p["text"]),
            parse_mode=p.get("parse_mode"),
            plain_text=plain,
            entities=ents,
            reply_markup=markup,
        )

    async def _m_editMessageCaption(self, p: dict[str, Any]) -> Any:
        if p.get("inline_message_id"):
            return True
        msg = self._find_bot_message(p, "Bad Request: message to edit not found")
        if msg.kind == "text":
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        plain, ents = self._render_checked(
            p.get("caption"),
            p.get("parse_mode"),
            p.get("caption_entities"),
            limit=CAPTION_LIMIT,
            too_long="Bad Request: message caption is too long",
            empty=None,
        )
        markup = self._check_markup(p.get("reply_markup"))
        if (
            plain == (msg.plain_text or "")
            and ents == msg.entities
            and markup == self._inline_only(msg.reply_markup)
        ):
            raise ApiError(400, NOT_MODIFIED)
        caption = p.get("caption")
        return self._apply_edit(
            msg,
            text=None if caption is None else str(caption),
            parse_mode=p.get("parse_mode"),
            plain_text=plain,
            entities=ents,
            reply_markup=markup,
        )

    async def _m_editMessageReplyMarkup(self, p: dict[str, Any]) -> Any:
        if p.get("inline_message_id"):
            self._check_markup(p.get("reply_markup"))
            return True
        msg = self._find_bot_message(p, "Bad Request: message to edit not found")
        markup = self._check_markup(p.get("reply_markup"))
        if markup is not None and "inline_keyboard" not in markup:
            raise ApiError(400, "Bad Request: inline keyboard expected")
        if markup == self._inline_only(msg.reply_markup):
            raise ApiError(400, NOT_MODIFIED)
        return self._apply_edit(msg, reply_markup=markup)

    async def _m_deleteMessage(self, p: dict[str, Any]) -> Any:
        chat_id = self._resolve_chat(p.get("chat_id"))
        key = (chat_id, _as_int(p.get("message_id"), "message identifier"))
        if key in self._user_msgs:
            del self._user_msgs[key]
            return True
        msg = self._bot_msgs.get(key)
        if msg is None or msg.deleted:
            raise ApiError(400, "Bad Request: message to delete not found")
        msg.deleted = True
        self._bump()
        return True

    # -- Bot API methods: queries --------------------------------------------------------------
    async def _m_answerCallbackQuery(self, p: dict[str, Any]) -> Any:
        qid = str(p.get("callback_query_id") or "")
        query = self._callback_queries.get(qid)
        if query is None or query["answered"]:
            raise ApiError(400, QUERY_TOO_OLD)
        text = p.get("text")
        if text is not None and len(str(text)) > CALLBACK_ANSWER_TEXT_LIMIT:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        query["answered"] = True
        answer: JSON = {
            "text": None if text is None else str(text),
            "show_alert": bool(p.get("show_alert", False)),
        }
        for extra in ("url", "cache_time"):
            if p.get(extra) is not None:
                answer[extra] = p[extra]
        self.callback_answers[qid] = answer
        self._bump()
        return True

    async def _m_answerInlineQuery(self, p: dict[str, Any]) -> Any:
        qid = str(p.get("inline_query_id") or "")
        query = self._inline_queries.get(qid)
        if query is None or query["answered"]:
            raise ApiError(400, QUERY_TOO_OLD)
        results = p.get("results")
        if not isinstance(results, list):
            raise ApiError(400, "Bad Request: can't parse inline query results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for res in results:
            if not isinstance(res, dict) or "type" not in res:
                raise ApiError(400, "Bad Request: RESULT_TYPE_INVALID")
            rid = str(res.get("id", ""))
            if not 1 <= len(rid.encode()) <= 64:
                raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
            if rid in seen:
                raise ApiError(400, "Bad Request: RESULT_ID_DUPLICATE")
            seen.add(rid)
            self._check_markup(res.get("reply_markup"))
            content = res.get("input_message_content")
            if isinstance(content, dict) and "message_text" in content:
                self._render_checked(
                    content["message_text"],
                    content.get("parse_mode"),
                    content.get("entities"),
                    limit=TEXT_LIMIT,
                    too_long="Bad Request: MESSAGE_TOO_LONG",
                    empty="Bad Request: MESSAGE_EMPTY",
                )
        query["answered"] = True
        self.inline_answers[qid] = {
            "results": results,
            **{k: p[k] for k in ("cache_time", "is_personal", "next_offset", "button") if k in p},
        }
        self._bump()
        return True

    # -- Bot API methods: payments -------------------------------------------------------------
    @staticmethod
    def _required_str(p: dict[str, Any], name: str) -> str:
        value = p.get(name)
        if value is None or value == "":
            raise ApiError(400, f'Bad Request: parameter "{name}" is required')
        return str(value)

    @staticmethod
    def _invoice_prices(raw: Any) -> list[dict[str, Any]]:
        """Parse ``prices`` (a JSON array of LabeledPrice) like the Bot API does."""
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse prices JSON object") from None
        if raw is None or raw == "":
            raise ApiError(400, 'Bad Request: parameter "prices" is required')
        if not isinstance(raw, list):
            raise ApiError(400, "Bad Request: expected an Array of LabeledPrice")
        if not raw:
            raise ApiError(400, "Bad Request: there must be at least one price part")
        prices: list[dict[str, Any]] = []
        for part in raw:
            if not isinstance(part, dict) or not isinstance(part.get("label"), str):
                raise ApiError(400, "Bad Request: can't parse LabeledPrice")
            amount = part.get("amount")
            if isinstance(amount, bool) or not isinstance(amount, int):
                raise ApiError(400, 'Bad Request: field "amount" must be a valid Number')
            prices.append({"label": part["label"], "amount": amount})
        return prices

    async def _m_sendInvoice(self, p: dict[str, Any]) -> Any:
        chat_id = self._writable_chat(p.get("chat_id"))
        title = self._required_str(p, "title")
        description = self._required_str(p, "description")
        payload = self._required_str(p, "payload")
        currency = self._required_str(p, "currency")
        prices = self._invoice_prices(p.get("prices"))
        if not 1 <= len(title) <= INVOICE_TITLE_LIMIT:
            raise ApiError(400, "Bad Request: TITLE_INVALID")
        if not 1 <= len(description) <= INVOICE_DESCRIPTION_LIMIT:
            raise ApiError(400, "Bad Request: DESCRIPTION_INVALID")
        if not 1 <= len(payload.encode()) <= INVOICE_PAYLOAD_LIMIT:
            raise ApiError(400, "Bad Request: INVOICE_PAYLOAD_INVALID")
        provider_token = str(p.get("provider_token") or "")
        total = sum(part["amount"] for part in prices)
        if currency == STARS_CURRENCY:
            # Stars: no provider, exactly one price, a whole positive number of stars.
            if provider_token:
                raise ApiError(400, PAYMENT_PROVIDER_INVALID)
            if len(prices) != 1:
                raise ApiError(400, "Bad Request: STARS_INVOICE_INVALID")
            if not 1 <= total <= STARS_MAX_PER_INVOICE:
                raise ApiError(400, CURRENCY_TOTAL_AMOUNT_INVALID)
            if p.get("max_tip_amount") or p.get("suggested_tip_amounts"):
                raise ApiError(400, "Bad Request: tips are not supported in Telegram Stars")
        else:
            if not re.fullmatch(r"[A-Z]{3}", currency):
                raise ApiError(400, "Bad Request: CURRENCY_INVALID")
            if not provider_token:
                raise ApiError(400, PAYMENT_PROVIDER_INVALID)
            if total <= 0 or any(part["amount"] < 0 for part in prices):
                raise ApiError(400, CURRENCY_TOTAL_AMOUNT_INVALID)
        markup = self._check_markup(p.get("reply_markup"))
        if markup is not None:
            rows = markup.get("inline_keyboard")
            if rows is None:
                raise ApiError(400, "Bad Request: inline keyboard expected")
            first = rows[0][0] if rows and rows[0] else None
            if not isinstance(first, dict) or first.get("pay") is not True:
                raise ApiError(400, "Bad Request: REPLY_MARKUP_BUY_EMPTY")
        else:
            # Telegram adds the Pay button itself when the bot sends none.
            label = f"Pay ⭐️{total}" if currency == STARS_CURRENCY else f"Pay {total} {currency}"
            markup = {"inline_keyboard": [[{"text": label, "pay": True}]]}
        self._check_reply_to(chat_id, p)
        msg = self._store(
            chat_id,
            text=None,
            kind="invoice",
            reply_markup=markup,
            plain_text=f"{title}\n{description}",
            invoice={
                "title": title,
                "description": description,
                "payload": payload,
                "currency": currency,
                "prices": prices,
                "total_amount": total,
                "provider_token": provider_token,
                "start_parameter": str(p.get("start_parameter") or ""),
            },
        )
        return self._message_payload(msg)

    async def _m_answerPreCheckoutQuery(self, p: dict[str, Any]) -> Any:
        qid = str(p.get("pre_checkout_query_id") or "")
        if not qid:
            raise ApiError(400, 'Bad Request: parameter "pre_checkout_query_id" is required')
        ok = p.get("ok")
        if isinstance(ok, str):
            ok = {"true": True, "false": False}.get(ok.lower(), ok)
        if not isinstance(ok, bool):
            raise ApiError(400, 'Bad Request: parameter "ok" is required')
        error_message = p.get("error_message")
        if not ok and not str(error_message or "").strip():
            raise ApiError(400, 'Bad Request: parameter "error_message" is required when ok is false')
        query = self._pre_checkout_queries.get(qid)
        if query is None or query["answered"]:
            raise ApiError(400, QUERY_ID_INVALID)
        if time.monotonic() - query["pushed_at"] > self.pre_checkout_timeout_s:
            raise ApiError(400, QUERY_TOO_OLD)
        query["answered"] = True
        self.pre_checkout_answers[qid] = {
            "ok": ok,
            "error_message": None if ok or error_message is None else str(error_message),
            "at": time.monotonic(),
        }
        self._bump()
        return True

    async def _m_refundStarPayment(self, p: dict[str, Any]) -> Any:
        try:
            user_id = int(p.get("user_id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: invalid user_id specified") from None
        charge_id = self._required_str(p, "telegram_payment_charge_id")
        charge = self.star_charges.get(charge_id)
        if charge is None or charge.user_id != user_id:
            raise ApiError(400, CHARGE_NOT_FOUND)
        if charge.refunded:
            raise ApiError(400, CHARGE_ALREADY_REFUNDED)
        charge.refunded = True
        if self.notify_refunds:
            user = self.user(user_id)
            self.push_update(
                {
                    "message": user.make_message(
                        None,
                        extra={
                            "refunded_payment": {
                                "currency": charge.currency,
                                "total_amount": charge.stars,
                                "invoice_payload": charge.payload,
                                "telegram_payment_charge_id": charge.charge_id,
                            }
                        },
                    )
                }
            )
        self._bump()
        return True

    def _new_charge_id(self) -> str:
        return f"stxFAKE{self._charge_salt}{next(self._charge_ids):08d}"

    # -- Bot API methods: chats ----------------------------------------------------------------
    async def _m_sendChatAction(self, p: dict[str, Any]) -> Any:
        chat_id = self._writable_chat(p.get("chat_id"))
        action = str(p.get("action") or "")
        if action not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        self.chat_actions.append((chat_id, action))
        return True

    async def _m_getChat(self, p: dict[str, Any]) -> Any:
        chat_id = self._resolve_chat(p.get("chat_id"))
        return {
            **self._chats[chat_id],
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _m_setChatMenuButton(self, p: dict[str, Any]) -> Any:
        chat_id = None if p.get("chat_id") is None else self._resolve_chat(p.get("chat_id"))
        button = p.get("menu_button") if isinstance(p.get("menu_button"), dict) else None
        self.menu_buttons[chat_id] = button or {"type": "default"}
        return True

    async def _m_getChatMenuButton(self, p: dict[str, Any]) -> Any:
        chat_id = None if p.get("chat_id") is None else self._resolve_chat(p.get("chat_id"))
        return self.menu_buttons.get(chat_id) or self.menu_buttons.get(None) or {"type": "commands"}


# --------------------------------------------------------------------------------------------
# The user
# --------------------------------------------------------------------------------------------
class FakeUser:
    """One Telegram user talking to the bot, by default in a private chat (chat_id == id).

    The user keeps a *cursor* into the stream of bot sends/edits in its chat: every action
    (send/tap/inline/...) moves the cursor to "now", and :meth:`reply` returns the next bot
    message sent or edited after the cursor, advancing it.  A message returned by ``reply`` is a
    snapshot of its current state; edits that were already visible in that snapshot are not
    reported again.
    """

    def __init__(
        self,
        fake: FakeTelegram,
        user_id: int,
        *,
        first_name: str = "Alice",
        username: str | None = None,
        language_code: str | None = "en",
    ) -> None:
        self.fake = fake
        self.id = user_id
        self.chat_id = user_id
        self.first_name = first_name
        self.username = username
        self.language_code = language_code
        self._cursor = fake._seq
        self._seen: dict[tuple[int, int], int] = {}
        self._query_ids: list[str] = []
        self._inline_ids: list[str] = []

    def __repr__(self) -> str:
        return f"FakeUser(id={self.id}, first_name={self.first_name!r})"

    # -- Telegram objects ----------------------------------------------------------------------
    def user_dict(self) -> JSON:
        """The ``User`` object Telegram puts in ``from``."""
        out: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            out["username"] = self.username
        if self.language_code:
            out["language_code"] = self.language_code
        return out

    def private_chat(self) -> JSON:
        out: JSON = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.username:
            out["username"] = self.username
        return out

    def _chat(self, chat_type: str, chat_id: int | None) -> JSON:
        if chat_type == "private":
            chat = self.private_chat()
            if chat_id is not None:
                chat["id"] = chat_id
            return chat
        default_id = -(10_000 + self.id) if chat_type == "group" else -(1_000_000_000_000 + self.id)
        return {
            "id": default_id if chat_id is None else chat_id,
            "type": chat_type,
            "title": f"Test {chat_type}",
        }

    def make_message(
        self,
        text: str | None,
        *,
        chat_type: str = "private",
        chat_id: int | None = None,
        entities: list[dict[str, Any]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> JSON:
        """Build a Message dict from this user (allocates a message_id in that chat).

        A leading "/command" gets a bot_command entity unless ``entities`` is given.
        """
        chat = self._chat(chat_type, chat_id)
        msg: JSON = {
            "message_id": self.fake._next_message_id(int(chat["id"])),
            "date": _now(),
            "chat": chat,
            "from": self.user_dict(),
        }
        if text is not None:
            msg["text"] = text
            ents = _command_entities(text) if entities is None else entities
            if ents:
                msg["entities"] = ents
        if extra:
            msg.update(extra)
        return msg

    # -- actions -------------------------------------------------------------------------------
    def _act(self) -> None:
        self._cursor = self.fake._seq

    async def send(self, text: str) -> JSON:
        """The user sends a text message; returns the Message dict that was pushed."""
        msg = self.make_message(text)
        self._act()
        self.fake.push_update({"message": msg})
        await asyncio.sleep(0)
        return msg

    async def send_raw(
        self,
        extra_message_fields: dict[str, Any],
        chat_type: str = "private",
        chat_id: int | None = None,
    ) -> JSON:
        """Send a non-text message (sticker, photo, group message...) built from extra fields."""
        msg = self.make_message(None, chat_type=chat_type, chat_id=chat_id, extra=extra_message_fields)
        self._act()
        self.fake.push_update({"message": msg})
        await asyncio.sleep(0)
        return msg

    async def edit_message(self, message_id: int, new_text: str) -> JSON:
        """The user edits one of their earlier messages (an ``edited_message`` update)."""
        key = (self.chat_id, message_id)
        original = self.fake._user_msgs.get(key)
        if original is None:
            raise AssertionError(f"user {self.id} has no message {message_id} to edit")
        msg = {**original, "text": new_text, "edit_date": _now()}
        msg.pop("entities", None)
        ents = _command_entities(new_text)
        if ents:
            msg["entities"] = ents
        self._act()
        self.fake.push_update({"edited_message": msg})
        await asyncio.sleep(0)
        return msg

    def _tap_target(self, message: SentMessage | None) -> SentMessage:
        if message is None:
            candidates = [m for m in self.messages if not m.deleted and m.buttons]
            if not candidates:
                raise AssertionError(
                    f"no bot message with inline buttons in chat {self.chat_id}; "
                    f"messages: {[m.plain_text for m in self.messages]!r}"
                )
            return candidates[-1]
        return message

    def _push_callback(self, message: SentMessage, data: str) -> str:
        live = self.fake._bot_msgs.get((message.chat_id, message.message_id), message)
        if live.deleted:
            raise AssertionError(f"message {message.message_id} was deleted; cannot tap it")
        qid = self.fake._new_query_id()
        self._query_ids.append(qid)
        self._act()
        self.fake.push_update(
            {
                "callback_query": {
                    "id": qid,
                    "from": self.user_dict(),
                    "message": self.fake._message_payload(live),
                    "chat_instance": str(7_000_000_000 + abs(message.chat_id)),
                    "data": data,
                }
            }
        )
        return qid

    async def tap(self, button_text: str, message: SentMessage | None = None) -> str:
        """Tap an inline callback button (default: on the latest bot message with buttons).

        Returns the callback query id (see :meth:`answer` / :meth:`answered`).
        """
        target = self._tap_target(message)
        button = target.button(button_text)
        if button.callback_data is None:
            raise AssertionError(f"button {button.text!r} is not a callback button: {button.raw}")
        qid = self._push_callback(target, button.callback_data)
        await asyncio.sleep(0)
        return qid

    async def tap_data(self, data: str, message: SentMessage | None = None) -> str:
        """Send a callback query with arbitrary (forged) data, as a tampering client could."""
        if message is None:
            live = [m for m in self.messages if not m.deleted]
            if not live:
                raise AssertionError(f"no bot message in chat {self.chat_id} to attach data to")
            message = next((m for m in reversed(live) if m.buttons), live[-1])
        qid = self._push_callback(message, data)
        await asyncio.sleep(0)
        return qid

    async def inline(self, query: str) -> str:
        """Type ``@bot query`` in some chat: an inline_query update; returns its id."""
        qid = self.fake._new_query_id()
        self._inline_ids.append(qid)
        self._act()
        self.fake.push_update(
            {
                "inline_query": {
                    "id": qid,
                    "from": self.user_dict(),
                    "query": query,
                    "offset": "",
                    "chat_type": "sender",
                }
            }
        )
        await asyncio.sleep(0)
        return qid

    # -- payments ------------------------------------------------------------------------------
    async def pre_checkout(self, currency: str, total_amount: int, payload: str) -> str:
        """Push a ``pre_checkout_query`` (the user pressed Pay and confirmed); returns its id.

        The bot must answer with ``answerPreCheckoutQuery`` within
        ``fake.pre_checkout_timeout_s`` (Telegram: 10 s); answers land in
        ``fake.pre_checkout_answers[query_id]``.  Nothing is charged here: see :meth:`pay`.
        """
        qid = self.fake._new_query_id()
        self._act()
        self.fake.push_update(
            {
                "pre_checkout_query": {
                    "id": qid,
                    "from": self.user_dict(),
                    "currency": currency,
                    "total_amount": total_amount,
                    "invoice_payload": payload,
                }
            }
        )
        await asyncio.sleep(0)
        return qid

    async def successful_payment(
        self, currency: str, total_amount: int, payload: str, charge_id: str | None = None
    ) -> str:
        """Push the ``successful_payment`` service message Telegram sends after a payment.

        A new ``telegram_payment_charge_id`` is made unless ``charge_id`` is given (pass an
        earlier one to replay the same payment, as a duplicated delivery would).  Stars
        (``XTR``) charges are recorded in ``fake.star_charges`` (once per charge id) so the bot
        can refund them.  Returns the charge id.
        """
        charge_id = charge_id or self.fake._new_charge_id()
        if currency == STARS_CURRENCY and charge_id not in self.fake.star_charges:
            self.fake.star_charges[charge_id] = StarCharge(
                charge_id=charge_id,
                user_id=self.id,
                stars=int(total_amount),
                payload=payload,
                currency=currency,
                date=_now(),
            )
        msg = self.make_message(
            None,
            extra={
                "successful_payment": {
                    "currency": currency,
                    "total_amount": total_amount,
                    "invoice_payload": payload,
                    "telegram_payment_charge_id": charge_id,
                    "provider_payment_charge_id": "",
                }
            },
        )
        self._act()
        self.fake.push_update({"message": msg})
        await asyncio.sleep(0)
        return charge_id

    async def pay(self, invoice_message: SentMessage, *, timeout: float = 5.0) -> dict[str, Any]:
        """Pay an invoice the bot sent, as a Telegram client and server do together.

        Pushes a ``pre_checkout_query``, waits up to ``timeout`` for ``answerPreCheckoutQuery``;
        when the bot said ``ok``, pushes the ``successful_payment`` message and records the
        charge.  Returns ``{"ok", "error_message", "charge_id", "query_id", "answered"}``:
        ``answered`` is False when the bot did not answer in time (then ``ok`` is False).
        """
        live = self.fake._bot_msgs.get((invoice_message.chat_id, invoice_message.message_id))
        if live is None or live.kind != "invoice" or live.invoice is None:
            raise AssertionError(f"message {invoice_message.message_id} is not an invoice the bot sent")
        if live.deleted:
            raise AssertionError(f"invoice message {invoice_message.message_id} was deleted; cannot pay it")
        inv = live.invoice
        qid = await self.pre_checkout(inv["currency"], inv["total_amount"], inv["payload"])
        answers = self.fake.pre_checkout_answers
        if not await self.fake._wait_until(lambda: qid in answers, timeout):
            return {"ok": False, "error_message": None, "charge_id": None, "query_id": qid, "answered": False}
        answer = answers[qid]
        if not answer["ok"]:
            return {
                "ok": False,
                "error_message": answer["error_message"],
                "charge_id": None,
                "query_id": qid,
                "answered": True,
            }
        charge_id = await self.successful_payment(inv["currency"], inv["total_amount"], inv["payload"])
        return {"ok": True, "error_message": None, "charge_id": charge_id, "query_id": qid, "answered": True}

    # -- observations --------------------------------------------------------------------------
    @property
    def messages(self) -> list[SentMessage]:
        """All bot messages in this chat (live objects, including deleted ones)."""
        return self.fake.messages.get(self.chat_id, [])

    @property
    def last(self) -> SentMessage | None:
        """The latest not-deleted bot message in this chat (live object)."""
        return next((m for m in reversed(self.messages) if not m.deleted), None)

    def _unseen(self) -> list[tuple[int, SentMessage]]:
        out = []
        for seq, message_id in self.fake._events.get(self.chat_id, []):
            if seq <= self._cursor:
                continue
            if seq <= self._seen.get((self.chat_id, message_id), 0):
                continue
            out.append((seq, self.fake._bot_msgs[(self.chat_id, message_id)]))
        return out

    async def reply(self, timeout: float = 5.0) -> SentMessage:
        """Wait for the next bot message sent or edited in this chat after the cursor.

        Returns a snapshot of that message's current state. Raises AssertionError on timeout.
        """
        if not await self.fake._wait_until(lambda: bool(self._unseen()), timeout):
            raise AssertionError(
                f"{self!r}: no bot reply in chat {self.chat_id} within {timeout}s.\n"
                f"{self.fake.describe_recent_calls()}"
            )
        seq, msg = self._unseen()[0]
        self._cursor = seq
        self._seen[(self.chat_id, msg.message_id)] = msg.version
        return msg.snapshot()

    async def replies(self, count: int, timeout: float = 5.0) -> list[SentMessage]:
        """``count`` consecutive :meth:`reply` results within one overall timeout."""
        deadline = time.monotonic() + timeout
        out: list[SentMessage] = []
        for i in range(count):
            try:
                out.append(await self.reply(max(0.0, deadline - time.monotonic())))
            except AssertionError as exc:
                raise AssertionError(
                    f"expected {count} replies, got {i}: {[m.plain_text for m in out]!r}\n{exc}"
                ) from None
        return out

    async def silence(self, timeout: float = 5.0) -> None:
        """Assert the bot sent/edited nothing in this chat since the cursor (after idling)."""
        await self.fake.wait_idle(timeout)
        unseen = self._unseen()
        if unseen:
            shown = [(m.message_id, m.plain_text, m.edits) for _, m in unseen]
            raise AssertionError(
                f"{self!r}: expected silence, but the bot sent/edited (id, text, edits): {shown!r}"
            )

    @property
    def answers(self) -> dict[str, dict[str, Any]]:
        """answerCallbackQuery results for this user's taps, by query id."""
        return {q: self.fake.callback_answers[q] for q in self._query_ids if q in self.fake.callback_answers}

    def answer(self, query_id: str) -> dict[str, Any] | None:
        """What the bot answered to that callback query (text, show_alert...), or None."""
        return self.fake.callback_answers.get(query_id)

    async def answered(self, query_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """Wait until the bot answered the callback query; return the answer."""
        if not await self.fake._wait_until(lambda: query_id in self.fake.callback_answers, timeout):
            raise AssertionError(
                f"callback query {query_id} not answered within {timeout}s.\n"
                f"{self.fake.describe_recent_calls()}"
            )
        return self.fake.callback_answers[query_id]

    def inline_results(self, inline_query_id: str) -> list[dict[str, Any]] | None:
        """The results the bot gave to that inline query, or None if not answered (yet)."""
        ans = self.fake.inline_answers.get(inline_query_id)
        return None if ans is None else ans["results"]


def iter_buttons(messages: Iterable[SentMessage]) -> list[Button]:
    """All inline buttons across messages (handy for fuzzers that tap everything)."""
    return [b for m in messages for row in m.buttons for b in row]
