"""Runs a rule on an account the way `AccountStore.apply` does, without a database.

A command works on a copy (`Change.of`); expired pending trades are settled first; if the rule
refuses, the copy is dropped but the settlement is kept (the store writes it before re-raising).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dts.domain.account import Account
from dts.domain.change import Change
from dts.domain.events import Event, EventType
from dts.domain.pending import expire_pending
from dts.errors import Refused

TTL_MS = 60_000


def begin(account: Account, now_ms: int, command: str = "TEST", trx_num: int = 1) -> Change:
    """A fresh Change with expiries already settled, as every command starts."""
    ch = Change.of(account, now_ms, trx_num, command)
    expire_pending(ch)
    return ch


@dataclass
class Outcome:
    account: Account
    events: list[Event] = field(default_factory=list)
    result: Any = None
    refusal: Refused | None = None


def apply_command(
    account: Account,
    now_ms: int,
    rule: Callable[[Change], Any],
    command: str = "TEST",
    trx_num: int = 1,
) -> Outcome:
    """The stored account and the recorded events after one command, accepted or refused."""
    ch = begin(account, now_ms, command, trx_num)
    settled = ch.account.copy()
    settled_events = list(ch.events)
    try:
        result = rule(ch)
    except Refused as refusal:
        return Outcome(settled, settled_events, refusal=refusal)
    return Outcome(ch.account, ch.events, result=result)


def cash_events(events: list[Event]) -> list[tuple[str | None, int | None]]:
    return [(e.action, e.amount_cents) for e in events if e.type is EventType.ACCOUNT_TRANSACTION]


def system_events(events: list[Event]) -> list[Event]:
    return [e for e in events if e.type is EventType.SYSTEM_EVENT]
