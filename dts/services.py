"""The service layer: one method per command, gluing quotes, the rules (dts.domain) and storage.

Each method takes the `Caller` (who, under which transaction number and idempotency key, and the
request's audit trail) and returns the reply's data: plain values, money in integer cents, no
wording (dts.web.replies words and formats it). Every event a command causes goes into the
caller's trail as it happens, refused or not; the web layer records the trail once, at the end of
the request. Storage is behind dts.ports, so the same code runs over MongoDB and over
dts.adapters.memory.
"""

from __future__ import annotations

import itertools
import os
import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from dts.adapters.audit.logxml import iter_log
from dts.adapters.audit.outbox import with_ids
from dts.config import Settings
from dts.cooperative import give_way
from dts.domain import pending, triggers
from dts.domain.account import Account, PendingTrade, Side, TriggerOrder
from dts.domain.change import Change
from dts.domain.events import Event
from dts.domain.quote import Quote
from dts.domain.runner import run
from dts.errors import BadInput, NotFound, Refused, Unavailable
from dts.ports import Accounts, AuditTrailStore, Quotes

Reply = dict[str, Any]
T = TypeVar("T")
MAX_ATTEMPTS = 50  # guarded writes lost to concurrent writers before a command gives up (CONFLICT)


def wall_clock_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class Caller:
    """Who a command acts for, and where its audit events go.

    `trail` is the request's audit trail: everything the command caused, in order, refused or
    not. It is never carried on an exception; whoever made the caller records it once.
    """

    username: str
    trx: int
    key: str | None = None  # the request's Idempotency-Key
    trail: list[Event] = field(default_factory=list)


