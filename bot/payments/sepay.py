"""SePay webhooks: one JSON object per transaction, authorized by an `Apikey` header.

See https://developer.sepay.vn (SePay Webhooks). SePay retries on any non-2xx answer,
so a body we refuse is re-sent, not lost.
"""

from __future__ import annotations

from bot.payments.transfers import (
    BadNotification,
    IncomingTransfer,
    key_matches,
    load_json,
    optional_text,
    transaction_id,
    whole_dong,
)

AUTH_HEADER = "Authorization"
SOURCE = "sepay"


def authorized(header_value: str | None, api_key: str) -> bool:
    """Whether the header is `Apikey <api_key>` (scheme in any case, spacing tolerated).

    The key is compared in constant time; an unset `api_key` authorizes nothing.
    """
    if header_value is None:
        return False
    parts = header_value.strip().split(None, 1)
    if len(parts) != 2 or parts[0].lower() != "apikey":
        return False
    return key_matches(parts[1].strip(), api_key)


def parse(body: bytes) -> IncomingTransfer:
    """The transaction in a SePay webhook body; `BadNotification` when it cannot be read exactly."""
    data = load_json(body)
    if not isinstance(data, dict):
        raise BadNotification("body is not a JSON object")
    direction = data.get("transferType")
    if not isinstance(direction, str) or direction.strip().lower() not in ("in", "out"):
        raise BadNotification("transferType is missing or not in/out")
    amount = whole_dong(data.get("transferAmount"), "transferAmount")
    if amount == 0:
        raise BadNotification("transferAmount is zero")
    content = optional_text(data.get("content"), "content")
    if not content:
        # Some banks leave `content` empty and put the transfer text in `description`.
        content = optional_text(data.get("description"), "description") or ""
    return IncomingTransfer(
        source=SOURCE,
        transaction_id=transaction_id(data.get("id")),
        amount=amount,
        incoming=direction.strip().lower() == "in",
        content=content,
        account=optional_text(data.get("accountNumber"), "accountNumber"),
        reference=optional_text(data.get("referenceCode"), "referenceCode"),
        happened_at=optional_text(data.get("transactionDate"), "transactionDate"),
    )
