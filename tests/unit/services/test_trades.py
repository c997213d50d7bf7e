"""BUY/SELL into a pending trade, COMMIT or CANCEL within the window, and expiry after it.

Both sides start from `alice`: 100.00 of funds and 10 ABC at 12.00, so 50.00 is 4 shares (48.00).
"""

from __future__ import annotations

import pytest

from dts.adapters.memory import MemoryAccounts, MemoryAudit
from dts.domain.account import PendingTrade, Side
from dts.domain.events import EventType
from dts.errors import Refused
from dts.services import Caller, Services
from tests.unit.services.harness import (
    T0_MS,
    WINDOW_MS,
    Clock,
    cash_moves,
    holdings,
    kinds,
    run_recorded,
    version_of,
)


def pending_reply(shares: int, trx: int, seconds_left: int = 60, at_ms: int = T0_MS) -> dict:
    return {
        "sym": "ABC",
        "shares": shares,
        "price_cents": 12_00,
        "amount_cents": shares * 12_00,
        "expires_at": at_ms + WINDOW_MS,
        "seconds_left": seconds_left,
        "trxNum": trx,
    }


def start(services: Services, audit: MemoryAudit, side: Side, trx: int, amount: int) -> None:
    """alice's BUY or SELL of ABC, its trail recorded."""
    caller = Caller("alice", trx)
    run_recorded(audit, caller, lambda c: services.start_trade(side, c, "ABC", amount))


@pytest.mark.parametrize(
    ("side", "funds_cents", "stocks", "moves"),
    [
        (Side.BUY, 52_00, {"ABC": 10}, [("remove", 48_00)]),
        (Side.SELL, 100_00, {"ABC": 6}, []),
    ],
    ids=["BUY", "SELL"],
)
def test_trade_reserves_whole_shares_into_a_pending_trade(
    services: Services,
    accounts: MemoryAccounts,
    alice: str,
    side: Side,
    funds_cents: int,
    stocks: dict[str, int],
    moves: list[tuple[str, int]],
) -> None:
    caller = Caller(alice, 10)
    reply = services.start_trade(side, caller, "ABC", 50_00)
    assert reply == {"pending": pending_reply(shares=4, trx=10)}
    account = accounts.load(alice)
    assert holdings(account) == (funds_cents, stocks)
    assert account is not None
    assert account.pending(side) == [PendingTrade("ABC", 4, 12_00, T0_MS, T0_MS + WINDOW_MS, 10)]
    assert kinds(caller.trail) == ["quoteServer"] + ["accountTransaction"] * len(moves)
    assert cash_moves(caller.trail) == moves


@pytest.mark.parametrize(
    ("side", "amount_cents", "code"),
    [
        (Side.BUY, 100_01, "INSUFFICIENT_FUNDS"),
        (Side.SELL, 11 * 12_00, "INSUFFICIENT_SHARES"),
        (Side.BUY, 11_99, "ZERO_SHARES"),
        (Side.SELL, 11_99, "ZERO_SHARES"),
    ],
    ids=["BUY-funds", "SELL-shares", "BUY-no-whole-share", "SELL-no-whole-share"],
)
def test_trade_beyond_means_is_refused_keeping_the_quote_event_and_the_account(
    services: Services,
    accounts: MemoryAccounts,
    alice: str,
    side: Side,
    amount_cents: int,
    code: str,
) -> None:
    before, saves = accounts.load_stored(alice), accounts.saves
    caller = Caller(alice, 10)
    with pytest.raises(Refused) as refused:
        services.start_trade(side, caller, "ABC", amount_cents)
    assert (refused.value.code, refused.value.status) == (code, 409)
    assert [(e.type, e.sym, e.price_cents) for e in caller.trail] == [
        (EventType.QUOTE_SERVER, "ABC", 12_00)
    ]
    assert accounts.load_stored(alice) == before
    assert accounts.saves == saves


