"""dts.adapters.mongo.accounts's account document: what is written reads back as the same account,
and it is a document a person can query (arrays as arrays, sub-documents as sub-documents)."""

from __future__ import annotations

import json

from dts.adapters.mongo.accounts import from_document, read_list, stored_account, to_document
from dts.domain.account import Account, PendingTrade, TriggerOrder

RECENT = [
    {"trxNum": 3, "timestamp": 1000, "command": "ADD", "amount": 12345},
    {"trxNum": 4, "timestamp": 1001, "command": "BUY", "sym": "AB", "shares": 2, "amount": 802},
]


def _account() -> Account:
    return Account(
        username="ann",
        funds_cents=98765,
        stocks={"AB": 4},
        pending_buys=[PendingTrade("AB", 2, 401, 1000, 61000, 4)],
        buy_orders={"CD": TriggerOrder("CD", 5000, 250, 0, 6)},
        sell_orders={"AB": TriggerOrder("AB", 900, 300, 3, 7)},
        transactions=[dict(entry) for entry in RECENT],
        expired_at_ms={"SELL": 999},
        version=0,
    )


def test_an_account_reads_back_as_written() -> None:
    account = _account()
    assert from_document(to_document(account)) == account


def test_the_document_keeps_lists_as_arrays_and_records_as_sub_documents() -> None:
    doc = to_document(_account())
    assert doc["transactions"] == RECENT
    assert doc["pending_buy"] == [
        {"sym": "AB", "shares": 2, "price": 401, "created": 1000, "expires": 61000, "trxNum": 4}
    ]
    assert doc["reserved_sell"] == {"AB": {"amount": 900, "trigger": 300, "shares": 3, "trxNum": 7}}


def test_outbox_and_idempotency_keys_read_back_from_arrays() -> None:
    outbox = [
        {"type": "accountTransaction", "timestamp": 1, "transactionNum": 2, "username": "ann"}
    ]
    idem = [{"key": "k1", "command": "ADD", "reply": {"funds_cents": 5}}]
    loaded = stored_account(
        to_document(_account()) | {"outbox": outbox, "idem": idem, "version": 0}
    )
    assert [e.trx_num for e in loaded.outbox] == [2] and loaded.remembered == idem


def test_a_new_account_has_empty_lists() -> None:
    assert from_document({"username": "bob"}).transactions == []
    assert to_document(Account(username="bob"))["transactions"] == []


def test_lists_read_alike_as_arrays_or_packed() -> None:
    assert read_list(RECENT) == read_list(json.dumps(RECENT)) == RECENT
    assert read_list(None) == []
