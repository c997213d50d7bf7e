"""SET_*_AMOUNT, SET_*_TRIGGER, CANCEL_SET_* and firing on a quote (API.md, Rules of the trade)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dts.domain.account import Account, Side, TriggerOrder
from dts.domain.change import Change
from dts.domain.pending import start_trade
from dts.domain.triggers import cancel_order, fire_order, fire_triggers, set_amount, set_trigger
from dts.errors import Refused
from tests.unit.domain.both_sides import balances, for_side, only_cash_events
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


def with_order(side: Side) -> Account:
    """An account with a live order for ABC: buying 100.00 at or below 10.00 (all its cash set
    aside), or selling 50.00 at or above 12.00 (4 of its 10 shares set aside)."""
    return buy_order() if side is Side.BUY else sell_order()


FIRING_QUOTE = {
    Side.BUY: 9_00,
    Side.SELL: 15_00,
}  # a quote past each side's trigger in `with_order`


def refusal_code(ch: Change, rule: Callable[..., object], *args: object) -> str:
    with pytest.raises(Refused) as refused:
        rule(ch, *args)
    assert refused.value.status == 409
    return refused.value.code


# --- either side ---------------------------------------------------------------------------------


@pytest.mark.parametrize("side", list(Side))
def test_set_amount_the_account_cannot_back_is_refused(side: Side) -> None:
    """A buy amount needs the funds for it; a sell amount, an unreserved share of the symbol."""
    ch = for_side(side, buy=fresh(99_99), sell=fresh(100_00, XYZ=3))
    code = refusal_code(ch, set_amount, side, "ABC", 100_00)
    assert code == for_side(side, buy="INSUFFICIENT_FUNDS", sell="NO_HOLDING")
    assert ch.account.orders(side) == {}


@pytest.mark.parametrize("side", list(Side))
def test_second_set_amount_the_account_cannot_cover_is_refused_and_the_old_order_stays(
    side: Side,
) -> None:
    """A second buy amount may use the funds plus the old amount: 120.01 is a cent beyond. A
    second sell amount of 72.00 at the 12.00 trigger needs 6 shares: 4 are reserved, 1 is free."""
    account = for_side(
        side,
        buy=buy_order(funds_cents=120_00, amount_cents=100_00, trigger_cents=10_00),
        sell=sell_order(held=5, amount_cents=48_00, trigger_cents=12_00),
    )
    amount_cents = for_side(side, buy=120_01, sell=72_00)
    outcome = apply_command(account, T0 + 1, lambda ch: set_amount(ch, side, "ABC", amount_cents))
    assert outcome.refusal is not None
    assert outcome.refusal.code == for_side(
        side, buy="INSUFFICIENT_FUNDS", sell="INSUFFICIENT_SHARES"
    )
    assert outcome.account == account
    assert outcome.account.orders(side)["ABC"].amount_cents == for_side(
        side, buy=100_00, sell=48_00
    )
    assert outcome.events == []


@pytest.mark.parametrize("side", list(Side))
def test_set_trigger_needs_an_amount_first(side: Side) -> None:
    ch = fresh(100_00, ABC=10)
    code = refusal_code(ch, set_trigger, side, "ABC", 10_00, None)
    assert code == for_side(side, buy="NO_BUY_AMOUNT", sell="NO_SELL_AMOUNT")


@pytest.mark.parametrize("side", list(Side))
def test_a_trigger_fires_when_the_price_crosses_it_trading_at_the_quote(side: Side) -> None:
    """A buy order fires at 9.00, below its 10.00, buying floor(100.00 / 9.00) = 11 and returning
    the 1.00 left; a sell order fires at 15.00, above its 12.00, selling its 4 reserved shares."""
    ch = begin(with_order(side), T0 + 1, "TRIGGER", trx_num=5)
    fired = fire_order(ch, side, "ABC", FIRING_QUOTE[side])

    shares, amount_cents = for_side(side, buy=(11, 99_00), sell=(4, 60_00))
    assert fired == {
        "side": side.value,
        "sym": "ABC",
        "shares": shares,
        "price_cents": FIRING_QUOTE[side],
        "amount_cents": amount_cents,
    }
    assert balances(ch.account) == for_side(
        side, buy=(1_00, 0, {"ABC": 11}, {}), sell=(60_00, 0, {"ABC": 6}, {})
    )
    assert ch.account.orders(side) == {}
    assert cash_events(ch.events) == for_side(side, buy=[("add", 1_00)], sell=[("add", 60_00)])
    (event,) = system_events(ch.events)
    assert (event.command, event.sym, event.amount_cents, event.trx_num) == (
        f"SET_{side.value}_TRIGGER",
        "ABC",
        amount_cents,
        5,
    )
    assert ch.account.transactions[-1]["command"] == f"{side.value}_TRIGGER_FIRED"


@pytest.mark.parametrize("side", list(Side))
def test_a_trigger_fires_at_exactly_the_trigger_price(side: Side) -> None:
    ch = begin(with_order(side), T0)
    fired = fire_order(ch, side, "ABC", for_side(side, buy=10_00, sell=12_00))
    assert fired is not None
    assert (fired["shares"], fired["amount_cents"]) == for_side(
        side, buy=(10, 100_00), sell=(4, 48_00)
    )
    assert balances(ch.account) == for_side(
        side, buy=(0, 0, {"ABC": 10}, {}), sell=(48_00, 0, {"ABC": 6}, {})
    )
    assert cash_events(ch.events) == for_side(side, buy=[], sell=[("add", 48_00)])


@pytest.mark.parametrize("side", list(Side))
def test_a_trigger_does_not_fire_a_cent_short_of_its_price(side: Side) -> None:
    """A buy order waits for the price to fall to 10.00, a sell order for it to rise to 12.00."""
    account = with_order(side)
    ch = begin(account, T0)
    assert fire_order(ch, side, "ABC", for_side(side, buy=10_01, sell=11_99)) is None
    assert ch.account == account
    assert ch.events == []


@pytest.mark.parametrize("side", list(Side))
def test_an_order_without_a_trigger_never_fires(side: Side) -> None:
    account = for_side(side, buy=buy_order(trigger_cents=None), sell=sell_order(trigger_cents=None))
    ch = begin(account, T0)
    assert fire_order(ch, side, "ABC", for_side(side, buy=1, sell=1_000_00)) is None
    assert ch.account == account
    assert ch.events == []


@pytest.mark.parametrize("side", list(Side))
def test_set_trigger_fires_at_once_when_the_current_quote_is_already_past_it(side: Side) -> None:
    """A buy trigger of 10.00 with the quote at 8.00, a sell trigger of 12.00 with it at 13.00."""
    account = for_side(
        side,
        buy=buy_order(amount_cents=100_00, trigger_cents=None),
        sell=sell_order(held=10, amount_cents=50_00, trigger_cents=None),
    )
    trigger_cents = for_side(side, buy=10_00, sell=12_00)
    quote_cents = for_side(side, buy=8_00, sell=13_00)
    ch = begin(account, T0)
    stored, fired = set_trigger(ch, side, "ABC", trigger_cents, quote_cents)

    assert stored == for_side(
        side,
        buy=TriggerOrder("ABC", 100_00, 10_00, 0, 1),
        sell=TriggerOrder("ABC", 50_00, 12_00, 4, 1),
    )
    shares, amount_cents = for_side(side, buy=(12, 96_00), sell=(4, 52_00))
    assert fired == {
        "side": side.value,
        "sym": "ABC",
        "shares": shares,
        "price_cents": quote_cents,
        "amount_cents": amount_cents,
    }
    assert balances(ch.account) == for_side(
        side, buy=(4_00, 0, {"ABC": 12}, {}), sell=(52_00, 0, {"ABC": 6}, {})
    )
    assert ch.account.orders(side) == {}


@pytest.mark.parametrize("side", list(Side))
def test_cancel_set_returns_the_reservation_and_removes_amount_and_trigger(side: Side) -> None:
    account = for_side(
        side,
        buy=buy_order(funds_cents=100_00, amount_cents=60_00, trigger_cents=10_00),
        sell=sell_order(held=10, amount_cents=50_00, trigger_cents=12_00),
    )
    ch = begin(account, T0)
    assert cancel_order(ch, side, "ABC") == for_side(
        side,
        buy=TriggerOrder("ABC", 60_00, 10_00, 0, 1),
        sell=TriggerOrder("ABC", 50_00, 12_00, 4, 1),
    )

    assert ch.account.orders(side) == {}
    assert balances(ch.account) == for_side(
        side, buy=(100_00, 0, {}, {}), sell=(0, 0, {"ABC": 10}, {})
    )
    assert ch.account.trigger_symbols == []
    assert only_cash_events(ch.events) == for_side(side, buy=[("add", 60_00)], sell=[])
    assert fire_order(ch, side, "ABC", for_side(side, buy=1_00, sell=1_000_00)) is None


@pytest.mark.parametrize("side", list(Side))
def test_cancel_set_without_an_order_is_refused(side: Side) -> None:
    ch = fresh(100_00, ABC=10)
    code = refusal_code(ch, cancel_order, side, "ABC")
    assert code == for_side(side, buy="NO_BUY_AMOUNT", sell="NO_SELL_AMOUNT")


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


# --- SET_SELL_AMOUNT -----------------------------------------------------------------------------


def test_set_sell_amount_records_the_amount_and_reserves_nothing_yet() -> None:
    ch = fresh(0, ABC=10)
    order = set_amount(ch, Side.SELL, "ABC", 50_00)

    assert order == TriggerOrder("ABC", 50_00, None, 0, 1)
    assert ch.account.sell_orders == {"ABC": order}
    assert ch.account.stocks == {"ABC": 10}
    assert ch.account.reserved_shares("ABC") == 0
    assert ch.events == []


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


def test_second_set_sell_amount_below_one_share_at_the_trigger_is_refused() -> None:
    ch = begin(sell_order(held=10, amount_cents=50_00, trigger_cents=12_00), T0)
    assert refusal_code(ch, set_amount, Side.SELL, "ABC", 11_99) == "ZERO_SHARES"


def test_second_set_sell_amount_is_refused_when_every_share_is_reserved_by_the_order() -> None:
    """API.md: SET_SELL_AMOUNT needs at least one unreserved share, the second one too."""
    ch = begin(sell_order(held=4, amount_cents=48_00, trigger_cents=12_00), T0)
    assert ch.account.stocks == {}
    assert refusal_code(ch, set_amount, Side.SELL, "ABC", 24_00) == "NO_HOLDING"


# --- SET_SELL_TRIGGER and firing -----------------------------------------------------------------


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


# --- at most once, both sides, other users --------------------------------------------------------


@pytest.mark.parametrize("side", list(Side))
def test_an_order_fires_at_most_once_on_the_same_change(side: Side) -> None:
    price_cents = FIRING_QUOTE[side]
    ch = begin(with_order(side), T0)
    assert fire_order(ch, side, "ABC", price_cents) is not None
    after_first = ch.account.copy()
    events_after_first = list(ch.events)
    assert fire_order(ch, side, "ABC", price_cents) is None
    assert fire_triggers(ch, "ABC", price_cents) == []
    assert ch.account == after_first
    assert ch.events == events_after_first


@pytest.mark.parametrize("side", list(Side))
def test_a_fired_order_does_not_fire_again_on_the_next_quote(side: Side) -> None:
    price_cents = FIRING_QUOTE[side]
    first = apply_command(with_order(side), T0, lambda ch: fire_triggers(ch, "ABC", price_cents))
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
