"""Request bodies (API.md, Values): trimmed, exact, in range, or one BadInput/OutOfRange."""

from __future__ import annotations

import builtins
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel

from dts import validation
from dts.errors import BadInput, OutOfRange
from dts.validation import (
    AmountBody,
    Body,
    Credentials,
    DumplogBody,
    RecentBody,
    SymbolBody,
    TradeBody,
    parse,
)


def refusal(model: type[BaseModel], body: object) -> BadInput | OutOfRange:
    with pytest.raises((BadInput, OutOfRange)) as refused:
        parse(model, body)
    return refused.value


# --- the body as a whole --------------------------------------------------------------------------


@pytest.mark.parametrize("body", [[], [{"sym": "A"}], "sym=A", 5, None, Decimal(1)])
def test_a_body_that_is_not_a_json_object_is_bad_input(body: object) -> None:
    error = refusal(TradeBody, body)
    assert type(error) is BadInput
    assert (error.status, error.code) == (400, "BAD_INPUT")
    assert error.message == "the request body must be a JSON object"


@pytest.mark.parametrize(
    ("model", "body", "field"),
    [
        (TradeBody, {"amount": "1"}, "sym"),
        (TradeBody, {"sym": "A"}, "amount"),
        (AmountBody, {}, "amount"),
        (SymbolBody, {"username": "u"}, "sym"),
        (DumplogBody, {}, "filename"),
        (Credentials, {"username": "bob"}, "password"),
    ],
)
def test_a_missing_field_is_bad_input_naming_it(
    model: type[BaseModel], body: dict[str, object], field: str
) -> None:
    error = refusal(model, body)
    assert type(error) is BadInput
    assert error.code == "MISSING_FIELD"
    assert error.message == f"{field} is required"


def test_unknown_fields_are_ignored() -> None:
    body = parse(TradeBody, {"sym": "A", "amount": "1", "extra": {"$ne": None}, "price": 1})
    assert body.model_dump() == {"username": None, "trxNum": None, "sym": "A", "amount": 100}


def test_parsed_bodies_are_frozen() -> None:
    body = parse(TradeBody, {"sym": "A", "amount": "1"})
    with pytest.raises(ValueError):
        body.sym = "B"  # type: ignore[misc]


def test_a_full_trade_body_comes_out_trimmed_upper_cased_and_in_cents() -> None:
    body = parse(TradeBody, {"username": " bob ", "sym": " abc ", "amount": " 12.34 ", "trxNum": 7})
    assert (body.username, body.sym, body.amount, body.trxNum) == ("bob", "ABC", 1234, 7)


# --- username ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wire", "username"),
    [
        ("bob", "bob"),
        ("  bob\t", "bob"),
        ("A.b-c_9", "A.b-c_9"),
        ("x" * 64, "x" * 64),
        ("1", "1"),
    ],
)
def test_usernames_of_the_allowed_characters_are_accepted_trimmed(wire: str, username: str) -> None:
    assert parse(Body, {"username": wire}).username == username


def test_username_is_optional_in_a_command_body() -> None:
    assert parse(Body, {}).username is None
    assert parse(Body, {"username": None}).username is None


@pytest.mark.parametrize(
    "wire",
    [
        "",
        "   ",
        "x" * 65,
        "bob smith",
        "bob/../x",
        "bob$",
        "bøb",
        "bob\n1",
        {"$ne": None},
        {"$gt": ""},
        ["bob"],
        5,
        True,
    ],
)
def test_other_usernames_are_bad_input(wire: Any) -> None:
    error = refusal(Body, {"username": wire})
    assert type(error) is BadInput
    assert error.status == 400
    assert error.message.startswith("username ")


# --- sym -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wire", "sym"),
    [
        ("S", "S"),
        ("abc", "ABC"),
        (" aBc ", "ABC"),
        ("ABCDE", "ABCDE"),
        ("a1", "A1"),
        ("123", "123"),
    ],
)
def test_symbols_are_trimmed_and_upper_cased(wire: str, sym: str) -> None:
    assert parse(SymbolBody, {"sym": wire}).sym == sym


@pytest.mark.parametrize(
    "wire",
    ["", "  ", "ABCDEF", "AB C", "A-B", "A.B", "ÄBC", "ß", "١٢", {"$ne": None}, ["A"], 1, None],
)
def test_other_symbols_are_bad_input(wire: Any) -> None:
    error = refusal(SymbolBody, {"sym": wire})
    assert type(error) is BadInput
    assert error.message.startswith("sym ")


# --- amount --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wire", "cents"),
    [
        ("12.34", 1234),
        (Decimal("12.34"), 1234),
        (12, 1200),
        ("0.01", 1),
        (Decimal("0.01"), 1),
        (1_000_000_000, 100_000_000_000),
        ("1000000000.00", 100_000_000_000),
        (" 5 ", 500),
    ],
)
def test_amounts_are_exact_cents(wire: Any, cents: int) -> None:
    assert parse(AmountBody, {"amount": wire}).amount == cents


