"""Every command through NGINX: what it does to the account, what it refuses, what it audits.

Prices are the quote server's fixed ones (`stack.price_cents`), so every expected balance is exact.
A refused command must leave the account exactly as it was (`assert_refused_changes_nothing`).
"""

from __future__ import annotations

import random
import uuid
from typing import Any

import pytest

from dts.money import format_cents as dollars
from tests.integration.harness import Client, Stack, logged, summary

SYM = "ABC"
OTHER_SYM = "XYZ"


def fresh_symbol() -> str:
    """A symbol no other test quotes, so its first quote is a cache miss."""
    return "Q" + uuid.uuid4().hex[:4].upper()


def fresh_trx() -> int:
    """A transaction number far above the server-assigned ones, so it names one command."""
    return random.randrange(10**12, 10**15)


def snapshot(operator: Client, user: str) -> dict[str, Any]:
    """The account's summary, without the countdowns that tick between two reads."""
    state = summary(operator, user)
    for trade in state["pending_buys"] + state["pending_sells"]:
        trade.pop("seconds_left")
    return state


def assert_refused_changes_nothing(
    operator: Client, user: str, path: str, body: dict[str, Any], status: int, code: str
) -> dict[str, Any]:
    before = snapshot(operator, user)
    refusal = operator.refused(path, {"username": user, **body}, status, code)
    assert snapshot(operator, user) == before
    return refusal


def hold_shares(operator: Client, user: str, sym: str, shares: int, price: int) -> None:
    """Gives the user `shares` committed shares of `sym` by a BUY and COMMIT_BUY."""
    operator.ok("/buy/buy", {"username": user, "sym": sym, "amount": dollars(shares * price)})
    operator.ok("/buy/commit_buy", {"username": user})


# ADD ------------------------------------------------------------------------------------------


def test_add_creates_the_account_and_credits_exact_cents(operator: Client, new_user) -> None:
    user = new_user(None)
    first = operator.ok("/user_utils/add", {"username": user, "amount": "12.34"})
    assert first["funds"] == "12.34"
    assert first["message"] == "added 12.34"
    second = operator.ok("/user_utils/add", {"username": user, "amount": 0.66})
    assert second["funds"] == "13.00"
    state = summary(operator, user)
    assert state["username"] == user
    assert (state["funds"], state["reserved"], state["holdings"]) == ("13.00", "0.00", [])
    assert state["pending_buys"] == state["pending_sells"] == []
    assert state["buy_triggers"] == state["sell_triggers"] == []


@pytest.mark.parametrize(
    ("amount", "status", "code"),
    [
        ("0", 422, "OUT_OF_RANGE"),
        ("-5.00", 422, "OUT_OF_RANGE"),
        ("1000000000.01", 422, "OUT_OF_RANGE"),
        ("1.234", 400, "BAD_INPUT"),
        ("ten", 400, "BAD_INPUT"),
        ({"$gt": 0}, 400, "BAD_INPUT"),
    ],
)
def test_add_refuses_an_invalid_amount_and_changes_nothing(
    operator: Client, new_user, amount: Any, status: int, code: str
) -> None:
    user = new_user("50.00")
    assert_refused_changes_nothing(
        operator, user, "/user_utils/add", {"amount": amount}, status, code
    )
    assert summary(operator, user)["funds"] == "50.00"


def test_add_without_amount_is_refused_as_missing_field(operator: Client, new_user) -> None:
    user = new_user("50.00")
    assert_refused_changes_nothing(operator, user, "/user_utils/add", {}, 400, "MISSING_FIELD")


# QUOTE ----------------------------------------------------------------------------------------


def test_quote_returns_the_fixed_price_and_is_cached_on_the_second_call(
    operator: Client, new_user, stack: Stack, db
) -> None:
    user = new_user("1.00")
    sym = fresh_symbol()
    first = operator.ok("/user_utils/quote", {"username": user, "sym": sym.lower()})
    assert first["sym"] == sym
    assert first["price"] == dollars(stack.price_cents(sym))
    assert first["cached"] is False
    assert first["cryptokey"]
    second = operator.ok("/user_utils/quote", {"username": user, "sym": sym})
    assert second["cached"] is True
    assert (second["price"], second["cryptokey"], second["quoteServerTime"]) == (
        first["price"],
        first["cryptokey"],
        first["quoteServerTime"],
    )
    fetches = list(logged(db).find({"type": "quoteServer", "sym": sym}))
    assert len(fetches) == 1
    assert fetches[0]["price"] == stack.price_cents(sym)
    assert fetches[0]["cryptokey"] == first["cryptokey"]
    assert fetches[0]["quoteServerTime"] == first["quoteServerTime"]


