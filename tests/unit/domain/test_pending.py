"""BUY/SELL, COMMIT and CANCEL within the window, and expiry after it (API.md, trade rules)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dts.domain.account import Account, PendingTrade, Side
from dts.domain.change import Change
from dts.domain.events import EventType
from dts.domain.pending import cancel_trade, commit_trade, expire_pending, start_trade
from dts.errors import Refused
from tests.unit.domain.both_sides import balances, for_side, only_cash_events
from tests.unit.domain.commands import TTL_MS, apply_command, begin, cash_events, system_events

T0 = 1_000_000


def buy(
    ch: Change, sym: str = "ABC", amount_cents: int = 50_00, price_cents: int = 12_00
) -> PendingTrade:
    return start_trade(ch, Side.BUY, sym, amount_cents, price_cents, TTL_MS)


def sell(
    ch: Change, sym: str = "ABC", amount_cents: int = 50_00, price_cents: int = 12_00
) -> PendingTrade:
    return start_trade(ch, Side.SELL, sym, amount_cents, price_cents, TTL_MS)


def with_pending_buy(
    funds_cents: int = 100_00, amount_cents: int = 50_00, price_cents: int = 12_00, at_ms: int = T0
) -> Account:
    """An account holding one pending BUY of 4 ABC at 12.00 (48.00 reserved) by default."""
    ch = begin(Account(username="u", funds_cents=funds_cents), at_ms, "BUY", trx_num=7)
    buy(ch, amount_cents=amount_cents, price_cents=price_cents)
    return ch.account


def with_pending_sell(
    held: int = 10, amount_cents: int = 50_00, price_cents: int = 12_00, at_ms: int = T0
) -> Account:
    account = Account(username="u", funds_cents=0, stocks={"ABC": held})
    ch = begin(account, at_ms, "SELL", trx_num=8)
    sell(ch, amount_cents=amount_cents, price_cents=price_cents)
    return ch.account


def with_pending(side: Side) -> Account:
    """One pending trade of 4 ABC at 12.00: a BUY from 100.00 of cash or a SELL from 10 ABC."""
    return with_pending_buy() if side is Side.BUY else with_pending_sell()


# --- BUY and SELL --------------------------------------------------------------------------------


@pytest.mark.parametrize("side", list(Side))
def test_a_trade_sets_aside_floor_shares_at_the_price_and_records_the_pending_trade(
    side: Side,
) -> None:
    ch = begin(Account(username="u", funds_cents=100_00, stocks={"ABC": 10}), T0, side.value, 7)
    trade = start_trade(ch, side, "ABC", 50_00, 12_00, TTL_MS)

    assert trade == PendingTrade(
        sym="ABC",
        shares=4,
        price_cents=12_00,
        created_at_ms=T0,
        expires_at_ms=T0 + TTL_MS,
        trx_num=7,
    )
    assert trade.total_cents == 48_00
    assert balances(ch.account) == for_side(
        side,
        buy=(52_00, 48_00, {"ABC": 10}, {}),  # the cost leaves funds; no share moves yet
        sell=(100_00, 0, {"ABC": 6}, {"ABC": 4}),  # 4 shares leave the holding; no cash
    )
    assert ch.account.pending_buys + ch.account.pending_sells == [trade]
    assert ch.account.pending(side) == [trade]
    assert only_cash_events(ch.events) == for_side(side, buy=[("remove", 48_00)], sell=[])


@pytest.mark.parametrize("side", list(Side))
def test_a_trade_of_everything_the_account_has_is_accepted_and_leaves_nothing_unreserved(
    side: Side,
) -> None:
    """48.00 of funds buys 4 ABC at 12.00; 4 ABC held sell for 48.00, and no empty holding stays."""
    account = for_side(
        side,
        buy=Account(username="u", funds_cents=48_00),
        sell=Account(username="u", stocks={"ABC": 4}),
    )
    ch = begin(account, T0)
    start_trade(ch, side, "ABC", 48_00, 12_00, TTL_MS)
    assert balances(ch.account) == for_side(
        side, buy=(0, 48_00, {}, {}), sell=(0, 0, {}, {"ABC": 4})
    )


@pytest.mark.parametrize("side", list(Side))
def test_a_trade_needs_funds_for_its_whole_amount_or_as_many_held_shares_as_it_sells(
    side: Side,
) -> None:
    """A BUY of 50.00 at 12.00 costs 48.00, which 49.00 of funds covers, but the rule is funds >=
    amount. A SELL of 50.00 at 12.00 sells 4 shares, one more than the 3 held."""
    account = for_side(
        side,
        buy=Account(username="u", funds_cents=49_00),
        sell=Account(username="u", stocks={"ABC": 3}),
    )
    before = account.copy()
    ch = begin(account, T0)
    with pytest.raises(Refused) as refused:
        start_trade(ch, side, "ABC", 50_00, 12_00, TTL_MS)
    assert refused.value.code == for_side(
        side, buy="INSUFFICIENT_FUNDS", sell="INSUFFICIENT_SHARES"
    )
    assert refused.value.status == 409
    assert ch.account == before
    assert ch.events == []
    assert account == before


@pytest.mark.parametrize("side", list(Side))
def test_a_trade_of_zero_shares_is_refused_and_sets_nothing_aside(side: Side) -> None:
    account = Account(username="u", funds_cents=100_00, stocks={"ABC": 10})
    ch = begin(account, T0)
    with pytest.raises(Refused) as refused:
        start_trade(ch, side, "ABC", 11_99, 12_00, TTL_MS)
    assert refused.value.code == "ZERO_SHARES"
    assert ch.account == account
    assert ch.events == []


# --- BUY -----------------------------------------------------------------------------------------


def test_buy_cash_event_names_the_command_user_and_transaction() -> None:
    ch = begin(Account(username="alice", funds_cents=100_00), T0, "BUY", trx_num=42)
    buy(ch)
    (event,) = ch.events
    assert event.type is EventType.ACCOUNT_TRANSACTION
    assert (event.username, event.command, event.trx_num, event.timestamp_ms) == (
        "alice",
        "BUY",
        42,
        T0,
    )


@pytest.mark.parametrize(
    ("amount_cents", "price_cents", "shares"),
    [
        (50_00, 12_00, 4),
        (48_00, 12_00, 4),
        (47_99, 12_00, 3),
        (12_00, 12_00, 1),
        (100_00, 1, 10_000),
        (1_000, 333, 3),
    ],
)
def test_buy_gets_floor_of_amount_over_price_shares(
    amount_cents: int, price_cents: int, shares: int
) -> None:
    ch = begin(Account(username="u", funds_cents=amount_cents), T0)
    trade = buy(ch, amount_cents=amount_cents, price_cents=price_cents)
    assert trade.shares == shares
    assert ch.account.funds_cents == amount_cents - shares * price_cents


def test_refused_buy_leaves_the_stored_account_as_it_was() -> None:
    account = Account(username="u", funds_cents=10_00)
    before = account.copy()
    outcome = apply_command(account, T0, lambda ch: buy(ch, amount_cents=50_00))
    assert outcome.refusal is not None and outcome.refusal.code == "INSUFFICIENT_FUNDS"
    assert outcome.account == before
    assert outcome.events == []
    assert account == before


def test_buy_adds_a_note_to_recent_transactions() -> None:
    ch = begin(Account(username="u", funds_cents=100_00), T0, trx_num=3)
    buy(ch)
    assert ch.account.transactions == [
        {
            "trxNum": 3,
            "timestamp": T0,
            "command": "BUY",
            "sym": "ABC",
            "shares": 4,
            "price_cents": 12_00,
            "amount_cents": 48_00,
        }
    ]


# --- SELL ----------------------------------------------------------------------------------------


def test_sell_of_a_symbol_not_held_is_refused() -> None:
    ch = begin(Account(username="u", stocks={"XYZ": 100}), T0)
    with pytest.raises(Refused) as refused:
        sell(ch, sym="ABC", amount_cents=50_00, price_cents=12_00)
    assert refused.value.code == "INSUFFICIENT_SHARES"


def test_sell_cannot_use_shares_already_reserved_by_another_pending_sell() -> None:
    account = with_pending_sell(held=6, amount_cents=48_00, price_cents=12_00)  # 4 reserved
    ch = begin(account, T0 + 1)
    with pytest.raises(Refused) as refused:
        sell(ch, amount_cents=36_00, price_cents=12_00)  # 3 wanted, 2 unreserved
    assert refused.value.code == "INSUFFICIENT_SHARES"


# --- COMMIT / CANCEL -----------------------------------------------------------------------------


@pytest.mark.parametrize("side", list(Side))
def test_commit_spends_the_reservation_on_what_the_trade_gets_at_its_price(side: Side) -> None:
    ch = begin(with_pending(side), T0 + 1_000, f"COMMIT_{side.value}")
    trade = commit_trade(ch, side)

    assert (trade.sym, trade.shares, trade.price_cents) == ("ABC", 4, 12_00)
    assert trade.total_cents == 48_00
    assert balances(ch.account) == for_side(
        side,
        buy=(52_00, 0, {"ABC": 4}, {}),  # the 48.00 set aside became 4 ABC
        sell=(48_00, 0, {"ABC": 6}, {}),  # the 4 ABC set aside became 48.00
    )
    assert ch.account.pending(side) == []
    assert only_cash_events(ch.events) == for_side(side, buy=[], sell=[("add", 48_00)])
    assert ch.account.transactions[-1]["command"] == f"COMMIT_{side.value}"


def test_commit_buy_adds_to_an_existing_holding() -> None:
    account = with_pending_buy()
    account.stocks["ABC"] = 6
    ch = begin(account, T0 + 1_000)
    commit_trade(ch, Side.BUY)
    assert ch.account.stocks == {"ABC": 10}


@pytest.mark.parametrize("side", list(Side))
def test_cancel_gives_the_reservation_back(side: Side) -> None:
    ch = begin(with_pending(side), T0 + 1_000, f"CANCEL_{side.value}")
    trade = cancel_trade(ch, side)

    assert trade.total_cents == 48_00
    assert balances(ch.account) == for_side(
        side, buy=(100_00, 0, {}, {}), sell=(0, 0, {"ABC": 10}, {})
    )
    assert ch.account.pending(side) == []
    assert only_cash_events(ch.events) == for_side(side, buy=[("add", 48_00)], sell=[])
    assert ch.account.transactions[-1]["command"] == f"CANCEL_{side.value}"


@pytest.mark.parametrize(
    ("side", "finish", "code"),
    [
        (Side.BUY, commit_trade, "NO_PENDING_BUY"),
        (Side.BUY, cancel_trade, "NO_PENDING_BUY"),
        (Side.SELL, commit_trade, "NO_PENDING_SELL"),
        (Side.SELL, cancel_trade, "NO_PENDING_SELL"),
    ],
)
def test_commit_or_cancel_without_a_pending_trade_is_refused(
    side: Side, finish: Callable[[Change, Side], PendingTrade], code: str
) -> None:
    ch = begin(Account(username="u", funds_cents=100_00, stocks={"ABC": 5}), T0)
    with pytest.raises(Refused) as refused:
        finish(ch, side)
    assert refused.value.code == code
    assert refused.value.status == 409


def test_a_pending_buy_does_not_answer_a_commit_sell() -> None:
    ch = begin(with_pending_buy(), T0 + 1_000)
    with pytest.raises(Refused) as refused:
        commit_trade(ch, Side.SELL)
    assert refused.value.code == "NO_PENDING_SELL"
    assert len(ch.account.pending_buys) == 1


def test_a_second_commit_finds_nothing_left() -> None:
    ch = begin(with_pending_buy(), T0 + 1_000)
    commit_trade(ch, Side.BUY)
    with pytest.raises(Refused) as refused:
        commit_trade(ch, Side.BUY)
    assert refused.value.code == "NO_PENDING_BUY"
    assert ch.account.stocks == {"ABC": 4}


# --- the stack -----------------------------------------------------------------------------------


def two_pending(side: Side) -> Account:
    """An older trade of 4 ABC at 12.00 (t=T0) and a newer one of 2 XYZ at 20.00 (t=T0+10 s):
    BUYs from 200.00 of cash, or SELLs from 10 of each symbol held."""
    opening = for_side(
        side,
        buy=Account(username="u", funds_cents=200_00),
        sell=Account(username="u", stocks={"ABC": 10, "XYZ": 10}),
    )
    ch = begin(opening, T0)
    start_trade(ch, side, "ABC", 50_00, 12_00, TTL_MS)
    ch2 = begin(ch.account, T0 + 10_000)
    start_trade(ch2, side, "XYZ", 40_00, 20_00, TTL_MS)
    return ch2.account


@pytest.mark.parametrize("side", list(Side))
def test_pending_trades_stack_and_commit_takes_the_newest_first(side: Side) -> None:
    account = two_pending(side)
    opened, newest_done, both_done = for_side(
        side,
        buy=[
            (200_00 - 48_00 - 40_00, 88_00, {}, {}),
            (112_00, 48_00, {"XYZ": 2}, {}),
            (112_00, 0, {"XYZ": 2, "ABC": 4}, {}),
        ],
        sell=[
            (0, 0, {"ABC": 6, "XYZ": 8}, {"ABC": 4, "XYZ": 2}),
            (40_00, 0, {"ABC": 6, "XYZ": 8}, {"ABC": 4}),
            (88_00, 0, {"ABC": 6, "XYZ": 8}, {}),
        ],
    )
    assert balances(account) == opened

    ch = begin(account, T0 + 20_000)
    first = commit_trade(ch, side)
    assert (first.sym, first.shares) == ("XYZ", 2)
    assert balances(ch.account) == newest_done

    second = commit_trade(ch, side)
    assert (second.sym, second.shares) == ("ABC", 4)
    assert balances(ch.account) == both_done
    assert ch.account.pending(side) == []


def test_cancel_takes_the_newest_pending_and_leaves_the_older_one() -> None:
    ch = begin(two_pending(Side.BUY), T0 + 20_000)
    cancelled = cancel_trade(ch, Side.BUY)
    assert cancelled.sym == "XYZ"
    assert ch.account.funds_cents == 112_00 + 40_00
    assert [t.sym for t in ch.account.pending_buys] == ["ABC"]


@pytest.mark.parametrize("side", list(Side))
def test_of_two_trades_of_one_symbol_commit_takes_the_newest_at_its_own_price(side: Side) -> None:
    ch = begin(Account(username="u", funds_cents=100_00, stocks={"ABC": 10}), T0)
    start_trade(ch, side, "ABC", 24_00, 12_00, TTL_MS)  # 2 at 12.00
    ch2 = begin(ch.account, T0 + 5_000)
    start_trade(ch2, side, "ABC", 45_00, 15_00, TTL_MS)  # 3 at 15.00
    ch3 = begin(ch2.account, T0 + 6_000)

    newest = commit_trade(ch3, side)
    assert (newest.shares, newest.price_cents) == (3, 15_00)
    assert balances(ch3.account) == for_side(
        side,
        buy=(100_00 - 24_00 - 45_00, 24_00, {"ABC": 13}, {}),
        sell=(100_00 + 45_00, 0, {"ABC": 5}, {"ABC": 2}),
    )
    assert [(t.shares, t.price_cents) for t in ch3.account.pending(side)] == [(2, 12_00)]


# --- expiry --------------------------------------------------------------------------------------


def test_commit_just_inside_the_window_succeeds() -> None:
    ch = begin(with_pending_buy(at_ms=T0), T0 + TTL_MS - 1)
    trade = commit_trade(ch, Side.BUY)
    assert trade.shares == 4
    assert ch.account.stocks == {"ABC": 4}
    assert system_events(ch.events) == []


@pytest.mark.parametrize("side", list(Side))
def test_commit_after_window_is_refused_and_refunds_the_reservation(side: Side) -> None:
    outcome = apply_command(
        with_pending(side), T0 + TTL_MS, lambda ch: commit_trade(ch, side), f"COMMIT_{side.value}"
    )

    assert outcome.refusal is not None
    assert outcome.refusal.code == "EXPIRED"
    assert outcome.refusal.status == 409
    assert balances(outcome.account) == for_side(
        side, buy=(100_00, 0, {}, {}), sell=(0, 0, {"ABC": 10}, {})
    )
    assert outcome.account.pending(side) == []
    assert cash_events(outcome.events) == for_side(side, buy=[("add", 48_00)], sell=[])
    (event,) = system_events(outcome.events)
    assert (event.command, event.sym, event.amount_cents) == (side.value, "ABC", 48_00)


def test_expiry_emits_a_system_event_with_the_returned_amount() -> None:
    ch = begin(with_pending_buy(), T0 + TTL_MS + 5, "DISPLAY_SUMMARY", trx_num=99)
    (event,) = system_events(ch.events)
    assert event.command == "BUY"
    assert event.sym == "ABC"
    assert event.amount_cents == 48_00
    assert event.username == "u"
    assert event.timestamp_ms == T0 + TTL_MS + 5
    assert event.trx_num == 99
    assert "expired" in (event.message or "")
    assert ch.expired == ["BUY"]
    assert ch.account.transactions[-1]["command"] == "EXPIRED_BUY"
    assert ch.account.transactions[-1]["amount_cents"] == 48_00


def test_cancel_after_window_is_refused_expired_and_the_reservation_is_back() -> None:
    outcome = apply_command(
        with_pending_buy(), T0 + 2 * TTL_MS, lambda ch: cancel_trade(ch, Side.BUY)
    )
    assert outcome.refusal is not None and outcome.refusal.code == "EXPIRED"
    assert outcome.account.funds_cents == 100_00


def test_commit_after_an_earlier_command_settled_the_expiry_is_still_told_expired() -> None:
    settled = apply_command(with_pending_buy(), T0 + TTL_MS, lambda ch: None).account
    assert settled.funds_cents == 100_00 and settled.pending_buys == []

    outcome = apply_command(settled, T0 + TTL_MS + 1, lambda ch: commit_trade(ch, Side.BUY))
    assert outcome.refusal is not None and outcome.refusal.code == "EXPIRED"
    assert outcome.account == settled


def test_a_new_buy_clears_the_expired_notice_so_an_empty_stack_is_no_pending() -> None:
    settled = apply_command(with_pending_buy(), T0 + TTL_MS, lambda ch: None).account
    ch = begin(settled, T0 + TTL_MS + 1)
    start_trade(ch, Side.BUY, "ABC", 10_00, 10_00, TTL_MS)
    commit_trade(ch, Side.BUY)
    with pytest.raises(Refused) as refusal:
        commit_trade(ch, Side.BUY)
    assert refusal.value.code == "NO_PENDING_BUY"


def test_each_pending_expires_by_its_own_creation_time() -> None:
    account = two_pending(Side.BUY)  # ABC created at T0, XYZ at T0 + 10 s

    ch = begin(account, T0 + TTL_MS)
    assert [t.sym for t in ch.account.pending_buys] == ["XYZ"]
    assert ch.account.funds_cents == 112_00 + 48_00
    assert [e.sym for e in system_events(ch.events)] == ["ABC"]

    trade = commit_trade(ch, Side.BUY)
    assert trade.sym == "XYZ"
    assert ch.account.stocks == {"XYZ": 2}

    later = begin(two_pending(Side.BUY), T0 + 10_000 + TTL_MS)
    assert later.account.pending_buys == []
    assert later.account.funds_cents == 200_00
    assert sorted(e.sym for e in system_events(later.events)) == ["ABC", "XYZ"]


def test_an_older_expired_buy_does_not_stop_committing_a_live_newer_one() -> None:
    outcome = apply_command(
        two_pending(Side.BUY), T0 + TTL_MS + 1, lambda ch: commit_trade(ch, Side.BUY)
    )
    assert outcome.refusal is None
    assert outcome.result.sym == "XYZ"
    assert outcome.account.stocks == {"XYZ": 2}
    assert outcome.account.funds_cents == 160_00
    assert cash_events(outcome.events) == [("add", 48_00)]


@pytest.mark.parametrize("act_on_newest", [cancel_trade, commit_trade])
def test_when_the_newest_was_cancelled_or_committed_an_older_expiry_is_not_told(
    act_on_newest: Callable[[Change, Side], PendingTrade],
) -> None:
    # ABC (T0) expires while XYZ (T0 + 10 s) is live; the user then cancels or commits XYZ.
    acted = apply_command(
        two_pending(Side.BUY), T0 + TTL_MS + 1, lambda ch: act_on_newest(ch, Side.BUY)
    )
    assert acted.refusal is None and acted.result.sym == "XYZ"

    outcome = apply_command(acted.account, T0 + TTL_MS + 2, lambda ch: commit_trade(ch, Side.BUY))
    assert outcome.refusal is not None and outcome.refusal.code == "NO_PENDING_BUY"


def test_when_every_pending_expired_the_newest_expiry_is_told() -> None:
    settled = apply_command(two_pending(Side.BUY), T0 + 10_000 + TTL_MS, lambda ch: None).account
    outcome = apply_command(settled, T0 + 20_000 + TTL_MS, lambda ch: commit_trade(ch, Side.BUY))
    assert outcome.refusal is not None and outcome.refusal.code == "EXPIRED"


def test_expiry_of_a_buy_says_nothing_about_sells() -> None:
    outcome = apply_command(with_pending_buy(), T0 + TTL_MS, lambda ch: commit_trade(ch, Side.SELL))
    assert outcome.refusal is not None and outcome.refusal.code == "NO_PENDING_SELL"
    assert outcome.account.funds_cents == 100_00


def test_expire_pending_before_the_deadline_changes_nothing() -> None:
    account = with_pending_buy()
    ch = begin(account, T0 + TTL_MS - 1)
    assert ch.account == account
    assert ch.events == []
    assert ch.expired == []


def test_expire_pending_settles_both_sides_in_one_pass() -> None:
    account = with_pending_buy()
    account.stocks["XYZ"] = 5
    ch = begin(account, T0)
    start_trade(ch, Side.SELL, "XYZ", 30_00, 10_00, TTL_MS)
    ch2 = begin(ch.account, T0 + TTL_MS)
    assert ch2.account.pending_buys == [] and ch2.account.pending_sells == []
    assert ch2.account.funds_cents == 100_00
    assert ch2.account.stocks == {"XYZ": 5}
    assert sorted(ch2.expired) == ["BUY", "SELL"]
    assert len(system_events(ch2.events)) == 2


def test_expire_pending_is_idempotent_on_the_same_change() -> None:
    ch = begin(with_pending_buy(), T0 + TTL_MS)
    expire_pending(ch)
    assert ch.account.funds_cents == 100_00
    assert cash_events(ch.events) == [("add", 48_00)]


def test_one_users_pending_trades_never_touch_another_users_account() -> None:
    alice = with_pending_buy()
    alice.username = "alice"
    bob = with_pending_buy(funds_cents=70_00)
    bob.username = "bob"
    bob_before = bob.copy()

    committed = apply_command(alice, T0 + 1_000, lambda ch: commit_trade(ch, Side.BUY))
    expired = apply_command(alice, T0 + TTL_MS, lambda ch: None)

    assert committed.account.stocks == {"ABC": 4}
    assert expired.account.funds_cents == 100_00
    assert {e.username for e in committed.events + expired.events} <= {"alice"}
    assert bob == bob_before
