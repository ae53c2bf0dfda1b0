"""Errors raised by the panel client.

Two kinds matter to callers and to users: the panel *answered* and said no
(`PanelError`, its message is meant for humans), or the panel could not be
reached or spoke gibberish (`PanelUnavailable`, try again later).  Neither ever
carries the API key: messages are built from our own words and the panel's
`error` text only.
"""

from __future__ import annotations


class PanelClientError(Exception):
    """Base class for everything the panel client raises."""


class PanelError(PanelClientError):
    """The panel answered `{"error": "..."}`: a refusal to show the user in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PanelUnavailable(PanelClientError):
    """The panel could not be reached, timed out, or answered something that is not its API.

    `reason` is short and safe to log or show ("HTTP 502", "timeout", "invalid JSON").
    """

    def __init__(self, reason: str) -> None:
        super().__init__(f"panel unavailable: {reason}")
        self.reason = reason


class OutcomeUnknown(PanelUnavailable):
    """A write (`add`, `refill`, `cancel`) failed in a way that may still have taken effect.

    Raised instead of plain `PanelUnavailable` when the request may have reached
    the panel (timeout, dropped connection, garbled answer), so nobody tells the
    user "nothing changed" when that isn't known.
    """


class AddOutcomeUnknown(OutcomeUnknown):
    """An `add` that may have created (and charged) the order: the intent stays "unknown"."""


class NotSent(PanelUnavailable):
    """The connection was refused: the request certainly never reached the panel."""


class PanelKeyRefused(NotSent):
    """The panel refused the API key (in every body format tried): nothing was done, and
    nothing will be until the owner fixes the key.  Users read "unavailable", never the key."""
