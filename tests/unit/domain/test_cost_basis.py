"""Cost basis and realized gain (API.md, DISPLAY_SUMMARY): average cost, exact cents.

The conservation property over random command sequences lives in test_conservation; here are the
rounding rule and worked examples of each way shares are bought and sold.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dts.domain import pending, triggers
from dts.domain.account import Account, Side
from dts.domain.change import cost_of_sold
from tests.unit.domain.commands import TTL_MS, begin


@given(
    basis=st.integers(min_value=0, max_value=10**12),
    owned=st.integers(min_value=1, max_value=10**6),
    data=st.data(),
)
def test_a_sale_takes_its_proportional_cost_to_the_nearest_cent(
    basis: int, owned: int, data: st.DataObject
) -> None:
    sold = data.draw(st.integers(min_value=1, max_value=owned))
    cost = cost_of_sold(basis, owned, sold)
    assert 0 <= cost <= basis
    # Within half a cent of the exact share: |cost - basis * sold / owned| <= 1/2.
    assert abs(2 * (cost * owned - basis * sold)) <= owned


@given(
    basis=st.integers(min_value=0, max_value=10**9),
    lots=st.lists(st.integers(min_value=1, max_value=1_000), min_size=1, max_size=20),
)
def test_selling_every_share_in_any_lots_takes_exactly_the_whole_basis(
    basis: int, lots: list[int]
) -> None:
    owned = sum(lots)
    taken = 0
    for lot in lots:
        cost = cost_of_sold(basis - taken, owned, lot)
        taken += cost
        owned -= lot
    assert taken == basis


@pytest.mark.parametrize(
    ("basis", "owned", "sold", "cost"),
    [
        (10_00, 3, 1, 3_33),  # 3.333... rounds down
        (10_00, 3, 2, 6_67),  # 6.666... rounds up
        (1_01, 2, 1, 51),  # 50.5 cents: halves round up
        (10_00, 3, 3, 10_00),
        (0, 5, 2, 0),
    ],
)
def test_rounding_examples(basis: int, owned: int, sold: int, cost: int) -> None:
    assert cost_of_sold(basis, owned, sold) == cost


def test_buy_ten_sell_four_keeps_six_tenths_of_the_cost_and_realizes_the_difference() -> None:
    """The issue's probe, on the rules alone: BUY 10 at p, SELL 4 at s."""
    account = Account(username="u", funds_cents=1_000_00)
    ch = begin(account, 0)
    pending.start_trade(ch, Side.BUY, "ABC", 10 * 12_34, 12_34, TTL_MS)
    pending.commit_trade(ch, Side.BUY)
    pending.start_trade(ch, Side.SELL, "ABC", 4 * 15_01, 15_01, TTL_MS)
    assert ch.account.cost_basis_cents == {"ABC": 123_40}  # reserved shares keep their cost
    pending.commit_trade(ch, Side.SELL)
    assert ch.account.cost_basis_cents == {"ABC": 6 * 12_34}
    assert ch.account.realized_gain_cents == 4 * (15_01 - 12_34)


def test_buys_at_two_prices_average_and_a_loss_is_negative() -> None:
    ch = begin(Account(username="u", funds_cents=1_000_00), 0)
    for price in (10_00, 13_00):
        pending.start_trade(ch, Side.BUY, "ABC", 2 * price, price, TTL_MS)
        pending.commit_trade(ch, Side.BUY)
    pending.start_trade(ch, Side.SELL, "ABC", 9_00, 9_00, TTL_MS)  # 1 of 4 shares at 9.00
    pending.commit_trade(ch, Side.SELL)
    assert ch.account.cost_basis_cents == {"ABC": 46_00 - 11_50}
    assert ch.account.realized_gain_cents == 9_00 - 11_50


def test_a_cancelled_or_expired_sale_leaves_cost_basis_and_gain_alone() -> None:
    ch = begin(Account(username="u", funds_cents=100_00), 0)
    pending.start_trade(ch, Side.BUY, "ABC", 30_00, 10_00, TTL_MS)
    pending.commit_trade(ch, Side.BUY)
    pending.start_trade(ch, Side.SELL, "ABC", 20_00, 20_00, TTL_MS)
    pending.cancel_trade(ch, Side.SELL)
    pending.start_trade(ch, Side.SELL, "ABC", 20_00, 20_00, TTL_MS)
    later = begin(ch.account, TTL_MS + 1)
    pending.expire_pending(later)
    assert later.account.stocks == {"ABC": 3}
    assert later.account.cost_basis_cents == {"ABC": 30_00}
    assert later.account.realized_gain_cents == 0


def test_triggers_buy_at_cost_and_sell_the_reserved_shares_at_the_quote() -> None:
    ch = begin(Account(username="u", funds_cents=100_00), 0)
    triggers.set_amount(ch, Side.BUY, "ABC", 25_00)
    triggers.set_trigger(ch, Side.BUY, "ABC", 8_00, None)
    triggers.fire_triggers(ch, "ABC", 7_99)  # 3 shares for 23.97, 1.03 back
    assert ch.account.cost_basis_cents == {"ABC": 23_97}
    triggers.set_amount(ch, Side.SELL, "ABC", 20_00)
    triggers.set_trigger(ch, Side.SELL, "ABC", 10_00, None)  # reserves 2 shares
    triggers.fire_triggers(ch, "ABC", 11_00)
    assert ch.account.stocks == {"ABC": 1}
    assert ch.account.cost_basis_cents == {"ABC": 23_97 - 15_98}
    assert ch.account.realized_gain_cents == 22_00 - 15_98


def test_selling_the_last_share_drops_the_symbol_from_the_cost_basis() -> None:
    ch = begin(Account(username="u", funds_cents=100_00), 0)
    pending.start_trade(ch, Side.BUY, "ABC", 10_00, 3_33, TTL_MS)  # 3 shares for 9.99
    pending.commit_trade(ch, Side.BUY)
    for _ in range(3):
        pending.start_trade(ch, Side.SELL, "ABC", 3_00, 3_00, TTL_MS)
        pending.commit_trade(ch, Side.SELL)
    assert ch.account.stocks == {}
    assert ch.account.cost_basis_cents == {}
    assert ch.account.realized_gain_cents == 9_00 - 9_99
