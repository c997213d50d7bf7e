"""Running one command on one account: the steps every command takes, whatever stores the account.

Expired pending trades are settled first, since every command starts from the account as it
stands now. The rule then works on a copy (`Change`), so a refusal leaves nothing half-done; but
the settlement it started from is kept, since it would happen on the next command anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from dts.domain.account import Account
from dts.domain.change import Change
from dts.domain.events import Event
from dts.domain.pending import expire_pending
from dts.errors import DtsError

T = TypeVar("T")


@dataclass
class Outcome(Generic[T]):
    """What to store and record after one command: the account (`before` itself when the command
    changed nothing), its events, and the rule's result or its refusal."""

    before: Account
    account: Account
    events: list[Event] = field(default_factory=list)
    result: T | None = None
    refusal: DtsError | None = None
    expired: list[str] = field(default_factory=list)  # the sides whose pending trades expired

    @property
    def changed(self) -> bool:
        return self.account != self.before


def begin(
    account: Account, now_ms: int, command: str, trx_num: int, recent_max: int = 20
) -> Change:
    """A working copy of the account with its expired pending trades settled."""
    ch = Change.of(account, now_ms, trx_num, command, recent_max=recent_max)
    expire_pending(ch)
    return ch


def run(
    account: Account,
    now_ms: int,
    rule: Callable[[Change], T],
    *,
    command: str,
    trx_num: int,
    recent_max: int = 20,
) -> Outcome[T]:
    ch = begin(account, now_ms, command, trx_num, recent_max)
    # Only an expiry changes the account before the rule; without one there is nothing to keep.
    settled = ch.account.copy() if ch.expired else account
    settled_events = list(ch.events)
    try:
        result = rule(ch)
    except DtsError as refusal:
        return Outcome(account, settled, settled_events, refusal=refusal, expired=ch.expired)
    return Outcome(account, ch.account, ch.events, result=result, expired=ch.expired)
