"""Fuzz: ten thousand random updates through the real bot, and nothing breaks.

Hand-written tests check the paths someone thought of; this one throws what
Telegram can deliver (and what a tampering client can forge) at the real
`Application` — real Updater long-polling the fake Bot API, real handlers,
real store, the panel simulator — and checks the properties that must hold
whatever arrives:

* no update ends in an unhandled exception (nothing logged at ERROR, by the
  bot's global error handler or by PTB/asyncio);
* no random sequence places an order (no panel `add`), refills or cancels
  anything;
* nothing of one user reaches another: a victim who never takes part owns
  real orders with secret links, and the fuzzers poke at them by panel ID and
  by forged callback data with every prefix in `bot.telegram.callbacks`;
* nothing the bot sends is something Telegram would reject for its content
  (bad HTML, too long, bad buttons);
* the bot still answers a fresh user normally afterwards.

Everything is drawn from one `random.Random(SEED)`, so a failure reproduces
with the seed printed at the start (override with `FUZZ_SEED=<n>`).  Updates
are pushed in bulk, not one reply at a time, and the test waits for the bot
to drain the queue every `IDLE_EVERY` updates so the backlog stays bounded.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import random
import time
import traceback
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from telegram.ext import AIORateLimiter

from bot.config import Settings
from bot.panel.simulator import PanelSimulator
from bot.runtime import BotRuntime
from bot.services.money import format_amount
from bot.store.models import OrderRecord
from bot.telegram import callbacks
from bot.telegram.texts import text
from tests.support.fake_telegram import FakeTelegram, FakeUser
from tests.support.orders import pick_service, place_order, record_intent

FUZZ_UPDATES = 10_000
SEED = int(os.environ.get("FUZZ_SEED", "20250611"))
IDLE_EVERY = 500  # drain the bot's backlog this often (updates)

FUZZER_IDS = range(50_001, 50_033)  # 32 fuzzing users:
ADMIN_ID = 50_001  # one of them is an admin (admin commands with junk arguments),
STRANGER_IDS = frozenset({50_002, 50_003, 50_004})  # three are not allowed in
VICTIM_ID = 9_000_001  # owns real orders; never sends anything
FRESH_ID = 9_000_002  # talks to the bot only after the fuzz
GROUP_ANONYMOUS_BOT = 1_087_968_824  # Telegram's "from" for anonymous group admins

# Errors the fake Bot API may legitimately answer during the fuzz: edits of messages that do
# not exist (forged callbacks), double taps (not modified) and late second answers. Anything
# else means the bot sent content Telegram rejects (bad HTML, too long, bad buttons, ...).
TOLERATED_API_ERRORS = (
    "message to edit not found",
    "message can't be edited",
    "message is not modified",
    "query is too old",
)

# -- random material -----------------------------------------------------------------------------
# fmt: off

VIETNAMESE = [
    "tăng like", "Mắt livestream", "bảo hành", "người theo dõi", "Tiếng Việt", "đơn hàng",
    "xin chào", "giá rẻ nhất", "Shopee", "TikTok", "Facebook", "chạy đơn nhanh", "Ừ", "ạ",
]
EMOJI = ["😀", "🔥", "👍🏽", "👨‍👩‍👧‍👦", "🇻🇳", "❤️", "🛒", "✅", "🤖", "🫠", "🧑🏿‍💻"]
RTL = ["مرحبا بالعالم", "שלום עולם", "\u202egnp.exe", "\u200fمتجر", "سلام ١٢٣"]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u2060", "\u00ad"]
MARKUP = [
    "<b>", "</b>", "<script>alert(1)</script>", "&amp;", "&lt;", "&", "<", ">", "</code>",
    "*bold*", "_x_", "[a](http://x)", "`", "```", "\\", "||spoiler||", "<a href='x'>",
]
WHITESPACE = [" ", "  ", "\n", "\n\n", "\t", "\u00a0", "\u3000", "\u2028", "\r\n"]
WORDS = ["like", "follow", "view", "instagram", "youtube", "1000", "cheap", "order", "refill", "status"]
JUNK_ARGS = [
    "-1", "0", "1", "42", "99999999999999999999", "1,2,,x", "../../etc", "'; DROP TABLE orders;--",
    "😀", "#1", "#", ",", "1 2 3", "1e9", "0x10", "NaN", "null", "None", "١٢٣", "²", "①", "１２",
    "１", "%00", "\u200b1", "1.5", "1,500", "-0", "+7", "   ", "@smm_test_bot", "$(reboot)",
]
COMMANDS = [
    "/start", "/help", "/services", "/search", "/order", "/orders", "/status", "/refill", "/refills",
    "/balance", "/language", "/cancel", "/allow", "/deny", "/users", "/stats", "/refresh",
]
UNKNOWN_COMMANDS = ["/foo", "/START", "/Orders", "/admin", "/sudo", "/start_", "/x" * 17, "/_", "/0"]
COMMAND_SUFFIXES = ["", "", "", "", "@smm_test_bot", "@SMM_Test_Bot", "@other_bot"]
LANGUAGES = ["en", "en", "vi", "vi", None, "ru", "pt-br", "zh-hans", "xx"]
FIRST_NAMES = [
    "Alice", "Ngọc Ánh", "<b>Bob</b> & co", "😀", "\u202eevil", "A" * 64, "Đặng", "&amp;", "O'Brien",
    "مريم", "\u200b", "Zoë", "x</i>",
]
CODEPOINT_RANGES = [
    (0x20, 0x7E), (0xA0, 0x24F), (0x1E00, 0x1EFF), (0x300, 0x36F), (0x400, 0x4FF), (0x590, 0x6FF),
    (0x2000, 0x206F), (0x3040, 0x30FF), (0x4E00, 0x4FFF), (0x1F300, 0x1FAFF), (0xE000, 0xE0FF),
]
CALLBACK_ARGS = [
    "", "0", "1", "2", "7", "-1", "99999999999999999999", "1e3", "0x10", " 1", "１", "²", "①", "abc",
    "../..", "%00", "😀", "None", "null", "NaN", "١٢٣", "vi", "en", "xx",
]
UNKNOWN_PREFIXES = ["zz", "x", "OD", "od2", "cat ", "sv-", "noop2", "::", ":", "lang_", "\u200bod"]

STICKER = {
    "file_id": "CAACAgIAAxkBAAIB", "file_unique_id": "AgADAQAD", "type": "regular",
    "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": "😀",
}
PHOTO = [{"file_id": "AgACAgIAAxkBAAIC", "file_unique_id": "AQADAgAD", "width": 90, "height": 90}]
# fmt: on


# -- the victim ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Victim:
    """Orders of someone who takes no part in the fuzz, and what of them must never leak."""

    orders: list[OrderRecord]
    links: list[str]
    charges: list[str]  # as a message shows them, in both languages

    @property
    def secrets(self) -> list[str]:
        return self.links + self.charges

    @property
    def row_ids(self) -> list[int]:
        return [o.id for o in self.orders]

    @property
    def panel_ids(self) -> list[int]:
        return [o.panel_order_id for o in self.orders if o.panel_order_id is not None]


def _distinctive_quantity(rate: Decimal, low: int, high: int) -> int:
    """A quantity whose charge has decimals and ≥ 4 integer digits: a number that is most unlikely
    to appear on any other screen, so finding it in someone else's chat means a leak."""
    for quantity in range(low + 37, high):
        charge = rate * quantity / 1000
        if charge != charge.to_integral_value() and charge >= 1000:
            return quantity
    raise AssertionError("no quantity with a distinctive charge")


