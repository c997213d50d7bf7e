"""What `user_table` holds, with the account's lists as arrays (a real MongoDB's default) or packed
(the bundled development server's, DTS_PACK_LISTS)."""

from __future__ import annotations

import uuid

import pymongo.database
import pytest

from dts.adapters.audit.log import AuditLog
from dts.adapters.memory import FixedQuotes
from dts.adapters.mongo.accounts import AccountStore
from dts.config import Settings
from dts.services import Caller, Services

# A real time: the outbox's events reach everyone's DUMPLOG, which the schema checks.
NOW_MS = 1_700_000_000_000


@pytest.mark.parametrize("packed", [False, True])
def test_the_stored_lists_are_arrays_unless_packed_and_read_back_alike(
    db: pymongo.database.Database, packed: bool
) -> None:
    user = f"shape{uuid.uuid4().hex[:10]}"
    services = Services(
        Settings(),
        AccountStore(db, pack_lists=packed),
        FixedQuotes(lambda: NOW_MS),
        AuditLog(db, "test"),
        clock_ms=lambda: NOW_MS,
    )
    services.add(Caller(user, 5, key="k:1"), 1234)
    doc = db.user_table.find_one({"_id": user})
    kind = str if packed else list
    assert all(isinstance(doc[name], kind) for name in ("transactions", "outbox", "idem"))
    account = AccountStore(db, pack_lists=not packed).load(user)  # the other setting reads it
    assert account is not None and account.funds_cents == 1234
    assert account.transactions == [
        {"trxNum": 5, "timestamp": NOW_MS, "command": "ADD", "amount_cents": 1234}
    ]