@dataclass
class Services:
    settings: Settings
    accounts: Accounts
    quotes: Quotes
    audit: AuditTrailStore
    clock_ms: Callable[[], int] = wall_clock_ms

    def apply(
        self,
        caller: Caller,
        command: str,
        rule: Callable[[Change], T],
        *,
        create: bool = False,
    ) -> T:
        """Runs `rule` on the caller's account (dts.domain.runner) and saves it, retrying when a
        concurrent writer got there first: the rule runs again on the fresh account.

        A refusal still saves the settlement of expired trades the rule started from. The account's
        outbox (dts.adapters.audit.outbox) carries this write's events and any earlier ones this
        process has not
        seen recorded. A command whose idempotency key the account remembers is not run again:
        its first reply comes back.
        """
        username = caller.username
        for attempt in range(MAX_ATTEMPTS):
            stored = self.accounts.load_stored(username)
            if stored is None:
                if not create:
                    raise NotFound(f"no account named {username}", "UNKNOWN_USER")
                self.accounts.create(username)
                continue
            carried = self.audit.unstored(stored.outbox)
            if caller.key is not None:
                first = stored.reply_for(caller.key, command)
                if first is not None:
                    caller.trail.extend(carried)
                    return first  # type: ignore[return-value]
            outcome = run(
                stored.account,
                self.clock_ms(),
                rule,
                command=command,
                trx_num=caller.trx,
                recent_max=self.settings.recent_transactions_max,
            )
            if not outcome.changed:
                caller.trail.extend([*carried, *outcome.events])
                if outcome.refusal is not None:
                    raise outcome.refusal
                return outcome.result  # type: ignore[return-value]
            events = [*carried, *with_ids(outcome.events, username, stored.version + 1)]
            remembered = None
            if caller.key is not None and outcome.refusal is None:
                remembered = stored.remember(caller.key, command, outcome.result)
            if self.accounts.save(stored, outcome.account, events, remembered):
                caller.trail.extend(events)
                if outcome.refusal is not None:
                    raise outcome.refusal
                return outcome.result  # type: ignore[return-value]
            time.sleep(random.uniform(0, min(0.002 * (attempt + 1), 0.05)))
        raise Refused("the account is too busy right now, try again", "CONFLICT")

    def _quote(self, caller: Caller, sym: str) -> Quote:
        """The symbol's quote now; a fetch's quoteServer event goes into the trail at once, so it
        is recorded even if the command is then refused."""
        quote, events = self.quotes.get(sym, caller.username, caller.trx)
        caller.trail.extend(events)
        return quote

    def add(self, caller: Caller, amount_cents: int) -> Reply:
        def rule(ch: Change) -> Reply:
            ch.credit_cash(amount_cents)
            ch.note("ADD", amount_cents=amount_cents)
            return {"amount_cents": amount_cents, "funds_cents": ch.account.funds_cents}

        return self.apply(caller, "ADD", rule, create=True)

    def quote(self, caller: Caller, sym: str) -> Reply:
        quote = self._quote(caller, sym)
        return {
            "sym": sym,
            "price_cents": quote.price_cents,
            "quoteServerTime": quote.quote_server_time_ms,
            "cryptokey": quote.cryptokey,
            "cached": quote.cached,
        }

    def start_trade(self, side: Side, caller: Caller, sym: str, amount_cents: int) -> Reply:
        price_cents = self._quote(caller, sym).price_cents
        ttl_ms = self.settings.pending_ttl_s * 1000

        def rule(ch: Change) -> Reply:
            trade = pending.start_trade(ch, side, sym, amount_cents, price_cents, ttl_ms)
            return {"pending": pending_view(trade, ch.now_ms)}

        return self.apply(caller, side.value, rule)

    def finish_trade(self, side: Side, commit: bool, caller: Caller) -> Reply:
        def rule(ch: Change) -> Reply:
            finish = pending.commit_trade if commit else pending.cancel_trade
            return {"trade": pending_view(finish(ch, side), ch.now_ms)}

        return self.apply(caller, f"{'COMMIT' if commit else 'CANCEL'}_{side.value}", rule)

    def set_amount(self, side: Side, caller: Caller, sym: str, amount_cents: int) -> Reply:
        def rule(ch: Change) -> Reply:
            return {"order": order_view(triggers.set_amount(ch, side, sym, amount_cents))}

        return self.apply(caller, f"SET_{side.value}_AMOUNT", rule)

    def set_trigger(self, side: Side, caller: Caller, sym: str, trigger_cents: int) -> Reply:
        price_cents = self._quote(caller, sym).price_cents

        def rule(ch: Change) -> Reply:
            order, fired = triggers.set_trigger(ch, side, sym, trigger_cents, price_cents)
            return {"order": order_view(order), "fired": fired, "price_cents": price_cents}

        return self.apply(caller, f"SET_{side.value}_TRIGGER", rule)

    def cancel_set(self, side: Side, caller: Caller, sym: str) -> Reply:
        def rule(ch: Change) -> Reply:
            return {"order": order_view(triggers.cancel_order(ch, side, sym))}

        return self.apply(caller, f"CANCEL_SET_{side.value}", rule)

    def fire_triggers(self, caller: Caller, sym: str, price_cents: int) -> Reply:
        def rule(ch: Change) -> Reply:
            return {"fired": triggers.fire_triggers(ch, sym, price_cents)}

        return self.apply(caller, "TRIGGER", rule)

    def settle(self, caller: Caller) -> None:
        """Gives back the reservations of expired pending trades (every command settles them)."""
        self.apply(caller, "EXPIRE", lambda ch: None)

    def summary(self, caller: Caller) -> Reply:
        def rule(ch: Change) -> Reply:
            return summary_view(ch.account, ch.now_ms, self.settings.recent_transactions_max)

        return self.apply(caller, "DISPLAY_SUMMARY", rule)

    def recent(self, caller: Caller, limit: int) -> Reply:
        def rule(ch: Change) -> Reply:
            return {"transactions": list(reversed(ch.account.transactions))[:limit]}

        return self.apply(caller, "DISPLAY_SUMMARY", rule)

    def dumplog(self, username: str | None, filename: str) -> tuple[str, Iterator[str]]:
        """The XML log as it is produced, also written to the log directory (base name only).

        The chunks are streamed to the caller while the file is written, so neither the service
        nor the proxy in front waits for millions of events before the first byte. Everyone's log
        goes under `all/`, a user's own into a folder of their own: nobody overwrites another's.
        """
        log_dir = Path(self.settings.log_dir).resolve()
        if username is None:
            log_dir = log_dir / "all"
        else:
            if self.accounts.load(username) is None:
                raise NotFound(f"no account named {username}", "UNKNOWN_USER")
            log_dir = log_dir / "users" / f"user-{username}"  # never "." or ".."
        name = safe_basename(filename)
        for events in self.accounts.unrecorded(username):
            self.audit.record(
                events
            )  # what a crash left in accounts' outboxes (dts.adapters.audit.outbox)
        if not self.audit.settle():  # what every process still holds, this DUMPLOG's command too
            raise Unavailable("the audit log is still being written, try again shortly")
        path = log_dir / name
        partial = path.with_name(f".{name}.{os.getpid()}.{threading.get_ident()}.partial")
        log_dir.mkdir(parents=True, exist_ok=True)

        def chunks() -> Iterator[str]:
            try:
                with partial.open("w", encoding="utf-8") as out:
                    for chunk in iter_log(self.audit.records(username)):
                        out.write(chunk)
                        yield chunk
                        give_way()  # a log of millions of records takes a while to write
                partial.replace(path)
            finally:
                partial.unlink(missing_ok=True)

        stream = chunks()
        first = next(stream)  # a failure before the first byte is still a clean JSON error (503)
        return name, itertools.chain([first], stream)


