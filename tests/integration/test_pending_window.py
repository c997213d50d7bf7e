"""The 60 s rule, with the harness's short window (`stack.pending_ttl_s`, 2 s).

A pending BUY or SELL can be committed only while it is younger than the window; after that its
reservation comes back by itself. Pendings of one side form a stack: COMMIT and CANCEL take the
newest live one, and each expires on its own creation time.

Waits are timed from the `expires_at` (epoch ms) the server reports; the stack runs on this host,
so it shares the test's wall clock.
"""

from __future__ import annotations

import time
from typing import Any

from dts.money import format_cents as dollars
from tests.integration.harness import Client, Stack, logged, summary

SYM = "ABC"
OTHER_SYM = "XYZ"
MARGIN_MS = 400
"""How far past (or before) an expiry the tests act, well clear of request latency."""


def now_ms() -> int:
    return int(time.time() * 1000)


def sleep_until_ms(deadline_ms: int) -> None:
    time.sleep(max(0.0, (deadline_ms - now_ms()) / 1000))


def start(operator: Client, side: str, user: str, sym: str, amount_cents: int) -> dict[str, Any]:
    """A BUY or SELL; returns its pending trade as the reply shows it."""
    body = {"username": user, "sym": sym, "amount": dollars(amount_cents)}
    return operator.ok(f"/{side}/{side}", body)["pending"]


def hold_shares(operator: Client, user: str, sym: str, shares: int, price: int) -> None:
    start(operator, "buy", user, sym, shares * price)
    operator.ok("/buy/commit_buy", {"username": user})


def test_a_pending_buy_expires_exactly_one_window_after_it_is_made(
    operator: Client, new_user, stack: Stack
) -> None:
    price = stack.price_cents(SYM)
    user = new_user(dollars(price))
    before = now_ms()
    pending = start(operator, "buy", user, SYM, price)
    after = now_ms()
    window_ms = stack.pending_ttl_s * 1000
    assert before + window_ms <= pending["expires_at"] <= after + window_ms
    assert pending["seconds_left"] == stack.pending_ttl_s


def test_commit_buy_after_the_window_is_refused_and_refunds_the_cash_once(
    operator: Client, new_user, stack: Stack, db
) -> None:
    price = stack.price_cents(SYM)
    funds = 4 * price + 17
    user = new_user(dollars(funds))
    pending = start(operator, "buy", user, SYM, 3 * price)
    sleep_until_ms(pending["expires_at"] + MARGIN_MS)
    operator.refused("/buy/commit_buy", {"username": user}, 409, "EXPIRED")
    operator.refused("/buy/cancel_buy", {"username": user}, 409, "EXPIRED")
    state = summary(operator, user)
    assert (state["funds"], state["reserved"]) == (dollars(funds), "0.00")
    assert state["holdings"] == [] and state["pending_buys"] == []
    [expiry] = list(logged(db).find({"type": "systemEvent", "username": user}))
    assert (expiry["command"], expiry["sym"], expiry["amount"]) == ("BUY", SYM, 3 * price)
    assert "expired" in expiry["message"]


def test_commit_sell_after_the_window_is_refused_and_returns_the_shares(
    operator: Client, new_user, stack: Stack
) -> None:
    price = stack.price_cents(SYM)
    user = new_user(dollars(3 * price))
    hold_shares(operator, user, SYM, 3, price)
    pending = start(operator, "sell", user, SYM, 2 * price)
    sleep_until_ms(pending["expires_at"] + MARGIN_MS)
    operator.refused("/sell/commit_sell", {"username": user}, 409, "EXPIRED")
    operator.refused("/sell/cancel_sell", {"username": user}, 409, "EXPIRED")
    state = summary(operator, user)
    assert state["funds"] == "0.00"
    assert state["holdings"] == [
        {"sym": SYM, "shares": 3, "reserved_shares": 0, "cost_basis": dollars(3 * price)}
    ]
    assert state["pending_sells"] == []


def test_pendings_younger_than_the_window_commit(operator: Client, new_user, stack: Stack) -> None:
    price = stack.price_cents(SYM)
    user = new_user(dollars(3 * price))
    hold_shares(operator, user, SYM, 1, price)
    pending_buy = start(operator, "buy", user, SYM, 2 * price)
    pending_sell = start(operator, "sell", user, SYM, price)
    sleep_until_ms(pending_buy["expires_at"] - 2 * MARGIN_MS)
    operator.ok("/buy/commit_buy", {"username": user})
    operator.ok("/sell/commit_sell", {"username": user})
    assert now_ms() < pending_sell["expires_at"], "the commits came too late to prove anything"
    state = summary(operator, user)
    assert (state["funds"], state["reserved"]) == (dollars(price), "0.00")
    assert state["holdings"] == [
        {"sym": SYM, "shares": 2, "reserved_shares": 0, "cost_basis": dollars(2 * price)}
    ]


