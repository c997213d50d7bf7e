"""The audit journal (dts.adapters.audit.journal) against the real Redis and database server.

Each test uses a stream of its own, so the running services' drainers never see its entries.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pymongo.database
import pytest
import redis

from dts.adapters.audit.journal import GROUP, AuditJournal
from dts.adapters.audit.log import AuditLog
from dts.domain.events import Event, EventType
from tests.integration.harness import REDIS_URL, Stack

Record = dict


@pytest.fixture
def client(stack: Stack) -> Iterator[redis.Redis]:
    c = redis.Redis.from_url(REDIS_URL)
    yield c
    c.close()


@pytest.fixture
def stream(client: redis.Redis) -> Iterator[str]:
    name = f"test:journal:{uuid.uuid4().hex}"
    yield name
    client.delete(name)


def records(n: int, tag: str) -> list[Record]:
    return [{"_id": f"{tag}-{i}", "type": "userCommand", "n": i} for i in range(n)]


def wait_for(predicate, timeout_s: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_records_are_in_redis_when_append_returns_and_stored_behind_it(
    client: redis.Redis, stream: str
) -> None:
    stored: list[Record] = []
    journal = AuditJournal(client, stored.extend, stream=stream, drain_behind=False)
    journal.append(records(3, "a"))
    [(_, fields)] = client.xrange(stream)
    assert b'"a-2"' in fields[b"r"] and stored == []
    journal.drain()
    assert [r["_id"] for r in stored] == ["a-0", "a-1", "a-2"]
    assert client.xlen(stream) == 0  # stored, then deleted


def test_the_drainer_stores_what_gathers_then_acknowledges_and_deletes_it(
    client: redis.Redis, stream: str
) -> None:
    stored: list[Record] = []
    journal = AuditJournal(client, stored.extend, poll_s=0.05, stream=stream)
    try:
        for i in range(5):
            journal.append(records(2, f"d{i}"))
        assert wait_for(lambda: len(stored) == 10)
        assert wait_for(lambda: client.xlen(stream) == 0)
        assert client.xpending(stream, GROUP)["pending"] == 0
    finally:
        journal.stop()


def test_a_store_that_fails_keeps_the_entries_until_it_succeeds(
    client: redis.Redis, stream: str
) -> None:
    stored: list[Record] = []
    failures = [RuntimeError("database away")] * 2

    def store(batch: list[Record]) -> None:
        if failures:
            raise failures.pop()
        stored.extend(batch)

    journal = AuditJournal(
        client, store, poll_s=0.05, stream=stream, claim_idle_ms=100, claim_every_s=0.2
    )
    try:
        journal.append(records(4, "f"))
        assert wait_for(lambda: [r["_id"] for r in stored] == ["f-0", "f-1", "f-2", "f-3"])
        assert wait_for(lambda: client.xlen(stream) == 0)
    finally:
        journal.stop()


def test_entries_a_dead_drainer_read_are_claimed_and_stored_by_another(
    client: redis.Redis, stream: str
) -> None:
    AuditJournal(client, lambda batch: None, stream=stream, drain_behind=False).append(
        records(3, "c")
    )
    client.xgroup_create(stream, GROUP, id="0")
    assert client.xreadgroup(GROUP, "dead", {stream: ">"})  # read, then its process "died"

    stored: list[Record] = []
    other = AuditJournal(
        client, stored.extend, poll_s=0.05, stream=stream, claim_idle_ms=200, claim_every_s=0.2
    )
    try:
        other.append(records(1, "late"))
        assert wait_for(lambda: sorted(r["_id"] for r in stored) == ["c-0", "c-1", "c-2", "late-0"])
        assert wait_for(lambda: client.xlen(stream) == 0)
    finally:
        other.stop()


def test_drain_stores_entries_another_drainer_holds_and_repeats_are_harmless(
    client: redis.Redis, stream: str, db: pymongo.database.Database
) -> None:
    tag = uuid.uuid4().hex
    audit = AuditLog(db, "journal-test")
    audit.journal = AuditJournal(client, audit._insert, stream=stream, drain_behind=False)
    events = records(3, tag)
    audit.journal.append(events)
    audit.journal.append(events[:1])  # the same record twice (an account carried it again)
    client.xgroup_create(stream, GROUP, id="0")
    client.xreadgroup(GROUP, "busy", {stream: ">"})  # another drainer is in the middle of them
    assert audit.settle()
    assert sorted(r["_id"] for r in db.transaction_table.find({"_id": {"$regex": f"^{tag}"}})) == [
        f"{tag}-0",
        f"{tag}-1",
        f"{tag}-2",
    ]


def test_without_redis_the_records_are_stored_before_record_returns(
    db: pymongo.database.Database,
) -> None:
    down = redis.Redis(port=1, socket_connect_timeout=0.5, socket_timeout=0.5)
    audit = AuditLog(db, "journal-test", journal_redis=down)
    user = f"nojournal{uuid.uuid4().hex[:8]}"
    audit.record([Event(type=EventType.USER_COMMAND, timestamp_ms=1, trx_num=1, username=user)])
    assert db.transaction_table.count_documents({"username": user}) == 1
    assert not audit.settle()  # a DUMPLOG cannot vouch for a journal it cannot read
