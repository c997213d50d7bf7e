"""What the service tests share besides fixtures: a clock a test moves by hand, another writer
that wins the race for an account, accounts opened through the commands themselves, and short
views of a trail.

Prices are fixed (`PRICES`), so every expected amount in the tests is exact cents.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from dts.adapters.memory import MemoryAccounts, MemoryAudit
from dts.domain.account import Account, Side
from dts.domain.events import Event, EventType
from dts.services import Caller, Services

T0_MS = 1_700_000_000_000
WINDOW_MS = 60_000  # Settings().pending_ttl_s, in ms
PRICES = {"ABC": 12_00, "XYZ": 7_50}
ALICE = "alice"
START_FUNDS_CENTS = 100_00
START_ABC_SHARES = 10


class Clock:
    """The services' clock: the pending window passes in no time when a test says so."""

    def __init__(self, now_ms: int = T0_MS) -> None:
        self.now_ms = now_ms

    def __call__(self) -> int:
        return self.now_ms

    def advance(self, ms: int) -> None:
        self.now_ms += ms


class OtherWriter:
    """An `interfere` hook: another writer's change lands just before each of the next `times`
    saves (every save when `times` is None), so that save loses the race."""

    def __init__(
        self,
        accounts: MemoryAccounts,
        change: Callable[[Account], None],
        times: int | None = None,
    ) -> None:
        self.accounts = accounts
        self.change = change
        self.times = times
        self.landed = 0

    def __call__(self, username: str) -> None:
        if self.times is None or self.landed < self.times:
            self.accounts.bump(username, self.change)
            self.landed += 1


def open_account(
    services: Services,
    audit: MemoryAudit,
    username: str,
    funds_cents: int = START_FUNDS_CENTS,
    abc_shares: int = START_ABC_SHARES,
) -> str:
    """An account with `funds_cents` and `abc_shares` of ABC, made by ADD, BUY and COMMIT_BUY
    (transaction numbers 1 to 3), each trail recorded as the web layer would."""
    cost_cents = abc_shares * PRICES["ABC"]
    steps: list[Callable[[Caller], object]] = [lambda c: services.add(c, funds_cents + cost_cents)]
    if abc_shares:
        steps += [
            lambda c: services.start_trade(Side.BUY, c, "ABC", cost_cents),
            lambda c: services.finish_trade(Side.BUY, True, c),
        ]
    for trx, step in enumerate(steps, start=1):
        run_recorded(audit, Caller(username, trx), step)
    return username


def run_recorded(audit: MemoryAudit, caller: Caller, step: Callable[[Caller], object]) -> None:
    """Runs one command and records its trail, as the web layer does once a request ends."""
    step(caller)
    audit.record(caller.trail)


def version_of(accounts: MemoryAccounts, username: str) -> int:
    stored = accounts.load_stored(username)
    assert stored is not None
    return stored.version


def kinds(events: Iterable[Event]) -> list[str]:
    return [e.type.value for e in events]


def cash_moves(events: Iterable[Event]) -> list[tuple[str | None, int | None]]:
    """The trail's cash movements, (action, cents), in order."""
    return [(e.action, e.amount_cents) for e in events if e.type is EventType.ACCOUNT_TRANSACTION]


def holdings(account: Account | None) -> tuple[int, dict[str, int]]:
    """(funds, unreserved shares per symbol): what a trade moves."""
    assert account is not None
    return account.funds_cents, dict(account.stocks)
