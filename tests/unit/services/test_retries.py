"""The retry loop of `Services.apply`: a save that loses the race runs the rule again on the other
writer's account; a race lost every time gives up with CONFLICT, having changed nothing."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from dts.adapters.memory import MemoryAccounts, MemoryAudit
from dts.domain.account import Account, Side
from dts.errors import Refused
from dts.services import MAX_ATTEMPTS, Caller, Services
from tests.unit.services.harness import OtherWriter, cash_moves, holdings, kinds, version_of


def add_10_00(account: Account) -> None:
    account.funds_cents += 10_00


def spend_60_00(account: Account) -> None:
    account.funds_cents -= 60_00


def sell_7_abc(account: Account) -> None:
    account.stocks["ABC"] -= 7


def touch(account: Account) -> None:
    """Another writer's change that leaves the balances as they were: only the version moves."""


def test_add_that_loses_a_race_runs_again_on_the_other_writers_funds(
    services: Services, accounts: MemoryAccounts, alice: str
) -> None:
    version, saves = version_of(accounts, alice), accounts.saves
    accounts.interfere = OtherWriter(accounts, add_10_00, times=1)
    caller = Caller(alice, 10)
    assert services.add(caller, 5_00) == {"amount_cents": 5_00, "funds_cents": 115_00}
    assert accounts.saves - saves == 2
    account = accounts.load(alice)
    assert holdings(account) == (115_00, {"ABC": 10})
    assert account is not None and account.version == version + 2
    assert cash_moves(caller.trail) == [("add", 5_00)]  # the lost attempt's events are gone
    assert [e.record_id for e in caller.trail] == [f"alice:{version + 2}:0"]


@pytest.mark.parametrize(
    ("side", "other_writer", "code", "funds_cents", "stocks"),
    [
        (Side.BUY, spend_60_00, "INSUFFICIENT_FUNDS", 40_00, {"ABC": 10}),
        (Side.SELL, sell_7_abc, "INSUFFICIENT_SHARES", 100_00, {"ABC": 3}),
    ],
    ids=["BUY", "SELL"],
)
def test_trade_rerun_after_a_lost_race_is_judged_on_the_other_writers_account(
    services: Services,
    accounts: MemoryAccounts,
    alice: str,
    side: Side,
    other_writer: Callable[[Account], None],
    code: str,
    funds_cents: int,
    stocks: dict[str, int],
) -> None:
    saves = accounts.saves
    accounts.interfere = OtherWriter(accounts, other_writer, times=1)
    caller = Caller(alice, 10)
    with pytest.raises(Refused) as refused:
        services.start_trade(side, caller, "ABC", 50_00)  # 4 ABC for 48.00
    assert refused.value.code == code
    assert accounts.saves - saves == 1  # the refused rerun has nothing to save
    account = accounts.load(alice)
    assert holdings(account) == (funds_cents, stocks)
    assert account is not None and account.pending(side) == []
    assert kinds(caller.trail) == ["quoteServer"]


@pytest.mark.parametrize("side", list(Side))
def test_race_lost_every_time_ends_in_conflict_with_the_account_unchanged(
    services: Services,
    accounts: MemoryAccounts,
    alice: str,
    side: Side,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    backoffs: list[float] = []
    monkeypatch.setattr("dts.services.time.sleep", backoffs.append)  # the waits, not waited
    before, saves = accounts.load_stored(alice), accounts.saves
    assert before is not None
    accounts.interfere = OtherWriter(accounts, touch)
    caller = Caller(alice, 10)
    with pytest.raises(Refused) as refused:
        services.start_trade(side, caller, "ABC", 50_00)
    assert (refused.value.code, refused.value.status) == ("CONFLICT", 409)
    assert accounts.saves - saves == MAX_ATTEMPTS == 50
    after = accounts.load_stored(alice)
    assert after is not None
    assert after.account == dataclasses.replace(
        before.account, version=before.version + MAX_ATTEMPTS
    )
    assert kinds(caller.trail) == ["quoteServer"]
    assert len(backoffs) == MAX_ATTEMPTS
    assert all(0 <= wait <= 0.05 for wait in backoffs)


def test_keyed_add_that_lost_a_race_is_remembered_once(
    services: Services, accounts: MemoryAccounts, audit: MemoryAudit, alice: str
) -> None:
    accounts.interfere = OtherWriter(accounts, add_10_00, times=1)
    first = Caller(alice, 10, key="k-1")
    reply = services.add(first, 5_00)
    audit.record(first.trail)
    retry = Caller(alice, 10, key="k-1")
    assert services.add(retry, 5_00) == reply == {"amount_cents": 5_00, "funds_cents": 115_00}
    assert holdings(accounts.load(alice)) == (115_00, {"ABC": 10})
    assert retry.trail == []
