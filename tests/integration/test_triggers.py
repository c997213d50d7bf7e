"""Automatic buy and sell orders against the fixed quote prices (P = `stack.price_cents(sym)`).

A trigger is checked at once when it is set, so one set at a crossed price fires in the same
command; one that is not crossed waits for the watcher (every 1 s in the harness), which must
neither fire it at a price that does not cross nor fire anything twice.
"""

from __future__ import annotations

import random
import time
from typing import Any

import pytest

from dts.adapters.mongo.accounts import read_map
from dts.money import format_cents as dollars
from tests.integration.harness import Client, Stack, logged, summary

SYM = "TRG"
WATCHER_INTERVALS_S = 2.5
"""Long enough for the 1 s watcher to sweep the symbol at least twice."""


def fresh_trx() -> int:
    return random.randrange(10**12, 10**15)


def hold_shares(operator: Client, user: str, sym: str, shares: int, price: int) -> None:
    operator.ok("/buy/buy", {"username": user, "sym": sym, "amount": dollars(shares * price)})
    operator.ok("/buy/commit_buy", {"username": user})


def set_order(
    operator: Client, side: str, user: str, sym: str, amount: int, trigger: int, trx: int = 0
) -> dict[str, Any]:
    """SET_<side>_AMOUNT then SET_<side>_TRIGGER; returns the trigger's reply."""
    operator.ok(
        f"/{side}/set_{side}_amount", {"username": user, "sym": sym, "amount": dollars(amount)}
    )
    body = {"username": user, "sym": sym, "amount": dollars(trigger)}
    if trx:
        body["trxNum"] = trx
    return operator.ok(f"/{side}/set_{side}_trigger", body)


def system_events(db, user: str) -> list[tuple[Any, ...]]:
    records = logged(db).find({"type": "systemEvent", "username": user})
    return sorted((r["command"], r["sym"], r["amount"], r["transactionNum"]) for r in records)


@pytest.mark.parametrize("above_cents", [0, 1, 5_000])
def test_buy_trigger_at_or_above_the_price_fires_at_once_and_returns_the_remainder(
    operator: Client, new_user, stack: Stack, db, above_cents: int
) -> None:
    price = stack.price_cents(SYM)
    funds = 10 * price + 11
    amount = 3 * price + price - 1
    user = new_user(dollars(funds))
    trx = fresh_trx()
    reply = set_order(operator, "buy", user, SYM, amount, price + above_cents, trx)
    assert reply["fired"] == {
        "side": "BUY",
        "sym": SYM,
        "shares": 3,
        "price": dollars(price),
        "amount": dollars(3 * price),
    }
    state = summary(operator, user)
    assert (state["funds"], state["reserved"]) == (dollars(funds - 3 * price), "0.00")
    assert state["holdings"] == [
        {"sym": SYM, "shares": 3, "reserved_shares": 0, "cost_basis": dollars(3 * price)}
    ]
    assert state["buy_triggers"] == []
    assert system_events(db, user) == [("SET_BUY_TRIGGER", SYM, 3 * price, trx)]


def test_buy_trigger_whose_amount_buys_no_share_returns_the_whole_reservation(
    operator: Client, new_user, stack: Stack
) -> None:
    price = stack.price_cents(SYM)
    user = new_user("1000.00")
    reply = set_order(operator, "buy", user, SYM, price - 1, price)
    assert (reply["fired"]["shares"], reply["fired"]["amount"]) == (0, "0.00")
    state = summary(operator, user)
    assert (state["funds"], state["reserved"], state["holdings"]) == ("1000.00", "0.00", [])
    assert state["buy_triggers"] == []


@pytest.mark.parametrize("below_cents", [0, 1, 100])
def test_sell_trigger_at_or_below_the_price_fires_at_once_selling_the_reserved_shares_at_the_price(
    operator: Client, new_user, stack: Stack, db, below_cents: int
) -> None:
    price = stack.price_cents(SYM)
    trigger = price - below_cents
    user = new_user(dollars(5 * price + 3))
    hold_shares(operator, user, SYM, 5, price)
    trx = fresh_trx()
    reply = set_order(operator, "sell", user, SYM, 2 * trigger + trigger - 1, trigger, trx)
    assert reply["fired"] == {
        "side": "SELL",
        "sym": SYM,
        "shares": 2,
        "price": dollars(price),
        "amount": dollars(2 * price),
    }
    state = summary(operator, user)
    assert state["funds"] == dollars(2 * price + 3)
    assert state["holdings"] == [
        {"sym": SYM, "shares": 3, "reserved_shares": 0, "cost_basis": dollars(3 * price)}
    ]
    assert state["sell_triggers"] == []
    assert system_events(db, user) == [("SET_SELL_TRIGGER", SYM, 2 * price, trx)]


