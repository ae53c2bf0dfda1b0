"""An in-process SMM panel ("API v2") for tests, benchmarks and the demo mode.

The real panel cannot be used in tests (it charges money) and is not available to
people without an account, so this module imitates it closely enough that a client
which works here works there: numbers are strings, IDs are numbers, errors come back
as ``{"error": ...}`` with HTTP 200, multi-order calls mix good results with errors,
and the catalog is large, messy and Vietnamese.  It also misbehaves on request
(:class:`FailureMode`) because real panels sit behind proxies that return HTML error
pages, print PHP warnings before the JSON, or simply stop answering.

The module is deliberately standalone (stdlib + aiohttp) so the benchmarks and the
``--demo-panel`` mode do not drag the bot in, and so the simulator cannot
accidentally share code - and therefore bugs - with the client it is testing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

__all__ = [
    "FINAL_STATUSES",
    "FailureMode",
    "PanelSimulator",
    "SimOrder",
    "SimRefill",
    "generate_catalog",
]

Json = dict[str, Any] | list[Any]

FINAL_STATUSES: frozenset[str] = frozenset({"Completed", "Partial", "Canceled"})
"""Statuses after which an order never changes again (and may be refilled)."""

_PROGRESSION: tuple[str, str, str] = ("Pending", "In progress", "Completed")
"""The happy path every order walks when the simulator advances it."""

_MAX_IDS_PER_CALL = 100
_FIRST_ORDER_ID = 100001
_FIRST_REFILL_ID = 1

_PHP_WARNING = (
    '<br />\n<b>Warning</b>:  Undefined array key "runs" in '
    "<b>/var/www/html/app/Http/Api/V2Controller.php</b> on line <b>214</b><br />\n"
)
_HTML_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


class FailureMode(StrEnum):
    """Ways the simulated panel can misbehave, switchable at runtime.

    Modes that destroy the answer before the panel "ran" (``HTML_502``,
    ``HTTP_500_JSON``) do not touch any state.  All other modes execute the action
    first and then mangle or withhold the answer - that is the dangerous real-world
    case the panel's docs warn about: an ``add`` whose answer never arrived may still
    have been created and charged.
    """

    NONE = "none"
    HTML_502 = "html_502"  # nginx error page, text/html, HTTP 502; action not executed
    BAD_JSON = "bad_json"  # HTTP 200, application/json, truncated body
    PHP_WARNING = "php_warning"  # HTTP 200, "<br /><b>Warning</b>: ..." then the JSON
    SLOW = "slow"  # answers normally after `slow_seconds`
    HANG = "hang"  # executes, then never answers (until the server stops)
    HTTP_500_JSON = "http_500_json"  # HTTP 500 {"error": "Internal error"}; not executed


@dataclass(frozen=True)
class Script:
    """One canned answer queued by `PanelSimulator.script`."""

    answer: Any
    execute: bool
    status: int

    def respond(self, sim: PanelSimulator, params: dict[str, Any]) -> web.Response:
        if self.execute:
            sim._dispatch(params)
        answer = self.answer(params) if callable(self.answer) else self.answer
        text = answer if isinstance(answer, str) else json.dumps(answer)
        return web.Response(text=text, status=self.status, content_type="application/json")


@dataclass
class SimOrder:
    """One order as the panel stores it; money is exact ``Decimal``."""

    order_id: int
    service_id: int
    link: str
    quantity: int
    charge: Decimal
    status: str
    start_count: int
    remains: int
    created_at: float  # time.monotonic() at creation; tests may shift it
    runs: int | None = None
    interval: int | None = None
    comments: str | None = None
    params: dict[str, str] = field(default_factory=dict)  # the type's own `add` parameters


@dataclass
class SimRefill:
    """One refill request against a finished order."""

    refill_id: int
    order_id: int
    status: str


@dataclass(frozen=True)
class _Service:
    """The parts of a raw service dict the simulator needs, parsed once per lookup.

    Parsing happens from the raw dict on every lookup so that tests may edit
    ``sim.services`` in place (e.g. change a rate) and see the effect immediately.
    """

    service_id: int
    type: str
    rate: Decimal
    min: int
    max: int
    refill: bool
    cancel: bool
    dripfeed: bool

    @classmethod
    def from_raw(cls, raw: dict[str, Any]) -> _Service:
        return cls(
            service_id=int(str(raw["service"]).strip()),
            type=str(raw.get("type") or "Default"),
            rate=_to_decimal(raw.get("rate", "0")),
            min=_int_or(raw.get("min"), 1),
            max=_int_or(raw.get("max"), 1_000_000_000),
            refill=_truthy(raw.get("refill")),
            cancel=_truthy(raw.get("cancel")),
            dripfeed=_truthy(raw.get("dripfeed")),
        )


@dataclass(frozen=True)
class _AddRule:
    """What `add` requires for one service type, as the family's API docs list it."""

    params: tuple[str, ...]  # required besides `service`
    count: str | None = None  # a list whose lines are the quantity
    flat: bool = False  # the rate is the price of the whole order
    optional: tuple[str, ...] = ()