async def plant_victim(bot: BotRuntime, panel: PanelSimulator) -> Victim:
    """Real orders for the victim (refillable and completed, cancellable, an unconfirmed intent,
    a refill), so a broken ownership check would have something to show or act on."""
    orders: list[OrderRecord] = []
    for flags in ({"refill": True}, {"cancel": True}, {}):
        service = await pick_service(bot, **flags)
        quantity = _distinctive_quantity(service.rate, service.min, service.max)
        link = f"https://example.com/secret-{uuid.uuid4().hex}"
        orders.append(await place_order(bot, VICTIM_ID, service=service, link=link, quantity=quantity))
    panel.complete(orders[0].panel_order_id)
    await bot.deps.tracking.request_refill(VICTIM_ID, orders[0].id)
    service = await pick_service(bot)
    link = f"https://example.com/secret-{uuid.uuid4().hex}"
    orders.append(await record_intent(bot, VICTIM_ID, service, link=link, quantity=service.min + 1))
    charges = [format_amount(o.charge, lang) for o in orders[:3] for lang in ("en", "vi")]
    return Victim(orders, [o.link for o in orders], charges)


# -- the fuzzer ----------------------------------------------------------------------------------


def callback_prefixes() -> list[str]:
    """Every prefix registered in `bot.telegram.callbacks`, found by introspection so prefixes
    added later are fuzzed too without touching this test."""
    return sorted(
        {
            value
            for name, value in vars(callbacks).items()
            if name.isupper() and isinstance(value, str) and not name.startswith("_")
        }
    )


