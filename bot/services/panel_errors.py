"""What a panel's refusal means, whichever words or code the panel used.

Panels of the v2 family refuse in sentences (`Not enough funds on balance`) or in codes
(`neworder.error.not_enough_funds`), cased as they like and sometimes with request fields
echoed around them.  `refusal_reason` maps the refusals we know to a reason key (a text key of
the Telegram layer), so a user reads one clear message with the next step, in their language;
anything else is `None` and is shown as the panel wrote it (redacted and cut short there).

Telegram-free: this module only names reasons, the texts live in `bot/telegram/texts`.
"""

from __future__ import annotations

import re
from enum import StrEnum


class RefusalReason(StrEnum):
    """Reasons a panel refuses; each value is the text key that explains it to a user."""

    # The panel account (the owner's money) can't pay: never "not enough funds" to a user.
    SHOP_UNAVAILABLE = "refusal_shop_unavailable"
    LINK_BUSY = "refusal_link_busy"  # an order on this link is still running
    BELOW_MINIMUM = "refusal_below_minimum"
    ABOVE_MAXIMUM = "refusal_above_maximum"
    BAD_LINK = "refusal_bad_link"
    NO_SUCH_SERVICE = "refusal_no_such_service"
    NO_SUCH_ORDER = "refusal_no_such_order"
    REFILL_RUNNING = "refusal_refill_running"  # the previous refill is not finished
    # The same words as the bot's own rules (bot.services.tracking) say them.
    REFILL_DISABLED = "refill_not_supported"
    REFILL_NOT_COMPLETED = "refill_not_completed"
    CANCEL_DISABLED = "orders_cancel_not_supported"


# First match wins; codes are matched as whole dotted words, sentences loosely (panels vary
# the wording a little: "minimal"/"minimum", "this link"/"the same link").
_PATTERNS: tuple[tuple[RefusalReason, re.Pattern[str]], ...] = tuple(
    (reason, re.compile(pattern, re.IGNORECASE))
    for reason, pattern in (
        (RefusalReason.SHOP_UNAVAILABLE, r"not_enough_funds|(not enough|insufficient) (funds|balance)"),
        (RefusalReason.LINK_BUSY, r"link_duplicate|active order (with|for|on) (this|the same|that) link"),
        (RefusalReason.BELOW_MINIMUM, r"min_quantity|quantity (is )?less than (the )?minim"),
        (RefusalReason.ABOVE_MAXIMUM, r"max_quantity|quantity (is )?(more|greater) than (the )?maxim"),
        (RefusalReason.BAD_LINK, r"\bneworder\.error\.link\b|\b(incorrect|invalid|wrong) link\b"),
        (RefusalReason.NO_SUCH_SERVICE, r"incorrect_service_id|\b(incorrect|invalid|unknown) service\b"),
        (RefusalReason.NO_SUCH_ORDER, r"incorrect_order_id|\b(incorrect|invalid) order id|\border not found"),
        (RefusalReason.REFILL_RUNNING, r"refill task is not completed"),
        (RefusalReason.REFILL_DISABLED, r"refill is disabled|refill_disabled"),
        (RefusalReason.REFILL_NOT_COMPLETED, r"^order is not completed"),
        (RefusalReason.CANCEL_DISABLED, r"cancel is disabled|cancel_disabled"),
    )
)
_SCAN_LIMIT = 500  # a refusal is a sentence; a longer text is not scanned past this


def refusal_reason(message: object) -> RefusalReason | None:
    """The reason behind a panel's error text or code; None when it is not one we know."""
    if message is None:
        return None
    words = " ".join(str(message)[:_SCAN_LIMIT].split())
    for reason, pattern in _PATTERNS:
        if pattern.search(words):
            return reason
    return None
