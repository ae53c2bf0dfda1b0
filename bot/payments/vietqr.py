"""VietQR payloads: the EMVCo merchant-presented QR every Vietnamese banking app scans.

Built here, byte by byte, instead of through an image service: the string carries the
account, the amount and the top-up code the webhook later matches, so it must be
exactly what we intend, and no third party needs to learn who pays whom.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

NAPAS_GUID = "A000000727"
"""The NAPAS application id that tells bank apps the template is a NAPAS 247 transfer."""
SERVICE_TO_ACCOUNT = "QRIBFTTA"
"""Inter-bank fast transfer to an account number (QRIBFTTC would be to a card)."""
CURRENCY_VND = "704"

_BIN = re.compile(r"[0-9]{6}")
_ACCOUNT = re.compile(r"[0-9A-Za-z]{1,19}")
# What banks carry through a transfer's content unchanged: anything else (accents,
# punctuation) is dropped or rewritten by some bank, and the top-up code would be lost.
_CONTENT = re.compile(r"[0-9A-Za-z ]{0,25}")
_MAX_AMOUNT_DIGITS = 13  # EMVCo: field 54 is at most 13 characters.

# Top-level EMVCo IDs whose value is itself a TLV list.
_TEMPLATE_IDS = frozenset({*(str(n) for n in range(26, 52)), "62", "64", *(str(n) for n in range(80, 100))})

BANKS: dict[str, str] = {
    "970400": "SaigonBank",
    "970403": "Sacombank",
    "970405": "Agribank",
    "970407": "Techcombank",
    "970409": "BacABank",
    "970412": "PVcomBank",
    "970415": "VietinBank",
    "970416": "ACB",
    "970418": "BIDV",
    "970419": "NCB",
    "970422": "MB Bank",
    "970423": "TPBank",
    "970424": "Shinhan Bank",
    "970425": "ABBANK",
    "970426": "MSB",
    "970427": "VietABank",
    "970428": "Nam A Bank",
    "970429": "SCB",
    "970430": "PG Bank",
    "970431": "Eximbank",
    "970432": "VPBank",
    "970433": "VietBank",
    "970436": "Vietcombank",
    "970437": "HDBank",
    "970438": "BaoVietBank",
    "970440": "SeABank",
    "970441": "VIB",
    "970443": "SHB",
    "970448": "OCB",
    "970449": "LPBank",
    "970452": "KienlongBank",
    "970454": "VietCapitalBank",
}
"""NAPAS BINs of common banks, named as Vietnamese banking apps show them."""


def bank_name(bin_: str) -> str:
    """The bank's short name, or the BIN itself so an unknown bank still shows something true."""
    return BANKS.get(bin_, bin_)


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE, the checksum EMVCo puts in field 63 (apps refuse a QR whose CRC is off)."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def _tlv(tag: str, value: str) -> str:
    """One EMVCo data object; lengths are two digits, so no value may exceed 99 characters."""
    if not value:
        raise ValueError(f"field {tag}: empty value")
    if len(value) > 99:
        raise ValueError(f"field {tag}: value is {len(value)} characters, at most 99 fit")
    return f"{tag}{len(value):02d}{value}"


def _amount_text(amount: object) -> str:
    """Whole dong as digits: VND has no minor unit, and a bank app would round a fraction its own way.

    Typed `object` so a float slipping past the type checker is refused, not rounded.
    """
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise ValueError("amount must be a Decimal (or int), never a float")
    value = Decimal(amount)
    if not value.is_finite() or value <= 0:
        raise ValueError("amount must be a positive number of dong")
    if value != value.to_integral_value():
        raise ValueError("amount must be whole dong (VND has no decimals)")
    if value.adjusted() >= _MAX_AMOUNT_DIGITS:
        raise ValueError(f"amount has more than {_MAX_AMOUNT_DIGITS} digits")
    return str(int(value))