def test_quote_needs_no_account_and_creates_none(operator: Client, new_user, stack, db) -> None:
    user = new_user(None)
    reply = operator.ok("/user_utils/quote", {"username": user, "sym": SYM})
    assert reply["price"] == dollars(stack.price_cents(SYM))
    assert db.user_table.count_documents({"username": user}) == 0


@pytest.mark.parametrize("sym", ["TOOLONG", "A-B", "", {"$ne": None}])
def test_quote_refuses_a_malformed_symbol(operator: Client, new_user, sym: Any) -> None:
    user = new_user("1.00")
    operator.refused("/user_utils/quote", {"username": user, "sym": sym}, 400, "BAD_INPUT")


# BUY, COMMIT_BUY, CANCEL_BUY ------------------------------------------------------------------


def test_buy_reserves_floor_shares_times_price_and_leaves_the_rest(
    operator: Client, new_user, stack: Stack
) -> None:
    price = stack.price_cents(SYM)
    funds = 5 * price
    user = new_user(dollars(funds))
    reply = operator.ok(
        "/buy/buy", {"username": user, "sym": SYM, "amount": dollars(3 * price + 99)}
    )
    assert reply["pending"]["shares"] == 3
    assert reply["pending"]["price"] == dollars(price)
    assert reply["pending"]["amount"] == dollars(3 * price)
    state = summary(operator, user)
    assert state["funds"] == dollars(funds - 3 * price)
    assert state["reserved"] == dollars(3 * price)
    assert state["holdings"] == []
    [pending] = state["pending_buys"]
    assert (pending["sym"], pending["shares"], pending["price"]) == (SYM, 3, dollars(price))


def test_commit_buy_moves_the_reserved_shares_into_holdings(
    operator: Client, new_user, stack: Stack
) -> None:
    price = stack.price_cents(SYM)
    funds = 5 * price + 7
    user = new_user(dollars(funds))
    operator.ok("/buy/buy", {"username": user, "sym": SYM, "amount": dollars(3 * price + 5)})
    reply = operator.ok("/buy/commit_buy", {"username": user})
    assert reply["trade"]["shares"] == 3
    assert reply["message"] == f"bought 3 {SYM} at {dollars(price)}"
    state = summary(operator, user)
    assert state["funds"] == dollars(funds - 3 * price)
    assert state["reserved"] == "0.00"
    assert state["holdings"] == [
        {"sym": SYM, "shares": 3, "reserved_shares": 0, "cost_basis": dollars(3 * price)}
    ]
    assert state["pending_buys"] == []


def test_cancel_buy_returns_the_reserved_cash(operator: Client, new_user, stack: Stack) -> None:
    price = stack.price_cents(SYM)
    user = new_user(dollars(4 * price))
    operator.ok("/buy/buy", {"username": user, "sym": SYM, "amount": dollars(2 * price)})
    reply = operator.ok("/buy/cancel_buy", {"username": user})
    assert reply["trade"]["shares"] == 2
    state = summary(operator, user)
    assert (state["funds"], state["reserved"]) == (dollars(4 * price), "0.00")
    assert state["holdings"] == [] and state["pending_buys"] == []


def test_buy_of_more_than_the_funds_is_refused(operator: Client, new_user, stack: Stack) -> None:
    price = stack.price_cents(SYM)
    user = new_user(dollars(2 * price))
    assert_refused_changes_nothing(
        operator,
        user,
        "/buy/buy",
        {"sym": SYM, "amount": dollars(2 * price + 1)},
        409,
        "INSUFFICIENT_FUNDS",
    )


def test_buy_of_less_than_one_share_is_refused(operator: Client, new_user, stack: Stack) -> None:
    price = stack.price_cents(SYM)
    user = new_user(dollars(10 * price))
    assert_refused_changes_nothing(
        operator, user, "/buy/buy", {"sym": SYM, "amount": dollars(price - 1)}, 409, "ZERO_SHARES"
    )


@pytest.mark.parametrize("path", ["/buy/commit_buy", "/buy/cancel_buy"])
def test_commit_or_cancel_buy_without_a_pending_buy_is_refused(
    operator: Client, new_user, path: str
) -> None:
    user = new_user("100.00")
    assert_refused_changes_nothing(operator, user, path, {}, 409, "NO_PENDING_BUY")


def test_a_committed_buy_cannot_be_committed_or_cancelled_again(
    operator: Client, new_user, stack: Stack
) -> None:
    price = stack.price_cents(SYM)
    user = new_user(dollars(3 * price))
    hold_shares(operator, user, SYM, 2, price)
    for path in ("/buy/commit_buy", "/buy/cancel_buy"):
        assert_refused_changes_nothing(operator, user, path, {}, 409, "NO_PENDING_BUY")
    state = summary(operator, user)
    assert state["funds"] == dollars(price)
    assert state["holdings"] == [
        {"sym": SYM, "shares": 2, "reserved_shares": 0, "cost_basis": dollars(2 * price)}
    ]


