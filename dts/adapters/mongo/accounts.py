"""The MongoDB adapter for accounts (dts.ports.Accounts): `load_stored`, a guarded `save`, `create`.

Every account change is one version-checked write of one `user_table` document: the filter
`{_id, version}` makes a concurrent second writer match nothing, and that writer (dts.services)
reloads and re-runs the pure rule on the fresh state. So nothing is lost or applied twice across
services, workers and threads, and a command costs two round trips (read, guarded write).

An account's `_id` is its username (the `username` field stays, for people reading the data): the
primary key is the only index `user_table` has, because the development database server pays for
every secondary index on every update (see dts.adapters.redis.watch_hints for what the watcher uses
instead).
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import orjson
from pymongo import ASCENDING, MongoClient, UpdateOne
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError, PyMongoError

from dts import metrics
from dts.adapters.audit.outbox import RecordedIds
from dts.adapters.audit.records import from_record, to_record
from dts.adapters.group_commit import GroupCommit
from dts.adapters.redis.watch_hints import WatchHints, hints_of
from dts.domain.account import Account, PendingTrade, TriggerOrder
from dts.domain.events import Event
from dts.errors import Unavailable
from dts.ports import StoredAccount

log = logging.getLogger(__name__)


@contextmanager
def database_errors() -> Iterator[None]:
    """Turns a driver failure into a clean 503; the command changed nothing it reports."""
    try:
        yield
    except PyMongoError as exc:
        if not isinstance(exc, DuplicateKeyError):  # a name already taken is an answer
            metrics.database_error()
        raise Unavailable("the database is unavailable, try again shortly") from exc


def connect(uri: str, db_name: str, socket_timeout_ms: int | None = 10_000) -> Database:
    """A client for short commands (10 s per round trip) or, with None, for long streams.

    Durability is the server's: the native development server syncs every commit
    (`--sync-on-commit`, scripts/stack.py); a MongoDB is asked for it in MONGO_URI (`journal=true`,
    or `w=majority` on a replica set). Asking for `journal` here as well made the development
    server flush its log a second time per write, a tenth of its throughput for nothing.

    A stream's client also waits longer for the server's heartbeat answer (connectTimeoutMS is
    the monitor's timeout): a server busy serving a log of millions of records answers slowly, and
    a missed heartbeat makes the driver cancel every operation in flight, the stream included.
    """
    client: MongoClient = MongoClient(
        uri,
        serverSelectionTimeoutMS=3000,
        connectTimeoutMS=3000 if socket_timeout_ms is not None else 60_000,
        socketTimeoutMS=socket_timeout_ms,
        maxPoolSize=50,
        tz_aware=False,
    )
    return client[db_name]


def ensure_indexes(db: Database) -> None:
    """The one secondary index DTS keeps: a user's own DUMPLOG reads their records in time order."""
    with database_errors():
        db.transaction_table.create_index([("username", ASCENDING), ("timestamp", ASCENDING)])


# An account's nested values, which nothing ever queries inside (the guard is `_id` and `version`;
# the watcher finds its orders through dts.adapters.redis.watch_hints): with `pack_nested` each is
# stored as one JSON string. The development database server decodes, deep-copies and encodes every
# nested value of a document on each update, so an account's cost grew with its holdings and
# orders: the lists as strings bought 6.8 % on user45 (5596b4e against d4b3d28), the maps 5.1 % more
# on accounts living a whole final-shaped life (ce21081 against 9ca00a2). A real MongoDB has no
# such cost, so the documents it holds keep arrays and sub-documents, readable and queryable (the
# native stack packs; docs/decisions.md).
PACKED_FIELDS = (
    "stocks",
    "reserved_buy",
    "reserved_sell",
    "pending_buy",
    "pending_sell",
    "transactions",
    "last_expired",
    "cost_basis",
    "outbox",
    "idem",
)


def read_list(value: Any) -> list[Any]:
    """A nested list as stored either way (so switching `pack_nested` loses nothing)."""
    if isinstance(value, str):
        return orjson.loads(value)
    return list(value or [])


def read_map(value: Any) -> dict[str, Any]:
    """A nested map as stored either way."""
    if isinstance(value, str):
        return orjson.loads(value)
    return dict(value or {})


def to_document(account: Account) -> dict[str, Any]:
    return {
        "username": account.username,
        "funds": account.funds_cents,
        "stocks": dict(account.stocks),
        "reserved_buy": {
            sym: {"amount": o.amount_cents, "trigger": o.trigger_cents, "trxNum": o.trx_num}
            for sym, o in account.buy_orders.items()
        },
        "reserved_sell": {
            sym: {
                "amount": o.amount_cents,
                "trigger": o.trigger_cents,
                "shares": o.reserved_shares,
                "trxNum": o.trx_num,
            }
            for sym, o in account.sell_orders.items()
        },
        "pending_buy": [_pending_doc(t) for t in account.pending_buys],
        "pending_sell": [_pending_doc(t) for t in account.pending_sells],
        "transactions": [dict(entry) for entry in account.transactions],
        "last_expired": dict(account.expired_at_ms),
        "cost_basis": dict(account.cost_basis_cents),
        "realized_gain": account.realized_gain_cents,
    }


def _pending_doc(t: PendingTrade) -> dict[str, Any]:
    return {
        "sym": t.sym,
        "shares": t.shares,
        "price": t.price_cents,
        "created": t.created_at_ms,
        "expires": t.expires_at_ms,
        "trxNum": t.trx_num,
    }


def _pending(d: dict[str, Any]) -> PendingTrade:
    return PendingTrade(d["sym"], d["shares"], d["price"], d["created"], d["expires"], d["trxNum"])


def from_document(doc: dict[str, Any]) -> Account:
    return Account(
        username=doc["username"],
        funds_cents=doc.get("funds", 0),
        stocks=read_map(doc.get("stocks")),
        pending_buys=[_pending(d) for d in read_list(doc.get("pending_buy"))],
        pending_sells=[_pending(d) for d in read_list(doc.get("pending_sell"))],
        buy_orders={
            sym: TriggerOrder(sym, o["amount"], o.get("trigger"), 0, o.get("trxNum", 0))
            for sym, o in read_map(doc.get("reserved_buy")).items()
        },
        sell_orders={
            sym: TriggerOrder(
                sym, o["amount"], o.get("trigger"), o.get("shares", 0), o.get("trxNum", 0)
            )
            for sym, o in read_map(doc.get("reserved_sell")).items()
        },
        transactions=read_list(doc.get("transactions")),
        expired_at_ms=read_map(doc.get("last_expired")),
        cost_basis_cents=read_map(doc.get("cost_basis")),
        realized_gain_cents=doc.get("realized_gain", 0),
        version=doc.get("version", 0),
    )


def stored_account(doc: dict[str, Any]) -> StoredAccount:
    """The account and what is stored beside it: its outbox (dts.adapters.audit.outbox), its
    idempotency memory."""
    return StoredAccount(
        from_document(doc),
        [from_record(r) for r in read_list(doc.get("outbox"))],
        read_list(doc.get("idem")),
    )


ACCOUNT_PROJECTION = {"_id": 0, "password_hash": 0, "ops": 0, "outbox": 0, "idem": 0}
# Each write also leaves its one-off token under `ops.<new version % OP_SLOTS>`, so after a batch
# whose matched count falls short, every writer can tell whether its own write was among them.
OP_SLOTS = 16


@dataclass(frozen=True)
class _Write:
    username: str
    version: int
    document: dict[str, Any]
    token: str

    @property
    def slot(self) -> str:
        return str((self.version + 1) % OP_SLOTS)


def write_outcome(write: _Write, doc: dict[str, Any] | None) -> bool | None:
    """Did `write` land, judged from the account as read back after its batch?

    The write moved version v to v+1 and left its token in slot (v+1) % OP_SLOTS, and every later
    write advanced the version by one and filled the next slot: so while fewer than OP_SLOTS writes
    followed, the slot still says who wrote v+1. Past that nobody can tell, and guessing "no" could
    apply the command twice, so the caller gets a 503 and the command is not retried.
    """
    if doc is None:
        return False
    later = doc.get("version", 0) - (write.version + 1)
    if later < 0:
        return False
    if later >= OP_SLOTS:
        return None
    return (doc.get("ops") or {}).get(write.slot) == write.token


class AccountStore:
    """Accounts in `user_table`; the reads and writes of a process's threads go in batches.

    Batching is dts.adapters.group_commit: one `find` by `_id` for every load waiting, one unordered
    `bulk_write` for every guarded save waiting. A thread waits exactly as it would for its own
    round trip, and each save still succeeds or fails on its own version check.
    """

    def __init__(
        self,
        db: Database,
        recent_max: int = 20,
        hints: WatchHints | None = None,
        recorded: RecordedIds | None = None,
        pack_nested: bool = False,
    ) -> None:
        self.users: Collection = db.user_table
        self.pack_nested = pack_nested
        self.recent_max = recent_max
        self.hints = hints
        # Shared with this process's AuditLog, which adds every record id it has stored.
        self.recorded = recorded or RecordedIds()
        self._reads: GroupCommit[str, dict[str, Any] | None] = GroupCommit(
            self._find_many, name="account-reader"
        )
        self._writes: GroupCommit[_Write, bool | None] = GroupCommit(
            self._write_many, name="account-writer"
        )

    def load(self, username: str) -> Account | None:
        stored = self.load_stored(username)
        return stored.account if stored else None

    def load_stored(self, username: str) -> StoredAccount | None:
        started = time.perf_counter()
        doc = self._reads.submit([username])[0]
        metrics.database_op("account_load", started)
        return None if doc is None else stored_account(doc)

    def unrecorded(self, username: str | None) -> Iterator[list[Event]]:
        """Outbox events this process has not seen stored, account by account (for DUMPLOG)."""
        query = {} if username is None else {"_id": username}
        with database_errors():
            for doc in self.users.find(query, {"outbox": 1}, batch_size=500):
                outbox = [from_record(r) for r in read_list(doc.get("outbox"))]
                if missing := self.recorded.missing(outbox):
                    yield missing

    def _find_many(self, usernames: list[str]) -> list[dict[str, Any] | None]:
        # No projection: the development server deep-copies a document to project it, which
        # costs more than the password hash it would leave out (from_document ignores it).
        docs = self._by_id(usernames)
        return [docs.get(name) for name in usernames]

    def _by_id(
        self, usernames: list[str], projection: dict[str, int] | None = None
    ) -> dict[str, dict[str, Any]]:
        """The accounts of `usernames` that exist, in one `find` by `_id`."""
        with database_errors():
            found = self.users.find({"_id": {"$in": sorted(set(usernames))}}, projection)
            return {doc["_id"]: doc for doc in found}

    def _write_many(self, writes: list[_Write]) -> list[bool | None]:
        ops = [
            UpdateOne(
                {"_id": w.username, "version": w.version},
                {"$set": {**w.document, f"ops.{w.slot}": w.token}, "$inc": {"version": 1}},
            )
            for w in writes
        ]
        with database_errors():
            result = self.users.bulk_write(ops, ordered=False)
        if result.matched_count == len(writes):
            return [True] * len(writes)
        docs = self._by_id([w.username for w in writes], {"version": 1, "ops": 1})
        return [write_outcome(w, docs.get(w.username)) for w in writes]

    def create(self, username: str, password_hash: str | None = None) -> bool:
        """Inserts an empty account; False if the username is taken (the unique index decides)."""
        doc = {"_id": username, **to_document(Account(username=username))}
        doc["version"] = 0
        doc["created"] = int(time.time() * 1000)
        if password_hash is not None:
            doc["password_hash"] = password_hash
        started = time.perf_counter()
        try:
            with database_errors():
                self.users.insert_one(doc)
            metrics.database_op("account_create", started)
        except Unavailable as exc:
            if isinstance(exc.__cause__, DuplicateKeyError):
                return False
            raise
        return True

    def password_hash(self, username: str) -> str | None:
        with database_errors():
            doc = self.users.find_one({"_id": username}, {"_id": 0, "password_hash": 1})
        return (doc or {}).get("password_hash")

    def save(
        self,
        stored: StoredAccount,
        after: Account,
        outbox: list[Event],
        remembered: list[dict[str, Any]] | None,
    ) -> bool:
        """The guarded write, with the outbox and (for a keyed command) the idempotency memory."""
        before = stored.account
        document = to_document(after)
        document["outbox"] = [to_record(e) for e in outbox]
        if remembered is not None:
            document["idem"] = remembered
        if self.pack_nested:
            for name in PACKED_FIELDS:
                if name in document:
                    document[name] = orjson.dumps(document[name]).decode()
        write = _Write(before.username, before.version, document, secrets.token_hex(8))
        started = time.perf_counter()
        landed = self._writes.submit([write])[0]
        metrics.database_op("account_save", started)
        if landed is None:
            raise Unavailable("the outcome of the command is unknown; check the account")
        if not landed:
            return False
        if self.hints is not None and hints_of(after) != hints_of(before):
            self.hints.publish(after, before.version + 1)
        return True

    def every_account(self) -> Iterator[Account]:
        """All accounts, for the watcher's rebuild of its hints: a scan, so never per command.

        A document that cannot be read is logged and passed over: it must not stop the watcher
        from serving every other account.
        """
        with database_errors():
            for doc in self.users.find({}, ACCOUNT_PROJECTION, batch_size=500):
                try:
                    account = from_document(doc)
                except (KeyError, TypeError, ValueError, AttributeError):
                    log.exception("account %s cannot be read; passed over", doc.get("_id"))
                    continue
                yield account
