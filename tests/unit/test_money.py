"""Dollars on the wire, exact integer cents inside (API.md, Values)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dts.money import (
    MAX_AMOUNT_CENTS,
    MoneyFormatError,
    MoneyRangeError,
    format_cents,
    parse_dollars,
)


@pytest.mark.parametrize(
    ("wire", "cents"),
    [
        (5, 500),
        (0, 0),
        (1_000_000_000, 100_000_000_000),
        (Decimal("12.34"), 1234),
        (Decimal("0.01"), 1),
        (Decimal("7.5"), 750),
        (Decimal("12.500"), 1250),
        (Decimal("1E+2"), 10_000),
        ("12.34", 1234),
        ("12.3", 1230),
        ("12", 1200),
        (" 7.05 ", 705),
        ("\t3\n", 300),
        ("0.01", 1),
        (".5", 50),
        ("-3.25", -325),
        ("+3.25", 325),
    ],
)
def test_parse_dollars_gives_exact_cents(wire: object, cents: int) -> None:
    result = parse_dollars(wire)
    assert result == cents
    assert type(result) is int


@pytest.mark.parametrize(
    "wire",
    [
        True,
        False,
        None,
        1.5,
        0.1,
        [1],
        {"$gt": 0},
        "",
        "   ",
        "abc",
        "12,50",
        "$12",
        "1" * 33,
        "NaN",
        "sNaN",
        "Infinity",
        "-inf",
        Decimal("NaN"),
        Decimal("-Infinity"),
        "12.345",
        "0.001",
        "1e-3",
    ],
)
def test_parse_dollars_refuses_anything_but_an_exact_dollar_amount(wire: object) -> None:
    with pytest.raises(MoneyFormatError):
        parse_dollars(wire)


@pytest.mark.parametrize("wire", ["12.345", "0.001", Decimal("0.005"), Decimal("1E-3")])
def test_parse_dollars_says_why_a_third_decimal_is_refused(wire: object) -> None:
    with pytest.raises(MoneyFormatError, match="at most 2 decimals"):
        parse_dollars(wire)


def test_money_format_error_is_a_value_error() -> None:
    assert issubclass(MoneyFormatError, ValueError)


def test_a_string_of_thirty_two_characters_is_accepted_and_thirty_three_refused() -> None:
    text = "1234.50".rjust(32, "0")
    assert parse_dollars(text) == 123_450
    with pytest.raises(MoneyFormatError):
        parse_dollars("0" + text)


@pytest.mark.parametrize("wire", [Decimal("1e999999"), Decimal("9.99e999999")])
def test_parse_dollars_refuses_a_huge_exponent_as_a_format_error(wire: object) -> None:
    with pytest.raises(MoneyFormatError):
        parse_dollars(wire)


@pytest.mark.parametrize(
    "wire",
    [
        "0.10000000000000000000000000001",
        Decimal("5.000000000000000000000000000001"),
        Decimal("1e-999999999"),
    ],
)
def test_parse_dollars_refuses_more_than_two_decimals_however_many_digits(wire: object) -> None:
    with pytest.raises(MoneyFormatError):
        parse_dollars(wire)


def test_parse_dollars_refuses_whole_dollars_beyond_any_limit_instead_of_rounding() -> None:
    assert parse_dollars("1" * 15) == int("1" * 15) * 100
    with pytest.raises(MoneyRangeError):
        parse_dollars("1" * 29)
    with pytest.raises(MoneyRangeError):
        parse_dollars(int("1" * 29))


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (0, "0.00"),
        (1, "0.01"),
        (5, "0.05"),
        (10, "0.10"),
        (99, "0.99"),
        (100, "1.00"),
        (12_345, "123.45"),
        (MAX_AMOUNT_CENTS, "1000000000.00"),
        (-5, "-0.05"),
        (-12_345, "-123.45"),
    ],
)
def test_format_cents_writes_dollars_with_exactly_two_decimals(cents: int, text: str) -> None:
    assert format_cents(cents) == text


def test_max_amount_is_one_billion_dollars() -> None:
    assert MAX_AMOUNT_CENTS == 100_000_000_000


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_format_then_parse_round_trips_every_cent_value(cents: int) -> None:
    assert parse_dollars(format_cents(cents)) == cents


@given(st.integers(min_value=0, max_value=10**12))
def test_a_decimal_with_two_places_parses_to_the_same_cents(cents: int) -> None:
    assert parse_dollars(Decimal(cents).scaleb(-2)) == cents