# SELL, COMMIT_SELL, CANCEL_SELL ---------------------------------------------------------------


def test_sell_reserves_floor_shares_out_of_the_holding(
    operator: Client, new_user, stack: Stack
) -> None:
    price = stack.price_cents(SYM)
    user = new_user(dollars(5 * price))
    hold_shares(operator, user, SYM, 5, price)
    reply = operator.ok(
        "/sell/sell", {"username": user, "sym": SYM, "amount": dollars(2 * price + price - 1)}
    )
    assert (reply["pending"]["shares"], reply["pending"]["amount"]) == (2, dollars(2 * price))
    state = summary(operator, user)
    assert state["funds"] == "0.00"
    assert state["holdings"] == [
        {"sym": SYM, "shares": 3, "reserved_shares": 2, "cost_basis": dollars(5 * price)}
    ]
    [pending] = state["pending_sells"]
    assert (pending["sym"], pending["shares"], pending["price"]) == (SYM, 2, dollars(price))


def test_sell_of_the_whole_holding_shows_it_as_reserved(
    operator: Client, new_user, stack: Stack
) -> None:
    price = stack.price_cents(SYM)
    user = new_user(dollars(2 * price))
    hold_shares(operator, user, SYM, 2, price)
    operator.ok("/sell/sell", {"username": user, "sym": SYM, "amount": dollars(2 * price)})
    assert summary(operator, user)["holdings"] == [
        {"sym": SYM, "shares": 0, "reserved_shares": 2, "cost_basis": dollars(2 * price)}
    ]


def test_commit_sell_pays_shares_times_the_quoted_price(
    operator: Client, new_user, stack: Stack
) -> None:
    price = stack.price_cents(SYM)
    user = new_user(dollars(4 * price + 3))
    hold_shares(operator, user, SYM, 4, price)
    operator.ok("/sell/sell", {"username": user, "sym": SYM, "amount": dollars(3 * price + 1)})
    reply = operator.ok("/sell/commit_sell", {"username": user})
    assert reply["message"] == f"sold 3 {SYM} at {dollars(price)}"
    state = summary(operator, user)
    assert state["funds"] == dollars(3 * price + 3)
    assert state["holdings"] == [
        {"sym": SYM, "shares": 1, "reserved_shares": 0, "cost_basis": dollars(price)}
    ]
    assert state["pending_sells"] == []


def test_cancel_sell_returns_the_reserved_shares(operator: Client, new_user, stack: Stack) -> None:
    price = stack.price_cents(SYM)
    user = new_user(dollars(3 * price))
    hold_shares(operator, user, SYM, 3, price)
    operator.ok("/sell/sell", {"username": user, "sym": SYM, "amount": dollars(3 * price)})
    operator.ok("/sell/cancel_sell", {"username": user})
    state = summary(operator, user)
    assert state["funds"] == "0.00"
    assert state["holdings"] == [
        {"sym": SYM, "shares": 3, "reserved_shares": 0, "cost_basis": dollars(3 * price)}
    ]
    assert state["pending_sells"] == []


def test_sell_without_a_holding_is_refused(operator: Client, new_user, stack: Stack) -> None:
    user = new_user("1000.00")
    assert_refused_changes_nothing(
        operator,
        user,
        "/sell/sell",
        {"sym": SYM, "amount": dollars(stack.price_cents(SYM))},
        409,
        "INSUFFICIENT_SHARES",
    )


def test_sell_of_more_shares_than_held_is_refused(operator: Client, new_user, stack: Stack) -> None:
    price = stack.price_cents(SYM)
    user = new_user(dollars(2 * price))
    hold_shares(operator, user, SYM, 2, price)
    assert_refused_changes_nothing(
        operator,
        user,
        "/sell/sell",
        {"sym": SYM, "amount": dollars(3 * price)},
        409,
        "INSUFFICIENT_SHARES",
    )


def test_sell_of_less_than_one_share_is_refused(operator: Client, new_user, stack: Stack) -> None:
    price = stack.price_cents(SYM)
    user = new_user(dollars(2 * price))
    hold_shares(operator, user, SYM, 2, price)
    assert_refused_changes_nothing(
        operator,
        user,
        "/sell/sell",
        {"sym": SYM, "amount": dollars(price - 1)},
        409,
        "ZERO_SHARES",
    )


@pytest.mark.parametrize("path", ["/sell/commit_sell", "/sell/cancel_sell"])
def test_commit_or_cancel_sell_without_a_pending_sell_is_refused(
    operator: Client, new_user, stack: Stack, path: str
) -> None:
    price = stack.price_cents(SYM)
    user = new_user(dollars(price))
    hold_shares(operator, user, SYM, 1, price)
    assert_refused_changes_nothing(operator, user, path, {}, 409, "NO_PENDING_SELL")


