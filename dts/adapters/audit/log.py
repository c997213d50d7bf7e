"""The audit log adapter: events into `transaction_table`, through the journal
(dts.adapters.audit.journal).

Records are dts.adapters.audit.records' (the original system's field names, money in integer cents);
dts.adapters.audit.logxml turns them into the course's XML when a DUMPLOG asks.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

import redis
from bson import ObjectId
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import BulkWriteError, ConnectionFailure, PyMongoError

from dts import metrics
from dts.adapters.audit.journal import AuditJournal
from dts.adapters.audit.outbox import RecordedIds
from dts.adapters.audit.packed import in_time_order, pack
from dts.adapters.audit.records import to_record
from dts.adapters.mongo.accounts import database_errors
from dts.domain.events import Event
from dts.errors import Unavailable
from dts.read_ahead import read_ahead

log = logging.getLogger(__name__)
BATCH = 2000  # records per database round trip of a DUMPLOG
READ_AHEAD_BATCHES = 4  # how many batches a DUMPLOG reads ahead of the XML it writes


class AuditLog:
    """Records into the journal before the reply (dts.adapters.audit.journal), and from there into
    `transaction_table`; without a journal (one-process tools) straight into the table."""

    def __init__(
        self,
        db: Database,
        server: str,
        stream_db: Database | None = None,
        recorded: RecordedIds | None = None,
        journal_redis: redis.Redis | None = None,
        poll_s: float = 0.05,
        pack_records: bool = False,
    ) -> None:
        self.events: Collection = db.transaction_table
        self.names: Collection = db[NAMES]
        # DUMPLOG reads millions of records: its first batch can take longer than a command's
        # whole time budget, so it streams over a client without the per-round-trip timeout.
        stream = db if stream_db is None else stream_db
        self.stream: Collection = stream.transaction_table
        self.stream_names: Collection = stream[NAMES]
        self.server = server
        # One document per user per insert (dts.adapters.audit.packed), for the development server.
        self.pack_records = pack_records
        self.recorded = recorded or RecordedIds()
        self._named: set[str] = set()  # names this process has seen stored in NAMES
        self._names_lock = threading.Lock()
        self.journal = (
            None if journal_redis is None else AuditJournal(journal_redis, self._insert, poll_s)
        )

    def records(self, username: str | None) -> Iterator[dict[str, Any]]:
        """A user's records oldest first, or everyone's user by user, fetched in batches.

        Everyone's log is read one user at a time through the `{username, timestamp}` index,
        never as one query: the development database server holds a query's whole result in
        memory until its cursor is exhausted, and everyone's records at once grew it by 4.2 GB
        for the 1,000-user history, where one user's are a few megabytes. The names come from
        NAMES, for the same reason (`distinct` over the log holds every record too). The log's
        schema lets events come in any order; each user's stay in time order. The batches are
        read ahead (dts.read_ahead), so the server reads the next while the caller writes this
        one out. Documents of either shape are read (dts.adapters.audit.packed), each record once.
        """
        names: list[str | None] = [username] if username is not None else self._everyone()
        for batch in read_ahead(self._batches(names), depth=READ_AHEAD_BATCHES):
            yield from batch

    def _batches(self, names: list[str | None]) -> Iterator[list[dict[str, Any]]]:
        with database_errors():
            for name in names:
                # No projection: the development server deep-copies each document to project it
                # (reads 20-25 % slower, measured), and the XML writer ignores `_id` anyway.
                cursor = self.stream.find(
                    {"username": name}, batch_size=BATCH, no_cursor_timeout=True
                ).sort("timestamp", 1)
                batch: list[dict[str, Any]] = []
                for record in in_time_order(cursor):
                    batch.append(record)
                    if len(batch) == BATCH:
                        yield batch
                        batch = []
                if batch:
                    yield batch

    def _everyone(self) -> list[str | None]:
        """Records without a user first (`{username: None}` finds them too), then each name's.

        The names are those of the records (NAMES), not of the accounts: a command naming a user
        who has no account is logged as well.
        """
        with database_errors():
            found = self.stream_names.find({}, batch_size=10_000)
            names = [doc["_id"] for doc in found]
        return [None, *sorted(names)]

    def record(self, events: Iterable[Event]) -> None:
        """Durable when it returns: in the journal, or (Redis away) stored in the table itself.

        Raises `Unavailable` only when neither could take them.
        """
        records = [to_record(e, self.server) for e in events]
        if not records:
            return
        for record in records:
            record.setdefault("_id", str(ObjectId()))
        if self.journal is not None:
            try:
                self.journal.append(records)
            except Unavailable:
                log.warning("audit journal unreachable: storing %d records now", len(records))
            else:
                self.recorded.add(_outbox_ids(records))  # safe now: accounts need not carry them
                return
        self._insert(records)

    def store(self, events: Iterable[Event]) -> None:
        """Stored in the table before it returns (what a DUMPLOG finds left in outboxes)."""
        records = [to_record(e, self.server) for e in events]
        if records:
            self._insert(records)

    def unstored(self, events: Iterable[Event]) -> list[Event]:
        """An outbox's events this process has not seen stored: the caller carries them forward."""
        return self.recorded.missing(events)

    def settle(self) -> bool:
        """Everything answered so far stored, before a DUMPLOG reads; False if that is unknown."""
        if self.journal is None:
            return True
        try:
            self.journal.drain()
        except redis.RedisError:
            metrics.redis_error("audit_journal")
            log.warning("audit journal unreachable: cannot tell whether the log is complete")
            return False
        return True

    def _insert(self, records: list[dict[str, Any]]) -> None:
        """Every record stored once; a record that can never be stored does not block the rest.

        The journal's drainer retries a failed batch until it succeeds, which is right while the
        database is unreachable; any other failure (a record the server refuses) would fail every
        retry, so the batch is then stored record by record and only the refused ones are logged
        and left.
        """
        try:
            self._store(records)
        except Exception as exc:
            if _transient(exc):
                raise
            log.error("audit: a batch of %d records failed; storing one by one", len(records))
            for record in records:
                try:
                    self._store([record])
                except Exception as one:
                    if _transient(one):
                        raise
                    log.error(
                        "audit: a %s record of %s cannot be stored and is left out",
                        record.get("type"),
                        record.get("username"),
                        exc_info=True,
                    )

    def _store(self, records: list[dict[str, Any]]) -> None:
        """One already there by its id (dts.adapters.audit.outbox) is not an error.

        A record's username goes into NAMES before the record itself, so everyone's DUMPLOG finds
        every name there; each process adds a name once.
        """
        new_names = {r["username"] for r in records if isinstance(r.get("username"), str)}
        with self._names_lock:
            new_names -= self._named
        for record in records:  # one id per record whatever the shape, for the outbox's repeats
            record.setdefault("_id", str(ObjectId()))
        started = time.perf_counter()
        with database_errors():
            if new_names:
                insert_ignoring_repeats(self.names, [{"_id": n} for n in sorted(new_names)])
            insert_ignoring_repeats(self.events, pack(records) if self.pack_records else records)
        metrics.database_op("audit_insert", started)
        metrics.audit_stored(len(records))
        with self._names_lock:
            self._named |= new_names
        self.recorded.add(_outbox_ids(records))


