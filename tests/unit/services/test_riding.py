"""A command's earlier records (its userCommand, a quote fetched) ride in the account's write
(settings.audit_in_account): durable with the account, under its record ids."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dts.adapters.memory import FixedQuotes, MemoryAccounts, MemoryAudit
from dts.config import Settings
from dts.domain.account import Side
from dts.domain.events import Event, EventType
from dts.errors import Refused
from dts.services import Caller, Services
from tests.unit.services.harness import T0_MS, kinds, version_of


def _received(user: str, command: str) -> Event:
    return Event(EventType.USER_COMMAND, T0_MS, 7, command=command, username=user)


def test_the_user_command_and_the_quote_ride_in_the_write_that_starts_a_trade(
    services: Services, accounts: MemoryAccounts, alice: str
) -> None:
    caller = Caller(alice, 7, trail=[_received(alice, "BUY")])
    version = version_of(accounts, alice)
    services.start_trade(Side.BUY, caller, "ABC", 2400)
    assert kinds(caller.trail) == ["userCommand", "quoteServer", "accountTransaction"]
    assert [e.record_id for e in caller.trail] == [f"{alice}:{version + 1}:{i}" for i in range(3)]
    stored = accounts.load_stored(alice)
    assert stored is not None and stored.outbox == caller.trail


def test_a_refusal_that_writes_nothing_leaves_its_records_to_the_journal(
    services: Services, accounts: MemoryAccounts, alice: str
) -> None:
    caller = Caller(alice, 7, trail=[_received(alice, "BUY")])
    with pytest.raises(Refused):
        services.start_trade(Side.BUY, caller, "ABC", 1_000_000_00)
    assert kinds(caller.trail) == ["userCommand", "quoteServer"]
    assert all(e.record_id is None for e in caller.trail)


def test_off_the_records_stay_out_of_the_write(
    settings: Settings,
    accounts: MemoryAccounts,
    audit: MemoryAudit,
    quotes: FixedQuotes,
    alice: str,
) -> None:
    services = Services(
        settings=replace(settings, audit_in_account=False),
        accounts=accounts,
        quotes=quotes,
        audit=audit,
        clock_ms=lambda: T0_MS,
    )
    caller = Caller(alice, 7, trail=[_received(alice, "ADD")])
    services.add(caller, 100)
    assert kinds(caller.trail) == ["userCommand", "accountTransaction"]
    assert caller.trail[0].record_id is None
    stored = accounts.load_stored(alice)
    assert stored is not None and kinds(stored.outbox) == ["accountTransaction"]