def test_triggers_that_the_price_does_not_cross_never_fire(
    operator: Client, new_user, stack: Stack, db
) -> None:
    price = stack.price_cents(SYM)
    user = new_user(dollars(6 * price))
    hold_shares(operator, user, SYM, 4, price)
    buy_reply = set_order(operator, "buy", user, SYM, price + 50, price - 1)
    sell_reply = set_order(operator, "sell", user, SYM, 3 * (price + 1), price + 1)
    assert buy_reply["fired"] is None and sell_reply["fired"] is None
    before = summary(operator, user)
    assert (before["funds"], before["reserved"]) == (dollars(price - 50), dollars(price + 50))
    assert before["holdings"] == [
        {"sym": SYM, "shares": 1, "reserved_shares": 3, "cost_basis": dollars(4 * price)}
    ]
    time.sleep(WATCHER_INTERVALS_S)
    assert summary(operator, user) == before
    assert system_events(db, user) == []


def test_cancelled_triggers_never_fire_and_return_their_reservations(
    operator: Client, new_user, stack: Stack, db
) -> None:
    price = stack.price_cents(SYM)
    funds = 6 * price + 9
    user = new_user(dollars(funds))
    hold_shares(operator, user, SYM, 4, price)
    set_order(operator, "buy", user, SYM, 2 * price, price - 1)
    set_order(operator, "sell", user, SYM, 3 * (price + 1), price + 1)
    operator.ok("/buy/cancel_set_buy", {"username": user, "sym": SYM})
    operator.ok("/sell/cancel_set_sell", {"username": user, "sym": SYM})
    after_cancel = summary(operator, user)
    assert (after_cancel["funds"], after_cancel["reserved"]) == (dollars(2 * price + 9), "0.00")
    assert after_cancel["holdings"] == [
        {"sym": SYM, "shares": 4, "reserved_shares": 0, "cost_basis": dollars(4 * price)}
    ]
    assert after_cancel["buy_triggers"] == after_cancel["sell_triggers"] == []
    stored = db.user_table.find_one({"username": user})
    assert read_map(stored["reserved_buy"]) == read_map(stored["reserved_sell"]) == {}
    time.sleep(WATCHER_INTERVALS_S)
    assert summary(operator, user) == after_cancel
    assert system_events(db, user) == []


def test_a_fired_trigger_never_fires_again_while_the_symbol_stays_watched(
    operator: Client, new_user, stack: Stack, db
) -> None:
    price = stack.price_cents(SYM)
    funds = 10 * price + 57
    user = new_user(dollars(funds))
    hold_shares(operator, user, SYM, 4, price)
    buy_trx, sell_trx = fresh_trx(), fresh_trx()
    bought = set_order(operator, "buy", user, SYM, 2 * price + 40, price, buy_trx)
    assert bought["fired"]["shares"] == 2
    sold = set_order(operator, "sell", user, SYM, 3 * price, price, sell_trx)
    assert sold["fired"]["shares"] == 3
    # A live, uncrossed order on the same symbol keeps the watcher sweeping this account.
    set_order(operator, "buy", user, SYM, price + 5, price - 1)
    expected = {
        "funds": dollars(funds - 4 * price - 2 * price + 3 * price - (price + 5)),
        "reserved": dollars(price + 5),
        "holdings": [
            {"sym": SYM, "shares": 3, "reserved_shares": 0, "cost_basis": dollars(3 * price)}
        ],
        "sell_triggers": [],
        "buy_triggers": [
            {
                "sym": SYM,
                "amount": dollars(price + 5),
                "trigger": dollars(price - 1),
                "reserved_shares": 0,
            }
        ],
    }
    before = summary(operator, user)
    assert {k: before[k] for k in expected} == expected
    time.sleep(WATCHER_INTERVALS_S)
    after = summary(operator, user)
    assert after == before
    assert system_events(db, user) == sorted(
        [
            ("SET_BUY_TRIGGER", SYM, 2 * price, buy_trx),
            ("SET_SELL_TRIGGER", SYM, 3 * price, sell_trx),
        ]
    )
    fired = [t["command"] for t in after["transactions"] if t["command"].endswith("_FIRED")]
    assert fired == ["SELL_TRIGGER_FIRED", "BUY_TRIGGER_FIRED"]
    operator.refused("/sell/cancel_set_sell", {"username": user, "sym": SYM}, 409, "NO_SELL_AMOUNT")
    assert summary(operator, user) == after


def test_one_users_trigger_does_not_touch_another_users_account(
    operator: Client, new_user, stack: Stack
) -> None:
    price = stack.price_cents(SYM)
    firing, bystander = new_user(dollars(5 * price)), new_user(dollars(5 * price))
    set_order(operator, "buy", bystander, SYM, 2 * price, price - 1)
    before = summary(operator, bystander)
    reply = set_order(operator, "buy", firing, SYM, 2 * price, price)
    assert reply["fired"]["shares"] == 2
    assert summary(operator, bystander) == before
