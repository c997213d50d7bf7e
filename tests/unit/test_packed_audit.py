"""Packed audit documents (dts.adapters.audit.packed): whatever the batches, the repeats and the
shapes mixed in one table, a user's log reads back as each record once, oldest first."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from dts.adapters.audit.packed import PACKED, in_time_order, pack, records_of


def record(rid: str, user: str | None, ts: int, **more: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"_id": rid, "type": "userCommand", "timestamp": ts, **more}
    if user is not None:
        found["username"] = user
    return found


def stored_sorted(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """As the table returns them to a query sorted by timestamp (ties in any order)."""
    return sorted(documents, key=lambda d: d["timestamp"])


def test_one_document_per_user_holding_that_users_records_in_order() -> None:
    batch = [
        record("a1", "ann", 10),
        record("b1", "bob", 11),
        record("a2", "ann", 12, sym="ABC"),
        record("n1", None, 13),
    ]
    documents = pack(batch)
    assert [d.get("username") for d in documents] == ["ann", "bob", None]
    ann = documents[0]
    assert ann["timestamp"] == 10 and set(ann) == {"_id", "username", "timestamp", PACKED}
    assert json.loads(ann[PACKED]) == [batch[0], batch[2]]
    assert documents[1]["_id"] == "b1"  # one record: keyed as the record itself
    assert "username" not in documents[2]  # found by {username: None}, like its record


def test_the_same_records_make_the_same_documents_and_others_do_not() -> None:
    batch = [record("a1", "ann", 10), record("a2", "ann", 12)]
    assert pack(batch) == pack([dict(r) for r in batch])
    assert pack(batch)[0]["_id"] != pack([batch[0], record("a3", "ann", 12)])[0]["_id"]
    assert pack(batch)[0]["_id"] != pack([batch[0]])[0]["_id"]


def test_a_plain_record_is_its_own_document() -> None:
    plain = record("x", "ann", 5, amount=100)
    assert records_of(plain) == [plain]
    assert records_of(pack([record("b", "ann", 9), record("a", "ann", 7)])[0])[0]["_id"] == "a"


def test_a_packed_document_older_than_the_next_is_interleaved_by_time() -> None:
    first = pack([record("a1", "ann", 10), record("a4", "ann", 40)])
    second = pack([record("a2", "ann", 20), record("a3", "ann", 30)])
    order = [r["_id"] for r in in_time_order(stored_sorted(first + second))]
    assert order == ["a1", "a2", "a3", "a4"]


def test_a_record_stored_twice_reads_once() -> None:
    carried = record("ann:3:0", "ann", 10)
    documents = [
        *pack([carried, record("a5", "ann", 15)]),  # carried forward with a later command
        *pack([carried]),  # and stored by the process that first had it
        record("ann:3:0", "ann", 10),  # and as a plain record, from before packing
    ]
    assert [r["_id"] for r in in_time_order(stored_sorted(documents))] == ["ann:3:0", "a5"]


def test_records_at_one_time_with_different_ids_all_read() -> None:
    documents = pack([record("a", "ann", 10), record("b", "ann", 10)]) + pack(
        [record("c", "ann", 10)]
    )
    assert sorted(r["_id"] for r in in_time_order(stored_sorted(documents))) == ["a", "b", "c"]


@st.composite
def stored_log(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A user's records, stored in batches of any size, some of them again in a later batch,
    in either shape."""
    times = draw(st.lists(st.integers(0, 30), min_size=1, max_size=40))
    records = [record(f"r{i}", "ann", ts) for i, ts in enumerate(times)]
    documents: list[dict[str, Any]] = []
    start = 0
    while start < len(records):
        size = draw(st.integers(1, 6))
        batch = records[start : start + size]
        repeats = draw(st.lists(st.sampled_from(records[: start + size]), max_size=2))
        stored = batch + [r for r in repeats if r not in batch]
        documents += pack(stored) if draw(st.booleans()) else [dict(r) for r in stored]
        start += size
    return records, documents


@settings(max_examples=300, deadline=None)
@given(stored_log(), st.randoms(use_true_random=False))
def test_every_record_reads_once_oldest_first(
    log: tuple[list[dict[str, Any]], list[dict[str, Any]]], rng: Any
) -> None:
    records, documents = log
    rng.shuffle(documents)  # ties in timestamp come back in any order
    read = list(in_time_order(stored_sorted(documents)))
    assert sorted(r["_id"] for r in read) == sorted(r["_id"] for r in records)
    assert [r["timestamp"] for r in read] == sorted(r["timestamp"] for r in records)


def test_a_record_without_a_timestamp_reads_first_as_the_database_sorts_it() -> None:
    bare = {"_id": "bare", "type": "userCommand"}
    documents = [bare, *pack([record("a", "ann", 10), {"_id": "b", "username": "ann"}])]
    assert [r["_id"] for r in in_time_order(documents)] == ["bare", "b", "a"]
