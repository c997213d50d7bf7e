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

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import redis

log = logging.getLogger(__name__)

STREAM = "dts:audit"
GROUP = "store"
CLAIM_IDLE_MS = 15_000  # an entry read this long ago and not acknowledged: its reader died
CLAIM_EVERY_S = 5.0
RETRY_S = 0.5

Record = dict[str, Any]
Store = Callable[[list[Record]], None]


def _entries_records(entries: list[tuple[bytes, dict[bytes, bytes]]]) -> list[Record]:
    return [record for _, fields in entries for record in json.loads(fields[b"r"])]


class AuditJournal:
    def __init__(
        self,
        client: redis.Redis,
        store: Store,
        poll_s: float = 0.05,
        batch: int = 2000,
        consumer: str | None = None,
    ) -> None:
        self.redis = client
        self.store = store
        self.poll_s = poll_s
        self.batch = batch
        self.consumer = consumer or f"{socket.gethostname()}:{os.getpid()}"
        self._started = False
        self._start_lock = threading.Lock()
        self._stop = threading.Event()
        self._group_ready = False

    def append(self, records: list[Record]) -> None:
        """Durable when it returns; raises `redis.RedisError` when Redis cannot take them."""
        if not records:
            return
        self.redis.xadd(STREAM, {"r": json.dumps(records, separators=(",", ":"))})
        self._start_once()

    def drain(self) -> None:
        """Stores every entry up to the newest there is now, read by anyone or by no one yet."""
        newest = self.redis.xrevrange(STREAM, count=1)
        if not newest:
            return
        last_id = newest[0][0]
        start = "-"
        while True:
            entries = self.redis.xrange(STREAM, min=start, max=last_id, count=self.batch)
            if not entries:
                return
            self._store_entries(entries)
            if entries[-1][0] == last_id:
                return
            start = "(" + entries[-1][0].decode()

    def backlog(self) -> int:
        """Entries not yet stored (for health and tests)."""
        return int(self.redis.xlen(STREAM))

    def stop(self) -> None:
        self._stop.set()

    def _start_once(self) -> None:
        if self._started:
            return
        with self._start_lock:
            if not self._started:
                threading.Thread(target=self._run, name="audit-drainer", daemon=True).start()
                self._started = True

    def _ensure_group(self) -> None:
        if self._group_ready:
            return
        try:
            # From the stream's start: entries written before the group existed are stored too.
            self.redis.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    def _run(self) -> None:
        next_claim = time.monotonic() + CLAIM_EVERY_S
        while not self._stop.is_set():
            try:
                self._ensure_group()
                if time.monotonic() >= next_claim:
                    next_claim = time.monotonic() + CLAIM_EVERY_S
                    self._claim_abandoned()
                read = self.redis.xreadgroup(GROUP, self.consumer, {STREAM: ">"}, count=self.batch)
                entries = read[0][1] if read else []
                if entries:
                    self._store_entries(entries)
                if len(entries) < self.batch:
                    self._stop.wait(self.poll_s)
            except redis.ResponseError as exc:
                if "NOGROUP" in str(exc):  # Redis lost its data (restarted without a file)
                    self._group_ready = False
                else:
                    log.warning("audit journal: %s", exc)
                self._stop.wait(RETRY_S)
            except Exception as exc:  # the database or Redis away: retried, never dropped
                log.warning("audit journal: store failed, retrying: %s", exc)
                self._stop.wait(RETRY_S)

    def _claim_abandoned(self) -> None:
        start = "0-0"
        while True:
            start, entries, *_ = self.redis.xautoclaim(
                STREAM, GROUP, self.consumer, CLAIM_IDLE_MS, start_id=start, count=self.batch
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
        pipe.xack(STREAM, GROUP, *ids)
        pipe.xdel(STREAM, *ids)
        pipe.execute()
