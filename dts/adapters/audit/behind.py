"""Inserting records that are durable already, behind the replies.

A command that changes an account writes its audit records into that account's outbox, in the same
guarded write (dts.adapters.audit.outbox): from then on they survive any crash, and their insert
into `transaction_table` is only a copy. So it waits for no one: one thread per process inserts
whatever has gathered, while the requests go on. If it is slow, stops or dies, nothing is lost:
the outbox still holds every record not known to be stored, the account's next write carries them
forward, and a DUMPLOG stores what remains before it reads.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

BATCH = 2000  # records per insert
MAX_WAITING = 200_000  # beyond this the oldest are left to their outboxes (memory stays bounded)
RETRY_S = 0.5  # after a failed insert (the database away), before trying again


class InsertBehind:
    def __init__(self, insert: Callable[[list[dict[str, Any]]], None]) -> None:
        self._insert = insert
        self._waiting: list[dict[str, Any]] = []
        self._queued: set[str] = set()  # ids waiting, so a carried record is not queued twice
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, records: list[dict[str, Any]]) -> None:
        with self._cond:
            for record in records:
                if record["_id"] not in self._queued:
                    self._queued.add(record["_id"])
                    self._waiting.append(record)
            if len(self._waiting) > MAX_WAITING:
                left = self._waiting[: len(self._waiting) - MAX_WAITING]
                del self._waiting[: len(left)]
                self._queued.difference_update(r["_id"] for r in left)
                log.warning("audit: %d records left to their accounts' outboxes", len(left))
            self._cond.notify()
        self._start_once()

    def waiting(self) -> int:
        """Records queued or being inserted."""
        with self._cond:
            return len(self._queued)

    def _start_once(self) -> None:
        # Checked for life, not a flag: a thread does not survive the fork of a gunicorn worker.
        if self._thread is not None and self._thread.is_alive():
            return
        with self._cond:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="audit-behind", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._waiting:
                    self._cond.wait()
                batch = self._waiting[:BATCH]
                del self._waiting[:BATCH]
            try:
                self._insert(batch)
            except Exception:
                log.warning("audit: %d records not stored yet; retrying", len(batch), exc_info=True)
                with self._cond:
                    self._waiting[0:0] = batch
                threading.Event().wait(RETRY_S)
                continue
            with self._cond:
                self._queued.difference_update(r["_id"] for r in batch)
