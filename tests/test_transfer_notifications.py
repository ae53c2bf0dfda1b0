"""SePay and Casso webhook bodies read into IncomingTransfer, the refusals, and header checks."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from bot.payments import casso, sepay
from bot.payments.transfers import BadNotification, IncomingTransfer, key_matches, normalized

SEPAY_DOC = {
    "id": 92704,
    "gateway": "Vietcombank",
    "transactionDate": "2023-03-25 14:02:37",
    "accountNumber": "0123499999",
    "code": None,
    "content": "chuyen tien mua iphone",
    "transferType": "in",
    "transferAmount": 2277000,
    "accumulated": 19077000,
    "subAccount": None,
    "referenceCode": "MBVCB.3278907687",
    "description": "",
}


def _body(obj: Any) -> bytes:
    return json.dumps(obj).encode("utf-8")


def _sepay(**changes: Any) -> dict[str, Any]:
    data = dict(SEPAY_DOC)
    for key, value in changes.items():
        if value is _DROP:
            data.pop(key, None)
        else:
            data[key] = value
    return data


_DROP = object()


# --- SePay ---------------------------------------------------------------------------


def test_sepay_documented_body() -> None:
    assert sepay.parse(_body(SEPAY_DOC)) == IncomingTransfer(
        source="sepay",
        transaction_id="92704",
        amount=Decimal(2277000),
        incoming=True,
        content="chuyen tien mua iphone",
        account="0123499999",
        reference="MBVCB.3278907687",
        happened_at="2023-03-25 14:02:37",
    )


def test_sepay_strings_for_numbers_and_unknown_keys() -> None:
    t = sepay.parse(_body(_sepay(id="92704", transferAmount="2277000", newField={"x": [1]}, va="VA1")))
    assert t.transaction_id == "92704"
    assert t.amount == Decimal(2277000)
    assert isinstance(t.amount, Decimal)


def test_sepay_zero_fraction_decimal_is_whole() -> None:
    raw = _body(SEPAY_DOC).replace(b"2277000,", b"2277000.00,", 1)
    assert b"2277000.00" in raw
    t = sepay.parse(raw)
    assert t.amount == Decimal(2277000)
    assert str(t.amount) == "2277000"


def test_sepay_null_content_falls_back_to_description() -> None:
    assert sepay.parse(_body(_sepay(content=None, description="NAP7K2Q9D"))).content == "NAP7K2Q9D"
    assert sepay.parse(_body(_sepay(content=_DROP, description="NAP7K2Q9D"))).content == "NAP7K2Q9D"
    assert sepay.parse(_body(_sepay(content=None, description=None))).content == ""
    assert sepay.parse(_body(_sepay(content=_DROP, description=_DROP))).content == ""


def test_sepay_outgoing_and_case() -> None:
    assert sepay.parse(_body(_sepay(transferType="out"))).incoming is False
    assert sepay.parse(_body(_sepay(transferType="IN"))).incoming is True
    assert sepay.parse(_body(_sepay(transferType="Out"))).incoming is False


def test_sepay_optional_fields_absent() -> None:
    t = sepay.parse(_body(_sepay(accountNumber=_DROP, referenceCode=None, transactionDate=_DROP)))
    assert (t.account, t.reference, t.happened_at) == (None, None, None)


def test_sepay_utf8_bom_accepted() -> None:
    assert sepay.parse(b"\xef\xbb\xbf" + _body(SEPAY_DOC)).transaction_id == "92704"


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'"text"',
        b"null",
        b'{"id": 1, "content": "N\xe1\xba\xa1p"}',  # Latin-1, not UTF-8
        _body(SEPAY_DOC).replace(b'"Vietcombank"', b'"Vietcombank\xff"'),
        _body(_sepay(id=_DROP)),
        _body(_sepay(id=None)),
        _body(_sepay(id="")),
        _body(_sepay(id=True)),
        _body(_sepay(id=[1])),
        _body(_sepay(id=-1)),
        _body(_sepay(transferAmount=_DROP)),
        _body(_sepay(transferAmount=None)),
        _body(_sepay(transferAmount=0)),
        _body(_sepay(transferAmount="0")),
        _body(_sepay(transferAmount=-5000)),
        _body(_sepay(transferAmount="-5000")),
        _body(_sepay(transferAmount=True)),
        _body(_sepay(transferAmount="2,277,000")),
        _body(_sepay(transferAmount="2277000.5")),
        _body(_sepay(transferAmount="")),
        _body(_sepay(transferAmount="١٢٣")),
        _body(_sepay(transferAmount=[2277000])),
        _body(SEPAY_DOC).replace(b"2277000,", b"2277000.5,", 1),
        _body(SEPAY_DOC).replace(b"2277000,", b"NaN,", 1),
        _body(SEPAY_DOC).replace(b"2277000,", b"Infinity,", 1),
        _body(SEPAY_DOC).replace(b"2277000,", b"1e999999999,", 1),
        _body(_sepay(transferType=_DROP)),
        _body(_sepay(transferType="both")),
        _body(_sepay(transferType=1)),
        _body(_sepay(content={"x": 1})),
    ],
)
def test_sepay_refusals(body: bytes) -> None:
    with pytest.raises(BadNotification):
        sepay.parse(body)


def test_bad_notification_is_value_error_and_does_not_echo_body() -> None:
    secret = "SECRET-CONTENT-xyz"
    with pytest.raises(ValueError) as info:
        sepay.parse(_body(_sepay(transferAmount=secret)))
    assert isinstance(info.value, BadNotification)
    assert secret not in str(info.value)


def test_sepay_authorized() -> None:
    key = "k3y-ABCdef123"
    assert sepay.AUTH_HEADER == "Authorization"
    assert sepay.authorized(f"Apikey {key}", key)
    assert sepay.authorized(f"apikey {key}", key)
    assert sepay.authorized(f"APIKEY   {key}  ", key)
    assert sepay.authorized(f"  Apikey\t{key}", key)
    assert not sepay.authorized(f"Bearer {key}", key)
    assert not sepay.authorized(key, key)
    assert not sepay.authorized(f"Apikey{key}", key)
    assert not sepay.authorized(None, key)
    assert not sepay.authorized("", key)
    assert not sepay.authorized("Apikey ", key)
    assert not sepay.authorized(f"Apikey {key[:-1]}", key)
    assert not sepay.authorized(f"Apikey {key}x", key)
    assert not sepay.authorized(f"Apikey {key.lower()}", key)
    assert not sepay.authorized("Apikey ", "")
    assert not sepay.authorized("Apikey x", "")


# --- Casso ---------------------------------------------------------------------------

CASSO_V1_ITEM = {
    "id": 123456,
    "tid": "FT2301",
    "description": "NAP7K2Q9D chuyen tien",
    "amount": 50000,
    "cusum_balance": 1000000,
    "when": "2023-01-20 14:02:37",
    "bank_sub_acc_id": "0123456789",
    "subAccId": "0123456789",
}
CASSO_V2_DATA = {
    "id": 987,
    "reference": "BANK_REF_ID",
    "description": "NAP AB12CD",
    "amount": "20000",
    "runningBalance": 25000000,
    "transactionDateTime": "2025-02-12 15:34:11",
    "accountNumber": "88888888",
    "bankName": "VPBank",
    "bankAbbreviation": "VPB",
    "virtualAccountNumber": "",
}


def test_casso_v1_list() -> None:
    second = dict(CASSO_V1_ITEM, id="123457", tid=None, amount="-20000", description=None, when=None)
    result = casso.parse(_body({"error": 0, "data": [CASSO_V1_ITEM, second], "extra": True}))
    assert result == [
        IncomingTransfer(
            source="casso",
            transaction_id="123456",
            amount=Decimal(50000),
            incoming=True,
            content="NAP7K2Q9D chuyen tien",
            account="0123456789",
            reference="FT2301",
            happened_at="2023-01-20 14:02:37",
        ),
        IncomingTransfer(
            source="casso",
            transaction_id="123457",
            amount=Decimal(20000),
            incoming=False,
            content="",
            account="0123456789",
            reference=None,
            happened_at=None,
        ),
    ]


def test_casso_v2_object() -> None:
    [t] = casso.parse(_body({"error": 0, "data": CASSO_V2_DATA}))
    assert t == IncomingTransfer(
        source="casso",
        transaction_id="987",
        amount=Decimal(20000),
        incoming=True,
        content="NAP AB12CD",
        account="88888888",
        reference="BANK_REF_ID",
        happened_at="2025-02-12 15:34:11",
    )


def test_casso_negative_amount_is_outgoing_and_absolute() -> None:
    [t] = casso.parse(_body({"error": 0, "data": dict(CASSO_V2_DATA, amount=-150000)}))
    assert t.incoming is False
    assert t.amount == Decimal(150000)


def test_casso_account_fallbacks() -> None:
    item = dict(CASSO_V1_ITEM, bank_sub_acc_id=None)
    assert casso.parse(_body({"error": 0, "data": [item]}))[0].account == "0123456789"
    item = {k: v for k, v in CASSO_V1_ITEM.items() if k not in ("bank_sub_acc_id", "subAccId")}
    assert casso.parse(_body({"error": 0, "data": [item]}))[0].account is None


def test_casso_empty_list_and_missing_error() -> None:
    assert casso.parse(_body({"error": 0, "data": []})) == []
    assert len(casso.parse(_body({"data": [CASSO_V1_ITEM]}))) == 1


@pytest.mark.parametrize(
    "obj",
    [
        [CASSO_V1_ITEM],
        {"error": 1, "data": [CASSO_V1_ITEM]},
        {"error": "1", "data": []},
        {"error": True, "data": []},
        {"error": 0},
        {"error": 0, "data": None},
        {"error": 0, "data": "x"},
        {"error": 0, "data": [CASSO_V1_ITEM, "x"]},
        {"error": 0, "data": [dict(CASSO_V1_ITEM, amount=0)]},
        {"error": 0, "data": [CASSO_V1_ITEM, dict(CASSO_V1_ITEM, amount="5.000")]},
        {"error": 0, "data": [dict(CASSO_V1_ITEM, amount=None)]},
        {"error": 0, "data": [{k: v for k, v in CASSO_V1_ITEM.items() if k != "amount"}]},
        {"error": 0, "data": [{k: v for k, v in CASSO_V1_ITEM.items() if k != "id"}]},
        {"error": 0, "data": [dict(CASSO_V1_ITEM, id=False)]},
        {"error": 0, "data": dict(CASSO_V2_DATA, amount="--5")},
    ],
)
def test_casso_refusals(obj: Any) -> None:
    with pytest.raises(BadNotification):
        casso.parse(_body(obj))


def test_casso_refuses_fractional_json_number_and_non_utf8() -> None:
    raw = _body({"error": 0, "data": [CASSO_V1_ITEM]}).replace(b"50000", b"50000.25", 1)
    with pytest.raises(BadNotification):
        casso.parse(raw)
    with pytest.raises(BadNotification):
        casso.parse(b'{"error": 0, "data": [\xff]}')


def test_casso_authorized() -> None:
    token = "casso-Secure-Token-1"
    assert casso.AUTH_HEADER == "Secure-Token"
    assert casso.authorized(token, token)
    assert casso.authorized(f"  {token}\n", token)
    assert not casso.authorized(None, token)
    assert not casso.authorized("", token)
    assert not casso.authorized(token[:-1], token)
    assert not casso.authorized(token + "2", token)
    assert not casso.authorized(f"Apikey {token}", token)
    assert not casso.authorized(token.upper(), token)
    assert not casso.authorized("", "")


# --- shared --------------------------------------------------------------------------


def test_key_matches() -> None:
    assert key_matches("abc", "abc")
    assert not key_matches("ab", "abc")
    assert not key_matches(None, "abc")
    assert not key_matches("", "")
    assert key_matches("khóa", "khóa")
    assert not key_matches("khoa", "khóa")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nạp  nap-7k2q 9d.", "NAPNAP7K2Q9D"),
        ("NAP7K2Q9D", "NAP7K2Q9D"),
        ("Đỗ Đức đạt", "DODUCDAT"),
        ("chuyển tiền: NẠP_AB12", "CHUYENTIENNAPAB12"),
        ("ＮＡＰ１２", "NAP12"),
        ("١٢٣ ✓ 😀", ""),
        ("", ""),
    ],
)
def test_normalized(text: str, expected: str) -> None:
    assert normalized(text) == expected
