"""SET_*_AMOUNT, SET_*_TRIGGER (checked at once against the quote), CANCEL_SET_* and firing.

`alice` holds 100.00 and 10 ABC; ABC is quoted at 12.00. A buy trigger fires at a price <= it, a
sell trigger at a price >= it, so 11.99 (buy) and 12.01 (sell) are set without firing.
"""

from __future__ import annotations

import pytest

from dts.adapters.memory import MemoryAccounts, MemoryAudit
from dts.domain.account import Side, TriggerOrder
from dts.errors import Refused
from dts.services import Caller, Services
from tests.unit.services.harness import cash_moves, holdings, kinds, open_account

QUIET_TRIGGER = {Side.BUY: 11_99, Side.SELL: 12_01}


def order(amount: int, trigger: int | None = None, reserved: int = 0) -> dict:
    return {
        "sym": "ABC",
        "amount_cents": amount,
        "trigger_cents": trigger,
        "reserved_shares": reserved,
    }


def set_order(
    services: Services, audit: MemoryAudit, side: Side, amount: int, trigger: int | None = None
) -> None:
    """alice's order for ABC, made by SET_*_AMOUNT (and SET_*_TRIGGER), its trail recorded."""
    caller = Caller("alice", 20)
    services.set_amount(side, caller, "ABC", amount)
    if trigger is not None:
        services.set_trigger(side, caller, "ABC", trigger)
    audit.record(caller.trail)


@pytest.mark.parametrize(
    ("side", "funds_cents", "moves"),
    [(Side.BUY, 70_00, [("remove", 30_00)]), (Side.SELL, 100_00, [])],
    ids=["BUY", "SELL"],
)
def test_set_amount_records_an_order_buy_reserving_cash_sell_nothing_yet(
    services: Services,
    accounts: MemoryAccounts,
    alice: str,
    side: Side,
    funds_cents: int,
    moves: list[tuple[str, int]],
) -> None:
    caller = Caller(alice, 10)
    assert services.set_amount(side, caller, "ABC", 30_00) == {"order": order(30_00)}
    account = accounts.load(alice)
    assert holdings(account) == (funds_cents, {"ABC": 10})
    assert account is not None
    assert account.orders(side) == {"ABC": TriggerOrder("ABC", 30_00, None, 0, 10)}
    assert cash_moves(caller.trail) == moves
    assert kinds(caller.trail) == ["accountTransaction"] * len(moves)


@pytest.mark.parametrize(
    ("side", "sym", "amount_cents", "code"),
    [(Side.BUY, "ABC", 100_01, "INSUFFICIENT_FUNDS"), (Side.SELL, "XYZ", 30_00, "NO_HOLDING")],
    ids=["BUY", "SELL"],
)
def test_set_amount_beyond_means_is_refused_and_changes_nothing(
    services: Services,
    accounts: MemoryAccounts,
    alice: str,
    side: Side,
    sym: str,
    amount_cents: int,
    code: str,
) -> None:
    before = accounts.load_stored(alice)
    caller = Caller(alice, 10)
    with pytest.raises(Refused) as refused:
        services.set_amount(side, caller, sym, amount_cents)
    assert refused.value.code == code
    assert caller.trail == []
    assert accounts.load_stored(alice) == before


def test_second_buy_amount_replaces_the_reservation_and_keeps_the_trigger(
    services: Services, accounts: MemoryAccounts, audit: MemoryAudit, alice: str
) -> None:
    set_order(services, audit, Side.BUY, 30_00, trigger=11_99)
    caller = Caller(alice, 21)
    reply = services.set_amount(Side.BUY, caller, "ABC", 100_00)  # 70.00 free + 30.00 returned
    assert reply == {"order": order(100_00, trigger=11_99)}
    assert holdings(accounts.load(alice)) == (0, {"ABC": 10})
    assert cash_moves(caller.trail) == [("add", 30_00), ("remove", 100_00)]


def test_second_buy_amount_beyond_funds_and_old_reservation_is_refused(
    services: Services, accounts: MemoryAccounts, audit: MemoryAudit, alice: str
) -> None:
    set_order(services, audit, Side.BUY, 30_00)
    before = accounts.load_stored(alice)
    caller = Caller(alice, 21)
    with pytest.raises(Refused) as refused:
        services.set_amount(Side.BUY, caller, "ABC", 100_01)
    assert refused.value.code == "INSUFFICIENT_FUNDS"
    assert caller.trail == []
    assert accounts.load_stored(alice) == before


def test_second_sell_amount_recomputes_the_reserved_shares_at_the_trigger(
    services: Services, accounts: MemoryAccounts, audit: MemoryAudit, alice: str
) -> None:
    set_order(services, audit, Side.SELL, 30_00, trigger=12_01)  # 2 shares reserved
    caller = Caller(alice, 21)
    reply = services.set_amount(Side.SELL, caller, "ABC", 60_00)
    assert reply == {"order": order(60_00, trigger=12_01, reserved=4)}
    assert holdings(accounts.load(alice)) == (100_00, {"ABC": 6})
    assert caller.trail == []