_DEFAULT_RULE = _AddRule(("link", "quantity"))
_ADD_RULES: dict[str, _AddRule] = {
    "default": _DEFAULT_RULE,
    "package": _AddRule(("link",), flat=True),
    "custom comments": _AddRule(("link", "comments"), count="comments"),
    "custom comments package": _AddRule(("link", "comments"), count="comments", flat=True),
    "mentions with hashtags": _AddRule(("link", "quantity", "usernames", "hashtags")),
    "mentions custom list": _AddRule(("link", "usernames"), count="usernames"),
    "mentions hashtag": _AddRule(("link", "quantity", "hashtag")),
    "mentions user followers": _AddRule(("link", "quantity", "username")),
    "mentions media likers": _AddRule(("link", "quantity", "media")),
    "mentions media likes": _AddRule(("link", "quantity", "media")),
    "comment likes": _AddRule(("link", "quantity", "username")),
    "comment replies": _AddRule(("link", "username", "comments"), count="comments"),
    "poll": _AddRule(("link", "quantity", "answer_number")),
    "invites from groups": _AddRule(("link", "quantity", "groups")),
    "subscriptions": _AddRule(("username", "min", "max", "posts", "delay"), optional=("old_posts", "expiry")),
}
_SUBSCRIPTION_DELAYS = frozenset(
    {0, 5, 10, 15, 20, 30, 40, 50, 60, 90, 120, 150, 180, 210, 240, 270, 300, 360, 420, 480, 540, 600}
)
# Types the generated catalog adds in place of some Default services, by service ID, so the
# random stream (and every other service) stays as it was. "Special" is a panel's own type.
_EXTRA_TYPES: tuple[str, ...] = (
    "Custom Comments Package",
    "Mentions with Hashtags",
    "Mentions Custom List",
    "Mentions Hashtag",
    "Mentions User Followers",
    "Mentions Media Likers",
    "Comment Likes",
    "Comment Replies",
    "Invites from Groups",
    "Special",
)


def _rule(service_type: str) -> _AddRule:
    """A type the panel doesn't list behaves as Default (link + quantity)."""
    return _ADD_RULES.get(" ".join(service_type.split()).lower(), _DEFAULT_RULE)


class _ApiError(Exception):
    """Raised inside action handlers; becomes ``{"error": message}`` with HTTP 200."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class _AppState:
    """Per-application state the handler needs but the simulator may outlive."""

    stopping: asyncio.Event = field(default_factory=asyncio.Event)


_STATE_KEY = web.AppKey("panel_simulator_state", _AppState)


# --------------------------------------------------------------------------- parsing


def _parse_int(value: object) -> int | None:
    """Read an integer the way PHP would accept it from JSON or a form; None if not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def _int_or(value: object, default: int) -> int:
    parsed = _parse_int(value)
    return default if parsed is None else parsed


def _to_decimal(value: object) -> Decimal:
    """Money from the catalog; floats go through ``str`` so 2.5 stays exactly 2.5."""
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        return Decimal(0)


def _truthy(value: object) -> bool:
    """Catalog flags arrive as bools, ints or strings depending on the panel."""
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes"}
    return bool(value)


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_date(text: str) -> bool:
    """A d/m/Y date, as Subscriptions' `expiry` is written."""
    parts = text.strip().split("/")
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts):
        return False
    day, month = int(parts[0]), int(parts[1])
    return 1 <= day <= 31 and 1 <= month <= 12 and len(parts[2]) == 4


def _split_ids(value: object) -> list[str]:
    """Comma-separated IDs (or a JSON list) -> unique, stripped, non-empty tokens."""
    if isinstance(value, list | tuple):
        tokens = [str(item).strip() for item in value]
    elif value is None:
        tokens = []
    else:
        tokens = [part.strip() for part in str(value).split(",")]
    return list(dict.fromkeys(token for token in tokens if token))


def _id_for_echo(token: str) -> int | str:
    """Multi-order answers echo the ID as a number, or as sent if it is not one."""
    parsed = _parse_int(token)
    return token if parsed is None else parsed


def _fmt_amount(value: Decimal, min_places: int) -> str:
    """Format money like the panel (``"2.50000"``) without ever rounding it away."""
    exponent = value.normalize().as_tuple().exponent
    places = max(min_places, -exponent if isinstance(exponent, int) else 0)
    return f"{value:.{places}f}"


# --------------------------------------------------------------------------- catalog

# (platform, [(topic in Vietnamese, topic in English, emoji, kind)])
# `kind` picks price range, min/max and which service types make sense.
_PLATFORMS: list[tuple[str, list[tuple[str, str, str, str]]]] = [
    (
        "Facebook",
        [
            ("Tăng like bài viết", "Post Likes", "👍", "like"),
            ("Tăng follow trang cá nhân", "Profile Followers", "👤", "follow"),
            ("Tăng like fanpage", "Page Likes", "📄", "follow"),
            ("Tăng view video/reels", "Video Views", "👀", "view"),
            ("Tăng bình luận", "Comments", "💬", "comment"),
            ("Tăng thành viên nhóm", "Group Members", "👥", "follow"),
            ("Mắt livestream", "Live Stream Viewers", "🔴", "live"),
            ("Tăng share bài viết", "Post Shares", "🔁", "like"),
        ],
    ),
    (
        "Instagram",
        [
            ("Tăng follow", "Followers", "👤", "follow"),
            ("Tăng like", "Likes", "❤️", "like"),
            ("Tăng view reels", "Reels Views", "👀", "view"),
            ("Tăng bình luận", "Comments", "💬", "comment"),
            ("Tăng lưu bài viết", "Saves", "🔖", "like"),
        ],
    ),
    (
        "TikTok",
        [
            ("Tăng view video", "Views", "👀", "view"),
            ("Tăng follow", "Followers", "👤", "follow"),
            ("Tăng tim video", "Likes", "❤️", "like"),
            ("Tăng bình luận", "Comments", "💬", "comment"),
            ("Mắt livestream", "Live Viewers", "🔴", "live"),
            ("Tăng share video", "Shares", "🔁", "like"),
        ],
    ),
    (
        "YouTube",
        [
            ("Tăng view video", "Views", "▶️", "view"),
            ("Tăng đăng ký kênh", "Subscribers", "🔔", "follow"),
            ("Tăng like video", "Likes", "👍", "like"),
            ("Tăng giờ xem", "Watch Time Hours", "⏱️", "view"),
            ("Tăng bình luận", "Comments", "💬", "comment"),
        ],
    ),
    (
        "Telegram",
        [
            ("Thành viên nhóm/kênh", "Channel/Group Members", "👥", "follow"),
            ("Tăng view bài viết", "Post Views", "👀", "view"),
            ("Tăng reaction", "Reactions", "🔥", "like"),
            ("Bình chọn poll", "Poll Votes", "🗳️", "poll"),
        ],
    ),
    (
        "Twitter/X",
        [
            ("Tăng follow", "Followers", "👤", "follow"),
            ("Tăng like tweet", "Likes", "❤️", "like"),
            ("Tăng retweet", "Retweets", "🔁", "like"),
            ("Tăng view tweet", "Tweet Views", "👀", "view"),
        ],
    ),
    (
        "Shopee",
        [
            ("Tăng follow shop", "Shop Followers", "🛒", "follow"),
            ("Tăng like sản phẩm", "Product Likes", "❤️", "like"),
            ("Mắt livestream", "Live Viewers", "🔴", "live"),
        ],
    ),
    (
        "Threads",
        [
            ("Tăng follow", "Followers", "👤", "follow"),
            ("Tăng like", "Likes", "❤️", "like"),
        ],
    ),
    (
        "Spotify",
        [
            ("Tăng lượt nghe", "Plays", "🎧", "view"),
            ("Tăng follow nghệ sĩ", "Artist Followers", "🎤", "follow"),
        ],
    ),
    (
        "Google Maps",
        [
            ("Đánh giá 5 sao", "5 Star Reviews", "⭐", "comment"),
            ("Tăng lượt xem địa điểm", "Place Views", "📍", "view"),
        ],
    ),
    (
        "Discord",
        [
            ("Thành viên server", "Server Members", "👥", "follow"),
            ("Thành viên online", "Online Members", "🟢", "live"),
        ],
    ),
    (
        "Twitch",
        [
            ("Tăng follow kênh", "Channel Followers", "👤", "follow"),
            ("Mắt livestream", "Live Viewers", "🔴", "live"),
        ],
    ),
    (
        "Zalo",
        [
            ("Tăng thành viên nhóm", "Group Members", "👥", "follow"),
            ("Tăng follow OA", "Official Account Followers", "📢", "follow"),
            ("Tăng like bài viết", "Post Likes", "👍", "like"),
        ],
    ),
]