ORDER_PREFIXES = [
    callbacks.ORDER_DETAIL,
    callbacks.ORDER_REFRESH,
    callbacks.ORDER_REFILL,
    callbacks.ORDER_CANCEL,
]


Action = Callable[[FakeUser], Awaitable[int]]


class Fuzzer:
    """Draws random updates and pushes them to the fake Bot API.

    Every action draws the same random values whatever the bot has answered so far, so one
    seed gives one action stream (see `stream_id`); only taps on real buttons and which of
    the user's messages a forged tap lands on depend on the bot's progress. Forged callback
    data is remembered so the test can prove none of it was a real Confirm button.
    """

    def __init__(self, rng: random.Random, telegram: FakeTelegram, victim: Victim) -> None:
        self.rng = rng
        self.telegram = telegram
        self.victim = victim
        self.kinds: Counter[str] = Counter()
        self.callback_data: list[str] = []
        self.sent_ids: dict[int, list[int]] = {}  # user → their own private message ids
        self.trail: list[str] = []  # action:user, in order
        self._ids = itertools.count(1)
        self.users = [
            telegram.user(
                user_id,
                first_name=rng.choice(FIRST_NAMES),
                username=rng.choice([None, f"fz{user_id}"]),
                language_code=LANGUAGES[n % len(LANGUAGES)],  # every language, "vi" included
            )
            for n, user_id in enumerate(FUZZER_IDS)
        ]
        # The admin is the only one who can reach the admin commands' argument parsing.
        self.user_weights = [4 if user.id == ADMIN_ID else 1 for user in self.users]
        self.groups = [(-(10_000 + n), "group") for n in range(4)]
        self.groups += [(-(1_000_000_000_000 + n), "supergroup") for n in range(4)]
        self.prefixes = callback_prefixes()
        weighted: list[tuple[int, Action]] = [
            (16, self.random_text),
            (18, self.command),
            (16, self.forged_callback),
            (4, self.callback_on_missing_message),
            (2, self.callback_from_inline_message),
            (9, self.victim_probe),
            (5, self.edited_message),
            (8, self.group_message),
            (2, self.channel_post),
            (6, self.non_text_message),
            (5, self.inline_query),
            (5, self.real_tap),
            (2, self.wizard_walk),
            (2, self.exotic_update),
        ]
        self.actions = [action for _, action in weighted]
        self.action_weights = [weight for weight, _ in weighted]

    @property
    def stream_id(self) -> str:
        """Short hash of the action stream: equal for equal seeds."""
        return hashlib.sha256(";".join(self.trail).encode()).hexdigest()[:12]

    # -- driving -----------------------------------------------------------------------------

    async def introduce(self) -> int:
        """Everyone's first update is /start, as with a real client; it also makes the fake Bot
        API know each private chat (it learns chats from messages, not from callback queries)."""
        for user in self.users:
            await self._send_private(user, "/start")
        self.kinds["introduce"] += len(self.users)
        return len(self.users)

    async def step(self) -> int:
        """One random action by one random user; returns how many updates it pushed."""
        user = self.rng.choices(self.users, self.user_weights)[0]
        action = self.rng.choices(self.actions, self.action_weights)[0]
        pushed = await action(user)
        self.kinds[action.__name__] += pushed
        self.trail.append(f"{action.__name__}:{user.id}")
        return pushed

    # -- random material ---------------------------------------------------------------------

    def clean(self, value: str) -> str:
        """Fuzzers never type a victim secret, so any appearance in a reply is a leak."""
        for secret in self.victim.secrets:
            value = value.replace(secret, "")
        return value

    def codepoints(self, count: int) -> str:
        chars = []
        for _ in range(count):
            low, high = self.rng.choice(CODEPOINT_RANGES)
            chars.append(chr(self.rng.randint(low, high)))
        return "".join(chars)

    def text(self) -> str:
        """Random text a Telegram client could send (at most 5,000 characters)."""
        rng = self.rng
        pick = rng.random()
        if pick < 0.08:
            value = "".join(rng.choice(WHITESPACE + ZERO_WIDTH) for _ in range(rng.randint(1, 6)))
        elif pick < 0.14:
            unit = rng.choice(VIETNAMESE + EMOJI + RTL + MARKUP + [self.codepoints(7)])
            value = (unit * (5_000 // max(1, len(unit)) + 1))[: rng.randint(300, 5_000)]
        elif pick < 0.30:
            value = self.codepoints(rng.randint(1, 80))
        else:
            pools = [VIETNAMESE, EMOJI, RTL, ZERO_WIDTH, MARKUP, WHITESPACE, WORDS, JUNK_ARGS]
            value = "".join(
                rng.choice(rng.choice(pools)) + rng.choice(["", " ", " ", "\n"])
                for _ in range(rng.randint(1, 12))
            )
        return self.clean(value)

    def args(self) -> str:
        parts = [self.rng.choice([*JUNK_ARGS, self.text()[:40]]) for _ in range(self.rng.randint(0, 4))]
        return self.rng.choice([" ", "  ", "\n", "\t"]).join(parts)

    def command_text(self) -> str:
        rng = self.rng
        name = rng.choice(COMMANDS) if rng.random() < 0.85 else rng.choice(UNKNOWN_COMMANDS)
        suffix = rng.choice(COMMAND_SUFFIXES)
        args = self.args() if rng.random() < 0.7 else ""
        return self.clean(f"{name}{suffix} {args}".rstrip() if args else f"{name}{suffix}")

    def callback_arg(self) -> str:
        rng = self.rng
        pool = [*CALLBACK_ARGS, rng.randint(0, 10**6), rng.choice(self.victim.row_ids), rng.choice(WORDS)]
        return str(rng.choice(pool))

    def forged_data(self) -> str:
        """`prefix[:arg…]` with random, malformed or missing args; never more than 64 bytes."""
        rng = self.rng
        prefix = rng.choice(UNKNOWN_PREFIXES) if rng.random() < 0.1 else rng.choice(self.prefixes)
        if prefix == callbacks.WIZARD_CONFIRM and rng.random() < 0.6:
            token = "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789-_") for _ in range(16))
            args = [token]
        else:
            args = [self.callback_arg() for _ in range(rng.randint(0, 4))]
        separator = ":" if rng.random() < 0.9 else rng.choice(["::", ": ", ";"])
        data = separator.join([prefix, *args]) if args else prefix
        return self.fit(data)

    def fit(self, data: str) -> str:
        """Telegram delivers 1–64 bytes of callback data; cut on a character boundary."""
        raw = self.clean(data).encode()[: callbacks.MAX_CALLBACK_BYTES]
        return raw.decode(errors="ignore") or "x"

    # -- update builders ---------------------------------------------------------------------

    def _message_id(self) -> int:
        return 1_000_000 + next(self._ids)

    def _callback_update(self, user: FakeUser, data: str, *, message: dict[str, Any] | None) -> None:
        query: dict[str, Any] = {
            "id": f"fz{next(self._ids)}",
            "from": user.user_dict(),
            "chat_instance": str(7_000_000_000 + user.id),
            "data": data,
        }
        if message is None:
            query["inline_message_id"] = f"AgAAA{next(self._ids)}fz"
        else:
            query["message"] = message
        self.callback_data.append(data)
        self.telegram.push_update({"callback_query": query})

    def _group(self) -> tuple[int, str]:
        return self.rng.choice(self.groups)

    # -- actions (each returns the number of updates pushed) ---------------------------------

    async def random_text(self, user: FakeUser) -> int:
        await self._send_private(user, self.text())
        return 1

    async def command(self, user: FakeUser) -> int:
        await self._send_private(user, self.command_text())
        return 1

    async def _send_private(self, user: FakeUser, value: str) -> None:
        message = await user.send(value)
        self.sent_ids.setdefault(user.id, []).append(int(message["message_id"]))

    async def forged_callback(self, user: FakeUser) -> int:
        """Forged data on a real bot message in the user's chat (as a tampering client could)."""
        data, pick = self.forged_data(), self.rng.random()
        await self._tap_somewhere(user, data, pick)
        return 1

    async def _tap_somewhere(self, user: FakeUser, data: str, pick: float) -> None:
        """`data` on one of the user's last bot messages (chosen by `pick`), or on a message that
        does not exist when there is none yet. Draws nothing from the generator, so the random
        stream does not depend on how far the bot has got."""
        live = [m for m in user.messages if not m.deleted][-5:]
        if not live:
            self._callback_update(user, data, message=self._missing_message(user.private_chat()))
            return
        self.callback_data.append(data)
        await user.tap_data(data, live[int(pick * len(live))])

    def _missing_message(self, chat: dict[str, Any], *, inaccessible: bool = False) -> dict[str, Any]:
        """A message the bot never sent; `inaccessible` gives Telegram's InaccessibleMessage."""
        message: dict[str, Any] = {"message_id": self._message_id(), "chat": chat}
        if inaccessible:
            message["date"] = 0
        else:
            message.update(date=int(time.time()), text="gone", **{"from": self.telegram.bot_user})
        return message

    async def callback_on_missing_message(self, user: FakeUser) -> int:
        """A button on a message the bot never sent (or one that is now inaccessible)."""
        in_group, inaccessible = self.rng.random() < 0.3, self.rng.random() < 0.5
        chat_id, chat_type = self._group()
        chat = {"id": chat_id, "type": chat_type, "title": f"Fuzz {chat_type}"}
        message = self._missing_message(chat if in_group else user.private_chat(), inaccessible=inaccessible)
        self._callback_update(user, self.forged_data(), message=message)
        return 1

    async def callback_from_inline_message(self, user: FakeUser) -> int:
        """A button on a message sent via inline mode: no chat, only an inline_message_id."""
        self._callback_update(user, self.forged_data(), message=None)
        return 1

    async def victim_probe(self, user: FakeUser) -> int:
        """Ask for the victim's orders by panel ID and by forged row IDs with every prefix."""
        rng = self.rng
        victim = self.victim
        pick = rng.random()
        if pick < 0.25:
            ids = rng.sample(victim.panel_ids, rng.randint(1, len(victim.panel_ids)))
            joiner = rng.choice([" ", ",", ", ", " #", "\n"])
            await self._send_private(user, f"/status {joiner.join(str(i) for i in ids)}")
            return 1
        if pick < 0.4:
            await self._send_private(user, f"/refill {rng.choice(victim.panel_ids)}")
            return 1
        prefix = rng.choice(ORDER_PREFIXES * 3 + self.prefixes)
        row = rng.choice(victim.row_ids)
        extra = rng.choice([[], ["0"], ["0", "1"], ["1", "1"], ["0", "1", "x"], ["-1"]])
        data = self.fit(":".join([prefix, str(row), *extra]))
        if rng.random() < 0.8:
            await self._tap_somewhere(user, data, rng.random())
        else:  # an "old card" the bot no longer has
            self._callback_update(user, data, message=self._missing_message(user.private_chat()))
        return 1

    async def edited_message(self, user: FakeUser) -> int:
        """The user edits one of their earlier private messages into something else."""
        own = self.sent_ids.get(user.id)
        if not own:
            return await self.command(user)
        new_text = self.command_text() if self.rng.random() < 0.5 else self.text()
        await user.edit_message(self.rng.choice(own[-10:]), new_text)
        return 1

    async def group_message(self, user: FakeUser) -> int:
        """Text, commands (with and without @bot) and media in groups, from members and
        anonymous admins."""
        rng = self.rng
        chat_id, chat_type = self._group()
        value = self.command_text() if rng.random() < 0.6 else self.text()
        extra: dict[str, Any] = {}
        if rng.random() < 0.2:
            value = None
            extra = rng.choice(
                [
                    {"sticker": STICKER},
                    {"photo": PHOTO, "caption": "/start"},
                    {"new_chat_members": [user.user_dict()]},
                    {"left_chat_member": user.user_dict()},
                ]
            )
        message = user.make_message(value, chat_type=chat_type, chat_id=chat_id, extra=extra)
        message["chat"]["title"] = f"Fuzz {chat_type} {chat_id}"
        if rng.random() < 0.1:
            message["from"] = {
                "id": GROUP_ANONYMOUS_BOT,
                "is_bot": True,
                "first_name": "Group",
                "username": "GroupAnonymousBot",
            }
            message["sender_chat"] = dict(message["chat"])
        self.telegram.push_update({"message": message})
        return 1

    async def channel_post(self, user: FakeUser) -> int:
        """Channel posts (and their edits): no sender user at all."""
        chat = {"id": -1_000_000_099_999, "type": "channel", "title": "Fuzz channel"}
        value = self.command_text() if self.rng.random() < 0.5 else self.text()
        post = {
            "message_id": self._message_id(),
            "date": int(time.time()),
            "chat": chat,
            "sender_chat": chat,
            "text": value,
        }
        kind = self.rng.choice(["channel_post", "edited_channel_post"])
        if kind == "edited_channel_post":
            post["edit_date"] = int(time.time())
        self.telegram.push_update({kind: post})
        return 1

    async def non_text_message(self, user: FakeUser) -> int:
        """Stickers, photos (with command-like captions), locations, contacts… no text."""
        rng = self.rng
        extra = rng.choice(
            [
                {"sticker": STICKER},
                {"photo": PHOTO},
                {"photo": PHOTO, "caption": self.command_text()},
                {"location": {"latitude": rng.uniform(-90, 90), "longitude": rng.uniform(-180, 180)}},
                {
                    "contact": {
                        "phone_number": "+84901234567",
                        "first_name": rng.choice(FIRST_NAMES),
                        "user_id": VICTIM_ID,
                    }
                },
                {
                    "document": {
                        "file_id": "BQACAgIAAxkBAAID",
                        "file_unique_id": "AgADBAAD",
                        "file_name": "x.txt",
                    }
                },
                {"voice": {"file_id": "AwACAgIAAxkBAAIE", "file_unique_id": "AgADBQAD", "duration": 3}},
                {"dice": {"emoji": "🎲", "value": rng.randint(1, 6)}},
                {
                    "venue": {
                        "location": {"latitude": 10.77, "longitude": 106.7},
                        "title": "Chợ Bến Thành",
                        "address": "Quận 1",
                    }
                },
            ]
        )
        await user.send_raw(extra)
        return 1

    async def inline_query(self, user: FakeUser) -> int:
        """`@bot words` with random text (Telegram caps it at 256) and random offsets."""
        offset = self.rng.choice(["", "", "50", "0", "-1", "abc", "999999999", "1e3", "²"])
        self.telegram.push_update(
            {
                "inline_query": {
                    "id": f"iq{next(self._ids)}",
                    "from": user.user_dict(),
                    "query": self.text()[:256],
                    "offset": offset,
                    "chat_type": self.rng.choice(["sender", "private", "group", "supergroup", "channel"]),
                }
            }
        )
        return 1

    async def real_tap(self, user: FakeUser) -> int:
        """Tap a real button the bot sent this user — navigation, never a real ✅ Confirm.
        Without one yet, open a screen that has some."""
        pick = self.rng.random()
        opener = self.rng.choice(["/services", "/orders", "/refills", "/language", "/search like"])
        targets = [
            (message, button.callback_data)
            for message in user.messages[-6:]
            if not message.deleted
            for row in message.buttons
            for button in row
            if button.callback_data and not button.callback_data.startswith(callbacks.WIZARD_CONFIRM)
        ]
        if not targets:
            await self._send_private(user, opener)
            return 1
        message, data = targets[int(pick * len(targets))]
        self.callback_data.append(data)
        await user.tap_data(data, message)
        return 1

    async def wizard_walk(self, user: FakeUser) -> int:
        """A plausible order form up to the summary (whose Confirm is never tapped)."""
        service_id = self.rng.randint(1, 400)
        steps = [
            f"/order {service_id}",
            f"https://example.com/fuzz/{next(self._ids)}",
            self.rng.choice(["1000", "100", "50", "1,000", "2", "10"]),
        ]
        for value in steps:
            await self._send_private(user, value)
        return len(steps)

    async def exotic_update(self, user: FakeUser) -> int:
        """Update kinds no handler is written for: membership changes, reactions, poll answers."""
        rng = self.rng
        now = int(time.time())
        chat_id, chat_type = self._group()
        group = {"id": chat_id, "type": chat_type, "title": f"Fuzz {chat_type} {chat_id}"}
        bot_user = self.telegram.bot_user
        update = rng.choice(
            [
                {
                    "my_chat_member": {
                        "chat": group,
                        "from": user.user_dict(),
                        "date": now,
                        "old_chat_member": {"status": "left", "user": bot_user},
                        "new_chat_member": {"status": "member", "user": bot_user},
                    }
                },
                {
                    "my_chat_member": {
                        "chat": user.private_chat(),
                        "from": user.user_dict(),
                        "date": now,
                        "old_chat_member": {"status": "member", "user": bot_user},
                        "new_chat_member": {"status": "kicked", "user": bot_user, "until_date": 0},
                    }
                },
                {
                    "message_reaction": {
                        "chat": user.private_chat(),
                        "message_id": 1,
                        "user": user.user_dict(),
                        "date": now,
                        "old_reaction": [],
                        "new_reaction": [{"type": "emoji", "emoji": "👍"}],
                    }
                },
                {
                    "poll_answer": {
                        "poll_id": "123",
                        "user": user.user_dict(),
                        "option_ids": [0],
                        "option_persistent_ids": ["0"],
                    }
                },
            ]
        )
        self.telegram.push_update(update)
        return 1


