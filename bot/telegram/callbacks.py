"""Callback data: one registry of prefixes, so no two features collide and all fit 64 bytes.

Format: `prefix:arg:arg` with short ASCII args (IDs, page numbers, short keys) — never
names, which could exceed Telegram's 64-byte limit. Every handler that reads callback
data must treat it as untrusted input: it can be forged by any client.
"""

from __future__ import annotations

from bot.numbers import ascii_int

MAX_CALLBACK_BYTES = 64

# Catalog browsing
CATEGORIES = "cat"  # cat:<page>
CATEGORY = "cs"  # cs:<category key>:<page>
SERVICE = "sv"  # sv:<service id>
PLATFORM = "pf"  # pf:<platform key>:<page>     a platform's categories
FAVORITE = "fav"  # fav:<service id>[:<origin>]  ⭐ toggle on the card (origin: where Back leads)
FAVORITES = "fl"  # fl:<page>                   /favorites
# Search results
SEARCH = "sq"  # sq:<search id>:<page>
# Order wizard
ORDER = "ord"  # ord:<service id>            start the wizard for a service
ORDER_AGAIN = "r"  # ord:r:<order row id>       "Order again": that order's answers, at the summary
WIZARD_CONFIRM = "wok"  # wok:<confirmation token>
WIZARD_CANCEL = "wno"  # wno
WIZARD_SKIP = "wsk"  # wsk                     skip the optional drip-feed step
WIZARD_BACK = "wbk"  # wbk:<step>              back to the step before <step> (its question's button)
WIZARD_QUANTITY = "wqt"  # wqt:<quantity>       a quick quantity button: as if typed
WIZARD_EDIT = "wed"  # wed (the menu) | wed:<step>  change one answer from the summary
# Mass order (/mass)
MASS_CONFIRM = "mok"  # mok:<summary token>     place every line, each once
MASS_CANCEL = "mno"  # mno:<summary token>
# My orders and refills
ORDERS = "ol"  # ol:<page>
ORDER_DETAIL = "od"  # od:<order row id>
ORDER_REFRESH = "orf"  # orf:<order row id>
ORDER_REFILL = "ore"  # ore:<order row id>
ORDER_CANCEL = "ocl"  # ocl:<order row id>
REFILLS = "rl"  # rl:<page>
# Settling orders of unknown outcome (admins)
UNKNOWN_LIST = "ul"  # ul
UNKNOWN_PLACED = "up"  # up:<order row id>      ask for the panel order ID
UNKNOWN_NOT_PLACED = "un"  # un:<order row id>  ask to be sure
UNKNOWN_NOT_PLACED_SURE = "uN"  # uN:<order row id>
# The shop
WALLET = "wal"  # wal:<user id>:<page>       a wallet's history (its owner, or an admin)
MARKUP_CATEGORY = "mkc"  # mkc:<percent|off>:<category key>   /markup's category pick (admins)
# Top-ups
TOPUP = "top"  # top[:<amount>]               start a top-up (➕ Top up wherever money is missing)
TOPUP_AMOUNT = "ta"  # ta:<amount>             a quick amount
TOPUP_METHOD = "tm"  # tm:<method>:<amount>    a way to pay
TOPUP_CANCEL = "tx"  # tx[:<top-up id>]        give up (before or after the top-up exists)
TRANSFER_ASSIGN = "tas"  # tas:<transfer id>:<user id>   credit an unmatched transfer (admins)
TRANSFER_DISMISS = "tdi"  # tdi:<transfer id>  not a customer's money (admins)
TRANSFER_KEEP = "tke"  # tke                  changed my mind (admins)
STARS_REFUND = "trf"  # trf:<top-up id>        give a Stars top-up back (admins)
# Misc
LANGUAGE = "lang"  # lang:<code>
NOOP = "noop"  # page counters and other labels


def make(prefix: str, *args: object) -> str:
    data = ":".join([prefix, *(str(a) for a in args)])
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data too long: {data!r}")
    return data


def pattern(prefix: str) -> str:
    """Regex for `CallbackQueryHandler(pattern=...)` matching exactly this prefix."""
    return rf"^{prefix}(:|$)"


def parse(data: str | None) -> list[str]:
    """The args after the prefix (possibly empty); never raises."""
    if not data:
        return []
    return data.split(":")[1:]


def int_arg(args: list[str], index: int, default: int | None = None) -> int | None:
    """An integer argument from forged-or-not data: None (or default) when absent or malformed."""
    if index >= len(args):
        return default
    value = ascii_int(args[index])
    return default if value is None else value
