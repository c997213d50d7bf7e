"""The audit journal: a request's records reach a Redis stream before its reply, and
`transaction_table` behind it.

A reply promises that its command's records survive the loss of any one process. A queue in the
service's memory does not keep that promise (a SIGKILL empties it), and an insert per request
before replying costs the database a synced write per request. Redis appends every write to its
append-only file before it answers (and syncs the file as `appendfsync` says), so once `XADD`
returns the records outlive the service's process, Redis itself (it reloads the file) and the
database (the stream keeps them until they are stored).

Every process that records runs a drainer: a consumer of one consumer group that reads what has
gathered every `poll_s`, stores it (a record already stored is a duplicate `_id`, ignored), and
only then acknowledges and deletes those entries. Entries a consumer read but never acknowledged
(it died between read and store) are claimed by another consumer after `CLAIM_IDLE_MS`. A DUMPLOG
stores every entry up to the newest at its start itself (`drain`), so the log it then reads holds
every command answered before it began, whatever the drainers are doing.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import orjson
import redis

from dts import metrics
from dts.adapters.group_commit import GroupCommit

log = logging.getLogger(__name__)

STREAM = "dts:audit"
GROUP = "store"
CLAIM_IDLE_MS = 15_000  # an entry read this long ago and not acknowledged: its reader died
CLAIM_EVERY_S = 5.0
RETRY_S = 0.5

Record = dict[str, Any]
Store = Callable[[list[Record]], None]


def journal_backlog(client: redis.Redis, stream: str = STREAM) -> tuple[int, float | None]:
    """Entries waiting to be stored, and the oldest one's age in seconds (None when none waits).

    Stored entries are deleted, so the stream's length is the backlog, and an entry's id starts
    with the millisecond Redis added it.
    """
    pipe = client.pipeline(transaction=False)
    pipe.xlen(stream)
    pipe.xrange(stream, count=1)
    waiting, oldest = pipe.execute()
    if not oldest:
        return int(waiting), None
    added_ms = int(oldest[0][0].split(b"-")[0])
    return int(waiting), max(0.0, time.time() - added_ms / 1000)


def _entries_records(entries: list[tuple[bytes, dict[bytes, bytes]]]) -> list[Record]:
    return [record for _, fields in entries for record in orjson.loads(fields[b"r"])]


class AuditJournal:
    def __init__(
        self,
        client: redis.Redis,
        store: Store,
        poll_s: float = 0.05,
        batch: int = 2000,
        consumer: str | None = None,
        stream: str = STREAM,
        claim_idle_ms: int = CLAIM_IDLE_MS,
        claim_every_s: float = CLAIM_EVERY_S,
        drain_behind: bool = True,
    ) -> None:
        self.redis = client
        self.stream = stream
        self.claim_idle_ms = claim_idle_ms
        self.claim_every_s = claim_every_s
        self.drain_behind = drain_behind  # False: only `drain` stores (tools, tests)
        self.store = store
        self.poll_s = poll_s
        self.batch = batch
        self.consumer = consumer or f"{socket.gethostname()}:{os.getpid()}"
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._stop = threading.Event()
        self._group_ready = False
        self._appends: GroupCommit[list[Record], None] = GroupCommit(
            self._append_many, name="audit-journal", wait_s=10.0
        )

    def append(self, records: list[Record]) -> None:
        """Durable when it returns; raises `Unavailable` when Redis cannot take them.

        The records of every request waiting at one moment go as one entry
        (dts.adapters.group_commit): each request still waits for the `XADD` that carries its
        records, but Redis and its file see one command for many requests.
        """
        if not records:
            return
        self._appends.submit([records])
        if self.drain_behind:
            self._start_once()

    def _append_many(self, batches: list[list[Record]]) -> list[None]:
        merged = [record for records in batches for record in records]
        try:
            self.redis.xadd(self.stream, {"r": orjson.dumps(merged)})
        except redis.RedisError:
            metrics.redis_error("audit_journal")
            raise
        return [None] * len(batches)

    def drain(self) -> None:
        """Stores every entry up to the newest there is now, read by anyone or by no one yet."""
        newest = self.redis.xrevrange(self.stream, count=1)
        if not newest:
            return
        last_id = newest[0][0]
        start = "-"
        while True:
            entries = self.redis.xrange(self.stream, min=start, max=last_id, count=self.batch)
            if not entries:
                return
            self._store_entries(entries)
            if entries[-1][0] == last_id:
                return
            start = "(" + entries[-1][0].decode()

    def stop(self) -> None:
        self._stop.set()

    def _start_once(self) -> None:
        # Started on first use and checked for life, not a flag: a thread does not survive the
        # fork of a gunicorn worker.
        if self._thread is not None and self._thread.is_alive():
            return
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="audit-drainer", daemon=True)
                self._thread.start()

    def _ensure_group(self) -> None:
        if self._group_ready:
            return
        try:
            # From the stream's start: entries written before the group existed are stored too.
            self.redis.xgroup_create(self.stream, GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    def _run(self) -> None:
        next_claim = time.monotonic() + self.claim_every_s
        while not self._stop.is_set():
            try:
                self._ensure_group()
                if time.monotonic() >= next_claim:
                    next_claim = time.monotonic() + self.claim_every_s
                    self._claim_abandoned()
                read = self.redis.xreadgroup(
                    GROUP, self.consumer, {self.stream: ">"}, count=self.batch
                )
                entries = read[0][1] if read else []
                if entries:
                    self._store_entries(entries)
                if len(entries) < self.batch:
                    self._stop.wait(self.poll_s)
            except redis.ResponseError as exc:
                metrics.redis_error("audit_drainer")
                if "NOGROUP" in str(exc):  # Redis lost its data (restarted without a file)
                    self._group_ready = False
                else:
                    log.warning("audit journal: %s", exc)
                self._stop.wait(RETRY_S)
            except Exception as exc:  # the database or Redis away: retried, never dropped
                if isinstance(exc, redis.RedisError):
                    metrics.redis_error("audit_drainer")
                log.warning("audit journal: store failed, retrying: %s", exc)
                self._stop.wait(RETRY_S)

    def _claim_abandoned(self) -> None:
        start = "0-0"
        while True:
            start, entries, *_ = self.redis.xautoclaim(
                self.stream,
                GROUP,
                self.consumer,
                self.claim_idle_ms,
                start_id=start,
                count=self.batch,
            )
            if entries:
                self._store_entries([e for e in entries if e[1]])
            if start in (b"0-0", "0-0"):
                return

    def _store_entries(self, entries: list[tuple[bytes, dict[bytes, bytes]]]) -> None:
        """Stored first, acknowledged and deleted after: a crash between the two stores them
        again later, as duplicates the insert ignores."""
        if not entries:
            return
        self.store(_entries_records(entries))
        ids = [entry_id for entry_id, _ in entries]
        pipe = self.redis.pipeline(transaction=False)
        pipe.xack(self.stream, GROUP, *ids)
        pipe.xdel(self.stream, *ids)
        pipe.execute()
