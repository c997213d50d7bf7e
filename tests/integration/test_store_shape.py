"""What `user_table` and `transaction_table` hold: the account's nested values as arrays and
sub-documents, and one document per audit record (a real MongoDB's default), or packed (the
bundled development server's, DTS_PACK_ACCOUNTS and DTS_PACK_AUDIT)."""

from __future__ import annotations

import uuid

import pymongo.database
import pytest

from dts.adapters.audit.log import AuditLog
from dts.adapters.audit.outbox import with_ids
from dts.adapters.memory import FixedQuotes
from dts.adapters.mongo.accounts import PACKED_FIELDS, AccountStore
from dts.config import Settings
from dts.domain.account import Side
from dts.domain.events import Event, EventType
from dts.services import Caller, Services

# A real time: the outbox's events reach everyone's DUMPLOG, which the schema checks.
NOW_MS = 1_700_000_000_000


@pytest.mark.parametrize("packed", [False, True])
def test_the_nested_values_are_arrays_and_maps_unless_packed_and_read_back_alike(
    db: pymongo.database.Database, packed: bool
) -> None:
    user = f"shape{uuid.uuid4().hex[:10]}"
    services = Services(
        Settings(),
        AccountStore(db, pack_nested=packed),
        FixedQuotes(lambda: NOW_MS),
        AuditLog(db, "test"),
        clock_ms=lambda: NOW_MS,
    )
    services.add(Caller(user, 5, key="k:1"), 100_000)
    services.set_amount(Side.BUY, Caller(user, 6), "ABC", 25_000)
    doc = db.user_table.find_one({"_id": user})
    for name in PACKED_FIELDS:
        assert isinstance(doc[name], str) == packed, (name, doc[name])
    assert doc["funds"] == 75_000  # what queries and people read first stays a number
    account = AccountStore(db, pack_nested=not packed).load(user)  # the other setting reads it
    assert account is not None and account.funds_cents == 75_000
    assert account.buy_orders["ABC"].amount_cents == 25_000
    assert account.transactions[0] == {
        "trxNum": 5,
        "timestamp": NOW_MS,
        "command": "ADD",
        "amount_cents": 100_000,
    }


@pytest.mark.parametrize("packed", [False, True])
def test_audit_records_are_one_document_each_unless_packed_and_read_back_alike(
    db: pymongo.database.Database, packed: bool
) -> None:
    """DTS_PACK_AUDIT: a user's records of one insert in one document; either setting reads both
    shapes, and an account's event stored again (an outbox carried forward) still reads once."""
    user = f"shape{uuid.uuid4().hex[:10]}"
    events = with_ids(
        [
            Event(
                EventType.ACCOUNT_TRANSACTION,
                NOW_MS + i,
                7,
                username=user,
                action="add",
                amount_cents=100 + i,
            )
            for i in range(3)
        ],
        user,
        1,
    )
    AuditLog(db, "test", pack_records=packed).store(events)
    documents = list(db.transaction_table.find({"username": user}))
    assert len(documents) == (1 if packed else 3)
    other = AuditLog(db, "test", pack_records=not packed)
    other.store([events[1], events[2]])  # the same records, in the other shape
    read = list(other.records(user))
    assert [r["_id"] for r in read] == [f"{user}:1:{i}" for i in range(3)]
    assert [r["timestamp"] for r in read] == [NOW_MS, NOW_MS + 1, NOW_MS + 2]
    assert all(r["type"] == "accountTransaction" and r["server"] == "test" for r in read)
