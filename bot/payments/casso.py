"""Casso webhooks: a batch (v1 list) or one transaction (v2 object) under `data`.

Authorized by the `Secure-Token` header Casso sends with the key set in its dashboard.
The sign of `amount` gives the direction. Any unreadable item refuses the whole body:
Casso retries, and a half-applied batch would be harder to reason about than none.
"""

from __future__ import annotations

from typing import Any

from bot.payments.transfers import (
    BadNotification,
    IncomingTransfer,
    first_present,
    key_matches,
    load_json,
    optional_text,
    transaction_id,
    whole_dong,
)

AUTH_HEADER = "Secure-Token"
SOURCE = "casso"


def authorized(header_value: str | None, token: str) -> bool:
    """Whether the header carries exactly `token` (surrounding whitespace ignored), in constant time."""
    if header_value is None:
        return False
    return key_matches(header_value.strip(), token)


def _item(item: object, index: int) -> IncomingTransfer:
    if not isinstance(item, dict):
        raise BadNotification(f"data[{index}] is not an object")
    where = f"data[{index}]"
    signed = whole_dong(item.get("amount"), f"{where}.amount", signed=True)
    if signed == 0:
        raise BadNotification(f"{where}.amount is zero")
    fields: dict[str, Any] = item
    return IncomingTransfer(
        source=SOURCE,
        transaction_id=transaction_id(item.get("id"), f"{where}.id"),
        amount=abs(signed),
        incoming=signed > 0,
        content=optional_text(item.get("description"), f"{where}.description") or "",
        account=optional_text(
            first_present(fields, "bank_sub_acc_id", "subAccId", "accountNumber"), f"{where}.account"
        ),
        reference=optional_text(first_present(fields, "reference", "tid"), f"{where}.reference"),
        happened_at=optional_text(first_present(fields, "when", "transactionDateTime"), f"{where}.when"),
    )


def parse(body: bytes) -> list[IncomingTransfer]:
    """The transactions in a Casso webhook body ([] for an empty batch); `BadNotification` otherwise."""
    data = load_json(body)
    if not isinstance(data, dict):
        raise BadNotification("body is not a JSON object")
    error = data.get("error", 0)
    if isinstance(error, bool) or error not in (0, "0"):
        raise BadNotification("error is set")
    items = data.get("data")
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        raise BadNotification("data is missing or not a list/object")
    return [_item(item, index) for index, item in enumerate(items)]
