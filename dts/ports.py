"""What the services need from storage and quotes, as protocols: MongoDB, Redis and the quote
server implement them in production (dts.adapters.mongo.accounts, dts.adapters.audit.log,
dts.adapters.redis.quotes), dts.adapters.memory in unit tests.

The exactly-once bookkeeping an account keeps beside its state (the outbox of events not yet known
to be recorded, the idempotency memory) is plain data here, so the services' retry loop and its
rules are the same code whatever stores them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from dts.domain.account import Account
from dts.domain.events import Event
from dts.domain.quote import Quote
from dts.errors import Conflict, Refused

# How many idempotency keys an account remembers, newest first, and for how many of them the whole
# first reply: a client retries its latest command within seconds, and every remembered reply makes
# each later write of the account larger (8 replies cost a fifth of the throughput, measured).
IDEMPOTENCY_KEYS_KEPT = 8
IDEMPOTENCY_REPLIES_KEPT = 1


@dataclass(frozen=True)
class StoredAccount:
    """An account as loaded, with what is stored beside it for exactly-once handling."""

    account: Account
    outbox: list[Event] = field(default_factory=list)
    remembered: list[dict[str, Any]] = field(default_factory=list)

    @property
    def version(self) -> int:
        return self.account.version

    def reply_for(self, key: str, command: str) -> dict[str, Any] | None:
        """The first reply to the command that used `key`, if it was applied.

        An older key whose reply is no longer kept is still known: its retry is refused with
        `ALREADY_APPLIED` (and changes nothing) rather than applied a second time.
        """
        for entry in self.remembered:
            if entry.get("key") == key:
                if entry.get("command") != command:
                    raise Conflict(
                        f"Idempotency-Key {key} was already used for {entry.get('command')}",
                        "IDEMPOTENCY_KEY_REUSED",
                    )
                if "reply" not in entry:
                    raise Refused(
                        f"the command with Idempotency-Key {key} was already applied; "
                        "its reply is no longer kept",
                        "ALREADY_APPLIED",
                    )
                return dict(entry.get("reply") or {})
        return None

    def remember(self, key: str, command: str, reply: Any) -> list[dict[str, Any]]:
        """The idempotency memory after a command with `key` was applied and answered `reply`."""
        entries = [{"key": key, "command": command, "reply": reply}, *self.remembered]
        return [
            e if i < IDEMPOTENCY_REPLIES_KEPT else {"key": e["key"], "command": e["command"]}
            for i, e in enumerate(entries[:IDEMPOTENCY_KEYS_KEPT])
        ]


class Accounts(Protocol):
    """`user_table`: one document an account, every change a version-checked write."""

    def load_stored(self, username: str) -> StoredAccount | None: ...

    def create(self, username: str, password_hash: str | None = None) -> bool:
        """False if the username is taken."""
        ...

    def save(
        self,
        stored: StoredAccount,
        after: Account,
        outbox: list[Event],
        remembered: list[dict[str, Any]] | None,
    ) -> bool:
        """Writes `after` if the account is still at `stored`'s version (False if it is not);
        raises `Unavailable` when whether it landed cannot be told."""
        ...

    def load(self, username: str) -> Account | None: ...

    def unrecorded(self, username: str | None) -> Iterator[list[Event]]:
        """Outbox events not known to be recorded, account by account (what a crash left)."""
        ...

    def every_account(self) -> Iterator[Account]:
        """A scan of every account, for the trigger watcher's rebuild: never per command."""
        ...


class AuditTrailStore(Protocol):
    """`transaction_table`: durable when `record` returns (an event with a record id is durable
    already, in an account's outbox, and may reach the table later)."""

    def record(self, events: Iterable[Event]) -> None: ...

    def store(self, events: Iterable[Event]) -> None:
        """In the table when it returns."""
        ...

    def unstored(self, events: Iterable[Event]) -> list[Event]:
        """Those of an outbox's events this process has not seen recorded."""
        ...

    def settle(self) -> bool:
        """Everything recorded so far is readable; False if that cannot be known."""
        ...

    def records(self, username: str | None) -> Iterator[dict[str, Any]]: ...


class Quotes(Protocol):
    def get(self, sym: str, username: str, trx_num: int) -> tuple[Quote, list[Event]]:
        """The current quote, and the quoteServer event if it had to be fetched."""
        ...

    def cached_prices(self, symbols: list[str]) -> dict[str, int]:
        """The prices cached right now, for the watcher's sweep (no fetch, no event)."""
        ...