# SET_BUY_AMOUNT, SET_BUY_TRIGGER, CANCEL_SET_BUY ----------------------------------------------


def test_set_buy_amount_reserves_the_amount(operator: Client, new_user) -> None:
    user = new_user("100.00")
    reply = operator.ok("/buy/set_buy_amount", {"username": user, "sym": SYM, "amount": "40.01"})
    assert reply["order"] == {
        "sym": SYM,
        "amount": "40.01",
        "trigger": None,
        "reserved_shares": 0,
    }
    state = summary(operator, user)
    assert (state["funds"], state["reserved"]) == ("59.99", "40.01")
    assert state["buy_triggers"] == [reply["order"]]


def test_second_set_buy_amount_replaces_the_first_and_keeps_the_trigger(
    operator: Client, new_user, stack: Stack
) -> None:
    below = stack.price_cents(SYM) - 1
    user = new_user("100.00")
    operator.ok("/buy/set_buy_amount", {"username": user, "sym": SYM, "amount": "60.00"})
    operator.ok("/buy/set_buy_trigger", {"username": user, "sym": SYM, "amount": dollars(below)})
    operator.ok("/buy/set_buy_amount", {"username": user, "sym": SYM, "amount": "90.00"})
    state = summary(operator, user)
    assert (state["funds"], state["reserved"]) == ("10.00", "90.00")
    assert state["buy_triggers"] == [
        {"sym": SYM, "amount": "90.00", "trigger": dollars(below), "reserved_shares": 0}
    ]


def test_set_buy_amount_beyond_funds_is_refused(operator: Client, new_user) -> None:
    user = new_user("100.00")
    assert_refused_changes_nothing(
        operator,
        user,
        "/buy/set_buy_amount",
        {"sym": SYM, "amount": "100.01"},
        409,
        "INSUFFICIENT_FUNDS",
    )


def test_second_set_buy_amount_beyond_funds_plus_old_reservation_is_refused(
    operator: Client, new_user
) -> None:
    user = new_user("100.00")
    operator.ok("/buy/set_buy_amount", {"username": user, "sym": SYM, "amount": "30.00"})
    assert_refused_changes_nothing(
        operator,
        user,
        "/buy/set_buy_amount",
        {"sym": SYM, "amount": "100.01"},
        409,
        "INSUFFICIENT_FUNDS",
    )
    assert summary(operator, user)["reserved"] == "30.00"


def test_set_buy_trigger_below_the_price_keeps_the_reservation_waiting(
    operator: Client, new_user, stack: Stack
) -> None:
    below = stack.price_cents(SYM) - 1
    user = new_user("1000.00")
    operator.ok("/buy/set_buy_amount", {"username": user, "sym": SYM, "amount": "700.00"})
    reply = operator.ok(
        "/buy/set_buy_trigger", {"username": user, "sym": SYM, "amount": dollars(below)}
    )
    assert reply["fired"] is None
    state = summary(operator, user)
    assert (state["funds"], state["reserved"], state["holdings"]) == ("300.00", "700.00", [])
    assert state["buy_triggers"] == [
        {"sym": SYM, "amount": "700.00", "trigger": dollars(below), "reserved_shares": 0}
    ]


def test_set_buy_trigger_without_an_amount_is_refused(operator: Client, new_user) -> None:
    user = new_user("100.00")
    assert_refused_changes_nothing(
        operator, user, "/buy/set_buy_trigger", {"sym": SYM, "amount": "1.00"}, 409, "NO_BUY_AMOUNT"
    )


def test_set_buy_trigger_for_another_symbol_than_the_amount_is_refused(
    operator: Client, new_user
) -> None:
    user = new_user("100.00")
    operator.ok("/buy/set_buy_amount", {"username": user, "sym": SYM, "amount": "50.00"})
    assert_refused_changes_nothing(
        operator,
        user,
        "/buy/set_buy_trigger",
        {"sym": OTHER_SYM, "amount": "1.00"},
        409,
        "NO_BUY_AMOUNT",
    )


def test_set_buy_trigger_of_zero_is_out_of_range(operator: Client, new_user) -> None:
    user = new_user("100.00")
    operator.ok("/buy/set_buy_amount", {"username": user, "sym": SYM, "amount": "50.00"})
    assert_refused_changes_nothing(
        operator, user, "/buy/set_buy_trigger", {"sym": SYM, "amount": "0"}, 422, "OUT_OF_RANGE"
    )