@pytest.mark.parametrize(
    ("side", "funds_cents", "held", "reserved"),
    [(Side.BUY, 70_00, 10, 0), (Side.SELL, 100_00, 8, 2)],
    ids=["BUY", "SELL"],
)
def test_trigger_not_crossed_by_the_quote_is_set_and_waits(
    services: Services,
    accounts: MemoryAccounts,
    audit: MemoryAudit,
    alice: str,
    side: Side,
    funds_cents: int,
    held: int,
    reserved: int,
) -> None:
    set_order(services, audit, side, 30_00)
    caller = Caller(alice, 21)
    reply = services.set_trigger(side, caller, "ABC", QUIET_TRIGGER[side])
    assert reply == {
        "order": order(30_00, trigger=QUIET_TRIGGER[side], reserved=reserved),
        "fired": None,
        "price_cents": 12_00,
    }
    account = accounts.load(alice)
    assert holdings(account) == (funds_cents, {"ABC": held})
    assert account is not None
    assert account.orders(side)["ABC"].trigger_cents == QUIET_TRIGGER[side]
    assert account.trigger_symbols == ["ABC"]
    assert kinds(caller.trail) == ["quoteServer"]


@pytest.mark.parametrize(
    ("side", "reserved", "funds_cents", "held", "moves"),
    [
        (Side.BUY, 0, 76_00, 12, [("add", 6_00)]),  # 2 ABC for 24.00, 6.00 of 30.00 returned
        (Side.SELL, 2, 124_00, 8, [("add", 24_00)]),  # 2 ABC reserved and sold at 12.00
    ],
    ids=["BUY", "SELL"],
)
def test_trigger_at_the_quoted_price_fires_at_once(
    services: Services,
    accounts: MemoryAccounts,
    audit: MemoryAudit,
    alice: str,
    side: Side,
    reserved: int,
    funds_cents: int,
    held: int,
    moves: list[tuple[str, int]],
) -> None:
    set_order(services, audit, side, 30_00)
    caller = Caller(alice, 21)
    reply = services.set_trigger(side, caller, "ABC", 12_00)
    assert reply == {
        "order": order(30_00, trigger=12_00, reserved=reserved),
        "fired": {
            "side": side.value,
            "sym": "ABC",
            "shares": 2,
            "price_cents": 12_00,
            "amount_cents": 24_00,
        },
        "price_cents": 12_00,
    }
    account = accounts.load(alice)
    assert holdings(account) == (funds_cents, {"ABC": held})
    assert account is not None and account.orders(side) == {}
    assert kinds(caller.trail) == ["quoteServer", "accountTransaction", "systemEvent"]
    assert cash_moves(caller.trail) == moves
    fired = caller.trail[-1]
    assert (fired.command, fired.sym, fired.amount_cents) == (f"SET_{side}_TRIGGER", "ABC", 24_00)


@pytest.mark.parametrize("side", list(Side))
def test_trigger_without_an_amount_is_refused_keeping_the_quote_event(
    services: Services, accounts: MemoryAccounts, alice: str, side: Side
) -> None:
    before = accounts.load_stored(alice)
    caller = Caller(alice, 10)
    with pytest.raises(Refused) as refused:
        services.set_trigger(side, caller, "ABC", QUIET_TRIGGER[side])
    assert refused.value.code == f"NO_{side}_AMOUNT"
    assert kinds(caller.trail) == ["quoteServer"]
    assert accounts.load_stored(alice) == before


def test_sell_trigger_needing_more_shares_than_held_is_refused(
    services: Services, accounts: MemoryAccounts, audit: MemoryAudit, alice: str
) -> None:
    set_order(services, audit, Side.SELL, 30_00)
    before = accounts.load_stored(alice)
    caller = Caller(alice, 21)
    with pytest.raises(Refused) as refused:
        services.set_trigger(Side.SELL, caller, "ABC", 2_00)  # 15 shares of 10
    assert refused.value.code == "INSUFFICIENT_SHARES"
    assert kinds(caller.trail) == ["quoteServer"]
    assert accounts.load_stored(alice) == before