# -- checks --------------------------------------------------------------------------------------


def real_confirm_tokens(telegram: FakeTelegram) -> set[str]:
    """Every ✅ Confirm callback data the bot ever put on a button."""
    found: set[str] = set()
    for call in telegram.calls:
        markup = call.params.get("reply_markup")
        if not isinstance(markup, dict):
            continue
        for row in markup.get("inline_keyboard") or []:
            for button in row:
                data = button.get("callback_data") if isinstance(button, dict) else None
                if isinstance(data, str) and data.startswith(callbacks.WIZARD_CONFIRM + ":"):
                    found.add(data)
    return found


def leaks(telegram: FakeTelegram, victim: Victim) -> list[str]:
    """Bot API calls addressed to anyone but the victim that contain one of the victim's secrets.

    The admin's chat is checked for links only: /users and /stats show spending totals by
    design, and a total may equal one order's charge.
    """
    found = []
    for call in telegram.calls:
        chat = str(call.params.get("chat_id"))
        if call.method.lower() == "getupdates" or chat == str(VICTIM_ID):
            continue
        dumped = json.dumps(call.params, ensure_ascii=False, default=str)
        for secret in victim.links if chat == str(ADMIN_ID) else victim.secrets:
            if secret in dumped:
                found.append(f"{call.method} leaks {secret!r}: {dumped[:400]}")
    return found