_CATEGORY_FLAVOURS_VI = ["", " - Giá rẻ 💸", " - VIP ⭐", " - Việt Nam 🇻🇳"]
_CATEGORY_FLAVOURS_EN = [" [Global] 🌍", " [Real] ✅", " [Cheap] 💸", " [Vietnam] 🇻🇳"]

# kind -> (rate range in VND per 1000, typical minimums, typical maximums)
_KIND_PRICING: dict[str, tuple[int, int, tuple[int, ...], tuple[int, ...]]] = {
    "view": (20, 3_000, (100, 500, 1_000), (1_000_000, 5_000_000, 10_000_000)),
    "like": (1_500, 40_000, (10, 20, 50, 100), (10_000, 50_000, 100_000)),
    "follow": (8_000, 180_000, (50, 100, 200, 500), (10_000, 100_000, 500_000)),
    "comment": (60_000, 600_000, (10, 20), (1_000, 5_000)),
    "live": (5_000, 90_000, (50, 100), (5_000, 20_000)),
    "poll": (3_000, 30_000, (100,), (10_000, 50_000)),
}

_REGIONS = ["Việt Nam 🇻🇳", "Global 🌍", "Châu Á", "USA 🇺🇸", "Mix", "Thái Lan 🇹🇭"]
_SPEEDS = ["500/ngày", "1K/ngày", "5K/ngày", "10K/ngày", "50K/ngày", "1M/ngày"]
_WARRANTIES = ["Bảo hành 7 ngày", "Bảo hành 30 ngày", "Bảo hành 90 ngày", "Bảo hành trọn đời"]
_NO_WARRANTY = "Không bảo hành"
_QUALITY = ["Người thật", "Real", "HQ", "Tài khoản có avatar", "Nick Việt", "Bot"]
_EXTRA_TAGS = [
    "[Lên nhanh trong 5 phút]",
    "[Tài khoản thật 100% có bài đăng]",
    "[Không tụt - hỗ trợ hoàn tiền nếu lỗi]",
    "[Chạy được link riêng tư]",
    "[Ổn định nhất hệ thống - Khuyên dùng]",
    "[Admin khuyên dùng cho khách mới]",
]
_TAIL_EMOJI = ["⚡", "🔥", "💎", "🚀", "✅", "", ""]

_DESC_LINES = [
    "- Link: link bài viết/profile để chế độ công khai",
    "- Thời gian bắt đầu: 0-1 giờ",
    "- Tốc độ: {speed}",
    "- {warranty}",
    "- Không đổi tên, không xoá bài khi đơn đang chạy",
    "- Không hỗ trợ hoàn tiền nếu nhập sai link",
    "⚠️ Không đặt 2 đơn cùng link cùng lúc, đơn sau sẽ bị huỷ",
    "📌 Chất lượng: {quality}",
]


def _category_pool() -> list[tuple[str, str, str, str]]:
    """Every (category name, platform, topic in Vietnamese, kind) the generator can use.

    Mixes the two naming styles seen on Vietnamese panels: "Facebook - Tăng like bài
    viết 👍" and "Instagram Followers [Global] 🌍".  Order is fixed so generation is
    deterministic for a seed.
    """
    pool: list[tuple[str, str, str, str]] = []
    for variant in range(len(_CATEGORY_FLAVOURS_VI)):
        for platform, topics in _PLATFORMS:
            for topic_vi, topic_en, emoji, kind in topics:
                vi = f"{platform} - {topic_vi}{_CATEGORY_FLAVOURS_VI[variant]} {emoji}"
                en = f"{platform} {topic_en}{_CATEGORY_FLAVOURS_EN[variant]}"
                pool.append((vi, platform, topic_vi, kind))
                pool.append((en, platform, topic_vi, kind))
    return pool


def _pick_categories(rng: random.Random, count: int) -> list[tuple[str, str, str, str]]:
    """``count`` distinct categories; beyond the pool, numbered copies keep names unique."""
    pool = _category_pool()
    picked = rng.sample(pool, min(count, len(pool)))
    copy_number = 2
    while len(picked) < count:
        for name, platform, topic, kind in pool[: count - len(picked)]:
            picked.append((f"{name} #{copy_number}", platform, topic, kind))
        copy_number += 1
    return picked


