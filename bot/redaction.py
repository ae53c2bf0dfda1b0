"""One redaction for every text that leaves the process: log lines and chat messages alike.

A panel may echo the request (API key included) in its error text, and library
exceptions may quote a Bot API URL (token included).  Logs and users see such
text through the same `Redactor`, so a secret hidden from one is hidden from
the other.  Text for users is also stripped of control and invisible
characters and cut to a sane length: it came from someone else's server.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

REDACTED = "[REDACTED]"
USER_TEXT_LIMIT = 200

# Format characters (Cf: bidi overrides, zero-width joiners…) and controls (Cc) can reorder or
# hide what a reader sees; line breaks are folded into spaces before this check.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cn", "Cs"})


_registered: set[str] = set()


def register(secrets: Iterable[str]) -> None:
    """Make `secrets` known to every redaction in the process (logs and chat text alike).
    Process-wide on purpose: a secret is secret everywhere, and the root log handler is too."""
    _registered.update(s for s in secrets if len(s) >= 4)


def for_user(text: object, limit: int = USER_TEXT_LIMIT) -> str:
    """Panel or library text made safe for a chat message (see `Redactor.for_user`)."""
    return Redactor().for_user(text, limit)


class Redactor:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Longest first, so a secret containing another is replaced whole.
        self._secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """Every secret this redactor was given, and every one registered, replaced."""
        extra = _registered.difference(self._secrets)
        for secret in [*self._secrets, *sorted(extra, key=len, reverse=True)]:
            text = text.replace(secret, REDACTED)
        return text

    def for_user(self, text: object, limit: int = USER_TEXT_LIMIT) -> str:
        """Someone else's words made safe to show: no secrets, one line, visible characters,
        at most `limit` characters (cut with an ellipsis)."""
        flat = " ".join(self.redact(str(text)).split())
        visible = "".join(c for c in flat if unicodedata.category(c) not in _HIDDEN_CATEGORIES)
        visible = self.redact(visible)  # a secret split by an invisible character is whole again
        return visible if len(visible) <= limit else visible[: limit - 1].rstrip() + "…"


def has_hidden_characters(text: str) -> bool:
    """True when `text` holds characters that change or hide what is displayed (U+202E…)."""
    return any(unicodedata.category(c) in _HIDDEN_CATEGORIES for c in text)
