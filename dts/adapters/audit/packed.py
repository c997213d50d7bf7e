"""Audit records packed for the development database server: one document per user per insert.

The bundled development server pays per stored document and per field, on the way in and again
when a DUMPLOG reads it back; a command leaves about two records. With `pack_audit` the records of
one user in one stored batch (a command's trail, and what a retry carries forward) go into one
`transaction_table` document: `{_id, username, timestamp, records}`, `timestamp` being its
earliest record's and `records` the records themselves as one JSON string, which that server
stores without copying each field. A real MongoDB keeps one document per record, readable and
queryable with its own tools (docs/decisions.md). Documents of either shape read back alike.

A record can be stored more than once (dts.adapters.audit.outbox: an account carries the events
its process has not seen stored): one document per record deduplicates by `_id` as it is
inserted, packed ones when they are read, so `in_time_order` gives each record once.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

Record = dict[str, Any]
PACKED = "records"  # the field that holds a packed document's records; no record has it


def pack(records: list[Record]) -> list[Record]:
    """The documents that store `records`, one per user, each user's records in their order.

    The same records always make the same documents, so a batch stored again after a failure
    (the journal retries it) is refused as already there; a document of one record is keyed as the
    record itself would be.
    """
    by_user: dict[str | None, list[Record]] = {}
    for record in records:
        by_user.setdefault(record.get("username"), []).append(record)
    documents = []
    for username, group in by_user.items():
        document: Record = {"_id": _document_id(group)}
        if username is not None:
            document["username"] = username
        document["timestamp"] = min(_time(r) for r in group)
        document[PACKED] = orjson.dumps(group).decode()
        documents.append(document)
    return documents


def _document_id(group: list[Record]) -> str:
    if len(group) == 1:
        return str(group[0]["_id"])
    ids = "\x1f".join(str(r["_id"]) for r in group).encode()
    return "p:" + hashlib.blake2b(ids, digest_size=12).hexdigest()


def records_of(document: Record) -> list[Record]:
    """A stored document's records, oldest first: its own, or the one it is."""
    packed = document.get(PACKED)
    if not isinstance(packed, str):
        return [document]
    return sorted(orjson.loads(packed), key=_time)


def _time(record: Record) -> int:
    """A record's timestamp; one without (never written by DTS) sorts first, as MongoDB sorts it."""
    found = record.get("timestamp")
    return found if isinstance(found, int) else 0


def in_time_order(documents: Iterable[Record]) -> Iterator[Record]:
    """Every record of `documents` once, oldest first, from documents sorted by `timestamp`.

    A packed document may hold records older than the next document's timestamp and newer than
    the one after, so records wait in a heap until no later document can hold an older one. A
    record stored twice has one timestamp both times: those at the current timestamp are
    remembered by id, which keeps memory flat however long the log.
    """
    waiting: list[tuple[int, int, Record]] = []
    order = itertools.count()
    now: int | None = None
    seen_now: set[str] = set()

    def ready(record: Record) -> bool:
        nonlocal now
        if _time(record) != now:
            now = _time(record)
            seen_now.clear()
        if "_id" not in record:
            return True
        key = str(record["_id"])
        if key in seen_now:
            return False
        seen_now.add(key)
        return True

    for document in documents:
        while waiting and waiting[0][0] < _time(document):
            record = heapq.heappop(waiting)[2]
            if ready(record):
                yield record
        for record in records_of(document):
            heapq.heappush(waiting, (_time(record), next(order), record))
    while waiting:
        record = heapq.heappop(waiting)[2]
        if ready(record):
            yield record