def test_cancel_set_buy_returns_the_reservation_and_removes_the_order(
    operator: Client, new_user, stack: Stack
) -> None:
    user = new_user("100.00")
    operator.ok("/buy/set_buy_amount", {"username": user, "sym": SYM, "amount": "55.55"})
    operator.ok("/buy/set_buy_trigger", {"username": user, "sym": SYM, "amount": "1.00"})
    reply = operator.ok("/buy/cancel_set_buy", {"username": user, "sym": SYM})
    assert reply["order"]["amount"] == "55.55"
    state = summary(operator, user)
    assert (state["funds"], state["reserved"], state["buy_triggers"]) == ("100.00", "0.00", [])
    assert_refused_changes_nothing(
        operator, user, "/buy/cancel_set_buy", {"sym": SYM}, 409, "NO_BUY_AMOUNT"
    )


# SET_SELL_AMOUNT, SET_SELL_TRIGGER, CANCEL_SET_SELL -------------------------------------------


def test_set_sell_amount_records_the_amount_without_reserving_shares(
    operator: Client, new_user, stack: Stack
) -> None:
    price = stack.price_cents(SYM)
    user = new_user(dollars(3 * price))
    hold_shares(operator, user, SYM, 3, price)
    reply = operator.ok("/sell/set_sell_amount", {"username": user, "sym": SYM, "amount": "77.00"})
    assert reply["order"] == {"sym": SYM, "amount": "77.00", "trigger": None, "reserved_shares": 0}
    state = summary(operator, user)
    assert state["holdings"] == [
        {"sym": SYM, "shares": 3, "reserved_shares": 0, "cost_basis": dollars(3 * price)}
    ]
    assert state["sell_triggers"] == [reply["order"]]
    assert state["funds"] == "0.00"


def test_set_sell_amount_without_a_holding_is_refused(operator: Client, new_user) -> None:
    user = new_user("100.00")
    assert_refused_changes_nothing(
        operator, user, "/sell/set_sell_amount", {"sym": SYM, "amount": "10.00"}, 409, "NO_HOLDING"
    )


def test_set_sell_trigger_above_the_price_reserves_floor_amount_over_trigger_shares(
    operator: Client, new_user, stack: Stack
) -> None:
    price = stack.price_cents(SYM)
    trigger = price + 100
    user = new_user(dollars(5 * price))
    hold_shares(operator, user, SYM, 5, price)
    amount = 2 * trigger + trigger - 1
    operator.ok("/sell/set_sell_amount", {"username": user, "sym": SYM, "amount": dollars(amount)})
    reply = operator.ok(
        "/sell/set_sell_trigger", {"username": user, "sym": SYM, "amount": dollars(trigger)}
    )
    assert reply["fired"] is None
    assert reply["order"]["reserved_shares"] == 2
    state = summary(operator, user)
    assert state["funds"] == "0.00"
    assert state["holdings"] == [
        {"sym": SYM, "shares": 3, "reserved_shares": 2, "cost_basis": dollars(5 * price)}
    ]
    assert state["sell_triggers"] == [
        {"sym": SYM, "amount": dollars(amount), "trigger": dollars(trigger), "reserved_shares": 2}
    ]


def test_second_set_sell_trigger_recomputes_the_reserved_shares(
    operator: Client, new_user, stack: Stack
) -> None:
    price = stack.price_cents(SYM)
    trigger = price + 100
    user = new_user(dollars(5 * price))
    hold_shares(operator, user, SYM, 5, price)
    amount = 4 * trigger
    operator.ok("/sell/set_sell_amount", {"username": user, "sym": SYM, "amount": dollars(amount)})
    operator.ok(
        "/sell/set_sell_trigger", {"username": user, "sym": SYM, "amount": dollars(trigger)}
    )
    assert summary(operator, user)["holdings"] == [
        {"sym": SYM, "shares": 1, "reserved_shares": 4, "cost_basis": dollars(5 * price)}
    ]
    operator.ok(
        "/sell/set_sell_trigger", {"username": user, "sym": SYM, "amount": dollars(2 * trigger)}
    )
    state = summary(operator, user)
    assert state["holdings"] == [
        {"sym": SYM, "shares": 3, "reserved_shares": 2, "cost_basis": dollars(5 * price)}
    ]
    assert state["sell_triggers"][0]["trigger"] == dollars(2 * trigger)


def test_second_set_sell_amount_with_a_trigger_recomputes_the_reserved_shares(
    operator: Client, new_user, stack: Stack
) -> None:
    price = stack.price_cents(SYM)
    trigger = price + 100
    user = new_user(dollars(5 * price))
    hold_shares(operator, user, SYM, 5, price)
    operator.ok(
        "/sell/set_sell_amount", {"username": user, "sym": SYM, "amount": dollars(2 * trigger)}
    )
    operator.ok(
        "/sell/set_sell_trigger", {"username": user, "sym": SYM, "amount": dollars(trigger)}
    )
    operator.ok(
        "/sell/set_sell_amount", {"username": user, "sym": SYM, "amount": dollars(4 * trigger)}
    )
    state = summary(operator, user)
    assert state["holdings"] == [
        {"sym": SYM, "shares": 1, "reserved_shares": 4, "cost_basis": dollars(5 * price)}
    ]
    assert state["sell_triggers"] == [
        {
            "sym": SYM,
            "amount": dollars(4 * trigger),
            "trigger": dollars(trigger),
            "reserved_shares": 4,
        }
    ]