# Every name that appears in the log, one document each (`_id` = username), so that everyone's
# DUMPLOG lists the users without reading the log (`distinct` over the log would hold every record
# in the development server's memory: 2.9 GB for the 1,000-user history).
NAMES = "log_names"


def _outbox_ids(records: list[dict[str, Any]]) -> list[str]:
    """The ids of account events (dts.adapters.audit.outbox: `user:version:i`), which accounts would
    carry."""
    return [r["_id"] for r in records if ":" in r["_id"]]


def _transient(exc: BaseException) -> bool:
    """A failure that a later retry can get past: the database unreachable or failing over."""
    cause = exc.__cause__ if isinstance(exc, Unavailable) else exc
    return isinstance(cause, ConnectionFailure) or (
        isinstance(cause, PyMongoError) and cause.has_error_label("RetryableWriteError")
    )


def insert_ignoring_repeats(collection: Collection, docs: list[dict[str, Any]]) -> None:
    """Inserts `docs`; one already there by its `_id` is not an error, any other failure is."""
    try:
        collection.insert_many(docs, ordered=False)
    except BulkWriteError as exc:
        if not _only_duplicates(exc):
            raise


def _only_duplicates(error: BaseException | None) -> bool:
    if not isinstance(error, BulkWriteError):
        return False
    details = error.details or {}
    write_errors = details.get("writeErrors") or []
    return (
        bool(write_errors)
        and all(e.get("code") == 11000 for e in write_errors)
        and not (details.get("writeConcernErrors"))
    )
