"""dts.adapters.audit.behind: records durable elsewhere reach the table behind the replies, each
once, and a failed insert is tried again."""

from __future__ import annotations

import threading
import time
from typing import Any

from dts.adapters.audit.behind import InsertBehind


class Table:
    """An insert that can be made to fail, then remembers what it stored."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.stored: list[str] = []
        self.calls = 0
        self.lock = threading.Lock()

    def insert(self, records: list[dict[str, Any]]) -> None:
        with self.lock:
            self.calls += 1
            if self.failures:
                self.failures -= 1
                raise ConnectionError("the database is away")
            self.stored.extend(r["_id"] for r in records)


def settled(behind: InsertBehind, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while behind.waiting() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert behind.waiting() == 0, "records still waiting"


def test_records_are_inserted_behind_the_caller_each_once() -> None:
    table = Table()
    behind = InsertBehind(table.insert)
    behind.add([{"_id": "a:1:0"}, {"_id": "a:1:1"}])
    behind.add([{"_id": "a:1:1"}, {"_id": "a:2:0"}])  # a carried record queued again
    settled(behind)
    assert sorted(table.stored) == ["a:1:0", "a:1:1", "a:2:0"]


def test_a_failed_insert_is_tried_again_with_the_same_records() -> None:
    table = Table(failures=1)
    behind = InsertBehind(table.insert)
    behind.add([{"_id": "b:1:0"}])
    settled(behind)
    assert table.stored == ["b:1:0"] and table.calls == 2