def test_second_set_sell_trigger_the_holding_cannot_cover_is_refused(
    operator: Client, new_user, stack: Stack
) -> None:
    price = stack.price_cents(SYM)
    trigger = 2 * price
    user = new_user(dollars(3 * price))
    hold_shares(operator, user, SYM, 3, price)
    operator.ok(
        "/sell/set_sell_amount", {"username": user, "sym": SYM, "amount": dollars(4 * trigger)}
    )
    assert_refused_changes_nothing(
        operator,
        user,
        "/sell/set_sell_trigger",
        {"sym": SYM, "amount": dollars(trigger)},
        409,
        "INSUFFICIENT_SHARES",
    )
    operator.ok(
        "/sell/set_sell_trigger", {"username": user, "sym": SYM, "amount": dollars(2 * trigger)}
    )
    assert_refused_changes_nothing(
        operator,
        user,
        "/sell/set_sell_trigger",
        {"sym": SYM, "amount": dollars(trigger)},
        409,
        "INSUFFICIENT_SHARES",
    )
    assert summary(operator, user)["holdings"] == [
        {"sym": SYM, "shares": 1, "reserved_shares": 2, "cost_basis": dollars(3 * price)}
    ]


def test_set_sell_trigger_without_an_amount_is_refused(
    operator: Client, new_user, stack: Stack
) -> None:
    price = stack.price_cents(SYM)
    user = new_user(dollars(price))
    hold_shares(operator, user, SYM, 1, price)
    assert_refused_changes_nothing(
        operator,
        user,
        "/sell/set_sell_trigger",
        {"sym": SYM, "amount": dollars(price + 1)},
        409,
        "NO_SELL_AMOUNT",
    )


def test_set_sell_trigger_needing_more_shares_than_held_is_refused(
    operator: Client, new_user, stack: Stack
) -> None:
    price = stack.price_cents(SYM)
    trigger = price + 100
    user = new_user(dollars(2 * price))
    hold_shares(operator, user, SYM, 2, price)
    operator.ok(
        "/sell/set_sell_amount", {"username": user, "sym": SYM, "amount": dollars(3 * trigger)}
    )
    assert_refused_changes_nothing(
        operator,
        user,
        "/sell/set_sell_trigger",
        {"sym": SYM, "amount": dollars(trigger)},
        409,
        "INSUFFICIENT_SHARES",
    )


def test_set_sell_trigger_whose_amount_covers_no_share_is_refused(
    operator: Client, new_user, stack: Stack
) -> None:
    price = stack.price_cents(SYM)
    trigger = price + 100
    user = new_user(dollars(2 * price))
    hold_shares(operator, user, SYM, 2, price)
    operator.ok(
        "/sell/set_sell_amount", {"username": user, "sym": SYM, "amount": dollars(trigger - 1)}
    )
    assert_refused_changes_nothing(
        operator,
        user,
        "/sell/set_sell_trigger",
        {"sym": SYM, "amount": dollars(trigger)},
        409,
        "ZERO_SHARES",
    )


def test_cancel_set_sell_returns_the_reserved_shares_and_removes_the_order(
    operator: Client, new_user, stack: Stack
) -> None:
    price = stack.price_cents(SYM)
    trigger = price + 100
    user = new_user(dollars(4 * price))
    hold_shares(operator, user, SYM, 4, price)
    operator.ok(
        "/sell/set_sell_amount", {"username": user, "sym": SYM, "amount": dollars(3 * trigger)}
    )
    operator.ok(
        "/sell/set_sell_trigger", {"username": user, "sym": SYM, "amount": dollars(trigger)}
    )
    reply = operator.ok("/sell/cancel_set_sell", {"username": user, "sym": SYM})
    assert reply["order"]["reserved_shares"] == 3
    state = summary(operator, user)
    assert state["holdings"] == [
        {"sym": SYM, "shares": 4, "reserved_shares": 0, "cost_basis": dollars(4 * price)}
    ]
    assert (state["funds"], state["sell_triggers"]) == ("0.00", [])
    assert_refused_changes_nothing(
        operator, user, "/sell/cancel_set_sell", {"sym": SYM}, 409, "NO_SELL_AMOUNT"
    )


