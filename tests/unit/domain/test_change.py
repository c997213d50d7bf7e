"""The working copy of an account: every cash move emits its accountTransaction event."""

from __future__ import annotations

import pytest

from dts.domain.account import Account, PendingTrade, TriggerOrder
from dts.domain.change import Change
from dts.domain.events import Event, EventType
from dts.errors import Refused

T0 = 1_700_000_000_000


def change(funds_cents: int = 0, **stocks: int) -> Change:
    account = Account(username="carol", funds_cents=funds_cents, stocks=dict(stocks))
    return Change.of(account, T0, 17, "ADD")


def test_change_works_on_a_deep_copy_of_the_account() -> None:
    account = Account(
        username="carol",
        funds_cents=10_00,
        stocks={"ABC": 2},
        pending_buys=[PendingTrade("ABC", 1, 5_00, 0, 60_000, 1)],
        buy_orders={"ABC": TriggerOrder("ABC", 3_00)},
        transactions=[{"command": "ADD"}],
    )
    before = account.copy()
    ch = Change.of(account, T0, 1, "X")
    ch.credit_cash(1_00)
    ch.add_shares("ABC", 1)
    ch.account.pending_buys.clear()
    ch.account.buy_orders.clear()
    ch.note("X")

    assert account == before
    assert ch.account != before


def test_no_mutable_part_of_a_copy_is_shared_with_the_original() -> None:
    account = Account(
        username="carol",
        stocks={"ABC": 2},
        pending_buys=[PendingTrade("ABC", 1, 5_00, 0, 60_000, 1)],
        pending_sells=[PendingTrade("XYZ", 1, 5_00, 0, 60_000, 2)],
        buy_orders={"ABC": TriggerOrder("ABC", 3_00)},
        sell_orders={"XYZ": TriggerOrder("XYZ", 3_00)},
        transactions=[{"command": "ADD"}],
        expired_at_ms={"BUY": 1},
    )
    before = account.copy()
    copy = account.copy()
    copy.stocks["ABC"] = 9
    copy.pending_buys.append(copy.pending_buys[0])
    copy.pending_sells.clear()
    copy.buy_orders["NEW"] = TriggerOrder("NEW", 1)
    copy.sell_orders.clear()
    copy.transactions[0]["command"] = "CHANGED"
    copy.expired_at_ms["SELL"] = 2
    assert account == before


def test_change_of_passes_the_recent_max_through() -> None:
    ch = Change.of(Account(username="carol"), T0, 1, "X", recent_max=3)
    assert ch.recent_max == 3
    assert ch.username == "carol"


def test_credit_cash_adds_funds_and_emits_an_add_event() -> None:
    ch = change(5_00)
    ch.credit_cash(2_50)
    assert ch.account.funds_cents == 7_50
    assert ch.events == [
        Event(
            type=EventType.ACCOUNT_TRANSACTION,
            timestamp_ms=T0,
            trx_num=17,
            command="ADD",
            username="carol",
            action="add",
            amount_cents=2_50,
        )
    ]


def test_debit_cash_takes_funds_and_emits_a_remove_event() -> None:
    ch = change(5_00)
    ch.debit_cash(5_00)
    assert ch.account.funds_cents == 0
    (event,) = ch.events
    assert (event.type, event.action, event.amount_cents) == (
        EventType.ACCOUNT_TRANSACTION,
        "remove",
        5_00,
    )


@pytest.mark.parametrize("cents", [0, -1, -100_00])
def test_credit_and_debit_of_nothing_or_less_do_nothing_and_emit_nothing(cents: int) -> None:
    ch = change(5_00)
    ch.credit_cash(cents)
    ch.debit_cash(cents)
    assert ch.account.funds_cents == 5_00
    assert ch.events == []


def test_debit_beyond_funds_is_refused_insufficient_funds_and_changes_nothing() -> None:
    ch = change(4_99)
    with pytest.raises(Refused) as refused:
        ch.debit_cash(5_00)
    assert refused.value.code == "INSUFFICIENT_FUNDS"
    assert refused.value.status == 409
    assert "5.00 needed" in refused.value.message
    assert "4.99 available" in refused.value.message
    assert ch.account.funds_cents == 4_99
    assert ch.events == []


def test_debit_refusal_can_carry_a_caller_chosen_code() -> None:
    ch = change(0)
    with pytest.raises(Refused) as refused:
        ch.debit_cash(1, code="NO_MONEY")
    assert refused.value.code == "NO_MONEY"