def error_kinds(records: list[logging.LogRecord]) -> Counter[str]:
    """Logged errors grouped by exception and the innermost frame in `bot/`, so one bug hit a
    hundred times reads as one line with a count."""
    kinds: Counter[str] = Counter()
    for record in records:
        where, what = f"{record.name}: {record.getMessage()[:120]}", ""
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            what = f"{type(exc).__name__}: {str(exc)[:120]}"
            frames = traceback.extract_tb(exc.__traceback__)
            ours = [f for f in frames if f"{os.sep}bot{os.sep}" in f.filename] or frames
            if ours:
                where = f"{os.path.relpath(ours[-1].filename)}:{ours[-1].lineno} in {ours[-1].name}"
        kinds[f"{what} at {where}"] += 1
    return kinds


def format_records(records: list[logging.LogRecord]) -> str:
    kinds = error_kinds(records)
    lines = [f"{count:5d} × {kind}" for kind, count in kinds.most_common()]
    first = logging.Formatter("%(levelname)s %(name)s: %(message)s").format(records[0]) if records else ""
    return "\n".join(lines) + "\n\nfirst one in full:\n" + first


def summary(fuzzer: Fuzzer, telegram: FakeTelegram, records: list[logging.LogRecord], elapsed: float) -> str:
    """What was sent and what came back, printed on every run (and attached to failures)."""
    warnings = Counter(f"{r.name}: {r.getMessage()[:80]}" for r in records if r.levelno == logging.WARNING)
    methods = Counter(c.method for c in telegram.calls)
    errors = Counter(c.description for c in telegram.errors)
    confirms = len(real_confirm_tokens(telegram))
    return (
        f"seed={SEED} updates={sum(fuzzer.kinds.values())} in {elapsed:.1f}s"
        f" (action stream {fuzzer.stream_id})\n"
        f"  kinds: {dict(fuzzer.kinds)}\n  bot API calls: {dict(methods)}\n"
        f"  order summaries shown (Confirm never tapped): {confirms}\n"
        f"  API errors: {dict(errors)}\n"
        f"  warnings logged: {dict(warnings)}"
    )