def test_username_and_symbol_are_trimmed_and_the_symbol_upper_cased(
    operator: Client, new_user, stack: Stack
) -> None:
    price = stack.price_cents(SYM)
    user = new_user(dollars(price))
    reply = operator.ok(
        "/buy/buy", {"username": f"  {user} ", "sym": f" {SYM.lower()}  ", "amount": dollars(price)}
    )
    assert reply["pending"]["sym"] == SYM
    operator.ok("/buy/commit_buy", {"username": f"{user}\t"})
    assert summary(operator, user)["holdings"] == [
        {"sym": SYM, "shares": 1, "reserved_shares": 0, "cost_basis": dollars(price)}
    ]


# Unknown accounts -----------------------------------------------------------------------------

ACCOUNT_COMMANDS = [
    ("/buy/buy", {"sym": SYM, "amount": "10.00"}),
    ("/buy/commit_buy", {}),
    ("/buy/cancel_buy", {}),
    ("/sell/sell", {"sym": SYM, "amount": "10.00"}),
    ("/sell/commit_sell", {}),
    ("/sell/cancel_sell", {}),
    ("/buy/set_buy_amount", {"sym": SYM, "amount": "10.00"}),
    ("/buy/set_buy_trigger", {"sym": SYM, "amount": "10.00"}),
    ("/buy/cancel_set_buy", {"sym": SYM}),
    ("/sell/set_sell_amount", {"sym": SYM, "amount": "10.00"}),
    ("/sell/set_sell_trigger", {"sym": SYM, "amount": "10.00"}),
    ("/sell/cancel_set_sell", {"sym": SYM}),
    ("/user_utils/display_summary", {}),
    ("/user_utils/recent_transactions", {"limit": 5}),
]


@pytest.mark.parametrize(("path", "body"), ACCOUNT_COMMANDS, ids=[p for p, _ in ACCOUNT_COMMANDS])
def test_a_command_for_an_unknown_account_is_404_and_creates_nothing(
    operator: Client, new_user, db, path: str, body: dict[str, Any]
) -> None:
    user = new_user(None)
    operator.refused(path, {"username": user, **body}, 404, "UNKNOWN_USER")
    assert db.user_table.count_documents({"username": user}) == 0


# DISPLAY_SUMMARY and recent transactions ------------------------------------------------------


def test_recent_transactions_are_newest_first_and_respect_the_limit(
    operator: Client, new_user
) -> None:
    user = new_user("1.00")
    base = fresh_trx()
    for i, amount in enumerate(["2.00", "3.00", "4.00"], start=1):
        operator.ok("/user_utils/add", {"username": user, "amount": amount, "trxNum": base + i})
    reply = operator.ok("/user_utils/recent_transactions", {"username": user, "limit": 2})
    assert [(t["command"], t["amount"], t["trxNum"]) for t in reply["transactions"]] == [
        ("ADD", "4.00", base + 3),
        ("ADD", "3.00", base + 2),
    ]
    everything = operator.ok("/user_utils/recent_transactions", {"username": user})
    assert [t["amount"] for t in everything["transactions"]] == ["4.00", "3.00", "2.00", "1.00"]
    assert summary(operator, user)["transactions"] == everything["transactions"]


def test_recent_transactions_record_a_whole_trade_in_order(
    operator: Client, new_user, stack: Stack
) -> None:
    price = stack.price_cents(SYM)
    user = new_user(dollars(2 * price))
    hold_shares(operator, user, SYM, 2, price)
    operator.ok("/sell/sell", {"username": user, "sym": SYM, "amount": dollars(price)})
    operator.ok("/sell/cancel_sell", {"username": user})
    reply = operator.ok("/user_utils/recent_transactions", {"username": user, "limit": 10})
    assert [(t["command"], t.get("shares")) for t in reply["transactions"]] == [
        ("CANCEL_SELL", 1),
        ("SELL", 1),
        ("COMMIT_BUY", 2),
        ("BUY", 2),
        ("ADD", None),
    ]


@pytest.mark.parametrize(("limit", "status"), [(0, 422), (-1, 422), ("many", 400)])
def test_recent_transactions_refuses_a_bad_limit(
    operator: Client, new_user, limit: Any, status: int
) -> None:
    user = new_user("1.00")
    operator.refused("/user_utils/recent_transactions", {"username": user, "limit": limit}, status)


# The audit log --------------------------------------------------------------------------------


