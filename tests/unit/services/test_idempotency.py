"""Idempotency keys on account-changing commands: a retry gets the first reply, applied once."""

from __future__ import annotations

import pytest

from dts.adapters.memory import MemoryAccounts, MemoryAudit
from dts.domain.account import Side
from dts.errors import Refused
from dts.services import Caller, Services
from tests.unit.services.harness import holdings, kinds, run_recorded


@pytest.mark.parametrize("side", list(Side))
def test_keyed_trade_retried_leaves_one_pending_trade(
    services: Services, accounts: MemoryAccounts, audit: MemoryAudit, alice: str, side: Side
) -> None:
    first = Caller(alice, 10, key="trade-1")
    reply = services.start_trade(side, first, "ABC", 50_00)
    audit.record(first.trail)
    retry = Caller(alice, 10, key="trade-1")
    assert services.start_trade(side, retry, "ABC", 50_00) == reply
    assert retry.trail == []  # the quote is cached and nothing is applied
    account = accounts.load(alice)
    assert account is not None and [t.shares for t in account.pending(side)] == [4]


def test_refused_keyed_command_is_not_remembered(
    services: Services, accounts: MemoryAccounts, audit: MemoryAudit, alice: str
) -> None:
    refused_buy = Caller(alice, 10, key="buy-1")
    with pytest.raises(Refused):
        services.start_trade(Side.BUY, refused_buy, "ABC", 150_00)
    audit.record(refused_buy.trail)
    run_recorded(audit, Caller(alice, 11), lambda c: services.add(c, 50_00))
    retry = Caller(alice, 12, key="buy-1")
    assert services.start_trade(Side.BUY, retry, "ABC", 150_00)["pending"]["shares"] == 12
    assert holdings(accounts.load(alice)) == (6_00, {"ABC": 10})


def test_retry_of_an_older_key_whose_reply_is_no_longer_kept_is_refused(
    services: Services, accounts: MemoryAccounts, audit: MemoryAudit, alice: str
) -> None:
    run_recorded(audit, Caller(alice, 10, key="add-1"), lambda c: services.add(c, 1_00))
    run_recorded(audit, Caller(alice, 11, key="add-2"), lambda c: services.add(c, 2_00))
    before = accounts.load_stored(alice)
    retry = Caller(alice, 10, key="add-1")
    with pytest.raises(Refused) as refused:
        services.add(retry, 1_00)
    assert refused.value.code == "ALREADY_APPLIED"
    assert kinds(retry.trail) == []
    assert accounts.load_stored(alice) == before
    assert holdings(accounts.load(alice)) == (103_00, {"ABC": 10})