@pytest.mark.parametrize(
    ("side", "commit", "funds_cents", "stocks", "moves"),
    [
        (Side.BUY, True, 52_00, {"ABC": 14}, []),
        (Side.SELL, True, 148_00, {"ABC": 6}, [("add", 48_00)]),
        (Side.BUY, False, 100_00, {"ABC": 10}, [("add", 48_00)]),
        (Side.SELL, False, 100_00, {"ABC": 10}, []),
    ],
    ids=["COMMIT_BUY", "COMMIT_SELL", "CANCEL_BUY", "CANCEL_SELL"],
)
def test_commit_or_cancel_within_the_window_finishes_the_trade(
    services: Services,
    accounts: MemoryAccounts,
    audit: MemoryAudit,
    clock: Clock,
    alice: str,
    side: Side,
    commit: bool,
    funds_cents: int,
    stocks: dict[str, int],
    moves: list[tuple[str, int]],
) -> None:
    start(services, audit, side, 10, 50_00)
    clock.advance(10_000)
    caller = Caller(alice, 11)
    reply = services.finish_trade(side, commit, caller)
    assert reply == {"trade": pending_reply(shares=4, trx=10, seconds_left=50)}
    account = accounts.load(alice)
    assert holdings(account) == (funds_cents, stocks)
    assert account is not None and account.pending(side) == []
    assert account.transactions[-1]["command"] == f"{'COMMIT' if commit else 'CANCEL'}_{side}"
    assert cash_moves(caller.trail) == moves
    assert kinds(caller.trail) == ["accountTransaction"] * len(moves)


@pytest.mark.parametrize("side", list(Side))
def test_commit_at_the_last_millisecond_of_the_window_succeeds(
    services: Services, audit: MemoryAudit, clock: Clock, alice: str, side: Side
) -> None:
    start(services, audit, side, 10, 50_00)
    clock.advance(WINDOW_MS - 1)
    reply = services.finish_trade(side, True, Caller(alice, 11))
    assert reply["trade"]["shares"] == 4
    assert reply["trade"]["seconds_left"] == 0


@pytest.mark.parametrize("commit", [True, False], ids=["commit", "cancel"])
@pytest.mark.parametrize("side", list(Side))
def test_commit_or_cancel_with_nothing_pending_is_refused_and_changes_nothing(
    services: Services, accounts: MemoryAccounts, alice: str, side: Side, commit: bool
) -> None:
    before, saves = accounts.load_stored(alice), accounts.saves
    caller = Caller(alice, 10)
    with pytest.raises(Refused) as refused:
        services.finish_trade(side, commit, caller)
    assert refused.value.code == f"NO_PENDING_{side}"
    assert caller.trail == []
    assert accounts.load_stored(alice) == before
    assert accounts.saves == saves


@pytest.mark.parametrize(
    ("side", "funds_cents", "stocks"),
    [(Side.BUY, 28_00, {"ABC": 14}), (Side.SELL, 148_00, {"ABC": 4})],
    ids=["BUY", "SELL"],
)
def test_commit_takes_the_newest_pending_trade(
    services: Services,
    accounts: MemoryAccounts,
    audit: MemoryAudit,
    alice: str,
    side: Side,
    funds_cents: int,
    stocks: dict[str, int],
) -> None:
    start(services, audit, side, 10, 24_00)  # 2 shares
    start(services, audit, side, 11, 48_00)  # 4 shares
    reply = services.finish_trade(side, True, Caller(alice, 12))
    assert (reply["trade"]["shares"], reply["trade"]["trxNum"]) == (4, 11)
    account = accounts.load(alice)
    assert holdings(account) == (funds_cents, stocks)
    assert account is not None
    assert [(t.shares, t.trx_num) for t in account.pending(side)] == [(2, 10)]


@pytest.mark.parametrize(
    ("side", "expiry_moves", "funds_cents", "stocks"),
    [
        (Side.BUY, [("add", 24_00)], 52_00, {"ABC": 14}),
        (Side.SELL, [], 148_00, {"ABC": 6}),
    ],
    ids=["BUY", "SELL"],
)
def test_each_pending_trade_expires_a_window_after_its_own_start(
    services: Services,
    accounts: MemoryAccounts,
    audit: MemoryAudit,
    clock: Clock,
    alice: str,
    side: Side,
    expiry_moves: list[tuple[str, int]],
    funds_cents: int,
    stocks: dict[str, int],
) -> None:
    start(services, audit, side, 10, 24_00)  # 2 shares, expires first
    clock.advance(30_000)
    start(services, audit, side, 11, 48_00)  # 4 shares, still live after 60 s
    clock.advance(30_000)
    caller = Caller(alice, 12)
    reply = services.finish_trade(side, True, caller)
    assert reply["trade"] == pending_reply(shares=4, trx=11, seconds_left=30, at_ms=T0_MS + 30_000)
    assert holdings(accounts.load(alice)) == (funds_cents, stocks)
    commit_moves = [("add", 48_00)] if side is Side.SELL else []
    assert cash_moves(caller.trail) == expiry_moves + commit_moves
    expiries = [e for e in caller.trail if e.type is EventType.SYSTEM_EVENT]
    assert [(e.command, e.amount_cents) for e in expiries] == [(side.value, 24_00)]


