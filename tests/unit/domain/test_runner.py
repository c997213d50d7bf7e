"""dts.domain.runner: every command settles expiries first, and a refusal keeps that settlement."""

from __future__ import annotations

from dts.domain.account import Account, PendingTrade
from dts.domain.change import Change
from dts.domain.events import EventType
from dts.domain.runner import run
from dts.errors import Refused

T0 = 1_000_000


def with_expired_buy() -> Account:
    """48.00 reserved for a BUY that expired at T0 + 60 s."""
    trade = PendingTrade("ABC", 4, 12_00, T0, T0 + 60_000, 7)
    return Account(username="u", funds_cents=52_00, pending_buys=[trade], version=3)


def refuse(ch: Change) -> None:
    raise Refused("no", "NOPE")


def test_a_refused_command_keeps_the_settlement_it_started_from() -> None:
    before = with_expired_buy()
    outcome = run(before, T0 + 60_000, refuse, command="SELL", trx_num=9)
    assert outcome.refusal is not None and outcome.refusal.code == "NOPE"
    assert outcome.changed and outcome.account.funds_cents == 100_00
    assert outcome.account.pending_buys == []
    assert [(e.type, e.trx_num) for e in outcome.events] == [
        (EventType.ACCOUNT_TRANSACTION, 9),
        (EventType.SYSTEM_EVENT, 9),
    ]
    assert before.funds_cents == 52_00  # the caller's account is never touched


def test_a_refused_command_with_nothing_to_settle_changes_nothing() -> None:
    before = with_expired_buy()
    outcome = run(before, T0 + 1, refuse, command="SELL", trx_num=9)
    assert outcome.refusal is not None and not outcome.changed
    assert outcome.account is before and outcome.events == []


def test_an_accepted_command_returns_the_rules_result_and_every_event() -> None:
    def add(ch: Change) -> int:
        ch.credit_cash(5_00)
        return ch.account.funds_cents

    outcome = run(with_expired_buy(), T0 + 60_000, add, command="ADD", trx_num=10)
    assert outcome.refusal is None and outcome.result == 105_00
    assert [(e.type, e.command) for e in outcome.events] == [
        (EventType.ACCOUNT_TRANSACTION, "ADD"),
        (EventType.SYSTEM_EVENT, "BUY"),
        (EventType.ACCOUNT_TRANSACTION, "ADD"),
    ]
