"""The outbox: a write's events are stored with it and carried into later trails until this process
has seen them recorded, so a process that dies before recording loses nothing."""

from __future__ import annotations

from dts.adapters.memory import MemoryAccounts, MemoryAudit
from dts.domain.events import EventType
from dts.services import Caller, Services
from tests.unit.services.harness import Clock, cash_moves


def test_recorded_trail_is_not_carried_into_the_next_command(
    services: Services, audit: MemoryAudit, alice: str
) -> None:
    first = Caller(alice, 10)
    services.add(first, 5_00)
    audit.record(first.trail)
    second = Caller(alice, 11)
    services.add(second, 7_00)
    assert cash_moves(second.trail) == [("add", 7_00)]


def test_unrecorded_events_are_carried_into_the_next_trail_and_recorded_once(
    services: Services, accounts: MemoryAccounts, audit: MemoryAudit, alice: str
) -> None:
    first = Caller(alice, 10)
    services.add(first, 5_00)  # its trail never reaches the audit
    second = Caller(alice, 11)
    services.add(second, 7_00)
    assert second.trail[:1] == first.trail
    assert cash_moves(second.trail) == [("add", 5_00), ("add", 7_00)]
    stored = accounts.load_stored(alice)
    assert stored is not None and stored.outbox == second.trail
    audit.record(second.trail)
    audit.record(second.trail)  # a repeat stores nothing twice
    cash_records = audit.of(EventType.ACCOUNT_TRANSACTION, alice)
    assert [r["amount"] for r in cash_records] == [220_00, 120_00, 5_00, 7_00]  # opening: 2
    third = Caller(alice, 12)
    services.add(third, 1_00)
    assert cash_moves(third.trail) == [("add", 1_00)]


def test_command_that_saves_nothing_still_carries_unrecorded_events(
    services: Services, accounts: MemoryAccounts, alice: str
) -> None:
    first = Caller(alice, 10)
    services.add(first, 5_00)
    saves = accounts.saves
    view = Caller(alice, 11)
    services.summary(view)
    assert view.trail == first.trail
    assert accounts.saves == saves


def test_events_a_dead_process_left_are_carried_by_another_process(
    services: Services, accounts: MemoryAccounts, clock: Clock, alice: str
) -> None:
    dying = Caller(alice, 10)
    services.add(dying, 5_00)  # the process dies before it records this trail
    audit = MemoryAudit()  # another process: its own audit, the same accounts
    survivor = Services(services.settings, accounts, services.quotes, audit, clock)
    caller = Caller(alice, 11)
    survivor.add(caller, 7_00)
    assert caller.trail[:1] == dying.trail
    assert cash_moves(caller.trail) == [("add", 5_00), ("add", 7_00)]
    audit.record(caller.trail)
    assert [r["amount"] for r in audit.of(EventType.ACCOUNT_TRANSACTION, alice)] == [5_00, 7_00]


def test_trail_recorded_from_a_generator_is_not_carried_again(
    services: Services, audit: MemoryAudit, alice: str
) -> None:
    first = Caller(alice, 10)
    services.add(first, 5_00)
    audit.record(event for event in first.trail)
    second = Caller(alice, 11)
    services.add(second, 7_00)
    assert cash_moves(second.trail) == [("add", 7_00)]
