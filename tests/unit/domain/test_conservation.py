"""Conservation (API.md): cash + reserved cash and held + reserved shares change only by ADD and by
trades at quoted prices, across any sequence of commands, accepted, refused or expired; and the
cost basis of the shares held plus the cost of the shares sold is everything paid.

Commands run the way the store runs them (tests.unit.domain.runner.apply_command): expiries are
settled first; a refused command's change is dropped but the settlement is kept. The commands come
from a seeded random walk (hypothesis picks the seed, the opening account and the length) that
draws amounts near what the account can afford or hold, so that trades, triggers, refusals and
expiries all happen often; `note` prints the walk of a failing example.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import given, note, settings
from hypothesis import strategies as st

from dts.domain import pending, triggers
from dts.domain.account import Account, Side
from dts.domain.change import Change
from dts.domain.events import Event, EventType
from tests.unit.domain.commands import TTL_MS, apply_command

SYMS = ("A", "B")
LONG_WAITS_MS = (TTL_MS - 1, TTL_MS, TTL_MS + 1, TTL_MS // 2, 2 * TTL_MS)
REFUSAL_CODES = {
    "INSUFFICIENT_FUNDS",
    "INSUFFICIENT_SHARES",
    "ZERO_SHARES",
    "EXPIRED",
    "NO_PENDING_BUY",
    "NO_PENDING_SELL",
    "NO_BUY_AMOUNT",
    "NO_SELL_AMOUNT",
    "NO_HOLDING",
}


@dataclass
class Ledger:
    """What the totals must be: from ADDs and the trades the rules report, not from the account."""

    added_cents: int = 0
    bought_cents: int = 0
    sold_cents: int = 0
    shares: Counter[str] = field(default_factory=Counter)
    cash_events_cents: int = 0

    def record_events(self, events: list[Event]) -> None:
        for event in events:
            if event.type is EventType.ACCOUNT_TRANSACTION:
                assert event.amount_cents is not None and event.amount_cents > 0
                sign = {"add": 1, "remove": -1}[event.action or ""]
                self.cash_events_cents += sign * event.amount_cents

    def trade(self, side: Side | str, sym: str, shares: int, cost_cents: int) -> None:
        if Side(side) is Side.BUY:
            self.bought_cents += cost_cents
            self.shares[sym] += shares
        else:
            self.sold_cents += cost_cents
            self.shares[sym] -= shares

    def fired(self, done: list[dict[str, Any]], quote_cents: int) -> None:
        for f in done:
            assert f["price_cents"] == quote_cents
            assert f["amount_cents"] == f["shares"] * quote_cents
            self.trade(f["side"], f["sym"], f["shares"], f["amount_cents"])


def rule_for(command: tuple[Any, ...]) -> Callable[[Change], list[tuple[str, Any]]]:
    """The command as a rule on a Change; totals are booked only once the rule has succeeded."""
    kind, *args = command

    def rule(ch: Change) -> list[tuple[str, Any]]:
        booked: list[tuple[str, Any]] = []
        if kind == "add":
            (amount,) = args
            ch.credit_cash(amount)
            booked.append(("add", amount))
        elif kind == "start":
            side, sym, amount, price = args
            pending.start_trade(ch, side, sym, amount, price, TTL_MS)
        elif kind in ("commit", "cancel"):
            (side,) = args
            if kind == "commit":
                trade = pending.commit_trade(ch, side)
                booked.append(("trade", (side, trade.sym, trade.shares, trade.total_cents)))
            else:
                pending.cancel_trade(ch, side)
        elif kind == "set_amount":
            side, sym, amount = args
            triggers.set_amount(ch, side, sym, amount)
        elif kind == "set_trigger":
            side, sym, trigger, quote = args
            _, fired = triggers.set_trigger(ch, side, sym, trigger, quote)
            if fired is not None:
                booked.append(("fired", ([fired], quote)))
        elif kind == "cancel_set":
            side, sym = args
            triggers.cancel_order(ch, side, sym)
        elif kind == "fire":
            sym, quote = args
            booked.append(("fired", (triggers.fire_triggers(ch, sym, quote), quote)))
        return booked

    return rule


def book(ledger: Ledger, booked: list[tuple[str, Any]]) -> None:
    for what, value in booked:
        if what == "add":
            ledger.added_cents += value
        elif what == "trade":
            ledger.trade(*value)
        else:
            ledger.fired(*value)


def check_invariants(account: Account, ledger: Ledger) -> None:
    assert account.funds_cents >= 0
    assert all(n > 0 for n in account.stocks.values()), account.stocks
    for side in Side:
        assert all(t.shares >= 1 and t.price_cents >= 1 for t in account.pending(side)), side
    assert all(o.amount_cents > 0 and o.reserved_shares == 0 for o in account.buy_orders.values())
    for order in account.sell_orders.values():
        assert order.amount_cents > 0
        if order.trigger_cents is None:
            assert order.reserved_shares == 0
        else:
            assert order.reserved_shares == order.amount_cents // order.trigger_cents >= 1

    cash_value = account.funds_cents + account.reserved_cash_cents
    assert cash_value == ledger.added_cents - ledger.bought_cents + ledger.sold_cents
    for sym in set(SYMS) | set(account.stocks) | set(ledger.shares):
        held = account.stocks.get(sym, 0) + account.reserved_shares(sym)
        assert held == ledger.shares[sym], sym
    assert ledger.cash_events_cents == account.funds_cents

    # Cost basis: what the held shares cost plus what the sold ones cost is everything paid.
    # (The opening shares came with no cost.) Only owned symbols carry a basis.
    sold_shares_cost = ledger.sold_cents - account.realized_gain_cents
    assert sum(account.cost_basis_cents.values()) + sold_shares_cost == ledger.bought_cents
    assert all(cents >= 0 for cents in account.cost_basis_cents.values())
    assert all(account.owned_shares(sym) > 0 for sym in account.cost_basis_cents)


def likely_target(rnd: random.Random, likely: list[tuple[Side, str]]) -> tuple[Side, str]:
    """Usually a side and symbol the command can act on; sometimes any, to be refused."""
    if likely and rnd.random() < 0.85:
        return rnd.choice(likely)
    return rnd.choice(list(Side)), rnd.choice(SYMS)


def next_command(rnd: random.Random, account: Account) -> tuple[Any, ...]:
    """A command with amounts drawn near what the account can afford or hold, so that commands
    succeed about as often as they are refused."""
    with_orders = [(side, sym) for side in Side for sym in account.orders(side)]
    tradable = [(Side.BUY, sym) for sym in SYMS] + [(Side.SELL, sym) for sym in account.stocks]
    live = [side for side in Side if account.pending(side)]
    kind = rnd.choices(
        ["add", "start", "commit", "cancel", "set_amount", "set_trigger", "cancel_set", "fire"],
        weights=[1, 4, 3, 1, 3, 4, 1, 3],
    )[0]
    if kind == "add":
        return ("add", rnd.randint(1, 500_00))
    if kind == "start":
        side, sym = likely_target(rnd, tradable)
        price = rnd.randint(1, 20_00)
        held = account.stocks.get(sym, 0)
        most = account.funds_cents // price if side is Side.BUY else held
        shares = rnd.randint(0, most + 1) if rnd.random() < 0.2 else rnd.randint(1, max(1, most))
        slack = rnd.randint(0, price - 1)
        if side is Side.BUY and shares <= most:  # stay within funds: the rule is funds >= amount
            slack = min(slack, account.funds_cents - shares * price)
        return ("start", side, sym, max(1, shares * price + slack), price)
    if kind in ("commit", "cancel"):
        side = rnd.choice(live) if live and rnd.random() < 0.9 else rnd.choice(list(Side))
        return (kind, side)
    if kind == "set_amount":
        side, sym = likely_target(rnd, tradable)
        old = account.buy_orders.get(sym)
        most = account.funds_cents + (old.amount_cents if old else 0)
        if side is Side.BUY and most > 0 and rnd.random() < 0.9:
            return ("set_amount", side, sym, rnd.randint(1, most))
        return ("set_amount", side, sym, rnd.randint(1, 200_00))
    if kind == "set_trigger":
        side, sym = likely_target(rnd, with_orders)
        quote = rnd.randint(1, 20_00) if rnd.random() < 0.3 else None
        order = account.orders(side).get(sym)
        trigger = rnd.randint(1, 20_00)
        if side is Side.SELL and order is not None and rnd.random() < 0.9:
            coverable = account.stocks.get(sym, 0) + order.reserved_shares
            shares = rnd.randint(0, coverable + 1)
            trigger = order.amount_cents // shares if shares else order.amount_cents + 1
        return ("set_trigger", side, sym, max(1, trigger), quote)
    if kind == "cancel_set":
        return ("cancel_set", *likely_target(rnd, with_orders))
    watched = [
        (sym, order.trigger_cents)
        for side in Side
        for sym, order in account.orders(side).items()
        if order.trigger_cents is not None
    ]
    if watched and rnd.random() < 0.8:
        sym, trigger = rnd.choice(watched)
        return ("fire", sym, max(1, trigger + rnd.choice((-1, 0, 0, 1))))
    return ("fire", rnd.choice(SYMS), rnd.randint(1, 20_00))


def next_wait_ms(rnd: random.Random) -> int:
    """Mostly quick successions; sometimes a jump to just before, at or past an expiry."""
    if rnd.random() < 0.85:
        return rnd.randint(0, 5_000)
    return rnd.choice(LONG_WAITS_MS)


@settings(max_examples=300, deadline=None)
@given(
    rnd=st.randoms(use_true_random=True),
    start_funds_cents=st.integers(min_value=1, max_value=1_000_00),
    start_stocks=st.dictionaries(st.sampled_from(SYMS), st.integers(min_value=1, max_value=30)),
    length=st.integers(min_value=1, max_value=50),
)
def test_cash_and_shares_are_conserved_across_any_sequence_of_commands(
    rnd: random.Random, start_funds_cents: int, start_stocks: dict[str, int], length: int
) -> None:
    account = Account(username="u", stocks=dict(start_stocks))
    ledger = Ledger(shares=Counter(account.stocks))
    now_ms = 0
    command: tuple[Any, ...] = ("add", start_funds_cents)
    for trx_num in range(1, length + 1):
        outcome = apply_command(account, now_ms, rule_for(command), str(command[0]), trx_num)
        note(f"t={now_ms} {command} -> {outcome.refusal.code if outcome.refusal else 'ok'}")
        if outcome.refusal is None:
            book(ledger, outcome.result)
        else:
            assert outcome.refusal.status == 409
            assert outcome.refusal.code in REFUSAL_CODES, outcome.refusal.code
        account = outcome.account
        ledger.record_events(outcome.events)
        check_invariants(account, ledger)

        now_ms += next_wait_ms(rnd)
        command = next_command(rnd, account)
