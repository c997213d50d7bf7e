"""dts.store's account document: what is written reads back as the same account, and documents
written by earlier versions (bookkeeping lists as plain arrays) still read."""

from __future__ import annotations

from dts.domain.account import Account, PendingTrade, TriggerOrder
from dts.store import _Loaded, from_document, pack, to_document, unpack

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


def test_recent_transactions_are_stored_as_one_string() -> None:
    stored = to_document(_account())["transactions"]
    assert isinstance(stored, str)
    assert unpack(stored) == RECENT


def test_an_earlier_versions_plain_arrays_still_read() -> None:
    doc = to_document(_account()) | {"transactions": RECENT, "version": 0}
    assert from_document(doc) == _account()
    outbox = [{"type": "accountTransaction", "timestamp_ms": 1, "trx_num": 2, "username": "ann"}]
    idem = [{"key": "k1", "command": "ADD", "reply": {"funds_cents": 5}}]
    plain = _Loaded.of(doc | {"outbox": outbox, "idem": idem})
    packed = _Loaded.of(doc | {"outbox": pack(outbox), "idem": pack(idem)})
    assert plain == packed
    assert [e.trx_num for e in packed.outbox] == [2] and packed.remembered == idem


def test_a_new_account_has_empty_lists() -> None:
    assert unpack(None) == [] and unpack(pack([])) == []
    assert from_document({"username": "bob"}).transactions == []