def payload(bank_bin: str, account: str, amount: Decimal, content: str) -> str:
    """The VietQR string for a transfer of `amount` dong to `account` at bank `bank_bin`.

    Dynamic (point of initiation "12") because the amount is fixed: the customer's app
    fills in amount and content, so the webhook sees exactly the code we issued. An
    empty `content` leaves out field 62 (EMVCo forbids empty values).
    """
    if not _BIN.fullmatch(bank_bin):
        raise ValueError("bank BIN must be 6 digits")
    if not _ACCOUNT.fullmatch(account):
        raise ValueError("account number must be 1-19 letters or digits")
    if not _CONTENT.fullmatch(content):
        raise ValueError("content must be at most 25 ASCII letters, digits or spaces")
    beneficiary = _tlv("00", bank_bin) + _tlv("01", account)
    merchant = _tlv("00", NAPAS_GUID) + _tlv("01", beneficiary) + _tlv("02", SERVICE_TO_ACCOUNT)
    body = (
        _tlv("00", "01")
        + _tlv("01", "12")
        + _tlv("38", merchant)
        + _tlv("53", CURRENCY_VND)
        + _tlv("54", _amount_text(amount))
        + _tlv("58", "VN")
    )
    if content:
        body += _tlv("62", _tlv("08", content))
    body += "6304"
    return body + f"{crc16_ccitt_false(body.encode('ascii')):04X}"


def _split(text: str, where: str) -> list[tuple[str, str]]:
    """A TLV list as (id, value) pairs, refusing truncation, non-numeric headers and repeats."""
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    pos = 0
    while pos < len(text):
        header = text[pos : pos + 4]
        if len(header) < 4 or not (header.isascii() and header.isdigit()):
            raise ValueError(f"{where}: bad TLV header at position {pos}")
        tag, length = header[:2], int(header[2:])
        value = text[pos + 4 : pos + 4 + length]
        if len(value) != length:
            raise ValueError(f"{where}: field {tag} is truncated")
        if tag in seen:
            raise ValueError(f"{where}: field {tag} appears twice")
        seen.add(tag)
        pairs.append((tag, value))
        pos += 4 + length
    return pairs


def parse(payload: str) -> dict[str, str]:
    """Every field of an EMVCo payload: top-level ones by ID, nested ones as "38.01.00".

    Templates keep their raw value too ("38"), so a caller can compare either level.
    Inside a NAPAS template, "01" (the beneficiary) is itself a template.
    Raises ValueError when the string is not a well-formed TLV list.
    """
    fields: dict[str, str] = {}
    for tag, value in _split(payload, "payload"):
        fields[tag] = value
        if tag not in _TEMPLATE_IDS:
            continue
        inner = _split(value, f"field {tag}")
        for sub, sub_value in inner:
            fields[f"{tag}.{sub}"] = sub_value
        if _value_of(inner, "00") == NAPAS_GUID and _value_of(inner, "01") is not None:
            for sub, sub_value in _split(fields[f"{tag}.01"], f"field {tag}.01"):
                fields[f"{tag}.01.{sub}"] = sub_value
    return fields


def _value_of(pairs: list[tuple[str, str]], tag: str) -> str | None:
    """The value of `tag` in a parsed TLV list, or None."""
    return next((value for key, value in pairs if key == tag), None)


def crc_ok(payload: str) -> bool:
    """Whether the payload ends in a field 63 whose CRC matches everything before it.

    False (never an exception) for anything malformed, so it can guard untrusted input.
    """
    if len(payload) < 8 or payload[-8:-4] != "6304":
        return False
    given = payload[-4:]
    if not re.fullmatch(r"[0-9A-Fa-f]{4}", given):
        return False
    try:
        data = payload[:-4].encode("utf-8")
    except UnicodeEncodeError:
        return False
    return crc16_ccitt_false(data) == int(given, 16)


def png(payload: str, *, scale: int = 8) -> bytes:
    """The QR as PNG bytes, drawn locally (error level M, 4-module quiet zone as scanners expect).

    Error level is pinned (no boosting) so the symbol size is predictable for a given payload.
    """
    if scale < 1:
        raise ValueError("scale must be at least 1")
    import segno  # here, not at start-up: most bots never draw a code

    qr = segno.make_qr(payload, error="m", boost_error=False)
    out = io.BytesIO()
    qr.save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
