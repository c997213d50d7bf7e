"""`trxNum` through the real stack: a trace number, never a reason to refuse (API.md, Transport).

An unusable one (0 as the original system's client sends first, negative, words, too large) has its
command applied under a server-assigned number, and the audit log says why in a `debugEvent` with
that same number. A body that cannot be read at all still gets one number for its `userCommand` and
its `errorEvent`.
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any

import pytest
import requests
import xmlschema

from tests.integration.harness import ROOT, Client, Stack, logged, summary

SCHEMA = xmlschema.XMLSchema(ROOT / "dts" / "logfile.xsd")


def post_raw(stack: Stack, path: str, data: bytes | str) -> requests.Response:
    return requests.post(
        stack.url + path,
        data=data,
        headers={
            "Authorization": f"Bearer {stack.operator_token}",
            "Content-Type": "application/json",
        },
        timeout=30,
    )


@pytest.mark.parametrize(
    "trx_json",
    [
        pytest.param("0", id="zero"),
        pytest.param("-7", id="negative"),
        pytest.param('"abc"', id="words"),
        pytest.param("1e30", id="1e30"),
        pytest.param("2.5", id="fraction"),
        pytest.param("true", id="bool"),
        pytest.param('{"$gt": 0}', id="object"),
        pytest.param(str(2**60), id="over-2-pow-53"),
    ],
)
def test_an_unusable_trx_num_applies_the_command_and_logs_a_debug_event_with_its_number(
    stack: Stack, operator: Client, new_user, db, trx_json: str
) -> None:
    user = new_user("100.00")
    resp = post_raw(
        stack, "/user_utils/add", f'{{"username": "{user}", "amount": 25.5, "trxNum": {trx_json}}}'
    )
    assert resp.status_code == 200, resp.text
    assert summary(operator, user)["funds"] == "125.50"

    records = list(
        logged(db).find({"username": user, "command": "ADD", "amount": 2550}, {"_id": 0})
    )
    by_type: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_type.setdefault(record["type"], []).append(record)
    [received] = by_type["userCommand"]
    [debug] = by_type["debugEvent"]
    assert received["transactionNum"] == debug["transactionNum"]
    assert isinstance(debug["transactionNum"], int) and debug["transactionNum"] >= 1
    assert debug["debugMessage"].startswith("trxNum ")
    assert str(debug["transactionNum"]) in debug["debugMessage"]
    assert "errorEvent" not in by_type
    [cash] = [
        r for r in logged(db).find({"username": user, "type": "accountTransaction", "amount": 2550})
    ]
    assert cash["transactionNum"] == received["transactionNum"]

    dumped = operator.post("/user_utils/dumplog", {"username": user, "filename": "trx.xml"})
    assert dumped.status_code == 200
    SCHEMA.validate(dumped.content.decode())
    [written] = [e for e in ET.fromstring(dumped.content) if e.tag == "debugEvent"]
    assert written.findtext("transactionNum") == str(debug["transactionNum"])
    assert written.findtext("debugMessage") == debug["debugMessage"]
    assert Decimal(written.findtext("funds") or "0") == Decimal("25.50")


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("username=bob&amount=10", id="not-json"),
        pytest.param('{"username": "bob", "sym": "ABC", "amount": ', id="truncated"),
        pytest.param("", id="empty"),
        pytest.param(b'{"username": "\xff\xfe", "sym": "ABC"}', id="invalid-utf8"),
        pytest.param('{"username": "bob", "pad": "' + "x" * 30_000 + '"}', id="too-large"),
    ],
)
def test_a_body_that_cannot_be_read_gets_one_number_for_its_user_command_and_error_event(
    stack: Stack, db, body: str | bytes
) -> None:
    """Tests run one at a time on the shared test stack: no one else sends a SELL without a user."""
    t0_ms = int(time.time() * 1000)
    resp = post_raw(stack, "/sell/sell", body)
    assert resp.status_code in (400, 413), resp.text
    query = {"command": "SELL", "username": None, "timestamp": {"$gte": t0_ms}}
    [received] = list(logged(db).find({**query, "type": "userCommand"}))
    [error] = list(logged(db).find({**query, "type": "errorEvent"}))
    assert error["errorMessage"] == resp.json()["error"]
    assert received["transactionNum"] == error["transactionNum"]