@pytest.mark.parametrize(
    ("wire", "message"),
    [
        (0, "amount must be greater than 0"),
        ("0.00", "amount must be greater than 0"),
        (-1, "amount must be greater than 0"),
        ("-0.01", "amount must be greater than 0"),
        (Decimal("1000000000.01"), "amount must be at most 1000000000 dollars"),
        (10**12, "amount must be at most 1000000000 dollars"),
    ],
)
def test_amounts_out_of_range_are_out_of_range(wire: Any, message: str) -> None:
    error = refusal(AmountBody, {"amount": wire})
    assert type(error) is OutOfRange
    assert (error.status, error.code) == (422, "OUT_OF_RANGE")
    assert error.message == message


@pytest.mark.parametrize(
    "wire",
    [1.5, 0.1, "12.345", "abc", "NaN", "Infinity", True, None, {"$gt": 0}, [1], ""],
)
def test_malformed_amounts_are_bad_input(wire: Any) -> None:
    error = refusal(AmountBody, {"amount": wire})
    assert type(error) is BadInput
    assert error.message.startswith("amount ")


@pytest.mark.parametrize("wire", [Decimal("1e999999"), Decimal("-1e999999")])
def test_an_amount_with_a_huge_exponent_is_refused_as_bad_input(wire: Any) -> None:
    error = refusal(TradeBody, {"sym": "A", "amount": wire})
    assert error.status in (400, 422)


# --- trxNum and limit ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wire", "number"),
    [
        (1, 1),
        (42, 42),
        ("42", 42),
        (" 7 ", 7),
        (Decimal("3"), 3),
        (Decimal("3.0"), 3),
        (2**53, 2**53),
    ],
)
def test_transaction_numbers_are_whole_numbers(wire: Any, number: int) -> None:
    assert parse(Body, {"trxNum": wire}).trxNum == number


@pytest.mark.parametrize("wire", [0, -5, 2**53 + 1, Decimal("3.5"), "x", True, {"$ne": None}])
def test_other_transaction_numbers_are_dropped_not_refused(wire: Any) -> None:
    """More in tests/unit/test_validation_trace_numbers.py."""
    assert parse(Body, {"trxNum": wire}).trxNum is None


def test_recent_limit_is_optional_and_a_positive_whole_number() -> None:
    assert parse(RecentBody, {}).limit is None
    assert parse(RecentBody, {"limit": "5"}).limit == 5
    assert type(refusal(RecentBody, {"limit": 0})) is OutOfRange


class _HugeConversion(Exception):
    """Raised instead of building an integer of millions of digits."""


class _GuardMeta(type):
    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, builtins.int)


class _GuardedInt(builtins.int, metaclass=_GuardMeta):
    """`int` for dts.validation that refuses to expand a Decimal with a huge exponent."""

    def __new__(cls, value: Any = 0, *args: Any) -> Any:  # type: ignore[misc]
        if isinstance(value, Decimal) and value.is_finite() and value.adjusted() > 1_000:
            raise _HugeConversion(f"int() of a {value.adjusted() + 1}-digit number")
        return builtins.int(value, *args)


def test_a_whole_number_with_a_huge_exponent_is_refused_or_dropped_without_expanding_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(validation, "int", _GuardedInt, raising=False)
    assert parse(Body, {"trxNum": 12}).trxNum == 12  # the guard itself changes nothing else
    error = refusal(RecentBody, {"limit": Decimal("1e999999999")})
    assert type(error) is OutOfRange
    assert parse(Body, {"trxNum": Decimal("1e999999999")}).trxNum is None


# --- credentials and dumplog ---------------------------------------------------------------------


def test_credentials_need_a_valid_username_and_an_8_to_128_character_password() -> None:
    assert parse(Credentials, {"username": " bob ", "password": "p" * 8}) == Credentials(
        username="bob", password="p" * 8
    )
    assert parse(Credentials, {"username": "bob", "password": "p" * 128}).password == "p" * 128
    for password in ("p" * 7, "p" * 129, 12345678, None, ["p" * 8]):
        error = refusal(Credentials, {"username": "bob", "password": password})
        assert type(error) is BadInput
        assert error.message.startswith("password ")


def test_passwords_are_not_trimmed() -> None:
    assert parse(Credentials, {"username": "bob", "password": " secret  "}).password == " secret  "


def test_dumplog_filename_is_trimmed_and_must_not_be_empty() -> None:
    assert parse(DumplogBody, {"filename": " log.xml "}).filename == "log.xml"
    assert parse(DumplogBody, {"filename": "x.xml", "username": "bob"}).username == "bob"
    for filename in ("", "   ", {"$ne": None}, 5):
        error = refusal(DumplogBody, {"filename": filename})
        assert type(error) is BadInput
        assert error.message.startswith("filename ")