@pytest.mark.parametrize("commit", [True, False], ids=["commit", "cancel"])
@pytest.mark.parametrize(
    ("side", "moves"), [(Side.BUY, [("add", 48_00)]), (Side.SELL, [])], ids=["BUY", "SELL"]
)
def test_commit_or_cancel_after_expiry_is_refused_yet_the_settlement_is_saved(
    services: Services,
    accounts: MemoryAccounts,
    audit: MemoryAudit,
    clock: Clock,
    alice: str,
    side: Side,
    moves: list[tuple[str, int]],
    commit: bool,
) -> None:
    start(services, audit, side, 10, 50_00)
    version = version_of(accounts, alice)
    clock.advance(WINDOW_MS)
    caller = Caller(alice, 11)
    with pytest.raises(Refused) as refused:
        services.finish_trade(side, commit, caller)
    assert refused.value.code == "EXPIRED"
    stored = accounts.load_stored(alice)
    assert stored is not None
    assert holdings(stored.account) == (100_00, {"ABC": 10})
    assert stored.account.pending(side) == []
    assert stored.version == version + 1
    assert stored.account.transactions[-1]["command"] == f"EXPIRED_{side}"
    assert kinds(caller.trail) == ["accountTransaction"] * len(moves) + ["systemEvent"]
    assert cash_moves(caller.trail) == moves
    expiry = caller.trail[-1]
    assert (expiry.command, expiry.sym, expiry.amount_cents) == (side.value, "ABC", 48_00)
    assert [e.record_id for e in caller.trail] == [
        f"alice:{version + 1}:{i}" for i in range(len(caller.trail))
    ]
    assert stored.outbox == caller.trail


@pytest.mark.parametrize("side", list(Side))
def test_late_commit_stays_expired_and_changes_nothing_more(
    services: Services,
    accounts: MemoryAccounts,
    audit: MemoryAudit,
    clock: Clock,
    alice: str,
    side: Side,
) -> None:
    start(services, audit, side, 10, 50_00)
    clock.advance(WINDOW_MS)
    first = Caller(alice, 11)
    with pytest.raises(Refused):
        services.finish_trade(side, True, first)
    audit.record(first.trail)
    before, saves = accounts.load_stored(alice), accounts.saves
    clock.advance(WINDOW_MS)
    again = Caller(alice, 12)
    with pytest.raises(Refused) as refused:
        services.finish_trade(side, True, again)
    assert refused.value.code == "EXPIRED"
    assert again.trail == []
    assert accounts.load_stored(alice) == before
    assert accounts.saves == saves


@pytest.mark.parametrize(
    ("side", "moves"), [(Side.BUY, [("add", 48_00)]), (Side.SELL, [])], ids=["BUY", "SELL"]
)
def test_settle_gives_back_what_an_expired_trade_reserved(
    services: Services,
    accounts: MemoryAccounts,
    audit: MemoryAudit,
    clock: Clock,
    alice: str,
    side: Side,
    moves: list[tuple[str, int]],
) -> None:
    start(services, audit, side, 10, 50_00)
    clock.advance(WINDOW_MS)
    caller = Caller(alice, 11)
    assert services.settle(caller) is None
    account = accounts.load(alice)
    assert holdings(account) == (100_00, {"ABC": 10})
    assert account is not None and account.pending(side) == []
    assert kinds(caller.trail) == ["accountTransaction"] * len(moves) + ["systemEvent"]
    assert cash_moves(caller.trail) == moves


@pytest.mark.parametrize("side", list(Side))
def test_settle_with_nothing_expired_saves_nothing(
    services: Services,
    accounts: MemoryAccounts,
    audit: MemoryAudit,
    clock: Clock,
    alice: str,
    side: Side,
) -> None:
    start(services, audit, side, 10, 50_00)
    clock.advance(WINDOW_MS - 1)
    before, saves = accounts.load_stored(alice), accounts.saves
    caller = Caller(alice, 11)
    services.settle(caller)
    assert caller.trail == []
    assert accounts.load_stored(alice) == before
    assert accounts.saves == saves