@pytest.mark.parametrize(
    ("side", "reserved", "moves"),
    [(Side.BUY, 0, [("add", 30_00)]), (Side.SELL, 2, [])],
    ids=["BUY", "SELL"],
)
def test_cancel_set_gives_back_the_reservation_and_removes_the_order(
    services: Services,
    accounts: MemoryAccounts,
    audit: MemoryAudit,
    alice: str,
    side: Side,
    reserved: int,
    moves: list[tuple[str, int]],
) -> None:
    set_order(services, audit, side, 30_00, trigger=QUIET_TRIGGER[side])
    caller = Caller(alice, 21)
    reply = services.cancel_set(side, caller, "ABC")
    assert reply == {"order": order(30_00, trigger=QUIET_TRIGGER[side], reserved=reserved)}
    account = accounts.load(alice)
    assert holdings(account) == (100_00, {"ABC": 10})
    assert account is not None and account.orders(side) == {}
    assert account.trigger_symbols == []
    assert cash_moves(caller.trail) == moves
    assert kinds(caller.trail) == ["accountTransaction"] * len(moves)


@pytest.mark.parametrize("side", list(Side))
def test_cancel_set_without_an_order_is_refused(
    services: Services, accounts: MemoryAccounts, alice: str, side: Side
) -> None:
    before = accounts.load_stored(alice)
    caller = Caller(alice, 10)
    with pytest.raises(Refused) as refused:
        services.cancel_set(side, caller, "ABC")
    assert refused.value.code == f"NO_{side}_AMOUNT"
    assert caller.trail == []
    assert accounts.load_stored(alice) == before


@pytest.fixture
def both_orders(services: Services, audit: MemoryAudit, alice: str) -> str:
    """alice with a buy order (30.00 at 11.99) and a sell order (30.00 at 12.01, 2 ABC reserved):
    70.00 free and 8 ABC unreserved."""
    set_order(services, audit, Side.BUY, 30_00, trigger=11_99)
    set_order(services, audit, Side.SELL, 30_00, trigger=12_01)
    return alice


@pytest.mark.parametrize(
    ("side", "price_cents", "shares", "amount_cents", "funds_cents", "held", "moves"),
    [
        (Side.BUY, 11_00, 2, 22_00, 78_00, 10, [("add", 8_00)]),
        (Side.SELL, 13_00, 2, 26_00, 96_00, 8, [("add", 26_00)]),
    ],
    ids=["BUY", "SELL"],
)
def test_quote_crossing_a_trigger_fires_that_order_only(
    services: Services,
    accounts: MemoryAccounts,
    both_orders: str,
    side: Side,
    price_cents: int,
    shares: int,
    amount_cents: int,
    funds_cents: int,
    held: int,
    moves: list[tuple[str, int]],
) -> None:
    caller = Caller(both_orders, 30)
    reply = services.fire_triggers(caller, "ABC", price_cents)
    assert reply == {
        "fired": [
            {
                "side": side.value,
                "sym": "ABC",
                "shares": shares,
                "price_cents": price_cents,
                "amount_cents": amount_cents,
            }
        ]
    }
    account = accounts.load(both_orders)
    assert holdings(account) == (funds_cents, {"ABC": held})
    assert account is not None
    other = Side.SELL if side is Side.BUY else Side.BUY
    assert (list(account.orders(side)), list(account.orders(other))) == ([], ["ABC"])
    assert kinds(caller.trail) == ["accountTransaction", "systemEvent"]
    assert cash_moves(caller.trail) == moves


@pytest.mark.parametrize(
    ("side", "price_cents"), [(Side.BUY, 11_00), (Side.SELL, 13_00)], ids=["BUY", "SELL"]
)
def test_a_fired_order_does_not_fire_again(
    services: Services,
    accounts: MemoryAccounts,
    audit: MemoryAudit,
    both_orders: str,
    side: Side,
    price_cents: int,
) -> None:
    first = Caller(both_orders, 30)
    services.fire_triggers(first, "ABC", price_cents)
    audit.record(first.trail)
    before, saves = accounts.load_stored(both_orders), accounts.saves
    again = Caller(both_orders, 31)
    assert services.fire_triggers(again, "ABC", price_cents) == {"fired": []}
    assert again.trail == []
    assert accounts.load_stored(both_orders) == before
    assert accounts.saves == saves


def test_quote_between_the_triggers_fires_nothing(
    services: Services, accounts: MemoryAccounts, both_orders: str
) -> None:
    before, saves = accounts.load_stored(both_orders), accounts.saves
    caller = Caller(both_orders, 30)
    assert services.fire_triggers(caller, "ABC", 12_00) == {"fired": []}
    assert caller.trail == []
    assert accounts.load_stored(both_orders) == before
    assert accounts.saves == saves


def test_one_users_triggers_never_fire_for_another(
    services: Services, accounts: MemoryAccounts, audit: MemoryAudit, both_orders: str
) -> None:
    bob = open_account(services, audit, "bob")
    caller = Caller(bob, 30)
    assert services.fire_triggers(caller, "ABC", 11_00) == {"fired": []}
    assert caller.trail == []
    account = accounts.load(both_orders)
    assert account is not None and list(account.buy_orders) == ["ABC"]
