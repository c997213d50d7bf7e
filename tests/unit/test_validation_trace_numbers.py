"""`trxNum` is a trace number (API.md, Transport): a usable one is kept, anything else is dropped
and never refuses the body it came in."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from dts.errors import OutOfRange
from dts.validation import AmountBody, Body, DumplogBody, RecentBody, SymbolBody, TradeBody, parse

NOT_USABLE = [
    0,
    -1,
    -7,
    2**53 + 1,
    2**60,
    Decimal("1e30"),
    Decimal("1e999999999"),
    Decimal("-1e999999999"),
    Decimal("1.5"),
    Decimal("0.0"),
    "abc",
    "",
    "-1",
    "1.0",
    "0",
    True,
    False,
    1.0,
    {"$ne": None},
    [1],
]


@pytest.mark.parametrize("wire", NOT_USABLE, ids=repr)
def test_a_trx_num_that_is_not_a_whole_number_from_1_to_2_pow_53_is_dropped(wire: Any) -> None:
    assert parse(Body, {"trxNum": wire}).trxNum is None


@pytest.mark.parametrize("wire", NOT_USABLE, ids=repr)
def test_a_trx_num_never_refuses_the_body_it_came_in(wire: Any) -> None:
    body = parse(TradeBody, {"username": "bob", "sym": "ABC", "amount": "1.00", "trxNum": wire})
    assert (body.username, body.sym, body.amount, body.trxNum) == ("bob", "ABC", 100, None)


def test_the_original_clients_bodies_parse_with_its_zero_trx_num_dropped() -> None:
    """Amounts as JSON floats (parsed as Decimal), symbols with a trailing space and newline."""
    add = parse(
        AmountBody, {"cmd": "ADD", "username": "u", "amount": Decimal("91628.0"), "trxNum": 0}
    )
    assert (add.username, add.amount, add.trxNum) == ("u", 9162800, None)
    quote = parse(SymbolBody, {"cmd": "QUOTE", "username": "u", "sym": "ABC \n", "trxNum": 0})
    assert (quote.sym, quote.trxNum) == ("ABC", None)
    dump = parse(DumplogBody, {"filename": "./testLOG", "trxNum": -1})
    assert (dump.filename, dump.trxNum) == ("./testLOG", None)


def test_a_recent_limit_is_still_refused_when_out_of_range_while_trx_num_is_not() -> None:
    assert parse(RecentBody, {"limit": 5, "trxNum": 0}).limit == 5
    with pytest.raises(OutOfRange, match=r"^limit "):
        parse(RecentBody, {"limit": 0, "trxNum": 5})
