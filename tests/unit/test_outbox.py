"""The outbox's pure parts: record ids, the account-document form of events, the remembered ids,
and the idempotency memory of an account."""

from __future__ import annotations

import pytest
from pymongo.errors import AutoReconnect, BulkWriteError, ServerSelectionTimeoutError

from dts.adapters.audit.log import _only_duplicates, _transient
from dts.adapters.audit.outbox import RecordedIds, with_ids
from dts.adapters.audit.records import from_record, to_record
from dts.domain.account import Account
from dts.domain.events import Event, EventType
from dts.errors import Conflict, Refused, Unavailable
from dts.ports import IDEMPOTENCY_KEYS_KEPT, StoredAccount

CASH = Event(EventType.ACCOUNT_TRANSACTION, 1000, 7, username="ann", amount_cents=250, action="add")
FIRED = Event(EventType.SYSTEM_EVENT, 1001, 7, command="TRIGGER", username="ann", sym="AB")


def test_ids_name_the_user_the_version_made_and_the_position() -> None:
    named = with_ids([CASH, FIRED], "ann", 12)
    assert [e.record_id for e in named] == ["ann:12:0", "ann:12:1"]
    assert named[0].amount_cents == 250 and CASH.record_id is None


def test_an_event_survives_its_record_in_the_account_document_unchanged() -> None:
    for event in with_ids([CASH, FIRED], "ann", 3):
        record = to_record(event)
        assert None not in record.values() and record["type"] == event.type.value
        assert "server" not in record  # the process that records it adds its name
        assert from_record(record) == event


def test_a_stored_event_is_recorded_under_its_id_and_others_get_one_from_the_database() -> None:
    assert to_record(with_ids([CASH], "ann", 3)[0], "buy")["_id"] == "ann:3:0"
    assert "_id" not in to_record(CASH, "buy")


def test_only_events_not_seen_stored_are_missing() -> None:
    recorded = RecordedIds()
    a, b = with_ids([CASH, FIRED], "ann", 4)
    recorded.add(["ann:4:0"])
    assert recorded.missing([a, b]) == [b]


def test_the_oldest_ids_are_forgotten_first() -> None:
    recorded = RecordedIds(capacity=2)
    events = with_ids([CASH, CASH, CASH], "ann", 1)
    recorded.add(e.record_id for e in events if e.record_id)
    recorded.add(["ann:1:1"])  # seen again: now the newest
    recorded.add(["ann:2:0"])
    assert [e.record_id for e in recorded.missing(events)] == ["ann:1:0", "ann:1:2"]


def _error(*codes: int) -> BulkWriteError:
    return BulkWriteError({"writeErrors": [{"code": c, "errmsg": "x"} for c in codes]})


def test_only_an_unreachable_database_is_worth_retrying_an_audit_batch_for() -> None:
    def wrapped(cause: Exception) -> Unavailable:
        try:
            raise Unavailable("the database is unavailable") from cause
        except Unavailable as exc:
            return exc

    assert _transient(wrapped(AutoReconnect("connection reset")))
    assert _transient(wrapped(ServerSelectionTimeoutError("no server")))
    refused = BulkWriteError({"writeErrors": [{"code": 2, "errmsg": "bad value"}]})
    assert not _transient(wrapped(refused))
    assert not _transient(OverflowError("MongoDB can only handle up to 8-byte ints"))


def test_duplicates_alone_are_not_a_failure_of_the_insert() -> None:
    assert _only_duplicates(_error(11000, 11000))
    assert not _only_duplicates(_error(11000, 121))
    assert not _only_duplicates(_error())
    assert not _only_duplicates(ValueError("no"))


def _loaded(remembered: list[dict]) -> StoredAccount:
    return StoredAccount(Account(username="ann"), [], remembered)


def test_a_remembered_key_gives_the_first_reply_back() -> None:
    loaded = _loaded([{"key": "k1", "command": "ADD", "reply": {"funds_cents": 100}}])
    assert loaded.reply_for("k1", "ADD") == {"funds_cents": 100}
    assert loaded.reply_for("k2", "ADD") is None


def test_a_key_reused_for_another_command_is_refused() -> None:
    loaded = _loaded([{"key": "k1", "command": "ADD", "reply": {}}])
    with pytest.raises(Conflict) as refused:
        loaded.reply_for("k1", "BUY")
    assert refused.value.status == 422 and refused.value.code == "IDEMPOTENCY_KEY_REUSED"


def test_an_account_remembers_its_newest_keys_and_the_newest_reply_only() -> None:
    loaded = _loaded([])
    for i in range(IDEMPOTENCY_KEYS_KEPT + 3):
        loaded = _loaded(loaded.remember(f"k{i}", "ADD", {"i": i}))
    kept = [e["key"] for e in loaded.remembered]
    newest = IDEMPOTENCY_KEYS_KEPT + 2
    assert kept == [f"k{i}" for i in range(newest, newest - IDEMPOTENCY_KEYS_KEPT, -1)]
    assert loaded.reply_for(f"k{newest}", "ADD") == {"i": newest}
    assert loaded.reply_for("k0", "ADD") is None  # forgotten altogether


def test_an_older_remembered_key_is_refused_rather_than_applied_again() -> None:
    loaded = _loaded(_loaded([]).remember("old", "ADD", {"funds_cents": 1}))
    loaded = _loaded(loaded.remember("new", "BUY", {}))
    assert "reply" not in loaded.remembered[1]  # only the newest reply is kept
    with pytest.raises(Refused) as refused:
        loaded.reply_for("old", "ADD")
    assert refused.value.status == 409 and refused.value.code == "ALREADY_APPLIED"
