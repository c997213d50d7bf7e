"""The MongoDB adapter for accounts: `load`, `apply` a rule, `create`.

Every account change is one version-checked write of one `user_table` document: the filter
`{username, version}` makes a concurrent second writer match nothing, and that writer reloads and
re-runs the pure rule on the fresh state. So nothing is lost or applied twice across services,
workers and threads, and a command costs two round trips (read, guarded write).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from pymongo import ASCENDING, MongoClient
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError, PyMongoError

from dts.domain.account import Account, PendingTrade, TriggerOrder
from dts.domain.change import Change
from dts.domain.events import Event
from dts.domain.pending import expire_pending
from dts.errors import DtsError, NotFound, Refused, Unavailable

T = TypeVar("T")
MAX_ATTEMPTS = 50


@contextmanager
def database_errors() -> Iterator[None]:
    """Turns a driver failure into a clean 503; the command changed nothing it reports."""
    try:
        yield
    except PyMongoError as exc:
        raise Unavailable("the database is unavailable, try again shortly") from exc


def connect(uri: str, db_name: str, socket_timeout_ms: int | None = 10_000) -> Database:
    """A client for short commands (10 s per round trip) or, with None, for long streams."""
    client: MongoClient = MongoClient(
        uri,
        serverSelectionTimeoutMS=3000,
        connectTimeoutMS=3000,
        socketTimeoutMS=socket_timeout_ms,
        maxPoolSize=50,
        tz_aware=False,
    )
    return client[db_name]


def ensure_indexes(db: Database) -> None:
    with database_errors():
        db.user_table.create_index([("username", ASCENDING)], unique=True)
        db.user_table.create_index([("trigger_syms", ASCENDING)])
        db.user_table.create_index([("pending_buy.expires", ASCENDING)])
        db.user_table.create_index([("pending_sell.expires", ASCENDING)])
        db.transaction_table.create_index([("username", ASCENDING), ("timestamp", ASCENDING)])
        db.transaction_table.create_index([("timestamp", ASCENDING)])


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
        "transactions": list(account.transactions),
        "last_expired": dict(account.expired_at_ms),
        "trigger_syms": account.trigger_symbols,
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
        stocks=dict(doc.get("stocks") or {}),
        pending_buys=[_pending(d) for d in doc.get("pending_buy") or []],
        pending_sells=[_pending(d) for d in doc.get("pending_sell") or []],
        buy_orders={
            sym: TriggerOrder(sym, o["amount"], o.get("trigger"), 0, o.get("trxNum", 0))
            for sym, o in (doc.get("reserved_buy") or {}).items()
        },
        sell_orders={
            sym: TriggerOrder(
                sym, o["amount"], o.get("trigger"), o.get("shares", 0), o.get("trxNum", 0)
            )
            for sym, o in (doc.get("reserved_sell") or {}).items()
        },
        transactions=list(doc.get("transactions") or []),
        expired_at_ms=dict(doc.get("last_expired") or {}),
        version=doc.get("version", 0),
    )


ACCOUNT_PROJECTION = {"_id": 0, "password_hash": 0}


class AccountStore:
    def __init__(self, db: Database, recent_max: int = 20) -> None:
        self.users: Collection = db.user_table
        self.recent_max = recent_max

    def load(self, username: str) -> Account | None:
        with database_errors():
            doc = self.users.find_one({"username": username}, ACCOUNT_PROJECTION)
        return from_document(doc) if doc else None

    def create(self, username: str, password_hash: str | None = None) -> bool:
        """Inserts an empty account; False if the username is taken (the unique index decides)."""
        doc = to_document(Account(username=username))
        doc["version"] = 0
        doc["created"] = int(time.time() * 1000)
        if password_hash is not None:
            doc["password_hash"] = password_hash
        try:
            with database_errors():
                self.users.insert_one(doc)
        except Unavailable as exc:
            if isinstance(exc.__cause__, DuplicateKeyError):
                return False
            raise
        return True

    def password_hash(self, username: str) -> str | None:
        with database_errors():
            doc = self.users.find_one({"username": username}, {"_id": 0, "password_hash": 1})
        return (doc or {}).get("password_hash")

    def _save(self, before: Account, after: Account) -> bool:
        with database_errors():
            result = self.users.update_one(
                {"username": before.username, "version": before.version},
                {"$set": to_document(after), "$inc": {"version": 1}},
            )
        return result.matched_count == 1

    def apply(
        self,
        username: str,
        rule: Callable[[Change], T],
        *,
        now_ms: Callable[[], int],
        trx_num: int,
        command: str,
        create_if_missing: bool = False,
    ) -> tuple[T, list[Event]]:
        """Runs `rule` on a fresh copy of the account and writes it back, retrying on conflict.

        Expired pending trades are settled first; if the rule then refuses, that settlement is still
        written (it would happen on the next command anyway) before the refusal is raised.
        """
        for attempt in range(MAX_ATTEMPTS):
            account = self.load(username)
            if account is None:
                if not create_if_missing:
                    raise NotFound(f"no account named {username}", "UNKNOWN_USER")
                self.create(username)
                continue
            ch = Change.of(account, now_ms(), trx_num, command, recent_max=self.recent_max)
            expire_pending(ch)
            settled = ch.account.copy()
            settled_events = list(ch.events)
            try:
                result = rule(ch)
            except DtsError as refusal:
                if settled != account:
                    if not self._save(account, settled):
                        self._backoff(attempt)
                        continue
                    refusal.events = list(settled_events)
                raise
            if ch.account == account:
                return result, ch.events
            if self._save(account, ch.account):
                return result, ch.events
            self._backoff(attempt)
        raise Refused("the account is too busy right now, try again", "CONFLICT")

    @staticmethod
    def _backoff(attempt: int) -> None:
        time.sleep(random.uniform(0, min(0.002 * (attempt + 1), 0.05)))

    def holders_of_triggers(self, sym: str) -> list[str]:
        with database_errors():
            docs = self.users.find({"trigger_syms": sym}, {"_id": 0, "username": 1})
            return [d["username"] for d in docs]

    def with_expired_pending(self, now_ms: int, limit: int = 1000) -> list[str]:
        """Accounts holding a pending BUY or SELL whose window has closed."""
        query = {
            "$or": [
                {"pending_buy.expires": {"$lte": now_ms}},
                {"pending_sell.expires": {"$lte": now_ms}},
            ]
        }
        with database_errors():
            docs = self.users.find(query, {"_id": 0, "username": 1}).limit(limit)
            return [d["username"] for d in docs]

    def trigger_symbols(self) -> list[str]:
        with database_errors():
            return sorted(s for s in self.users.distinct("trigger_syms") if s)
