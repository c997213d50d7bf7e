"""In-memory storage and quotes behind dts.ports: the services' own code, run without servers.

They keep the guarantees the services rely on, so a test of the services over them means what it
says: a save lands only on the version it was loaded at (`interfere` makes another writer get
there first), an outbox's events are carried until recorded, and a quote is fetched (and audited)
once per symbol until `expire_quotes`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any

from dts.adapters.audit.outbox import RecordedIds
from dts.adapters.audit.records import to_record
from dts.domain.account import Account
from dts.domain.events import Event, EventType
from dts.domain.quote import Quote
from dts.ports import StoredAccount
from dts.price_walk import fixed_price_cents


class MemoryAccounts:
    """Accounts in a dict; `save` is version-checked exactly as the MongoDB adapter's."""

    def __init__(self, recorded: RecordedIds | None = None) -> None:
        self.stored: dict[str, StoredAccount] = {}
        self.recorded = recorded or RecordedIds()
        self.password_hashes: dict[str, str] = {}
        # Called once before each save: a test makes a concurrent writer win the race here.
        self.interfere: Callable[[str], None] | None = None
        self.saves = 0  # guarded writes attempted, landed or not
        self._lock = threading.Lock()

    def load_stored(self, username: str) -> StoredAccount | None:
        with self._lock:
            stored = self.stored.get(username)
        if stored is None:
            return None
        return replace(stored, account=stored.account.copy())

    def load(self, username: str) -> Account | None:
        stored = self.load_stored(username)
        return stored.account if stored else None

    def create(self, username: str, password_hash: str | None = None) -> bool:
        with self._lock:
            if username in self.stored:
                return False
            self.stored[username] = StoredAccount(Account(username=username))
            if password_hash is not None:
                self.password_hashes[username] = password_hash
            return True

    def password_hash(self, username: str) -> str | None:
        return self.password_hashes.get(username)

    def save(
        self,
        stored: StoredAccount,
        after: Account,
        outbox: list[Event],
        remembered: list[dict[str, Any]] | None,
    ) -> bool:
        username = stored.account.username
        if self.interfere is not None:
            self.interfere(username)
        with self._lock:
            self.saves += 1
            current = self.stored.get(username)
            if current is None or current.version != stored.version:
                return False
            self.stored[username] = StoredAccount(
                replace(after.copy(), version=stored.version + 1),
                list(outbox),
                current.remembered if remembered is None else list(remembered),
            )
            return True

    def bump(self, username: str, change: Callable[[Account], None]) -> None:
        """Another writer's change landing now (`interfere` calls this to lose a race)."""
        with self._lock:
            current = self.stored[username]
            account = current.account.copy()
            change(account)
            self.stored[username] = replace(
                current, account=replace(account, version=account.version + 1)
            )

    def unrecorded(self, username: str | None) -> Iterator[list[Event]]:
        with self._lock:
            stored = [s for name, s in self.stored.items() if username in (None, name)]
        for s in stored:
            if missing := self.recorded.missing(s.outbox):
                yield missing

    def every_account(self) -> Iterator[Account]:
        with self._lock:
            accounts = [s.account.copy() for s in self.stored.values()]
        yield from accounts


class MemoryAudit:
    """`transaction_table` as a list; a record id already there is stored once, as there."""

    def __init__(self, server: str = "memory", recorded: RecordedIds | None = None) -> None:
        self.server = server
        self.recorded = recorded or RecordedIds()
        self.stored: list[dict[str, Any]] = []
        self._ids: set[str] = set()
        self._lock = threading.Lock()

    def record(self, events: Iterable[Event]) -> None:
        events = list(events)  # read twice below: a generator would be used up by the first
        with self._lock:
            for event in events:
                if event.record_id is not None:
                    if event.record_id in self._ids:
                        continue
                    self._ids.add(event.record_id)
                self.stored.append(to_record(event, self.server))
        self.recorded.add(e.record_id for e in events if e.record_id is not None)

    def store(self, events: Iterable[Event]) -> None:
        self.record(events)

    def unstored(self, events: Iterable[Event]) -> list[Event]:
        return self.recorded.missing(events)

    def settle(self) -> bool:
        return True

    def records(self, username: str | None) -> Iterator[dict[str, Any]]:
        with self._lock:
            chosen = [r for r in self.stored if username is None or r.get("username") == username]
        yield from sorted(chosen, key=lambda r: r["timestamp"])

    def of(self, kind: EventType, username: str | None = None) -> list[dict[str, Any]]:
        return [
            r
            for r in self.stored
            if r["type"] == kind.value and (username is None or r.get("username") == username)
        ]


class FixedQuotes:
    """Each symbol at its fixed price (dts.price_walk), fetched once until `expire_quotes`."""

    def __init__(self, clock_ms: Callable[[], int], prices: dict[str, int] | None = None) -> None:
        self.clock_ms = clock_ms
        self.prices = dict(prices or {})
        self._cached: dict[str, Quote] = {}

    def get(self, sym: str, username: str, trx_num: int) -> tuple[Quote, list[Event]]:
        cached = self._cached.get(sym)
        if cached is not None:
            return cached, []
        now = self.clock_ms()
        quote = Quote(sym, self.prices.get(sym) or fixed_price_cents(sym), now, f"key-{sym}")
        self._cached[sym] = replace(quote, cached=True)
        return quote, [quote.fetched(username, trx_num, now)]

    def cached_prices(self, symbols: list[str]) -> dict[str, int]:
        return {s: self._cached[s].price_cents for s in symbols if s in self._cached}

    def expire_quotes(self) -> None:
        self._cached.clear()