def _rate(rng: random.Random, kind: str) -> str:
    """VND per 1000: mostly round numbers, sometimes with a fractional part."""
    low, high = _KIND_PRICING[kind][:2]
    value = rng.randint(low, high)
    roll = rng.random()
    if roll < 0.08:
        return f"{value}.5"
    if roll < 0.12:
        return f"{value}.{rng.randint(1, 99):02d}".rstrip("0")
    step = 50 if value >= 1000 else 5
    return str(max(step, value // step * step))


def _service_name(rng: random.Random, platform: str, topic: str, warranty: str, server: int) -> str:
    """Names in the styles real panels use, some deliberately very long."""
    region = rng.choice(_REGIONS)
    style = rng.randrange(4)
    if style == 0:
        name = f"{topic} {platform} - {region} - Server {server} [{warranty}]"
    elif style == 1:
        name = f"{platform} {topic} | Tốc độ {rng.choice(_SPEEDS)} | {warranty}"
    elif style == 2:
        name = f"SV{server} {topic} {platform} {rng.choice(_QUALITY)} - {region}"
    else:
        name = f"{platform} - {topic} ({rng.choice(_QUALITY)}) [{warranty}] - Giá rẻ"
    if rng.random() < 0.12:
        name += " " + " ".join(rng.sample(_EXTRA_TAGS, 3))
    tail = rng.choice(_TAIL_EMOJI)
    return f"{name} {tail}" if tail else name


def _service_type(rng: random.Random, kind: str) -> str:
    """Mostly Default, with the oddities a robust client must survive."""
    roll = rng.random()
    if kind == "comment" and roll < 0.6:
        return "Custom Comments"
    if kind == "poll" and roll < 0.5:
        return "Poll"
    if roll < 0.05:
        return "Package"
    if roll < 0.065:
        return "Subscriptions"
    if roll < 0.07:
        return "Poll"
    return "Default"


def _limits(rng: random.Random, kind: str, service_type: str) -> tuple[int, int]:
    if service_type == "Package":
        return 1, 1
    minimums, maximums = _KIND_PRICING[kind][2:]
    low = rng.choice(minimums)
    return low, max(low * 10, rng.choice(maximums))


def _description(rng: random.Random, warranty: str) -> str:
    lines = rng.sample(_DESC_LINES, rng.randint(3, 6))
    text = "\n".join(lines)
    return text.format(speed=rng.choice(_SPEEDS), warranty=warranty, quality=rng.choice(_QUALITY))


def _make_service(
    rng: random.Random, service_id: int, category: tuple[str, str, str, str], server: int
) -> dict[str, Any]:
    """One raw service dict, keys in the order the real panel sends them."""
    category_name, platform, topic, kind = category
    service_type = _service_type(rng, kind)
    has_refill = rng.random() < 0.4
    warranty = rng.choice(_WARRANTIES) if has_refill else _NO_WARRANTY
    low, high = _limits(rng, kind, service_type)
    rate = str(rng.randint(20, 500) * 1000) if service_type == "Package" else _rate(rng, kind)
    shown_type = service_type
    if service_type == "Default" and service_id % 173 < len(_EXTRA_TYPES):  # no extra draws
        shown_type = _EXTRA_TYPES[service_id % 173]
    service: dict[str, Any] = {
        "service": service_id,
        "name": _service_name(rng, platform, topic, warranty, server),
        "type": shown_type,
        "category": category_name,
        "rate": rate,
        "min": str(low),
        "max": str(high),
        "refill": has_refill,
        "cancel": rng.random() < 0.3,
        "dripfeed": service_type == "Default" and kind in {"view", "like"} and rng.random() < 0.3,
    }
    if rng.random() < 0.33:
        service["desc"] = _description(rng, warranty)
    return service


def _category_sequence(rng: random.Random, service_count: int, categories: int) -> list[int]:
    """Category index for each service, in ID order.

    Mostly grouped (panels add a category's services together) but ~4% are
    swapped elsewhere, because services added later get high IDs: a client must
    group by the ``category`` field, not by position.
    """
    used = max(1, min(categories, service_count))
    weights = [rng.uniform(0.3, 3.0) for _ in range(used)]
    total = sum(weights)
    counts = [1 + int((service_count - used) * w / total) for w in weights]
    for index in range(service_count - sum(counts)):
        counts[index % used] += 1
    sequence = [index for index, n in enumerate(counts) for _ in range(n)]
    for _ in range(service_count // 25):
        a, b = rng.randrange(service_count), rng.randrange(service_count)
        sequence[a], sequence[b] = sequence[b], sequence[a]
    return sequence


def generate_catalog(service_count: int = 3200, categories: int = 60, seed: int = 7) -> list[dict[str, Any]]:
    """A deterministic, realistic service list (see module docstring for why).

    IDs ascend from 1 with gaps (deleted services), every one of the
    ``min(categories, service_count)`` categories has at least one service.
    """
    if service_count <= 0:
        return []
    rng = random.Random(seed)
    chosen = _pick_categories(rng, max(1, min(categories, service_count)))
    servers: dict[int, int] = {}
    services: list[dict[str, Any]] = []
    service_id = 0
    for category_index in _category_sequence(rng, service_count, categories):
        service_id += 1 if rng.random() < 0.85 else rng.randint(2, 15)
        servers[category_index] = servers.get(category_index, 0) + 1
        services.append(_make_service(rng, service_id, chosen[category_index], servers[category_index]))
    return services


# ------------------------------------------------------------------------- simulator


class PanelSimulator:
    """A fake panel over HTTP with inspectable, controllable state.

    All mutations happen synchronously inside one request handler step, so
    concurrent requests see a consistent panel without locks (single event loop).
    """

    slow_seconds: float = 2.0

    def __init__(
        self,
        *,
        api_key: str = "sim-key",
        service_count: int = 3200,
        categories: int = 60,
        seed: int = 7,
        services: list[dict[str, Any]] | None = None,
        balance: Decimal = Decimal("5000000"),
        currency: str = "VND",
        auto_advance_seconds: float | None = None,
        multi_refill_shape: str = "list",
        latency: float = 0.0,
        body_formats: tuple[str, ...] = ("json", "form"),
    ) -> None:
        """`body_formats`: the request bodies the panel reads; ("form",) is a PHP panel reading
        `$_POST`, ("json",) one decoding the raw body. Another body reads as a call without a key."""
        if not body_formats or not set(body_formats) <= {"json", "form"}:
            raise ValueError("body_formats must name 'json' and/or 'form'")
        if multi_refill_shape not in {"list", "object"}:
            raise ValueError("multi_refill_shape must be 'list' or 'object'")
        if auto_advance_seconds is not None and auto_advance_seconds <= 0:
            raise ValueError("auto_advance_seconds must be positive")
        self.api_key = api_key
        self.services: list[dict[str, Any]] = (
            services if services is not None else generate_catalog(service_count, categories, seed)
        )
        self.balance = Decimal(balance)
        self.currency = currency
        self.auto_advance_seconds = auto_advance_seconds
        self.multi_refill_shape = multi_refill_shape
        self.latency = latency
        self.body_formats = tuple(body_formats)
        # (action as sent, body format) of every request, read or not: what the client sent
        self.requests: list[tuple[str | None, str]] = []
        self.failure: FailureMode = FailureMode.NONE
        self._scripts: dict[str, list[Script]] = {}
        self.slow_seconds = PanelSimulator.slow_seconds
        self.orders: dict[int, SimOrder] = {}
        self.refills: dict[int, SimRefill] = {}
        self.calls: list[dict[str, Any]] = []
        self._rng = random.Random(seed * 7919 + 1)
        self._clock: Callable[[], float] = time.monotonic
        self._next_order_id = _FIRST_ORDER_ID
        self._next_refill_id = _FIRST_REFILL_ID
        self._full_charge: dict[int, Decimal] = {}
        self._manual: set[int] = set()  # orders under explicit test control
        self._manual_refills: set[int] = set()
        self._refill_created: dict[int, float] = {}
        self._by_link: dict[tuple[int, str], list[int]] = {}
        self._index: dict[int, dict[str, Any]] = {}
        self._indexed: tuple[int, int] = (0, -1)  # (id(list), len) the index was built for
        self._runner: web.AppRunner | None = None
        self._app_state: _AppState | None = None
        self._url: str | None = None
        self._actions: dict[str, Callable[[dict[str, Any]], Json]] = {
            "services": self._act_services,
            "add": self._act_add,
            "status": self._act_status,
            "balance": self._act_balance,
            "refill": self._act_refill,
            "refill_status": self._act_refill_status,
            "cancel": self._act_cancel,
        }

    # ----------------------------------------------------------------- server

    def make_app(self) -> web.Application:
        """The aiohttp application; usable with any runner (e.g. aiohttp's TestServer)."""
        app = web.Application()
        state = _AppState()
        app[_STATE_KEY] = state
        self._app_state = state
        app.router.add_post("/api/v2", self._handle)
        app.router.add_post("/api/v2/", self._handle)
        app.router.add_post("/", self._handle)
        app.on_shutdown.append(self._on_shutdown)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on ``host:port`` (0 = any free port) and return the API URL."""
        if self._runner is not None:
            raise RuntimeError("simulator already started")
        runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound_port = runner.addresses[0][1]
        shown_host = f"[{host}]" if ":" in host else host
        self._runner = runner
        self._url = f"http://{shown_host}:{bound_port}/api/v2"
        return self._url

    async def stop(self) -> None:
        """Stop listening; releases requests stuck in SLOW/HANG so shutdown is quick."""
        if self._app_state is not None:
            self._app_state.stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = None
        self._url = None

    @property
    def url(self) -> str:
        if self._url is None:
            raise RuntimeError("simulator not started")
        return self._url

    async def __aenter__(self) -> PanelSimulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @staticmethod
    async def _on_shutdown(app: web.Application) -> None:
        app[_STATE_KEY].stopping.set()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        """Log, delay, maybe fail early, execute, then maybe mangle the answer."""
        params = await _read_params(request)
        body_format = _body_format(request)
        self.requests.append((None if params is None else params.get("action"), body_format))
        if body_format not in self.body_formats and body_format != "none":
            params = dict(request.query)  # the body is not read: no key, no action
        self._log_call(params)
        mode = FailureMode(self.failure)
        stopping = request.app[_STATE_KEY].stopping
        if self.latency > 0:
            await _sleep_unless(stopping, self.latency)
        if mode is FailureMode.HTML_502:
            return web.Response(text=_HTML_502, status=502, content_type="text/html")
        if mode is FailureMode.HTTP_500_JSON:
            return _json_response({"error": "Internal error"}, status=500)
        scripted = self._next_script(params)
        if scripted is not None:
            return scripted.respond(self, params or {})
        body = json.dumps(self._dispatch(params))
        if mode is FailureMode.SLOW:
            await _sleep_unless(stopping, self.slow_seconds)
        elif mode is FailureMode.HANG:
            await stopping.wait()
            return web.Response(text="shutting down", status=503)
        elif mode is FailureMode.BAD_JSON:
            body = body[: max(1, len(body) // 2)]
        elif mode is FailureMode.PHP_WARNING:
            return web.Response(text=_PHP_WARNING + body, content_type="text/html")
        return web.Response(text=body, content_type="application/json")

    def script(
        self,
        action: str,
        answer: Json | str | Callable[[dict[str, Any]], Json | str],
        *,
        execute: bool = False,
        status: int = 200,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `action` with `answer` instead of the real one.

        Real panels answer in ways the docs don't show (`{"order": "1e30"}`, an echo of the
        request, a PHP notice); tests reproduce them here.  A `str` is sent as the raw body; a
        callable gets the request's parameters (key included, as a careless panel would echo
        them).  With `execute=True` the action really runs first - the dangerous case of an
        order created and charged behind a garbled answer.
        """
        self._scripts.setdefault(action, []).extend(Script(answer, execute, status) for _ in range(times))

    def _next_script(self, params: dict[str, Any] | None) -> Script | None:
        if params is None or str(params.get("key")) != self.api_key:
            return None
        queue = self._scripts.get(str(params.get("action", "")).strip())
        return queue.pop(0) if queue else None

    def _log_call(self, params: dict[str, Any] | None) -> None:
        entry: dict[str, Any] = {"action": None if params is None else params.get("action")}
        if params is not None:
            entry.update((k, v) for k, v in params.items() if k not in {"key", "action"})
        self.calls.append(entry)

    def formats_for(self, action: str) -> list[str]:
        """The body format ("json", "form", ...) of every request sent as `action`, read or not."""
        return [fmt for sent, fmt in self.requests if sent == action]

    def calls_for(self, action: str) -> list[dict[str, Any]]:
        """The logged calls of one action, in arrival order."""
        return [call for call in self.calls if call.get("action") == action]

    def _dispatch(self, params: dict[str, Any] | None) -> Json:
        if params is None:
            return {"error": "Incorrect request"}
        key = params.get("key")
        if key is None or str(key) != self.api_key:
            return {"error": "Invalid API key"}
        action = self._actions.get(str(params.get("action", "")).strip())
        if action is None:
            return {"error": "Incorrect request"}
        try:
            return action(params)
        except _ApiError as error:
            return {"error": error.message}

    # ---------------------------------------------------------------- actions

    def _act_services(self, params: dict[str, Any]) -> Json:
        return self.services

    def _act_balance(self, params: dict[str, Any]) -> Json:
        return {"balance": _fmt_amount(self.balance, 2), "currency": self.currency}

    def _act_add(self, params: dict[str, Any]) -> Json:
        service = self._service(params.get("service"))
        if service is None:
            raise _ApiError("Incorrect service ID")
        rule = _rule(service.type)
        for name in rule.params:  # a real panel answers the first missing one
            if _is_blank(params.get(name)):
                raise _ApiError(f"Incorrect {name}")
        link = str(params.get("link" if "link" in rule.params else "username") or "").strip()
        if not link or any(ch.isspace() for ch in link):
            raise _ApiError("Incorrect link")
        runs, interval = self._dripfeed_args(service, params)
        quantity, comments = self._quantity(service, params)
        total = quantity * (runs or 1)
        charge = self._charge(service, total)
        if self._has_active_order(service.service_id, link):
            raise _ApiError("You have active order with this link. Please wait until order being completed.")
        if charge > self.balance:
            raise _ApiError("Not enough funds on balance")
        self.balance -= charge
        order = self._create_order(service.service_id, link, total, charge, "Pending")
        order.runs, order.interval, order.comments = runs, interval, comments
        order.params = {
            name: str(params[name])
            for name in rule.params + rule.optional
            if name not in {"link", "quantity", "comments"} and not _is_blank(params.get(name))
        }
        return {"order": order.order_id}

    def _act_status(self, params: dict[str, Any]) -> Json:
        if "orders" in params:
            tokens = self._limited_ids(params["orders"], "orders")
            return {token: self._status_entry(token) for token in tokens}
        return self._status_entry(str(params.get("order", "")).strip())

    def _act_refill(self, params: dict[str, Any]) -> Json:
        if "orders" not in params:
            return {"refill": str(self._request_refill(params.get("order")))}
        tokens = self._limited_ids(params["orders"], "orders")
        results: list[dict[str, Any]] = []
        for token in tokens:
            try:
                outcome: Any = self._request_refill(token)
            except _ApiError as error:
                outcome = {"error": error.message}
            results.append({"order": _id_for_echo(token), "refill": outcome})
        if self.multi_refill_shape == "list":
            return results
        return _first_refill_object(results)

    def _act_refill_status(self, params: dict[str, Any]) -> Json:
        if "refills" not in params:
            return {"status": self._refill_status(params.get("refill"))}
        results: list[dict[str, Any]] = []
        for token in _split_ids(params["refills"]):
            try:
                status: Any = self._refill_status(token)
            except _ApiError as error:
                status = {"error": error.message}
            results.append({"refill": _id_for_echo(token), "status": status})
        return results

    def _act_cancel(self, params: dict[str, Any]) -> Json:
        if "orders" not in params:
            self._cancel_via_api(params.get("order"))
            return {"cancel": 1}
        results: list[dict[str, Any]] = []
        for token in self._limited_ids(params["orders"], "orders"):
            try:
                self._cancel_via_api(token)
                outcome: Any = 1
            except _ApiError as error:
                outcome = {"error": error.message}
            results.append({"order": _id_for_echo(token), "cancel": outcome})
        return results

    # ---------------------------------------------------------- action helpers

    def _service(self, raw_id: object) -> _Service | None:
        """Look a service up by ID, re-indexing if ``self.services`` was replaced/grown."""
        service_id = _parse_int(raw_id)
        if service_id is None:
            return None
        if self._indexed != (id(self.services), len(self.services)):
            self._index = {}
            for raw in self.services:
                parsed = _parse_int(raw.get("service"))
                if parsed is not None:
                    self._index[parsed] = raw
            self._indexed = (id(self.services), len(self.services))
        found = self._index.get(service_id)
        return None if found is None else _Service.from_raw(found)

    @staticmethod
    def _dripfeed_args(service: _Service, params: dict[str, Any]) -> tuple[int | None, int | None]:
        if _is_blank(params.get("runs")):
            return None, None
        if not service.dripfeed:
            raise _ApiError("Drip-feed is disabled for this service")
        runs = _parse_int(params.get("runs"))
        if runs is None or runs < 1:
            raise _ApiError("Incorrect runs")
        interval = _parse_int(params.get("interval"))
        if interval is None or interval < 1:
            raise _ApiError("Incorrect interval")
        return runs, interval

    @staticmethod
    def _quantity(service: _Service, params: dict[str, Any]) -> tuple[int, str | None]:
        """Units per run, by type: the quantity, the lines of a list (Custom Comments,
        Mentions Custom List…), 1 for a flat-priced package, or for Subscriptions the most
        it can deliver (max per post × posts)."""
        rule = _rule(service.type)
        comments = None if _is_blank(params.get("comments")) else str(params["comments"])
        PanelSimulator._check_params(rule, params)
        if "posts" in rule.params:
            return PanelSimulator._subscription_units(service, params), comments
        if rule.count is not None:
            quantity = sum(1 for line in str(params[rule.count]).splitlines() if line.strip())
            if rule.flat:  # a package of comments: any number, one price
                return quantity, comments
        elif rule.flat or "quantity" not in rule.params:
            return 1, comments
        else:
            asked = _parse_int(params.get("quantity"))
            if asked is None:
                raise _ApiError("Incorrect quantity")
            quantity = asked
        if quantity < service.min:
            raise _ApiError(f"Quantity less than minimal {service.min}")
        if quantity > service.max:
            raise _ApiError(f"Quantity more than maximum {service.max}")
        return quantity, comments

    @staticmethod
    def _check_params(rule: _AddRule, params: dict[str, Any]) -> None:
        """The checks a panel makes of a type's own parameters."""
        if "answer_number" in rule.params:
            answer = _parse_int(params.get("answer_number"))
            if answer is None or answer < 1:
                raise _ApiError("Incorrect answer_number")
        if "media" in rule.params and any(ch.isspace() for ch in str(params["media"]).strip()):
            raise _ApiError("Incorrect media")

    @staticmethod
    def _subscription_units(service: _Service, params: dict[str, Any]) -> int:
        low, high = _parse_int(params.get("min")), _parse_int(params.get("max"))
        if low is None or high is None or not service.min <= low <= high <= service.max:
            raise _ApiError(f"Incorrect min/max: allowed {service.min} to {service.max}")
        posts = _parse_int(params.get("posts"))
        old_posts = 0 if _is_blank(params.get("old_posts")) else _parse_int(params.get("old_posts"))
        if posts is None or posts < 1 or old_posts is None or old_posts < 0:
            raise _ApiError("Incorrect posts")
        if _parse_int(params.get("delay")) not in _SUBSCRIPTION_DELAYS:
            raise _ApiError("Incorrect delay")
        expiry = params.get("expiry")
        if not _is_blank(expiry) and not _is_date(str(expiry)):
            raise _ApiError("Incorrect expiry")
        return high * (posts + old_posts)

    @staticmethod
    def _charge(service: _Service, quantity: int) -> Decimal:
        """``rate`` is per 1000 units, except for flat packages where it is the price."""
        if _rule(service.type).flat:
            return service.rate
        return service.rate * quantity / 1000

    def _has_active_order(self, service_id: int, link: str) -> bool:
        order_ids = self._by_link.get((service_id, link), [])
        active = [oid for oid in order_ids if self._current(self.orders[oid]).status not in FINAL_STATUSES]
        if order_ids:
            self._by_link[(service_id, link)] = active  # prune finished ones
        return bool(active)

    def _create_order(
        self, service_id: int, link: str, quantity: int, charge: Decimal, status: str
    ) -> SimOrder:
        order_id = self._next_order_id
        self._next_order_id += 1
        order = SimOrder(
            order_id=order_id,
            service_id=service_id,
            link=link,
            quantity=quantity,
            charge=charge,
            status=status,
            start_count=self._rng.randint(0, 60_000),
            remains=_remains_for(status, quantity),
            created_at=self._clock(),
            runs=None,
            interval=None,
            comments=None,
        )
        self.orders[order_id] = order
        self._full_charge[order_id] = charge
        self._by_link.setdefault((service_id, link), []).append(order_id)
        return order

    def _limited_ids(self, value: object, what: str) -> list[str]:
        tokens = _split_ids(value)
        if not tokens:
            raise _ApiError("Incorrect request")
        if len(tokens) > _MAX_IDS_PER_CALL:
            raise _ApiError(f"Maximum {_MAX_IDS_PER_CALL} {what}")
        return tokens

    def _order_or_error(self, raw_id: object) -> SimOrder:
        order_id = _parse_int(raw_id)
        order = None if order_id is None else self.orders.get(order_id)
        if order is None:
            raise _ApiError("Incorrect order ID")
        return self._current(order)

    def _status_entry(self, token: str) -> dict[str, str]:
        try:
            order = self._order_or_error(token)
        except _ApiError as error:
            return {"error": error.message}
        return {
            "charge": _fmt_amount(order.charge, 5),
            "start_count": str(order.start_count),
            "status": order.status,
            "remains": str(order.remains),
            "currency": self.currency,
        }

    def _request_refill(self, raw_id: object) -> int:
        order = self._order_or_error(raw_id)
        service = self._service(order.service_id)
        if service is None or not service.refill:
            raise _ApiError("Refill is disabled for this service")
        if order.status not in {"Completed", "Partial"}:
            raise _ApiError("Order is not completed")
        refill_id = self._next_refill_id
        self._next_refill_id += 1
        self.refills[refill_id] = SimRefill(refill_id, order.order_id, "Pending")
        self._refill_created[refill_id] = self._clock()
        return refill_id

    def _refill_status(self, raw_id: object) -> str:
        refill_id = _parse_int(raw_id)
        refill = None if refill_id is None else self.refills.get(refill_id)
        if refill is None:
            raise _ApiError("Refill not found")
        self._advance_refill_by_age(refill)
        return refill.status

    def _cancel_via_api(self, raw_id: object) -> None:
        order = self._order_or_error(raw_id)
        service = self._service(order.service_id)
        if service is None or not service.cancel:
            raise _ApiError("Cancel is disabled for this service")
        if order.status in FINAL_STATUSES:
            raise _ApiError("Order cannot be canceled")
        self.cancel_order(order.order_id)

    # ----------------------------------------------------------- time / steps

    def _current(self, order: SimOrder) -> SimOrder:
        """Apply ``auto_advance_seconds`` lazily; explicitly controlled orders are left alone."""
        step = self.auto_advance_seconds
        if step is None or order.order_id in self._manual or order.status not in _PROGRESSION:
            return order
        target = min(int((self._clock() - order.created_at) // step), len(_PROGRESSION) - 1)
        if target > _PROGRESSION.index(order.status):
            _move(order, _PROGRESSION[target])
        return order

    def _advance_refill_by_age(self, refill: SimRefill) -> None:
        step = self.auto_advance_seconds
        if step is None or refill.refill_id in self._manual_refills:
            return
        if refill.status not in _PROGRESSION:
            return
        age = self._clock() - self._refill_created.get(refill.refill_id, self._clock())
        target = min(int(age // step), len(_PROGRESSION) - 1)
        if target > _PROGRESSION.index(refill.status):
            refill.status = _PROGRESSION[target]

    # ------------------------------------------------------------ test control

    def set_status(self, order_id: int, status: str, *, remains: int | None = None) -> None:
        """Force a status (no money moves); the order leaves auto-advance for good."""
        order = self.orders[order_id]
        order.status = status
        if remains is not None:
            order.remains = remains
        self._manual.add(order_id)

    def complete(self, order_id: int) -> None:
        """Completed with nothing remaining."""
        self.set_status(order_id, "Completed", remains=0)

    def partial(self, order_id: int, remains: int) -> None:
        """Partial: refund the undelivered share (``rate * remains / 1000``) to the balance."""
        order = self.orders[order_id]
        if not 0 <= remains <= order.quantity:
            raise ValueError(f"remains must be within 0..{order.quantity}")
        full = self._full_charge.get(order_id, order.charge)
        kept = full * (order.quantity - remains) / order.quantity
        self.balance += order.charge - kept
        order.charge = kept
        self.set_status(order_id, "Partial", remains=remains)

    def cancel_order(self, order_id: int) -> None:
        """Canceled with a full refund of whatever is still charged."""
        order = self.orders[order_id]
        self.balance += order.charge
        order.charge = Decimal(0)
        self.set_status(order_id, "Canceled", remains=order.quantity)

    def advance_all(self) -> None:
        """Every non-final order moves one step: Pending -> In progress -> Completed.

        This is a nudge, not explicit control: auto-advance (if on) still applies.
        """
        for order in self.orders.values():
            self._current(order)
            if order.status in FINAL_STATUSES:
                continue
            _move(order, "In progress" if order.status == "Pending" else "Completed")

    def finish_refill(self, refill_id: int, status: str = "Completed") -> None:
        """Set a refill's final status (e.g. "Completed" or "Rejected")."""
        self.refills[refill_id].status = status
        self._manual_refills.add(refill_id)

    def seed_orders(self, count: int, *, status: str = "Pending", service_id: int | None = None) -> list[int]:
        """Create ``count`` orders directly (no balance or duplicate checks) for benchmarks."""
        candidates = [service_id] if service_id is not None else self._seedable_service_ids()
        created: list[int] = []
        for index in range(count):
            sid = candidates[index % len(candidates)]
            service = self._service(sid)
            quantity = 1000 if service is None else min(max(1000, service.min), service.max)
            charge = Decimal(0) if service is None else self._charge(service, quantity)
            link = f"https://example.com/seed/{self._next_order_id}"
            created.append(self._create_order(sid, link, quantity, charge, status).order_id)
        return created

    def _seedable_service_ids(self) -> list[int]:
        ids = [
            sid
            for raw in self.services
            if str(raw.get("type", "Default")) == "Default"
            and (sid := _parse_int(raw.get("service"))) is not None
        ]
        if not ids:
            ids = [sid for raw in self.services if (sid := _parse_int(raw.get("service")))]
        return ids or [1]


# --------------------------------------------------------------------- module helpers


def _remains_for(status: str, quantity: int) -> int:
    return 0 if status == "Completed" else quantity


def _move(order: SimOrder, status: str) -> None:
    order.status = status
    if status == "Completed":
        order.remains = 0


def _first_refill_object(results: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The documented multi-refill answer: only the first created refill ID survives."""
    first_error: dict[str, Any] | None = None
    for result in results:
        outcome = result["refill"]
        if isinstance(outcome, int):
            return {"refill": str(outcome)}
        first_error = first_error or outcome
    return first_error or {"error": "Incorrect request"}


def _json_response(payload: Json, *, status: int = 200) -> web.Response:
    return web.Response(text=json.dumps(payload), status=status, content_type="application/json")


async def _sleep_unless(stopping: asyncio.Event, seconds: float) -> None:
    """Sleep, but wake up early when the server is shutting down."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), timeout=seconds)


def _body_format(request: web.Request) -> str:
    """How the request body was encoded, by its content type ("none" without a body)."""
    if request.content_type == "application/json":
        return "json"
    if request.content_type == "application/x-www-form-urlencoded" or request.content_type.startswith(
        "multipart/"
    ):
        return "form"
    return request.content_type if request.can_read_body else "none"


async def _read_params(request: web.Request) -> dict[str, Any] | None:
    """Body as JSON or form (whatever the client sent), query string as fallback.

    Returns None for a body that is neither, which the panel answers with
    "Incorrect request".
    """
    params: dict[str, Any] = dict(request.query)
    if request.content_type.startswith("multipart/"):
        form = await request.post()
        params.update((k, v) for k, v in form.items() if isinstance(v, str))
        return params
    raw = await request.text()
    if not raw.strip():
        return params
    if request.content_type == "application/json" or raw.lstrip()[:1] in {"{", "["}:
        try:
            body = json.loads(raw)
        except ValueError:
            return None
        if not isinstance(body, dict):
            return None
        params.update(body)
        return params
    params.update(parse_qsl(raw, keep_blank_values=True))
    return params
