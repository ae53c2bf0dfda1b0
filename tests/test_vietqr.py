"""VietQR payloads: field layout, CRC, validation, and a PNG that a real decoder reads back."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
import zxingcpp
from PIL import Image

from bot.payments import vietqr

# From the README of github.com/subiz/vietqr (an independent Go generator): 120,000 VND to
# VietinBank (970415) account 0011001932418, content "ung ho lu lut".
SUBIZ_EXAMPLE = (
    "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA"
    "530370454061200005802VN62170813ung ho lu lut6304C15C"
)
# From the README of the Go package github.com/thanhtinhpas1/vietqr-parser: a static QR
# (no amount) for Vietcombank account 0881000458086.
PARSER_EXAMPLE = (
    "00020001021238570010A00000072701270006970436011308810004580860208QRIBFTTA53037045802VN6304CD60"
)


def _reference_crc(data: bytes) -> int:
    """CRC-16/CCITT-FALSE written independently (table-free, MSB-first, per the catalogue definition)."""
    reg = 0xFFFF
    for byte in data:
        for bit in range(7, -1, -1):
            top = (reg >> 15) & 1
            reg = (reg << 1) & 0xFFFF
            if top ^ ((byte >> bit) & 1):
                reg ^= 0x1021
    return reg


def _example() -> str:
    return vietqr.payload("970436", "0123456789", Decimal("50000"), "NAP7K2Q9D")


def test_crc_check_value() -> None:
    assert vietqr.crc16_ccitt_false(b"123456789") == 0x29B1
    assert _reference_crc(b"123456789") == 0x29B1
    assert vietqr.crc16_ccitt_false(b"") == 0xFFFF


def test_payload_parses_back_to_every_field() -> None:
    fields = vietqr.parse(_example())
    assert fields["00"] == "01"
    assert fields["01"] == "12"
    assert fields["38.00"] == "A000000727"
    assert fields["38.01.00"] == "970436"
    assert fields["38.01.01"] == "0123456789"
    assert fields["38.02"] == "QRIBFTTA"
    assert fields["53"] == "704"
    assert fields["54"] == "50000"
    assert fields["58"] == "VN"
    assert fields["62.08"] == "NAP7K2Q9D"
    assert set(k for k in fields if "." not in k) == {"00", "01", "38", "53", "54", "58", "62", "63"}


def test_payload_exact_layout() -> None:
    assert _example() == (
        "000201"
        "010212"
        "38540010A00000072701240006970436011001234567890208QRIBFTTA"
        "5303704"
        "540550000"
        "5802VN"
        "62130809NAP7K2Q9D"
        "6304" + _example()[-4:]
    )


def test_crc_verified_independently() -> None:
    text = _example()
    assert text[-8:-4] == "6304"
    assert int(text[-4:], 16) == _reference_crc(text[:-4].encode("ascii"))
    assert text[-4:] == text[-4:].upper()
    assert vietqr.crc_ok(text)


def test_changed_character_fails_crc() -> None:
    text = _example()
    tampered = text.replace("50000", "90000", 1)
    assert tampered != text
    assert not vietqr.crc_ok(tampered)
    assert not vietqr.crc_ok(text[:-1] + ("0" if text[-1] != "0" else "1"))
    assert not vietqr.crc_ok(text[:-8])
    assert not vietqr.crc_ok("")
    assert not vietqr.crc_ok(text[:-4] + "ZZZZ")


def test_matches_independent_generator_byte_for_byte() -> None:
    ours = vietqr.payload("970415", "0011001932418", Decimal(120000), "ung ho lu lut")
    assert ours == SUBIZ_EXAMPLE
    assert vietqr.crc_ok(SUBIZ_EXAMPLE)


def test_published_static_example_crc() -> None:
    assert int(PARSER_EXAMPLE[-4:], 16) == vietqr.crc16_ccitt_false(PARSER_EXAMPLE[:-4].encode())
    assert vietqr.crc_ok(PARSER_EXAMPLE)
    fields = vietqr.parse(PARSER_EXAMPLE)
    assert fields["38.01.00"] == "970436"
    assert fields["38.01.01"] == "0881000458086"
    assert "54" not in fields


@pytest.mark.parametrize(
    ("bank_bin", "account", "amount", "content", "message"),
    [
        ("97043", "0123456789", Decimal(1000), "X", "BIN"),
        ("97043a", "0123456789", Decimal(1000), "X", "BIN"),
        ("9704361", "0123456789", Decimal(1000), "X", "BIN"),
        ("970436", "", Decimal(1000), "X", "account"),
        ("970436", "0" * 20, Decimal(1000), "X", "account"),
        ("970436", "0123-456", Decimal(1000), "X", "account"),
        ("970436", "0123456789", Decimal("1000.5"), "X", "whole"),
        ("970436", "0123456789", Decimal(0), "X", "positive"),
        ("970436", "0123456789", Decimal(-5), "X", "positive"),
        ("970436", "0123456789", Decimal("NaN"), "X", "positive"),
        ("970436", "0123456789", Decimal("1E13"), "X", "digits"),
        ("970436", "0123456789", 1000.0, "X", "float"),
        ("970436", "0123456789", True, "X", "float"),
        ("970436", "0123456789", Decimal(1000), "A" * 26, "content"),
        ("970436", "0123456789", Decimal(1000), "Nạp tiền", "content"),
        ("970436", "0123456789", Decimal(1000), "NAP-1", "content"),
    ],
)
def test_input_validation(bank_bin: str, account: str, amount: object, content: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        vietqr.payload(bank_bin, account, amount, content)  # type: ignore[arg-type]


def test_amount_forms() -> None:
    assert vietqr.parse(vietqr.payload("970436", "1", Decimal("50000.00"), "X"))["54"] == "50000"
    assert vietqr.parse(vietqr.payload("970436", "1", Decimal("5E+4"), "X"))["54"] == "50000"
    assert vietqr.parse(vietqr.payload("970436", "1", Decimal("9999999999999"), "X"))["54"] == "9999999999999"


def test_empty_content_omits_field_62() -> None:
    text = vietqr.payload("970436", "0123456789", Decimal(1000), "")
    assert "62" not in vietqr.parse(text)
    assert vietqr.crc_ok(text)


def test_parse_refuses_malformed() -> None:
    with pytest.raises(ValueError):
        vietqr.parse("000201010")  # truncated header
    with pytest.raises(ValueError):
        vietqr.parse("0002010105")  # value shorter than its length
    with pytest.raises(ValueError):
        vietqr.parse("000201000201")  # repeated ID
    with pytest.raises(ValueError):
        vietqr.parse("00020138040099")  # template whose inner value is truncated


def test_png_decodes_back_to_the_payload() -> None:
    text = _example()
    data = vietqr.png(text)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    results = zxingcpp.read_barcodes(image)
    assert [r.text for r in results] == [text]
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode
    assert results[0].ec_level == "M"


def test_png_scale_and_quiet_zone() -> None:
    text = _example()
    small = Image.open(io.BytesIO(vietqr.png(text, scale=1)))
    big = Image.open(io.BytesIO(vietqr.png(text, scale=4)))
    assert big.size == (small.size[0] * 4, small.size[1] * 4)
    # 4-module white border: the top-left 4x4 modules are all light.
    rgb = small.convert("L")
    assert all(rgb.getpixel((x, y)) == 255 for x in range(4) for y in range(4))
    assert rgb.getpixel((4, 4)) == 0  # finder pattern corner starts right after the border
    with pytest.raises(ValueError):
        vietqr.png(text, scale=0)


def test_bank_names() -> None:
    assert vietqr.bank_name("970436") == "Vietcombank"
    assert vietqr.bank_name("970415") == "VietinBank"
    assert vietqr.bank_name("970422") == "MB Bank"
    assert vietqr.bank_name("999999") == "999999"
    assert all(len(b) == 6 and b.isdigit() for b in vietqr.BANKS)
