"""What `user_table` holds, with the account's lists as arrays (a real MongoDB's default) or packed
(the bundled development server's, DTS_PACK_LISTS)."""

from __future__ import annotations

import uuid

import pymongo.database
import pytest

from dts.store import AccountStore


@pytest.mark.parametrize("packed", [False, True])
def test_the_stored_lists_are_arrays_unless_packed_and_read_back_alike(
    db: pymongo.database.Database, packed: bool
) -> None:
    user = f"shape{uuid.uuid4().hex[:10]}"
    store = AccountStore(db, pack_lists=packed)

    def add(ch):
        ch.credit_cash(1234)
        ch.note("ADD", amount_cents=1234)
        return ch.account.funds_cents

    store.apply(
        user,
        add,
        now_ms=lambda: 1,
        trx_num=5,
        command="ADD",
        create_if_missing=True,
        idempotency_key="k:1",
    )
    doc = db.user_table.find_one({"_id": user})
    kind = str if packed else list
    assert all(isinstance(doc[name], kind) for name in ("transactions", "outbox", "idem"))
    account = AccountStore(db, pack_lists=not packed).load(user)  # the other setting reads it
    assert account is not None and account.funds_cents == 1234
    assert account.transactions == [
        {"trxNum": 5, "timestamp": 1, "command": "ADD", "amount_cents": 1234}
    ]
