"""ADD: creates the account on first use and credits it; a keyed retry gets the first reply."""

from __future__ import annotations

import pytest

from dts.adapters.memory import MemoryAccounts, MemoryAudit
from dts.domain.account import Side
from dts.domain.events import Event, EventType
from dts.errors import Conflict
from dts.services import Caller, Services
from tests.unit.services.harness import T0_MS, cash_moves, holdings, kinds


def test_first_add_creates_the_account_and_credits_it(
    services: Services, accounts: MemoryAccounts
) -> None:
    caller = Caller("carol", 7)
    reply = services.add(caller, 50_00)
    assert reply == {"amount_cents": 50_00, "funds_cents": 50_00}
    account = accounts.load("carol")
    assert holdings(account) == (50_00, {})
    assert account is not None and account.version == 1
    assert account.transactions == [
        {"trxNum": 7, "timestamp": T0_MS, "command": "ADD", "amount_cents": 50_00}
    ]
    assert caller.trail == [
        Event(
            type=EventType.ACCOUNT_TRANSACTION,
            timestamp_ms=T0_MS,
            trx_num=7,
            command="ADD",
            username="carol",
            action="add",
            amount_cents=50_00,
            record_id="carol:1:0",
        )
    ]


def test_second_add_adds_to_the_funds(
    services: Services, accounts: MemoryAccounts, audit: MemoryAudit
) -> None:
    first = Caller("carol", 1)
    services.add(first, 50_00)
    audit.record(first.trail)
    second = Caller("carol", 2)
    assert services.add(second, 30_01) == {"amount_cents": 30_01, "funds_cents": 80_01}
    assert holdings(accounts.load("carol")) == (80_01, {})
    assert cash_moves(second.trail) == [("add", 30_01)]
    assert [e.record_id for e in second.trail] == ["carol:2:0"]


def test_keyed_retry_returns_the_first_reply_without_crediting_again(
    services: Services, accounts: MemoryAccounts, audit: MemoryAudit
) -> None:
    first = Caller("carol", 1, key="k-1")
    reply = services.add(first, 50_00)
    audit.record(first.trail)
    saves = accounts.saves
    retry = Caller("carol", 2, key="k-1")
    assert services.add(retry, 50_00) == reply == {"amount_cents": 50_00, "funds_cents": 50_00}
    assert holdings(accounts.load("carol")) == (50_00, {})
    assert accounts.saves == saves
    assert retry.trail == []


def test_keyed_retry_carries_the_first_attempts_unrecorded_events(
    services: Services, accounts: MemoryAccounts, audit: MemoryAudit
) -> None:
    first = Caller("carol", 1, key="k-1")
    services.add(first, 50_00)  # its trail never reaches the audit: the reply was lost too
    retry = Caller("carol", 1, key="k-1")
    assert services.add(retry, 50_00) == {"amount_cents": 50_00, "funds_cents": 50_00}
    assert retry.trail == first.trail
    audit.record(retry.trail)
    assert [r["amount"] for r in audit.of(EventType.ACCOUNT_TRANSACTION, "carol")] == [50_00]


def test_key_of_an_add_reused_for_a_buy_is_a_conflict(
    services: Services, accounts: MemoryAccounts, audit: MemoryAudit
) -> None:
    first = Caller("carol", 1, key="k-1")
    services.add(first, 50_00)
    audit.record(first.trail)
    before = accounts.load_stored("carol")
    reused = Caller("carol", 2, key="k-1")
    with pytest.raises(Conflict) as refused:
        services.start_trade(Side.BUY, reused, "ABC", 20_00)
    assert (refused.value.code, refused.value.status) == ("IDEMPOTENCY_KEY_REUSED", 422)
    assert kinds(reused.trail) == ["quoteServer"]
    assert accounts.load_stored("carol") == before
