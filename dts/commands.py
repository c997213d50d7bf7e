"""The service layer: one function per command, gluing quotes, the rules and the store.

Each returns the reply (plain values, money in cents) and the audit events it produced; the web
layer records those with the request's `userCommand`, and formats the reply.
"""

from __future__ import annotations

import itertools
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dts.audit import AuditLog
from dts.config import Settings
from dts.domain import pending, triggers
from dts.domain.account import Account, PendingTrade, Side, TriggerOrder
from dts.domain.change import Change
from dts.domain.events import Event
from dts.errors import BadInput, DtsError, NotFound, Unavailable
from dts.logxml import iter_log
from dts.quotes import QuoteCache
from dts.store import AccountStore

Reply = dict[str, Any]
Outcome = tuple[Reply, list[Event]]


def wall_clock_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class Services:
    settings: Settings
    accounts: AccountStore
    quotes: QuoteCache
    audit: AuditLog
    clock_ms: Callable[[], int] = wall_clock_ms

    def _apply(
        self,
        username: str,
        rule: Callable[[Change], Reply],
        trx: int,
        command: str,
        create: bool = False,
        key: str | None = None,
    ) -> Outcome:
        return self.accounts.apply(
            username,
            rule,
            now_ms=self.clock_ms,
            trx_num=trx,
            command=command,
            create_if_missing=create,
            idempotency_key=key,
        )

    def _apply_after_quote(
        self,
        username: str,
        rule: Callable[[Change], Reply],
        trx: int,
        command: str,
        quote_events: list[Event],
        key: str | None = None,
    ) -> Outcome:
        """Like `_apply`, keeping the quote fetch's audit event even if the rule refuses."""
        try:
            reply, events = self._apply(username, rule, trx, command, key=key)
        except DtsError as refusal:
            refusal.events = [*quote_events, *refusal.events]
            raise
        return reply, quote_events + events

    def add(self, username: str, trx: int, amount_cents: int, key: str | None = None) -> Outcome:
        def rule(ch: Change) -> Reply:
            ch.credit_cash(amount_cents)
            ch.note("ADD", amount_cents=amount_cents)
            return {
                "message": f"added {amount_cents / 100:.2f}",
                "funds_cents": ch.account.funds_cents,
            }

        return self._apply(username, rule, trx, "ADD", create=True, key=key)

    def quote(self, username: str, trx: int, sym: str) -> Outcome:
        quote, events = self.quotes.get(sym, username, trx)
        reply = {
            "message": f"{sym} is {quote.price_cents / 100:.2f}",
            "sym": sym,
            "price_cents": quote.price_cents,
            "quoteServerTime": quote.quote_server_time_ms,
            "cryptokey": quote.cryptokey,
            "cached": quote.cached,
        }
        return reply, events

    def start_trade(
        self,
        side: Side,
        username: str,
        trx: int,
        sym: str,
        amount_cents: int,
        key: str | None = None,
    ) -> Outcome:
        quote, quote_events = self.quotes.get(sym, username, trx)
        ttl_ms = self.settings.pending_ttl_s * 1000

        def rule(ch: Change) -> Reply:
            trade = pending.start_trade(ch, side, sym, amount_cents, quote.price_cents, ttl_ms)
            return {
                "message": f"{side.value} of {trade.shares} {sym} at "
                f"{trade.price_cents / 100:.2f} pending: commit within "
                f"{self.settings.pending_ttl_s} s",
                "pending": pending_view(trade, ch.now_ms),
            }

        return self._apply_after_quote(username, rule, trx, side.value, quote_events, key)

    def finish_trade(
        self, side: Side, commit: bool, username: str, trx: int, key: str | None = None
    ) -> Outcome:
        command = f"{'COMMIT' if commit else 'CANCEL'}_{side.value}"

        def rule(ch: Change) -> Reply:
            if commit:
                trade = pending.commit_trade(ch, side)
                verb = "bought" if side is Side.BUY else "sold"
            else:
                trade = pending.cancel_trade(ch, side)
                verb = "cancelled"
            return {
                "message": f"{verb} {trade.shares} {trade.sym} at {trade.price_cents / 100:.2f}",
                "trade": pending_view(trade, ch.now_ms),
            }

        return self._apply(username, rule, trx, command, key=key)

    def set_amount(
        self,
        side: Side,
        username: str,
        trx: int,
        sym: str,
        amount_cents: int,
        key: str | None = None,
    ) -> Outcome:
        def rule(ch: Change) -> Reply:
            order = triggers.set_amount(ch, side, sym, amount_cents)
            return {
                "message": f"{side.value.lower()} amount for {sym} set to {amount_cents / 100:.2f}",
                "order": order_view(order),
            }

        return self._apply(username, rule, trx, f"SET_{side.value}_AMOUNT", key=key)

    def set_trigger(
        self,
        side: Side,
        username: str,
        trx: int,
        sym: str,
        trigger_cents: int,
        key: str | None = None,
    ) -> Outcome:
        quote, quote_events = self.quotes.get(sym, username, trx)

        def rule(ch: Change) -> Reply:
            order, fired = triggers.set_trigger(ch, side, sym, trigger_cents, quote.price_cents)
            message = f"{side.value.lower()} trigger for {sym} set at {trigger_cents / 100:.2f}"
            if fired:
                message += f"; fired at once at {quote.price_cents / 100:.2f}"
            return {"message": message, "order": order_view(order), "fired": fired}

        return self._apply_after_quote(
            username, rule, trx, f"SET_{side.value}_TRIGGER", quote_events, key
        )

    def cancel_set(
        self, side: Side, username: str, trx: int, sym: str, key: str | None = None
    ) -> Outcome:
        def rule(ch: Change) -> Reply:
            order = triggers.cancel_order(ch, side, sym)
            return {
                "message": f"{side.value.lower()} order for {sym} cancelled",
                "order": order_view(order),
            }

        return self._apply(username, rule, trx, f"CANCEL_SET_{side.value}", key=key)

    def fire_triggers(self, username: str, trx: int, sym: str, price_cents: int) -> Outcome:
        def rule(ch: Change) -> Reply:
            return {"fired": triggers.fire_triggers(ch, sym, price_cents)}

        return self._apply(username, rule, trx, "TRIGGER")

    def settle(self, username: str, trx: int) -> Outcome:
        """Returns the reservations of expired pending trades (the store settles on every apply)."""
        return self._apply(username, lambda ch: {}, trx, "EXPIRE")

    def summary(self, username: str, trx: int) -> Outcome:
        def rule(ch: Change) -> Reply:
            return {"message": f"account of {username}", **summary_view(ch.account, ch.now_ms)}

        return self._apply(username, rule, trx, "DISPLAY_SUMMARY")

    def recent(self, username: str, trx: int, limit: int) -> Outcome:
        def rule(ch: Change) -> Reply:
            newest_first = list(reversed(ch.account.transactions))[:limit]
            return {
                "message": f"{len(newest_first)} recent transactions of {username}",
                "transactions": newest_first,
            }

        return self._apply(username, rule, trx, "DISPLAY_SUMMARY")

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
            self.audit.record(events)  # what a crash left in accounts' outboxes (dts.outbox)
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


def summary_view(account: Account, now_ms: int) -> Reply:
    return {
        "username": account.username,
        "funds_cents": account.funds_cents,
        "reserved_cents": account.reserved_cash_cents,
        "holdings": [
            {"sym": sym, "shares": shares, "reserved_shares": account.reserved_shares(sym)}
            for sym, shares in sorted(account.stocks.items())
        ]
        + [
            {"sym": sym, "shares": 0, "reserved_shares": account.reserved_shares(sym)}
            for sym in sorted({t.sym for t in account.pending_sells} | set(account.sell_orders))
            if sym not in account.stocks and account.reserved_shares(sym)
        ],
        "pending_buys": [pending_view(t, now_ms) for t in reversed(account.pending_buys)],
        "pending_sells": [pending_view(t, now_ms) for t in reversed(account.pending_sells)],
        "buy_triggers": [order_view(o) for _, o in sorted(account.buy_orders.items())],
        "sell_triggers": [order_view(o) for _, o in sorted(account.sell_orders.items())],
        "transactions": list(reversed(account.transactions))[:20],
    }
