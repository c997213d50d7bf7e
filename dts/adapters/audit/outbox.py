"""Exactly-once audit records for account changes: an outbox written with the change itself.

A command's account events are stored inside the same guarded write that changes the account (as
dts.adapters.audit.records' records), each under an id made of the username, the new version and its
position. Inserting them into `transaction_table` afterwards may then happen any number of times (a
repeat is a duplicate key, ignored), so a process that dies between the two writes loses nothing:
the next process that loads the account carries the events forward into its own write and insert,
and a DUMPLOG records whatever is still waiting before it reads the log.

Each process remembers the ids it has stored, so on the normal path every event is inserted once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import replace

from dts.domain.events import Event


def with_ids(events: Iterable[Event], username: str, version: int) -> list[Event]:
    """The events of the write that makes `version`, named so a repeat insert is recognised."""
    return [replace(e, record_id=f"{username}:{version}:{i}") for i, e in enumerate(events)]


class RecordedIds:
    """The record ids this process has seen stored, the newest `capacity` of them."""

    def __init__(self, capacity: int = 50_000) -> None:
        self.capacity = capacity
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, ids: Iterable[str]) -> None:
        with self._lock:
            for record_id in ids:
                self._ids[record_id] = None
                self._ids.move_to_end(record_id)
            while len(self._ids) > self.capacity:
                self._ids.popitem(last=False)

    def missing(self, events: Iterable[Event]) -> list[Event]:
        """The events not known to be stored: these are carried forward and inserted again."""
        with self._lock:
            return [e for e in events if e.record_id not in self._ids]
