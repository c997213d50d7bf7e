"""Retries apply nothing twice (Idempotency-Key), and an account change reaches the audit log
exactly once even when the process that made it dies before recording it
(dts.adapters.audit.outbox)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pymongo.database
import pytest

from dts.adapters.audit.log import AuditLog
from dts.adapters.audit.outbox import RecordedIds
from dts.adapters.memory import FixedQuotes
from dts.adapters.mongo.accounts import AccountStore
from dts.config import Settings
from dts.domain.change import Change
from dts.domain.events import Event
from dts.money import format_cents as dollars
from dts.services import Caller, Services
from tests.integration.harness import Client, Stack, StoredLog, summary


def _post(operator: Client, path: str, body: dict[str, Any], key: str) -> Any:
    return operator.post(path, body, headers={"Idempotency-Key": key})


def test_a_retried_add_is_applied_once_and_answered_like_the_first(
    operator: Client, new_user: Callable[..., str]
) -> None:
    user = new_user(funds="100.00")
    key = f"add-{uuid.uuid4().hex}"
    first = _post(operator, "/user_utils/add", {"username": user, "amount": "25.50"}, key)
    again = _post(operator, "/user_utils/add", {"username": user, "amount": "25.50"}, key)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert summary(operator, user)["funds"] == "125.50"
    fresh = _post(operator, "/user_utils/add", {"username": user, "amount": "1.00"}, key + "x")
    assert fresh.status_code == 200 and summary(operator, user)["funds"] == "126.50"


def test_a_retried_buy_and_commit_reserve_and_spend_once(
    operator: Client, new_user: Callable[..., str], stack: Stack
) -> None:
    user = new_user(funds="1000.00")
    run = uuid.uuid4().hex
    buy = {"username": user, "sym": "AB", "amount": "900.00"}
    first = _post(operator, "/buy/buy", buy, f"{run}:1")
    assert first.status_code == 200, first.text
    assert _post(operator, "/buy/buy", buy, f"{run}:1").json() == first.json()
    assert len(summary(operator, user)["pending_buys"]) == 1
    commit = _post(operator, "/buy/commit_buy", {"username": user}, f"{run}:2")
    assert commit.status_code == 200
    assert _post(operator, "/buy/commit_buy", {"username": user}, f"{run}:2").json() == (
        commit.json()
    )
    shares = 90_000 // stack.price_cents("AB")
    after = summary(operator, user)
    assert after["holdings"] == [
        {
            "sym": "AB",
            "shares": shares,
            "reserved_shares": 0,
            "cost_basis": dollars(shares * stack.price_cents("AB")),
        }
    ]
    spent = shares * stack.price_cents("AB")
    assert after["funds"] == f"{(100_000 - spent) // 100}.{(100_000 - spent) % 100:02d}"


def test_a_key_reused_for_another_command_is_refused_and_changes_nothing(
    operator: Client, new_user: Callable[..., str]
) -> None:
    user = new_user(funds="100.00")
    key = f"k-{uuid.uuid4().hex}"
    assert _post(operator, "/user_utils/add", {"username": user, "amount": "1.00"}, key).ok
    other = _post(
        operator, "/buy/set_buy_amount", {"username": user, "sym": "AB", "amount": "5"}, key
    )
    assert other.status_code == 422 and other.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    after = summary(operator, user)
    assert after["funds"] == "101.00" and after["buy_triggers"] == []


@pytest.mark.parametrize("key", ["", "has space", "x" * 101, "semi;colon"])
def test_a_malformed_key_is_refused_before_anything_happens(
    operator: Client, new_user: Callable[..., str], key: str
) -> None:
    user = new_user(funds="100.00")
    resp = _post(operator, "/user_utils/add", {"username": user, "amount": "1.00"}, key)
    assert resp.status_code == 400 and resp.json()["code"] == "BAD_IDEMPOTENCY_KEY"
    assert summary(operator, user)["funds"] == "100.00"


def test_keys_belong_to_one_account(operator: Client, new_user: Callable[..., str]) -> None:
    ann, bob = new_user(funds="10.00"), new_user(funds="10.00")
    key = f"shared-{uuid.uuid4().hex}"
    for user in (ann, bob):
        assert _post(operator, "/user_utils/add", {"username": user, "amount": "2.00"}, key).ok
    assert summary(operator, ann)["funds"] == summary(operator, bob)["funds"] == "12.00"


NOW_MS = 1_700_000_000_000


def _process(db: pymongo.database.Database, server: str = "test") -> Services:
    """One service process's services over the real database (no journal: the audit log stores
    before it returns)."""
    recorded = RecordedIds()  # shared by its store and its audit log, as in dts.wiring
    return Services(
        Settings(),
        AccountStore(db, recorded=recorded),
        FixedQuotes(lambda: NOW_MS),
        AuditLog(db, server, recorded=recorded),
        clock_ms=lambda: NOW_MS,
    )


def _credit(services: Services, user: str, cents: int, trx: int) -> list[Event]:
    """The events an ADD puts in its request's trail, which the web layer would record."""

    def rule(ch: Change) -> None:
        ch.credit_cash(cents)

    caller = Caller(user, trx)
    services.apply(caller, "ADD", rule, create=True)
    return caller.trail


def _ids_in_log(db: pymongo.database.Database, user: str) -> list[str]:
    return sorted(
        str(r["_id"]) for r in StoredLog(db).find({"username": user, "type": "accountTransaction"})
    )


def test_events_of_a_process_that_died_before_recording_are_carried_by_the_next_write(
    db: pymongo.database.Database,
) -> None:
    user = f"crash{uuid.uuid4().hex[:10]}"
    dying = _process(db)  # it "dies": it never records its trail
    lost = _credit(dying, user, 500, 1)
    assert [e.record_id for e in lost] == [f"{user}:1:0"]
    survivor = _process(db)
    events = _credit(survivor, user, 700, 2)
    assert [e.record_id for e in events] == [f"{user}:1:0", f"{user}:2:0"]
    survivor.audit.record(events)
    other = AuditLog(db, "other")  # another process storing the same events again
    other.record(events)  # a repeat is a duplicate key, ignored: nothing is stored twice
    assert _ids_in_log(db, user) == [f"{user}:1:0", f"{user}:2:0"]
    assert _credit(survivor, user, 100, 3)[0].record_id == f"{user}:3:0"  # nothing left to carry


def test_dumplog_records_what_a_dead_process_left_before_it_reads(
    db: pymongo.database.Database, operator: Client
) -> None:
    user = f"crash{uuid.uuid4().hex[:10]}"
    _credit(_process(db), user, 1234, 1)
    assert _ids_in_log(db, user) == []
    resp = operator.post("/user_utils/dumplog", {"username": user, "filename": "crash.xml"})
    assert resp.status_code == 200
    assert "<funds>12.34</funds>" in resp.text
    assert _ids_in_log(db, user) == [f"{user}:1:0"]