# -- the test ------------------------------------------------------------------------------------


def _unpaced_rate_limiter(*, max_retries: int = 0, **_pacing: float) -> AIORateLimiter:
    """PTB's rate limiter with its retry-on-429 path but without pacing.

    `AIORateLimiter` holds the bot to Telegram's 30 messages/s overall and 20/min per group:
    right for the real API, but on its own it would stretch 10,000 updates (≈ 5,500 sends)
    to over three minutes, and the fake Bot API enforces no limits unless asked to.
    """
    return AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=max_retries)


@pytest.fixture
async def fuzz_bot(
    make_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[BotRuntime]:
    """The real runtime with an admin, a few strangers, and no send pacing (see above)."""
    monkeypatch.setattr("bot.telegram.polling.AIORateLimiter", _unpaced_rate_limiter)
    allowed = {*FUZZER_IDS, VICTIM_ID, FRESH_ID} - STRANGER_IDS
    settings = make_settings(
        admin_ids=frozenset({ADMIN_ID}), allow_everyone=False, allowed_user_ids=frozenset(allowed)
    )
    runtime = BotRuntime(settings)
    await runtime.start(poll_timeout=1)
    yield runtime
    await runtime.stop()


async def fuzz(fuzzer: Fuzzer, telegram: FakeTelegram) -> None:
    """Push `FUZZ_UPDATES` updates without waiting for replies, draining every `IDLE_EVERY`."""
    pushed = since_idle = await fuzzer.introduce()
    while pushed < FUZZ_UPDATES:
        count = await fuzzer.step()
        pushed += count
        since_idle += count
        if since_idle >= IDLE_EVERY:  # only bounds the backlog: a short quiet period will do
            await telegram.wait_idle(timeout=60, quiet=0.05)
            since_idle = 0
    await telegram.wait_idle(timeout=60)


def logged_errors(records: list[logging.LogRecord]) -> list[str]:
    """Unhandled exceptions: the bot's error handler, PTB and asyncio all log them at ERROR."""
    bad = [
        r
        for r in records
        if r.levelno >= logging.ERROR or "No error handlers are registered" in r.getMessage()
    ]
    return [f"{len(bad)} errors logged:\n{format_records(bad)}"] if bad else []


def panel_writes(panel: PanelSimulator) -> dict[str, int]:
    return {action: len(panel.calls_for(action)) for action in ("add", "refill", "cancel")}


def spending(
    panel: PanelSimulator, before: dict[str, int], statuses_before: int, victim: Victim
) -> list[str]:
    """No order placed, refilled or canceled, and the victim's orders never even looked up."""
    problems = []
    after = panel_writes(panel)
    for action, count in after.items():
        if count != before[action]:
            calls = panel.calls_for(action)[before[action] :]
            problems.append(f"panel writes during the fuzz: {len(calls)} × {action}, first {calls[:3]}")
    victim_ids = {str(i) for i in victim.panel_ids}
    asked = [
        call
        for call in panel.calls_for("status")[statuses_before:]
        if victim_ids & {part.strip() for part in str(call.get("order", call.get("orders", ""))).split(",")}
    ]
    if asked:
        problems.append(
            f"the panel was asked about the victim's orders {len(asked)} times, first {asked[:3]}"
        )
    return problems


def api_rejections(telegram: FakeTelegram) -> list[str]:
    """Calls the fake Bot API refused for their content (bad HTML, too long, bad buttons...)."""
    rejected = [
        c for c in telegram.errors if not any(ok in (c.description or "") for ok in TOLERATED_API_ERRORS)
    ]
    return [f"{c.method} refused: {c.description} {str(c.params)[:300]}" for c in rejected[:10]]


async def greets_fresh_user(telegram: FakeTelegram) -> list[str]:
    fresh = telegram.user(FRESH_ID, first_name="Fresh")
    await fresh.send("/start")
    greeting = await fresh.reply(timeout=10)
    expected = text("en", "start", name="Fresh")
    return [] if greeting.text == expected else [f"fresh /start got {greeting.text!r}"]


async def test_random_updates_break_nothing(
    fuzz_bot: BotRuntime,
    telegram: FakeTelegram,
    panel: PanelSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    print(f"fuzz seed: {SEED} (reproduce with FUZZ_SEED={SEED})")
    started = time.monotonic()
    caplog.set_level(logging.WARNING)
    victim = await plant_victim(fuzz_bot, panel)
    writes_before, statuses_before = panel_writes(panel), len(panel.calls_for("status"))
    fuzzer = Fuzzer(random.Random(SEED), telegram, victim)

    await fuzz(fuzzer, telegram)

    problems = logged_errors(caplog.records)
    problems += spending(panel, writes_before, statuses_before, victim)
    if not real_confirm_tokens(telegram).isdisjoint(fuzzer.callback_data):
        problems.append("the fuzzer replayed a real Confirm button: 'no add' would prove nothing")
    found = leaks(telegram, victim)
    problems += [f"{len(found)} leaks of the victim's data, first:", *found[:5]] if found else []
    problems += api_rejections(telegram)
    problems += await greets_fresh_user(telegram)
    elapsed = time.monotonic() - started  # reported, not asserted: speed belongs to bench/
    report = summary(fuzzer, telegram, caplog.records, elapsed)
    print(report)
    assert not problems, "\n\n".join([*problems, report])
