"""For rule tests run once per side: each side's expectation written beside the other's, and what
they compare. A BUY sets cash aside and a SELL shares, so `balances` holds both in one value: one
comparison shows what the trade moved and that it left the other side's stake alone."""

from __future__ import annotations

from typing import TypeVar

from dts.domain.account import Account, Side
from dts.domain.events import Event, EventType
from tests.unit.domain.commands import cash_events

T = TypeVar("T")


def for_side(side: Side, buy: T, sell: T) -> T:
    """What a test expects of `side`, written beside the other side's so the two read as mirrors."""
    return buy if side is Side.BUY else sell


def balances(account: Account) -> tuple[int, int, dict[str, int], dict[str, int]]:
    """(funds, reserved cash, unreserved holdings, reserved shares of each symbol that has any)."""
    syms = sorted({t.sym for t in account.pending_sells} | set(account.sell_orders))
    reserved = {sym: account.reserved_shares(sym) for sym in syms}
    return (
        account.funds_cents,
        account.reserved_cash_cents,
        account.stocks,
        {sym: shares for sym, shares in reserved.items() if shares},
    )


def only_cash_events(events: list[Event]) -> list[tuple[str | None, int | None]]:
    """The events as cash moves (action, cents), once it is checked there is no other kind."""
    assert all(e.type is EventType.ACCOUNT_TRANSACTION for e in events), events
    return cash_events(events)
