"""The real command runner (dts.domain.runner) with a test's defaults, and the events to look at.

Nothing here re-implements a step of running a command: `apply_command` is `run`, `begin` is the
runner's own `begin`, each with a command name and transaction number a test need not spell out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dts.domain import runner
from dts.domain.account import Account
from dts.domain.change import Change
from dts.domain.events import Event, EventType

TTL_MS = 60_000


def begin(account: Account, now_ms: int, command: str = "TEST", trx_num: int = 1) -> Change:
    return runner.begin(account, now_ms, command, trx_num)


def apply_command(
    account: Account,
    now_ms: int,
    rule: Callable[[Change], Any],
    command: str = "TEST",
    trx_num: int = 1,
) -> runner.Outcome[Any]:
    return runner.run(account, now_ms, rule, command=command, trx_num=trx_num)


def cash_events(events: list[Event]) -> list[tuple[str | None, int | None]]:
    return [(e.action, e.amount_cents) for e in events if e.type is EventType.ACCOUNT_TRANSACTION]


def system_events(events: list[Event]) -> list[Event]:
    return [e for e in events if e.type is EventType.SYSTEM_EVENT]
