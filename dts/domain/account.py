"""The plain data the trading rules work on: one account and what it has reserved.

Everything here is a value in integer cents or whole shares. The store maps it to one
`user_table` document, so a whole command is one guarded write of one document.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum


class Side(StrEnum):
    BUY = "BUY"
    SELL = "SELL"


@dataclass(frozen=True)
class PendingTrade:
    """A BUY or SELL waiting for its COMMIT; its cash or shares are already set aside."""

    sym: str
    shares: int
    price_cents: int
    created_at_ms: int
    expires_at_ms: int
    trx_num: int

    @property
    def total_cents(self) -> int:
        return self.shares * self.price_cents


@dataclass(frozen=True)
class TriggerOrder:
    """An automatic buy or sell point for one symbol.

    A buy order reserves `amount_cents` of cash from the moment its amount is set; a sell order
    reserves `reserved_shares` = floor(amount / trigger) from the moment its trigger is set.
    """

    sym: str
    amount_cents: int
    trigger_cents: int | None = None
    reserved_shares: int = 0
    trx_num: int = 0


@dataclass
class Account:
    username: str
    funds_cents: int = 0
    stocks: dict[str, int] = field(default_factory=dict)
    pending_buys: list[PendingTrade] = field(default_factory=list)
    pending_sells: list[PendingTrade] = field(default_factory=list)
    buy_orders: dict[str, TriggerOrder] = field(default_factory=dict)
    sell_orders: dict[str, TriggerOrder] = field(default_factory=dict)
    transactions: list[dict[str, object]] = field(default_factory=list)
    # Side -> when its newest pending trade expired uncommitted, until the next trade of that side:
    # so a late COMMIT is told "expired" even after the watcher already gave the reservation back.
    expired_at_ms: dict[str, int] = field(default_factory=dict)
    # Symbol -> cents paid for the shares of it the account owns, free or reserved (average cost);
    # kept by the server so that every client, device and the replay tool see the same numbers.
    cost_basis_cents: dict[str, int] = field(default_factory=dict)
    # Proceeds of every sale less the cost basis of the shares sold; negative for a loss.
    realized_gain_cents: int = 0
    version: int = 0

    def copy(self) -> Account:
        """A copy the rules may change freely, made by hand: `deepcopy` of an account was a tenth
        of a service's CPU per command. Trades and orders are frozen, so sharing them is safe."""
        return replace(
            self,
            stocks=dict(self.stocks),
            pending_buys=list(self.pending_buys),
            pending_sells=list(self.pending_sells),
            buy_orders=dict(self.buy_orders),
            sell_orders=dict(self.sell_orders),
            transactions=[dict(entry) for entry in self.transactions],
            expired_at_ms=dict(self.expired_at_ms),
            cost_basis_cents=dict(self.cost_basis_cents),
        )

    def pending(self, side: Side) -> list[PendingTrade]:
        return self.pending_buys if side is Side.BUY else self.pending_sells

    def orders(self, side: Side) -> dict[str, TriggerOrder]:
        return self.buy_orders if side is Side.BUY else self.sell_orders

    @property
    def reserved_cash_cents(self) -> int:
        """Cash set aside by pending BUYs and buy amounts: the user's, but not spendable now."""
        pending = sum(t.total_cents for t in self.pending_buys)
        return pending + sum(o.amount_cents for o in self.buy_orders.values())

    def owned_shares(self, sym: str) -> int:
        """Free and reserved shares: all that the cost basis of `sym` pays for."""
        return self.stocks.get(sym, 0) + self.reserved_shares(sym)

    def reserved_shares(self, sym: str) -> int:
        pending = sum(t.shares for t in self.pending_sells if t.sym == sym)
        order = self.sell_orders.get(sym)
        return pending + (order.reserved_shares if order else 0)

    @property
    def trigger_symbols(self) -> list[str]:
        """Symbols with a live trigger price: what the watcher must keep an eye on."""
        syms = {o.sym for o in self.buy_orders.values() if o.trigger_cents is not None}
        syms |= {o.sym for o in self.sell_orders.values() if o.trigger_cents is not None}
        return sorted(syms)