def test_commit_buy_takes_the_newest_of_two_pending_buys_and_cancel_the_next(
    operator: Client, new_user, stack: Stack
) -> None:
    price, other = stack.price_cents(SYM), stack.price_cents(OTHER_SYM)
    funds = 2 * price + 3 * other + 1
    user = new_user(dollars(funds))
    start(operator, "buy", user, SYM, 2 * price)
    start(operator, "buy", user, OTHER_SYM, 3 * other)
    assert [t["sym"] for t in summary(operator, user)["pending_buys"]] == [OTHER_SYM, SYM]
    committed = operator.ok("/buy/commit_buy", {"username": user})
    assert (committed["trade"]["sym"], committed["trade"]["shares"]) == (OTHER_SYM, 3)
    cancelled = operator.ok("/buy/cancel_buy", {"username": user})
    assert (cancelled["trade"]["sym"], cancelled["trade"]["shares"]) == (SYM, 2)
    state = summary(operator, user)
    assert state["funds"] == dollars(funds - 3 * other)
    assert state["reserved"] == "0.00"
    assert state["holdings"] == [
        {"sym": OTHER_SYM, "shares": 3, "reserved_shares": 0, "cost_basis": dollars(3 * other)}
    ]
    assert state["pending_buys"] == []


def test_commit_sell_takes_the_newest_of_two_pending_sells(
    operator: Client, new_user, stack: Stack
) -> None:
    price = stack.price_cents(SYM)
    user = new_user(dollars(5 * price))
    hold_shares(operator, user, SYM, 5, price)
    start(operator, "sell", user, SYM, price)
    start(operator, "sell", user, SYM, 3 * price)
    committed = operator.ok("/sell/commit_sell", {"username": user})
    assert committed["trade"]["shares"] == 3
    state = summary(operator, user)
    assert state["funds"] == dollars(3 * price)
    assert state["holdings"] == [
        {"sym": SYM, "shares": 1, "reserved_shares": 1, "cost_basis": dollars(2 * price)}
    ]
    assert [t["shares"] for t in state["pending_sells"]] == [1]


def test_each_pending_buy_expires_on_its_own_creation_time(
    operator: Client, new_user, stack: Stack
) -> None:
    price, other = stack.price_cents(SYM), stack.price_cents(OTHER_SYM)
    funds = 2 * price + 3 * other
    user = new_user(dollars(funds))
    older = start(operator, "buy", user, SYM, 2 * price)
    time.sleep(stack.pending_ttl_s / 2)
    newer = start(operator, "buy", user, OTHER_SYM, 3 * other)
    sleep_until_ms(older["expires_at"] + MARGIN_MS)
    state = summary(operator, user)
    assert [t["sym"] for t in state["pending_buys"]] == [OTHER_SYM]
    assert (state["funds"], state["reserved"]) == (dollars(2 * price), dollars(3 * other))
    committed = operator.ok("/buy/commit_buy", {"username": user})
    assert now_ms() < newer["expires_at"], "the commit came too late to prove anything"
    assert committed["trade"]["sym"] == OTHER_SYM
    state = summary(operator, user)
    assert (state["funds"], state["reserved"]) == (dollars(2 * price), "0.00")
    assert state["holdings"] == [
        {"sym": OTHER_SYM, "shares": 3, "reserved_shares": 0, "cost_basis": dollars(3 * other)}
    ]


def test_summary_counts_down_and_drops_expired_pendings_with_a_system_event(
    operator: Client, new_user, stack: Stack, db
) -> None:
    price = stack.price_cents(SYM)
    user = new_user(dollars(4 * price))
    hold_shares(operator, user, SYM, 2, price)
    pending_buy = start(operator, "buy", user, SYM, 2 * price)
    pending_sell = start(operator, "sell", user, SYM, price)
    fresh = summary(operator, user)
    assert [t["seconds_left"] for t in fresh["pending_buys"] + fresh["pending_sells"]] == [
        stack.pending_ttl_s - 1,
        stack.pending_ttl_s - 1,
    ]
    assert fresh["holdings"] == [
        {"sym": SYM, "shares": 1, "reserved_shares": 1, "cost_basis": dollars(2 * price)}
    ]
    assert (fresh["funds"], fresh["reserved"]) == ("0.00", dollars(2 * price))
    sleep_until_ms(pending_sell["expires_at"] - 2 * MARGIN_MS)
    counting = summary(operator, user)
    assert [t["seconds_left"] for t in counting["pending_buys"] + counting["pending_sells"]] == [
        0,
        0,
    ]

    sleep_until_ms(max(pending_buy["expires_at"], pending_sell["expires_at"]) + MARGIN_MS)
    state = summary(operator, user)
    assert state["pending_buys"] == state["pending_sells"] == []
    assert (state["funds"], state["reserved"]) == (dollars(2 * price), "0.00")
    assert state["holdings"] == [
        {"sym": SYM, "shares": 2, "reserved_shares": 0, "cost_basis": dollars(2 * price)}
    ]
    assert [t["command"] for t in state["transactions"][:2]] == ["EXPIRED_SELL", "EXPIRED_BUY"]
    expiries = list(logged(db).find({"type": "systemEvent", "username": user}))
    assert sorted((e["command"], e["sym"], e["amount"]) for e in expiries) == [
        ("BUY", SYM, 2 * price),
        ("SELL", SYM, price),
    ]
    summary(operator, user)
    assert logged(db).count_documents({"type": "systemEvent", "username": user}) == 2
