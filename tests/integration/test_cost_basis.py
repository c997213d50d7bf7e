"""Cost basis and realized gain through NGINX (API.md, DISPLAY_SUMMARY), exact to the cent.

The quote server's prices are fixed, so a test moves the market the way the system sees it: a newer
quote in the Redis cache (`move_market`), which the next BUY or SELL reads.
"""

from __future__ import annotations

import redis

from dts.money import format_cents as dollars
from tests.integration.harness import Client, Stack, move_market, summary


def test_buy_ten_sell_four_keeps_six_times_the_price_and_realizes_the_rest(
    operator: Client, new_user, stack: Stack, cache: redis.Redis
) -> None:
    sym = "CB1"
    price = stack.price_cents(sym)
    user = new_user(dollars(10 * price))
    operator.ok("/buy/buy", {"username": user, "sym": sym, "amount": dollars(10 * price)})
    operator.ok("/buy/commit_buy", {"username": user})
    sale_price = price + 1_37
    move_market(cache, sym, sale_price)
    operator.ok("/sell/sell", {"username": user, "sym": sym, "amount": dollars(4 * sale_price)})
    operator.ok("/sell/commit_sell", {"username": user})

    state = summary(operator, user)
    assert state["holdings"] == [
        {"sym": sym, "shares": 6, "reserved_shares": 0, "cost_basis": dollars(6 * price)}
    ]
    assert state["realized_gain"] == dollars(4 * (sale_price - price))


def test_a_sale_below_the_average_cost_realizes_a_loss(
    operator: Client, new_user, stack: Stack, cache: redis.Redis
) -> None:
    sym = "CB2"
    first = stack.price_cents(sym)
    user = new_user(dollars(3 * first + 2_01))
    operator.ok("/buy/buy", {"username": user, "sym": sym, "amount": dollars(first)})
    operator.ok("/buy/commit_buy", {"username": user})
    second = first + 2_01  # a second share, dearer: the average cost is between the two
    move_market(cache, sym, second)
    operator.ok("/buy/buy", {"username": user, "sym": sym, "amount": dollars(second)})
    operator.ok("/buy/commit_buy", {"username": user})
    sale = first
    move_market(cache, sym, sale)
    operator.ok("/sell/sell", {"username": user, "sym": sym, "amount": dollars(sale)})
    operator.ok("/sell/commit_sell", {"username": user})

    paid = first + second
    half = (paid + 1) // 2  # one of two shares takes half the basis, to the cent, halves up
    state = summary(operator, user)
    assert state["holdings"] == [
        {"sym": sym, "shares": 1, "reserved_shares": 0, "cost_basis": dollars(paid - half)}
    ]
    assert state["realized_gain"] == dollars(sale - half)
    assert state["realized_gain"].startswith("-")


def test_a_new_account_has_no_gain_and_a_refused_sale_changes_neither(
    operator: Client, new_user, stack: Stack
) -> None:
    user, sym = new_user("100.00"), "CB3"
    assert summary(operator, user)["realized_gain"] == "0.00"
    operator.refused("/sell/sell", {"username": user, "sym": sym, "amount": "10.00"}, 409)
    state = summary(operator, user)
    assert (state["holdings"], state["realized_gain"]) == ([], "0.00")
