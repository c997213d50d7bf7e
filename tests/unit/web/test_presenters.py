"""Replies on the wire: each `*_cents` integer becomes an exact dollar string, plain name."""

from __future__ import annotations

import copy

import pytest

from dts.web.presenters import to_wire


def test_cents_fields_become_dollar_strings_under_the_plain_name() -> None:
    assert to_wire({"funds_cents": 12_345, "price_cents": 5}) == {
        "funds": "123.45",
        "price": "0.05",
    }


def test_a_cents_field_that_is_none_stays_none_under_the_plain_name() -> None:
    assert to_wire({"trigger_cents": None}) == {"trigger": None}


@pytest.mark.parametrize(
    ("cents", "dollars"),
    [(0, "0.00"), (1, "0.01"), (100, "1.00"), (100_000_000_000, "1000000000.00")],
)
def test_cents_are_written_with_exactly_two_decimals(cents: int, dollars: str) -> None:
    assert to_wire({"amount_cents": cents}) == {"amount": dollars}


def test_other_fields_pass_through_unchanged() -> None:
    reply = {
        "ok": True,
        "message": "bought 4 ABC at 12.00",
        "shares": 4,
        "quoteServerTime": 1_700_000_000_000,
        "cryptokey": "abc=",
        "cached": False,
        "expires_at": 60_000,
        "note": None,
    }
    assert to_wire(reply) == reply


def test_a_cents_named_field_that_is_not_an_integer_is_left_as_it_is() -> None:
    assert to_wire({"amount_cents": "12.00"}) == {"amount_cents": "12.00"}
    assert to_wire({"amount_cents": {"x_cents": 1}}) == {"amount_cents": {"x": "0.01"}}


def test_only_the_suffix_is_removed() -> None:
    assert to_wire({"cents": 5, "cents_total": 5, "reserved_cents": 7}) == {
        "cents": 5,
        "cents_total": 5,
        "reserved": "0.07",
    }


def test_nested_replies_are_converted_all_the_way_down() -> None:
    summary = {
        "username": "u",
        "funds_cents": 52_00,
        "reserved_cents": 48_00,
        "pending_buys": [
            {"sym": "ABC", "shares": 4, "price_cents": 12_00, "amount_cents": 48_00},
        ],
        "buy_triggers": [{"sym": "XYZ", "amount_cents": 10_00, "trigger_cents": None}],
        "order": {"sell": {"trigger_cents": 15_50}},
    }
    assert to_wire(summary) == {
        "username": "u",
        "funds": "52.00",
        "reserved": "48.00",
        "pending_buys": [{"sym": "ABC", "shares": 4, "price": "12.00", "amount": "48.00"}],
        "buy_triggers": [{"sym": "XYZ", "amount": "10.00", "trigger": None}],
        "order": {"sell": {"trigger": "15.50"}},
    }


def test_tuples_become_lists() -> None:
    assert to_wire(({"price_cents": 1}, 2)) == [{"price": "0.01"}, 2]


@pytest.mark.parametrize("value", [None, 5, "text", True, 1.5])
def test_plain_values_are_returned_as_they_are(value: object) -> None:
    assert to_wire(value) == value


def test_the_reply_given_is_not_modified() -> None:
    reply = {"funds_cents": 100, "items": [{"price_cents": 1}]}
    before = copy.deepcopy(reply)
    to_wire(reply)
    assert reply == before
