"""The flush barrier a DUMPLOG runs before reading the log (dts.log_flush), against the real Redis,
and the audit writer getting past a record the database refuses.

The barrier tests use their own Redis database number, so their registry of writers is not the
stack's (channels are shared across numbers; the stack's own listeners answer into theirs).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import pymongo.database
import pytest
import redis

from dts.audit import AuditLog
from dts.domain.events import Event, EventType
from dts.log_flush import LIVE_S, WRITERS, FlushListener, settle
from tests.integration.conftest import REDIS_URL, Stack


@pytest.fixture
def bus(stack: Stack) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL.rsplit("/", 1)[0] + "/5")
    client.delete(WRITERS)
    yield client
    client.delete(WRITERS)
    client.close()


def wait_until(condition, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_settle_returns_once_every_live_writer_has_flushed(bus: redis.Redis) -> None:
    flushed = []

    def flush(timeout_s: float) -> bool:
        time.sleep(0.3)  # a backlog being written
        flushed.append(time.monotonic())
        return True

    listeners = [FlushListener(bus, flush) for _ in range(2)]
    for listener in listeners:
        listener.start()
    wait_until(lambda: all(x.subscribed.is_set() for x in listeners))
    started = time.monotonic()
    try:
        assert settle(bus, timeout_s=5)
    finally:
        for listener in listeners:
            listener.stop()
    assert len(flushed) >= 2 and all(t > started for t in flushed)


def test_settle_fails_while_a_live_writer_does_not_answer(bus: redis.Redis) -> None:
    bus.hset(WRITERS, "stuck:1", int(time.time() * 1000) + 60_000)  # alive, never answers
    started = time.monotonic()
    assert not settle(bus, timeout_s=1.5)
    assert time.monotonic() - started >= 1.5


def test_a_writer_gone_quiet_is_not_waited_for_and_leaves_the_registry(bus: redis.Redis) -> None:
    gone = int((time.time() - LIVE_S - 1) * 1000)
    bus.hset(WRITERS, "killed:1", gone)
    assert settle(bus, timeout_s=2)
    assert bus.hget(WRITERS, "killed:1") is None


def test_a_record_the_database_refuses_does_not_hold_up_the_others(
    db: pymongo.database.Database,
) -> None:
    user = f"poison{uuid.uuid4().hex[:8]}"
    audit = AuditLog(db, "test", linger_s=0.05)

    def event(amount: int) -> Event:
        return Event(EventType.USER_COMMAND, 1, 1, "ADD", user, amount_cents=amount)

    refused = event(2**70)  # more than BSON's 8-byte integers hold
    audit.record([event(100), refused, event(200)])
    assert audit.flush(timeout_s=10)  # not retried for ever
    audit.record([event(300)])
    assert audit.flush(timeout_s=10)
    stored = sorted(r["amount"] for r in db.transaction_table.find({"username": user}))
    assert stored == [100, 200, 300]


def test_records_are_stored_before_the_reply_until_the_process_can_be_asked_to_flush(
    db: pymongo.database.Database,
) -> None:
    """No Redis to subscribe on: nobody could ask this process for its backlog, so it keeps none."""
    user = f"nobus{uuid.uuid4().hex[:8]}"
    down = redis.Redis(port=1, socket_connect_timeout=0.2, socket_timeout=0.2)
    audit = AuditLog(db, "test", bus=down, linger_s=60)
    done = threading.Event()

    def record() -> None:
        audit.record([Event(EventType.USER_COMMAND, 1, 1, "ADD", user)])
        done.set()

    threading.Thread(target=record, daemon=True).start()
    assert done.wait(10)
    assert audit._listener is not None
    audit._listener.stop()
    assert db.transaction_table.count_documents({"username": user}) == 1