def test_every_command_is_audited_as_a_user_command_under_its_trx_num(
    operator: Client, new_user, stack: Stack, db
) -> None:
    price = stack.price_cents(SYM)
    above = price + 100
    user = new_user(None)
    sequence = [
        ("/user_utils/add", {"amount": dollars(10 * price)}, "ADD", "user_utils"),
        ("/user_utils/quote", {"sym": SYM}, "QUOTE", "user_utils"),
        ("/buy/buy", {"sym": SYM, "amount": dollars(3 * price)}, "BUY", "buy"),
        ("/buy/commit_buy", {}, "COMMIT_BUY", "buy"),
        ("/buy/buy", {"sym": SYM, "amount": dollars(price)}, "BUY", "buy"),
        ("/buy/cancel_buy", {}, "CANCEL_BUY", "buy"),
        ("/sell/sell", {"sym": SYM, "amount": dollars(price)}, "SELL", "sell"),
        ("/sell/commit_sell", {}, "COMMIT_SELL", "sell"),
        ("/sell/sell", {"sym": SYM, "amount": dollars(price)}, "SELL", "sell"),
        ("/sell/cancel_sell", {}, "CANCEL_SELL", "sell"),
        ("/buy/set_buy_amount", {"sym": SYM, "amount": "10.00"}, "SET_BUY_AMOUNT", "buy"),
        ("/buy/set_buy_trigger", {"sym": SYM, "amount": "1.00"}, "SET_BUY_TRIGGER", "buy"),
        ("/buy/cancel_set_buy", {"sym": SYM}, "CANCEL_SET_BUY", "buy"),
        (
            "/sell/set_sell_amount",
            {"sym": SYM, "amount": dollars(above)},
            "SET_SELL_AMOUNT",
            "sell",
        ),
        (
            "/sell/set_sell_trigger",
            {"sym": SYM, "amount": dollars(above)},
            "SET_SELL_TRIGGER",
            "sell",
        ),
        ("/sell/cancel_set_sell", {"sym": SYM}, "CANCEL_SET_SELL", "sell"),
        ("/user_utils/display_summary", {}, "DISPLAY_SUMMARY", "user_utils"),
    ]
    base = fresh_trx()
    for i, (path, body, _, _) in enumerate(sequence):
        operator.ok(path, {"username": user, "trxNum": base + i, **body})
    for i, (_, body, command, server) in enumerate(sequence):
        [record] = list(logged(db).find({"type": "userCommand", "transactionNum": base + i}))
        assert record["command"] == command
        assert record["username"] == user
        assert record["server"] == server
        assert isinstance(record["timestamp"], int) and record["timestamp"] > 1_600_000_000_000
        if "sym" in body:
            assert record["sym"] == SYM
        if "amount" in body:
            assert dollars(record["amount"]) == body["amount"]
    assert logged(db).count_documents({"type": "errorEvent", "username": user}) == 0
    add_cash = list(logged(db).find({"type": "accountTransaction", "transactionNum": base}))
    assert [(r["action"], r["amount"], r["username"]) for r in add_cash] == [
        ("add", 10 * price, user)
    ]


def test_every_refusal_is_audited_as_an_error_event_with_its_message(
    operator: Client, new_user, db
) -> None:
    user = new_user("5.00")
    stranger = new_user(None)
    refusals = [
        (user, "/buy/buy", {"sym": SYM, "amount": "6.00"}, 409, "BUY"),
        (user, "/buy/commit_buy", {}, 409, "COMMIT_BUY"),
        (user, "/sell/cancel_sell", {}, 409, "CANCEL_SELL"),
        (user, "/sell/set_sell_amount", {"sym": SYM, "amount": "1.00"}, 409, "SET_SELL_AMOUNT"),
        (user, "/buy/cancel_set_buy", {"sym": SYM}, 409, "CANCEL_SET_BUY"),
        (user, "/user_utils/add", {"amount": "0.001"}, 400, "ADD"),
        (stranger, "/user_utils/display_summary", {}, 404, "DISPLAY_SUMMARY"),
    ]
    base = fresh_trx()
    for i, (who, path, body, status, _) in enumerate(refusals):
        reply = operator.refused(path, {"username": who, "trxNum": base + i, **body}, status)
        refusals[i] = (*refusals[i], reply["error"])
    for i, (who, _, _, _, command, message) in enumerate(refusals):
        [error] = list(logged(db).find({"type": "errorEvent", "transactionNum": base + i}))
        assert error["errorMessage"] == message
        assert error["command"] == command
        assert error["server"]
        assert isinstance(error["timestamp"], int)
        commands = list(logged(db).find({"type": "userCommand", "transactionNum": base + i}))
        assert [c["command"] for c in commands] == [command]
        if command != "ADD":
            assert (error["username"], commands[0]["username"]) == (who, who)


def test_a_command_refused_for_bad_input_is_still_audited_under_its_username(
    operator: Client, new_user, db
) -> None:
    user = new_user("5.00")
    trx = fresh_trx()
    operator.refused(
        "/user_utils/add", {"username": user, "amount": "0.001", "trxNum": trx}, 400, "BAD_INPUT"
    )
    records = list(logged(db).find({"transactionNum": trx}))
    assert sorted(r["type"] for r in records) == ["errorEvent", "userCommand"]
    assert [r.get("username") for r in records] == [user, user]