def test_add_shares_creates_or_grows_a_holding_and_ignores_non_positive_counts() -> None:
    ch = change(0, ABC=2)
    ch.add_shares("ABC", 3)
    ch.add_shares("XYZ", 1)
    ch.add_shares("NEW", 0)
    ch.add_shares("ABC", -5)
    assert ch.account.stocks == {"ABC": 5, "XYZ": 1}


def test_take_shares_reduces_the_holding_and_removes_it_at_zero() -> None:
    ch = change(0, ABC=5)
    ch.take_shares("ABC", 2)
    assert ch.account.stocks == {"ABC": 3}
    ch.take_shares("ABC", 3)
    assert ch.account.stocks == {}


def test_take_more_shares_than_held_is_refused_insufficient_shares() -> None:
    ch = change(0, ABC=2)
    with pytest.raises(Refused) as refused:
        ch.take_shares("ABC", 3)
    assert refused.value.code == "INSUFFICIENT_SHARES"
    assert ch.account.stocks == {"ABC": 2}
    with pytest.raises(Refused):
        ch.take_shares("XYZ", 1)


def test_share_moves_emit_no_cash_events() -> None:
    ch = change(0, ABC=2)
    ch.add_shares("ABC", 1)
    ch.take_shares("ABC", 3)
    assert ch.events == []


def test_system_event_carries_the_change_clock_transaction_and_user() -> None:
    ch = change()
    ch.system_event("SET_BUY_TRIGGER", "ABC", 12_34, "fired")
    assert ch.events == [
        Event(
            type=EventType.SYSTEM_EVENT,
            timestamp_ms=T0,
            trx_num=17,
            command="SET_BUY_TRIGGER",
            username="carol",
            sym="ABC",
            amount_cents=12_34,
            message="fired",
        )
    ]


def test_note_records_the_transaction_and_drops_empty_fields() -> None:
    ch = change()
    ch.note("BUY", sym="ABC", shares=2, price_cents=None)
    assert ch.account.transactions == [
        {"trxNum": 17, "timestamp": T0, "command": "BUY", "sym": "ABC", "shares": 2}
    ]


def test_note_keeps_only_the_most_recent_entries() -> None:
    ch = Change.of(Account(username="carol"), T0, 1, "X", recent_max=3)
    for n in range(5):
        ch.note(f"C{n}")
    assert [t["command"] for t in ch.account.transactions] == ["C2", "C3", "C4"]


def test_reserved_cash_counts_pending_buys_and_buy_amounts_only() -> None:
    account = Account(
        username="u",
        funds_cents=1_00,
        pending_buys=[PendingTrade("A", 3, 2_00, 0, 1, 1), PendingTrade("B", 1, 50, 0, 1, 2)],
        pending_sells=[PendingTrade("A", 9, 9_00, 0, 1, 3)],
        buy_orders={"A": TriggerOrder("A", 10_00)},
        sell_orders={"A": TriggerOrder("A", 99_00, 10_00, 9)},
    )
    assert account.reserved_cash_cents == 6_00 + 50 + 10_00


def test_reserved_shares_counts_pending_sells_and_the_sell_order_of_that_symbol() -> None:
    account = Account(
        username="u",
        pending_sells=[PendingTrade("A", 3, 1, 0, 1, 1), PendingTrade("B", 4, 1, 0, 1, 2)],
        sell_orders={"A": TriggerOrder("A", 50_00, 10_00, 5), "B": TriggerOrder("B", 5_00)},
    )
    assert account.reserved_shares("A") == 8
    assert account.reserved_shares("B") == 4
    assert account.reserved_shares("C") == 0


def test_trigger_symbols_lists_symbols_with_a_trigger_price_sorted_once() -> None:
    account = Account(
        username="u",
        buy_orders={"Z": TriggerOrder("Z", 1, 1), "Q": TriggerOrder("Q", 1)},
        sell_orders={"Z": TriggerOrder("Z", 1, 1, 1), "B": TriggerOrder("B", 1, 1, 1)},
    )
    assert account.trigger_symbols == ["B", "Z"]


def test_pending_trade_total_is_shares_times_price() -> None:
    assert PendingTrade("A", 7, 3_33, 0, 1, 1).total_cents == 23_31
