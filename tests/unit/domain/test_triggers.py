"""SET_*_AMOUNT, SET_*_TRIGGER, CANCEL_SET_* and firing on a quote (API.md, Rules of the trade)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dts.domain.account import Account, Side, TriggerOrder
from dts.domain.change import Change
from dts.domain.pending import start_trade
from dts.domain.triggers import cancel_order, fire_order, fire_triggers, set_amount, set_trigger
from dts.errors import Refused
from tests.unit.domain.commands import apply_command, begin, cash_events, system_events

T0 = 5_000_000


def fresh(funds_cents: int = 0, **stocks: int) -> Change:
    return begin(Account(username="u", funds_cents=funds_cents, stocks=dict(stocks)), T0)


def buy_order(
    funds_cents: int = 100_00, amount_cents: int = 100_00, trigger_cents: int | None = 10_00
) -> Account:
    ch = fresh(funds_cents)
    set_amount(ch, Side.BUY, "ABC", amount_cents)
    if trigger_cents is not None:
        set_trigger(ch, Side.BUY, "ABC", trigger_cents, None)
    return ch.account


def sell_order(
    held: int = 10, amount_cents: int = 50_00, trigger_cents: int | None = 12_00
) -> Account:
    ch = fresh(0, ABC=held)
    set_amount(ch, Side.SELL, "ABC", amount_cents)
    if trigger_cents is not None:
        set_trigger(ch, Side.SELL, "ABC", trigger_cents, None)
    return ch.account


def refusal_code(ch: Change, rule: Callable[..., object], *args: object) -> str:
    with pytest.raises(Refused) as refused:
        rule(ch, *args)
    assert refused.value.status == 409
    return refused.value.code


# --- SET_BUY_AMOUNT ------------------------------------------------------------------------------


def test_set_buy_amount_reserves_the_amount_from_funds() -> None:
    ch = fresh(150_00)
    order = set_amount(ch, Side.BUY, "ABC", 100_00)

    assert order == TriggerOrder(sym="ABC", amount_cents=100_00, trx_num=1)
    assert ch.account.buy_orders == {"ABC": order}
    assert ch.account.funds_cents == 50_00
    assert ch.account.reserved_cash_cents == 100_00
    assert cash_events(ch.events) == [("remove", 100_00)]
    assert ch.account.trigger_symbols == []


def test_set_buy_amount_beyond_funds_is_refused_insufficient_funds() -> None:
    ch = fresh(99_99)
    assert refusal_code(ch, set_amount, Side.BUY, "ABC", 100_00) == "INSUFFICIENT_FUNDS"


def test_second_set_buy_amount_replaces_the_first_returning_the_old_reservation() -> None:
    ch = begin(buy_order(funds_cents=150_00, amount_cents=100_00, trigger_cents=None), T0 + 1)
    order = set_amount(ch, Side.BUY, "ABC", 30_00)

    assert order.amount_cents == 30_00
    assert ch.account.funds_cents == 120_00
    assert ch.account.reserved_cash_cents == 30_00
    assert cash_events(ch.events) == [("add", 100_00), ("remove", 30_00)]


def test_second_set_buy_amount_may_use_funds_plus_the_old_reservation() -> None:
    ch = begin(buy_order(funds_cents=120_00, amount_cents=100_00, trigger_cents=None), T0 + 1)
    assert ch.account.funds_cents == 20_00
    set_amount(ch, Side.BUY, "ABC", 120_00)
    assert ch.account.funds_cents == 0
    assert ch.account.reserved_cash_cents == 120_00


def test_second_set_buy_amount_beyond_funds_plus_old_is_refused_and_the_old_order_stays() -> None:
    account = buy_order(funds_cents=120_00, amount_cents=100_00, trigger_cents=10_00)
    outcome = apply_command(account, T0 + 1, lambda ch: set_amount(ch, Side.BUY, "ABC", 120_01))
    assert outcome.refusal is not None and outcome.refusal.code == "INSUFFICIENT_FUNDS"
    assert outcome.account == account
    assert outcome.account.buy_orders["ABC"].amount_cents == 100_00
    assert outcome.events == []


def test_second_set_buy_amount_keeps_the_trigger_price() -> None:
    ch = begin(buy_order(amount_cents=50_00, trigger_cents=10_00), T0 + 1)
    order = set_amount(ch, Side.BUY, "ABC", 80_00)
    assert order.trigger_cents == 10_00
    assert ch.account.buy_orders["ABC"] == TriggerOrder("ABC", 80_00, 10_00, 0, 1)
    assert ch.account.trigger_symbols == ["ABC"]


def test_buy_amounts_for_different_symbols_are_separate_reservations() -> None:
    ch = fresh(100_00)
    set_amount(ch, Side.BUY, "ABC", 30_00)
    set_amount(ch, Side.BUY, "XYZ", 20_00)
    assert ch.account.funds_cents == 50_00
    assert ch.account.reserved_cash_cents == 50_00
    assert set(ch.account.buy_orders) == {"ABC", "XYZ"}


# --- SET_BUY_TRIGGER and firing ------------------------------------------------------------------


def test_set_buy_trigger_needs_a_buy_amount_first() -> None:
    ch = fresh(100_00)
    assert refusal_code(ch, set_trigger, Side.BUY, "ABC", 10_00, None) == "NO_BUY_AMOUNT"


def test_set_buy_trigger_for_another_symbol_than_the_amount_is_refused() -> None:
    ch = begin(buy_order(trigger_cents=None), T0)
    assert refusal_code(ch, set_trigger, Side.BUY, "XYZ", 10_00, None) == "NO_BUY_AMOUNT"


def test_set_buy_trigger_sets_the_price_and_moves_no_cash() -> None:
    ch = begin(buy_order(amount_cents=100_00, trigger_cents=None), T0)
    order, fired = set_trigger(ch, Side.BUY, "ABC", 10_00, 11_00)
    assert fired is None
    assert order == TriggerOrder("ABC", 100_00, 10_00, 0, 1)
    assert ch.account.buy_orders["ABC"] == order
    assert ch.events == []
    assert ch.account.trigger_symbols == ["ABC"]


def test_buy_trigger_fires_when_the_price_falls_to_the_trigger_buying_floor_shares() -> None:
    account = buy_order(funds_cents=100_00, amount_cents=100_00, trigger_cents=10_00)
    ch = begin(account, T0 + 1, "TRIGGER", trx_num=5)
    fired = fire_order(ch, Side.BUY, "ABC", 9_00)

    assert fired == {
        "side": "BUY",
        "sym": "ABC",
        "shares": 11,
        "price_cents": 9_00,
        "amount_cents": 99_00,
    }
    assert ch.account.stocks == {"ABC": 11}
    assert ch.account.funds_cents == 1_00
    assert ch.account.buy_orders == {}
    assert ch.account.reserved_cash_cents == 0
    assert cash_events(ch.events) == [("add", 1_00)]
    (event,) = system_events(ch.events)
    assert (event.command, event.sym, event.amount_cents, event.trx_num) == (
        "SET_BUY_TRIGGER",
        "ABC",
        99_00,
        5,
    )
    assert ch.account.transactions[-1]["command"] == "BUY_TRIGGER_FIRED"


def test_buy_trigger_fires_at_exactly_the_trigger_price() -> None:
    ch = begin(buy_order(amount_cents=100_00, trigger_cents=10_00), T0)
    fired = fire_order(ch, Side.BUY, "ABC", 10_00)
    assert fired is not None and fired["shares"] == 10
    assert ch.account.stocks == {"ABC": 10}
    assert ch.account.funds_cents == 0
    assert cash_events(ch.events) == []


def test_buy_trigger_does_not_fire_above_the_trigger_price() -> None:
    account = buy_order(amount_cents=100_00, trigger_cents=10_00)
    ch = begin(account, T0)
    assert fire_order(ch, Side.BUY, "ABC", 10_01) is None
    assert ch.account == account
    assert ch.events == []


def test_buy_order_without_a_trigger_never_fires() -> None:
    account = buy_order(trigger_cents=None)
    ch = begin(account, T0)
    assert fire_order(ch, Side.BUY, "ABC", 1) is None
    assert ch.account == account


def test_buy_trigger_that_buys_zero_shares_returns_the_whole_reservation_and_ends() -> None:
    ch = begin(buy_order(funds_cents=5_00, amount_cents=5_00, trigger_cents=10_00), T0)
    fired = fire_order(ch, Side.BUY, "ABC", 6_00)

    assert fired == {
        "side": "BUY",
        "sym": "ABC",
        "shares": 0,
        "price_cents": 6_00,
        "amount_cents": 0,
    }
    assert ch.account.funds_cents == 5_00
    assert ch.account.stocks == {}
    assert ch.account.buy_orders == {}
    assert ch.account.reserved_cash_cents == 0
    assert cash_events(ch.events) == [("add", 5_00)]


def test_set_buy_trigger_fires_at_once_when_the_current_quote_is_at_or_below_it() -> None:
    ch = begin(buy_order(amount_cents=100_00, trigger_cents=None), T0)
    order, fired = set_trigger(ch, Side.BUY, "ABC", 10_00, 8_00)

    assert order.trigger_cents == 10_00
    assert fired == {
        "side": "BUY",
        "sym": "ABC",
        "shares": 12,
        "price_cents": 8_00,
        "amount_cents": 96_00,
    }
    assert ch.account.stocks == {"ABC": 12}
    assert ch.account.funds_cents == 4_00
    assert ch.account.buy_orders == {}


def test_cancel_set_buy_returns_the_reservation_and_removes_the_trigger() -> None:
    ch = begin(buy_order(funds_cents=100_00, amount_cents=60_00, trigger_cents=10_00), T0)
    order = cancel_order(ch, Side.BUY, "ABC")

    assert order.amount_cents == 60_00
    assert ch.account.buy_orders == {}
    assert ch.account.funds_cents == 100_00
    assert ch.account.trigger_symbols == []
    assert cash_events(ch.events) == [("add", 60_00)]
    assert fire_order(ch, Side.BUY, "ABC", 1_00) is None


def test_cancel_set_buy_without_an_order_is_refused() -> None:
    ch = fresh(100_00)
    assert refusal_code(ch, cancel_order, Side.BUY, "ABC") == "NO_BUY_AMOUNT"


# --- SET_SELL_AMOUNT -----------------------------------------------------------------------------


def test_set_sell_amount_records_the_amount_and_reserves_nothing_yet() -> None:
    ch = fresh(0, ABC=10)
    order = set_amount(ch, Side.SELL, "ABC", 50_00)

    assert order == TriggerOrder("ABC", 50_00, None, 0, 1)
    assert ch.account.sell_orders == {"ABC": order}
    assert ch.account.stocks == {"ABC": 10}
    assert ch.account.reserved_shares("ABC") == 0
    assert ch.events == []


def test_set_sell_amount_without_a_holding_is_refused_no_holding() -> None:
    ch = fresh(100_00, XYZ=3)
    assert refusal_code(ch, set_amount, Side.SELL, "ABC", 50_00) == "NO_HOLDING"
    assert ch.account.sell_orders == {}


def test_set_sell_amount_needs_an_unreserved_share() -> None:
    """All 4 shares sit in a pending SELL: none is free for a sell order."""
    ch = fresh(0, ABC=4)
    start_trade(ch, Side.SELL, "ABC", 48_00, 12_00, 60_000)
    assert refusal_code(ch, set_amount, Side.SELL, "ABC", 10_00) == "NO_HOLDING"


def test_second_set_sell_amount_without_a_trigger_only_replaces_the_amount() -> None:
    ch = begin(sell_order(held=10, amount_cents=50_00, trigger_cents=None), T0)
    order = set_amount(ch, Side.SELL, "ABC", 80_00)
    assert order == TriggerOrder("ABC", 80_00, None, 0, 1)
    assert ch.account.stocks == {"ABC": 10}


def test_second_set_sell_amount_with_a_trigger_reserves_more_shares() -> None:
    ch = begin(sell_order(held=10, amount_cents=50_00, trigger_cents=12_00), T0)  # 4 reserved
    order = set_amount(ch, Side.SELL, "ABC", 90_00)  # floor(90/12) = 7
    assert order == TriggerOrder("ABC", 90_00, 12_00, 7, 1)
    assert ch.account.stocks == {"ABC": 3}
    assert ch.account.reserved_shares("ABC") == 7


def test_second_set_sell_amount_with_a_trigger_returns_surplus_shares() -> None:
    ch = begin(sell_order(held=10, amount_cents=90_00, trigger_cents=12_00), T0)  # 7 reserved
    order = set_amount(ch, Side.SELL, "ABC", 25_00)  # floor(25/12) = 2
    assert order.reserved_shares == 2
    assert ch.account.stocks == {"ABC": 8}
    assert ch.account.reserved_shares("ABC") == 2


def test_second_set_sell_amount_the_holding_cannot_cover_is_refused_and_changes_nothing() -> None:
    account = sell_order(held=5, amount_cents=48_00, trigger_cents=12_00)  # 4 reserved, 1 free
    outcome = apply_command(account, T0, lambda ch: set_amount(ch, Side.SELL, "ABC", 72_00))
    assert outcome.refusal is not None and outcome.refusal.code == "INSUFFICIENT_SHARES"
    assert outcome.account == account


def test_second_set_sell_amount_below_one_share_at_the_trigger_is_refused() -> None:
    ch = begin(sell_order(held=10, amount_cents=50_00, trigger_cents=12_00), T0)
    assert refusal_code(ch, set_amount, Side.SELL, "ABC", 11_99) == "ZERO_SHARES"


def test_second_set_sell_amount_is_refused_when_every_share_is_reserved_by_the_order() -> None:
    """API.md: SET_SELL_AMOUNT needs at least one unreserved share, the second one too."""
    ch = begin(sell_order(held=4, amount_cents=48_00, trigger_cents=12_00), T0)
    assert ch.account.stocks == {}
    assert refusal_code(ch, set_amount, Side.SELL, "ABC", 24_00) == "NO_HOLDING"


# --- SET_SELL_TRIGGER and firing -----------------------------------------------------------------


def test_set_sell_trigger_needs_a_sell_amount_first() -> None:
    ch = fresh(0, ABC=10)
    assert refusal_code(ch, set_trigger, Side.SELL, "ABC", 12_00, None) == "NO_SELL_AMOUNT"


def test_set_sell_trigger_reserves_floor_amount_over_trigger_shares() -> None:
    ch = begin(sell_order(held=10, amount_cents=50_00, trigger_cents=None), T0)
    order, fired = set_trigger(ch, Side.SELL, "ABC", 12_00, 11_99)

    assert fired is None
    assert order == TriggerOrder("ABC", 50_00, 12_00, 4, 1)
    assert ch.account.stocks == {"ABC": 6}
    assert ch.account.reserved_shares("ABC") == 4
    assert ch.account.trigger_symbols == ["ABC"]
    assert ch.events == []


def test_set_sell_trigger_above_the_amount_reserves_zero_shares_and_is_refused() -> None:
    ch = begin(sell_order(held=10, amount_cents=11_99, trigger_cents=None), T0)
    assert refusal_code(ch, set_trigger, Side.SELL, "ABC", 12_00, None) == "ZERO_SHARES"


def test_set_sell_trigger_the_holding_cannot_cover_is_refused() -> None:
    ch = begin(sell_order(held=3, amount_cents=50_00, trigger_cents=None), T0)  # wants 4
    assert refusal_code(ch, set_trigger, Side.SELL, "ABC", 12_00, None) == "INSUFFICIENT_SHARES"


def test_second_set_sell_trigger_at_a_lower_price_takes_the_extra_shares() -> None:
    ch = begin(sell_order(held=10, amount_cents=50_00, trigger_cents=12_00), T0)  # 4
    order, _ = set_trigger(ch, Side.SELL, "ABC", 6_00, None)  # floor(50/6) = 8
    assert order == TriggerOrder("ABC", 50_00, 6_00, 8, 1)
    assert ch.account.stocks == {"ABC": 2}
    assert ch.account.reserved_shares("ABC") == 8


def test_second_set_sell_trigger_at_a_higher_price_returns_the_difference() -> None:
    ch = begin(sell_order(held=10, amount_cents=50_00, trigger_cents=6_00), T0)  # 8
    order, _ = set_trigger(ch, Side.SELL, "ABC", 25_00, None)  # 2
    assert order.reserved_shares == 2
    assert ch.account.stocks == {"ABC": 8}
    assert ch.account.reserved_shares("ABC") == 2


def test_second_set_sell_trigger_the_holding_cannot_cover_is_refused_and_changes_nothing() -> None:
    account = sell_order(held=5, amount_cents=48_00, trigger_cents=12_00)  # 4 reserved, 1 free
    outcome = apply_command(
        account, T0, lambda ch: set_trigger(ch, Side.SELL, "ABC", 8_00, None)
    )  # wants 6
    assert outcome.refusal is not None and outcome.refusal.code == "INSUFFICIENT_SHARES"
    assert outcome.account == account


def test_sell_trigger_fires_when_the_price_rises_to_it_selling_at_the_quote() -> None:
    ch = begin(sell_order(held=10, amount_cents=50_00, trigger_cents=12_00), T0, "TRIGGER", 6)
    fired = fire_order(ch, Side.SELL, "ABC", 15_00)

    assert fired == {
        "side": "SELL",
        "sym": "ABC",
        "shares": 4,
        "price_cents": 15_00,
        "amount_cents": 60_00,
    }
    assert ch.account.funds_cents == 60_00
    assert ch.account.stocks == {"ABC": 6}
    assert ch.account.reserved_shares("ABC") == 0
    assert ch.account.sell_orders == {}
    assert cash_events(ch.events) == [("add", 60_00)]
    (event,) = system_events(ch.events)
    assert (event.command, event.sym, event.amount_cents) == ("SET_SELL_TRIGGER", "ABC", 60_00)
    assert ch.account.transactions[-1]["command"] == "SELL_TRIGGER_FIRED"


def test_sell_trigger_fires_at_exactly_the_trigger_price() -> None:
    ch = begin(sell_order(held=10, amount_cents=50_00, trigger_cents=12_00), T0)
    fired = fire_order(ch, Side.SELL, "ABC", 12_00)
    assert fired is not None and fired["amount_cents"] == 48_00
    assert ch.account.funds_cents == 48_00


def test_sell_trigger_does_not_fire_below_the_trigger_price() -> None:
    account = sell_order(held=10, amount_cents=50_00, trigger_cents=12_00)
    ch = begin(account, T0)
    assert fire_order(ch, Side.SELL, "ABC", 11_99) is None
    assert ch.account == account


def test_sell_order_without_a_trigger_never_fires() -> None:
    account = sell_order(trigger_cents=None)
    ch = begin(account, T0)
    assert fire_order(ch, Side.SELL, "ABC", 1_000_00) is None
    assert ch.account == account


def test_set_sell_trigger_fires_at_once_when_the_current_quote_is_at_or_above_it() -> None:
    ch = begin(sell_order(held=10, amount_cents=50_00, trigger_cents=None), T0)
    order, fired = set_trigger(ch, Side.SELL, "ABC", 12_00, 13_00)
    assert order.reserved_shares == 4
    assert fired is not None and fired["amount_cents"] == 52_00
    assert ch.account.funds_cents == 52_00
    assert ch.account.stocks == {"ABC": 6}
    assert ch.account.sell_orders == {}


def test_cancel_set_sell_returns_the_reserved_shares_and_removes_amount_and_trigger() -> None:
    ch = begin(sell_order(held=10, amount_cents=50_00, trigger_cents=12_00), T0)
    order = cancel_order(ch, Side.SELL, "ABC")
    assert order.reserved_shares == 4
    assert ch.account.stocks == {"ABC": 10}
    assert ch.account.reserved_shares("ABC") == 0
    assert ch.account.sell_orders == {}
    assert ch.account.trigger_symbols == []
    assert ch.events == []


def test_cancel_set_sell_with_only_an_amount_returns_nothing_and_removes_it() -> None:
    ch = begin(sell_order(held=10, trigger_cents=None), T0)
    cancel_order(ch, Side.SELL, "ABC")
    assert ch.account.stocks == {"ABC": 10}
    assert ch.account.sell_orders == {}


def test_cancel_set_sell_of_the_whole_holding_restores_it() -> None:
    ch = begin(sell_order(held=4, amount_cents=48_00, trigger_cents=12_00), T0)
    assert ch.account.stocks == {}
    cancel_order(ch, Side.SELL, "ABC")
    assert ch.account.stocks == {"ABC": 4}


def test_cancel_set_sell_without_an_order_is_refused() -> None:
    ch = fresh(0, ABC=10)
    assert refusal_code(ch, cancel_order, Side.SELL, "ABC") == "NO_SELL_AMOUNT"


# --- at most once, both sides, other users --------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "side", "price_cents"),
    [(buy_order, Side.BUY, 9_00), (sell_order, Side.SELL, 15_00)],
)
def test_an_order_fires_at_most_once_on_the_same_change(
    make: Callable[[], Account], side: Side, price_cents: int
) -> None:
    ch = begin(make(), T0)
    assert fire_order(ch, side, "ABC", price_cents) is not None
    after_first = ch.account.copy()
    events_after_first = list(ch.events)
    assert fire_order(ch, side, "ABC", price_cents) is None
    assert fire_triggers(ch, "ABC", price_cents) == []
    assert ch.account == after_first
    assert ch.events == events_after_first


@pytest.mark.parametrize(
    ("make", "side", "price_cents"),
    [(buy_order, Side.BUY, 9_00), (sell_order, Side.SELL, 15_00)],
)
def test_a_fired_order_does_not_fire_again_on_the_next_quote(
    make: Callable[[], Account], side: Side, price_cents: int
) -> None:
    first = apply_command(make(), T0, lambda ch: fire_triggers(ch, "ABC", price_cents))
    assert len(first.result) == 1
    second = apply_command(first.account, T0 + 1, lambda ch: fire_triggers(ch, "ABC", price_cents))
    assert second.result == []
    assert second.account == first.account
    assert second.events == []


def test_fire_triggers_fires_both_sides_of_a_symbol_on_one_quote() -> None:
    ch = fresh(100_00, ABC=10)
    set_amount(ch, Side.BUY, "ABC", 100_00)
    set_trigger(ch, Side.BUY, "ABC", 20_00, None)
    set_amount(ch, Side.SELL, "ABC", 50_00)
    set_trigger(ch, Side.SELL, "ABC", 10_00, None)  # reserves 5

    fired = fire_triggers(ch, "ABC", 15_00)

    assert [(f["side"], f["shares"], f["amount_cents"]) for f in fired] == [
        ("BUY", 6, 90_00),
        ("SELL", 5, 75_00),
    ]
    assert ch.account.stocks == {"ABC": 11}
    assert ch.account.funds_cents == 10_00 + 75_00
    assert ch.account.buy_orders == {} and ch.account.sell_orders == {}


def test_fire_triggers_leaves_orders_for_other_symbols_alone() -> None:
    ch = fresh(200_00)
    set_amount(ch, Side.BUY, "ABC", 100_00)
    set_trigger(ch, Side.BUY, "ABC", 20_00, None)
    set_amount(ch, Side.BUY, "XYZ", 100_00)
    set_trigger(ch, Side.BUY, "XYZ", 20_00, None)

    fired = fire_triggers(ch, "XYZ", 10_00)

    assert [f["sym"] for f in fired] == ["XYZ"]
    assert set(ch.account.buy_orders) == {"ABC"}
    assert ch.account.stocks == {"XYZ": 10}


def test_one_users_orders_and_firing_never_touch_another_users_account() -> None:
    alice = buy_order(funds_cents=100_00, amount_cents=100_00, trigger_cents=10_00)
    alice.username = "alice"
    bob = buy_order(funds_cents=100_00, amount_cents=100_00, trigger_cents=10_00)
    bob.username = "bob"
    bob.stocks["ABC"] = 3
    bob_before = bob.copy()

    ch = begin(alice, T0)
    assert [f["side"] for f in fire_triggers(ch, "ABC", 9_00)] == ["BUY"]
    with pytest.raises(Refused) as refused:
        cancel_order(ch, Side.BUY, "ABC")  # alice's is gone; bob's is not hers to cancel
    assert refused.value.code == "NO_BUY_AMOUNT"

    assert ch.account.stocks == {"ABC": 11}
    assert bob == bob_before
    assert {e.username for e in ch.events} == {"alice"}


def test_a_sell_order_does_not_fire_at_the_price_that_fires_a_buy_order_for_another_user() -> None:
    alice = buy_order(funds_cents=100_00, amount_cents=100_00, trigger_cents=10_00)
    bob = sell_order(held=10, amount_cents=50_00, trigger_cents=12_00)
    bob.username = "bob"
    alice_fired = apply_command(alice, T0, lambda ch: fire_triggers(ch, "ABC", 9_00))
    bob_fired = apply_command(bob, T0, lambda ch: fire_triggers(ch, "ABC", 9_00))
    assert len(alice_fired.result) == 1
    assert bob_fired.result == []
    assert bob_fired.account == bob


def test_firing_does_not_touch_the_account_the_change_was_made_from() -> None:
    account = buy_order()
    before = account.copy()
    ch = Change.of(account, T0, 1, "TRIGGER")
    fire_triggers(ch, "ABC", 1_00)
    assert account == before