def safe_basename(filename: str) -> str:
    """`../../etc/passwd` -> `passwd`; anything unsafe left over becomes `_`."""
    base = re.sub(r"[^A-Za-z0-9_.-]", "_", filename.replace("\\", "/").rsplit("/", 1)[-1])
    base = base.lstrip(".")
    if not base:
        raise BadInput("filename must name a file", "BAD_FILENAME")
    return base[:128]


def pending_view(trade: PendingTrade, now_ms: int) -> Reply:
    return {
        "sym": trade.sym,
        "shares": trade.shares,
        "price_cents": trade.price_cents,
        "amount_cents": trade.total_cents,
        "expires_at": trade.expires_at_ms,
        "seconds_left": max(0, (trade.expires_at_ms - now_ms) // 1000),
        "trxNum": trade.trx_num,
    }


def order_view(order: TriggerOrder) -> Reply:
    return {
        "sym": order.sym,
        "amount_cents": order.amount_cents,
        "trigger_cents": order.trigger_cents,
        "reserved_shares": order.reserved_shares,
    }


def holding_view(account: Account, sym: str, shares: int) -> Reply:
    return {
        "sym": sym,
        "shares": shares,
        "reserved_shares": account.reserved_shares(sym),
        "cost_basis_cents": account.cost_basis_cents.get(sym, 0),
    }


def summary_view(account: Account, now_ms: int, recent: int = 20) -> Reply:
    return {
        "username": account.username,
        "funds_cents": account.funds_cents,
        "reserved_cents": account.reserved_cash_cents,
        "holdings": [
            holding_view(account, sym, shares) for sym, shares in sorted(account.stocks.items())
        ]
        + [
            holding_view(account, sym, 0)
            for sym in sorted({t.sym for t in account.pending_sells} | set(account.sell_orders))
            if sym not in account.stocks and account.reserved_shares(sym)
        ],
        "realized_gain_cents": account.realized_gain_cents,
        "pending_buys": [pending_view(t, now_ms) for t in reversed(account.pending_buys)],
        "pending_sells": [pending_view(t, now_ms) for t in reversed(account.pending_sells)],
        "buy_triggers": [order_view(o) for _, o in sorted(account.buy_orders.items())],
        "sell_triggers": [order_view(o) for _, o in sorted(account.sell_orders.items())],
        "transactions": list(reversed(account.transactions))[:recent],
    }
