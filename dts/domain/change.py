"""A working copy of one account for one command, and the only way the rules move money or shares.

Every cash movement goes through `credit_cash`/`debit_cash` so that each one emits its
`accountTransaction` event; the sum of those events per user is the user's cash. A rule that raises
leaves the stored account untouched: the copy and its events are simply dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dts.domain.account import Account
from dts.domain.events import Event, EventType
from dts.errors import Refused
from dts.money import format_cents


@dataclass
class Change:
    account: Account
    now_ms: int
    trx_num: int
    command: str
    recent_max: int = 20
    events: list[Event] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)

    @classmethod
    def of(
        cls, account: Account, now_ms: int, trx_num: int, command: str, recent_max: int = 20
    ) -> Change:
        return cls(account.copy(), now_ms, trx_num, command, recent_max=recent_max)

    @property
    def username(self) -> str:
        return self.account.username

    def credit_cash(self, cents: int) -> None:
        if cents <= 0:
            return
        self.account.funds_cents += cents
        self._cash_event("add", cents)

    def debit_cash(self, cents: int, *, code: str = "INSUFFICIENT_FUNDS") -> None:
        if cents <= 0:
            return
        if self.account.funds_cents < cents:
            raise Refused(
                f"insufficient funds: {format_cents(cents)} needed, "
                f"{format_cents(self.account.funds_cents)} available",
                code,
            )
        self.account.funds_cents -= cents
        self._cash_event("remove", cents)

    def add_shares(self, sym: str, shares: int) -> None:
        if shares > 0:
            self.account.stocks[sym] = self.account.stocks.get(sym, 0) + shares

    def take_shares(self, sym: str, shares: int) -> None:
        held = self.account.stocks.get(sym, 0)
        if held < shares:
            raise Refused(
                f"insufficient shares of {sym}: {shares} needed, {held} available",
                "INSUFFICIENT_SHARES",
            )
        if held == shares:
            del self.account.stocks[sym]
        else:
            self.account.stocks[sym] = held - shares

    def bought(self, sym: str, cents: int) -> None:
        """Adds what a completed purchase paid to the cost basis of `sym`."""
        if cents <= 0:
            return
        self.account.cost_basis_cents[sym] = self.account.cost_basis_cents.get(sym, 0) + cents

    def sold(self, sym: str, shares: int, proceeds_cents: int) -> None:
        """Books a completed sale of `shares` that have already left the account's holdings and
        reservations: they take their average-cost share of the cost basis with them, and the
        difference to the proceeds is realized."""
        still_owned = self.account.owned_shares(sym)
        basis = self.account.cost_basis_cents.pop(sym, 0)
        cost = cost_of_sold(basis, still_owned + shares, shares)
        if still_owned:
            self.account.cost_basis_cents[sym] = basis - cost
        self.account.realized_gain_cents += proceeds_cents - cost

    def system_event(
        self, command: str, sym: str | None, amount_cents: int | None, msg: str
    ) -> None:
        self.events.append(
            Event(
                type=EventType.SYSTEM_EVENT,
                timestamp_ms=self.now_ms,
                trx_num=self.trx_num,
                command=command,
                username=self.username,
                sym=sym,
                amount_cents=amount_cents,
                message=msg,
            )
        )

    def note(self, command: str, **fields: object) -> None:
        """Adds an entry to the account's bounded list of recent transactions."""
        entry: dict[str, object] = {
            "trxNum": self.trx_num,
            "timestamp": self.now_ms,
            "command": command,
        }
        entry.update({k: v for k, v in fields.items() if v is not None})
        recent = self.account.transactions
        recent.append(entry)
        if len(recent) > self.recent_max:
            del recent[: len(recent) - self.recent_max]

    def _cash_event(self, action: str, cents: int) -> None:
        self.events.append(
            Event(
                type=EventType.ACCOUNT_TRANSACTION,
                timestamp_ms=self.now_ms,
                trx_num=self.trx_num,
                command=self.command,
                username=self.username,
                action=action,
                amount_cents=cents,
            )
        )


def cost_of_sold(basis_cents: int, owned: int, sold: int) -> int:
    """The part of `basis_cents` (paid for `owned` shares) that `sold` of them take, to the nearest
    cent, halves up; selling every share takes the whole basis, so no cent is left behind."""
    if sold >= owned:
        return basis_cents
    return (2 * basis_cents * sold + owned) // (2 * owned)
