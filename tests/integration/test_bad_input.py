"""Malformed requests are refused with a clean 4xx JSON error, change nothing, and are audited.

Each case names a real, funded user where its body names one, and checks that the user's account
(both its DISPLAY_SUMMARY and its stored document) is exactly as before. The refusal's
`errorEvent` is found by a unique trxNum in the body, or by a unique path; where neither can
reach the server (unparsable bodies, routing errors) it is the only `errorEvent` since the request
was sent: the shared stack and database belong to this test run, and tests run one at a time.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
import requests

from tests.integration.harness import Client, Stack, logged, summary

USER = "$USER"
TRX = "$TRX"
HEX = "$HEX"
LEAKS = ("Traceback", "<class", "{'", 'File "', "pydantic", "Decimal(", "ValidationError")


@dataclass(frozen=True)
class Case:
    path: str
    body: Any
    status: int
    code: str | None = None
    command: str | None = None
    method: str = "POST"
    auth: str = "operator"


def _add(body: Any, status: int, code: str | None = None, **kw: Any) -> Case:
    return Case("/user_utils/add", body, status, code, command="ADD", **kw)


def _buy(body: Any, status: int, code: str | None = None, **kw: Any) -> Case:
    return Case("/buy/buy", body, status, code, command="BUY", **kw)


ADD_OK = {"username": USER, "amount": "10.00", "trxNum": TRX}
BUY_OK = {"username": USER, "sym": "ABC", "amount": "500.00", "trxNum": TRX}

CASES: dict[str, Case] = {
    # amount: wrong types, out of range, inexact
    "amount-list": _add({**ADD_OK, "amount": [10]}, 400, "BAD_INPUT"),
    "amount-object": _add({**ADD_OK, "amount": {"$gt": 0}}, 400, "BAD_INPUT"),
    "amount-bool": _add({**ADD_OK, "amount": True}, 400, "BAD_INPUT"),
    "amount-null": _add({**ADD_OK, "amount": None}, 400, "BAD_INPUT"),
    "amount-zero": _add({**ADD_OK, "amount": 0}, 422, "OUT_OF_RANGE"),
    "amount-negative": _add({**ADD_OK, "amount": "-5.00"}, 422, "OUT_OF_RANGE"),
    "amount-negative-number": _buy({**BUY_OK, "amount": -263.46}, 422, "OUT_OF_RANGE"),
    "amount-over-1e9-dollars": _add({**ADD_OK, "amount": "1000000000.01"}, 422, "OUT_OF_RANGE"),
    "amount-1e400": _add(
        '{"username": "$USER", "amount": 1e400, "trxNum": $TRX}', 422, "OUT_OF_RANGE"
    ),
    "amount-nan-literal": _add('{"username": "$USER", "amount": NaN}', 400, "BAD_INPUT"),
    "amount-infinity-literal": _add('{"username": "$USER", "amount": Infinity}', 400),
    "amount-minus-infinity-literal": _add('{"username": "$USER", "amount": -Infinity}', 400),
    "amount-nan-string": _add({**ADD_OK, "amount": "NaN"}, 400, "BAD_INPUT"),
    "amount-infinity-string": _add({**ADD_OK, "amount": "Infinity"}, 400, "BAD_INPUT"),
    "amount-three-decimals-string": _add({**ADD_OK, "amount": "1.005"}, 400, "BAD_INPUT"),
    "amount-three-decimals-number": _add(
        '{"username": "$USER", "amount": 1.005, "trxNum": $TRX}', 400, "BAD_INPUT"
    ),
    "amount-words": _add({**ADD_OK, "amount": "ten dollars"}, 400, "BAD_INPUT"),
    "amount-missing": _add({"username": USER, "trxNum": TRX}, 400, "MISSING_FIELD"),
    "trigger-price-zero": Case(
        "/buy/set_buy_trigger",
        {**BUY_OK, "amount": "0.00"},
        422,
        "OUT_OF_RANGE",
        "SET_BUY_TRIGGER",
    ),
    "sell-amount-list": Case(
        "/sell/sell", {**BUY_OK, "amount": []}, 400, "BAD_INPUT", command="SELL"
    ),
    # username: injection, length, characters, type
    "username-ne-null": _add({**ADD_OK, "username": {"$ne": None}}, 400, "BAD_INPUT"),
    "username-regex-object": _buy({**BUY_OK, "username": {"$regex": ".*"}}, 400, "BAD_INPUT"),
    "username-too-long": _add({**ADD_OK, "username": "a" * 65}, 400, "BAD_INPUT"),
    "username-bad-chars": _add({**ADD_OK, "username": "bob smith!"}, 400, "BAD_INPUT"),
    "username-empty": _add({**ADD_OK, "username": "   "}, 400, "BAD_INPUT"),
    "username-number": _add({**ADD_OK, "username": 12345}, 400, "BAD_INPUT"),
    "username-missing-for-operator": _add({"amount": "1.00", "trxNum": TRX}, 400, "MISSING_FIELD"),
    "username-unknown": _buy({**BUY_OK, "username": "nobody-$HEX"}, 404, "UNKNOWN_USER"),
    # sym
    "sym-number": _buy({**BUY_OK, "sym": 123}, 400, "BAD_INPUT"),
    "sym-object": _buy({**BUY_OK, "sym": {"$ne": None}}, 400, "BAD_INPUT"),
    "sym-too-long": _buy({**BUY_OK, "sym": "ABCDEF"}, 400, "BAD_INPUT"),
    "sym-punctuation": _buy({**BUY_OK, "sym": "A.B"}, 400, "BAD_INPUT"),
    "sym-empty": _buy({**BUY_OK, "sym": ""}, 400, "BAD_INPUT"),
    "sym-missing": _buy({"username": USER, "amount": "5.00", "trxNum": TRX}, 400, "MISSING_FIELD"),
    "cancel-set-sell-sym-blank": Case(
        "/sell/cancel_set_sell",
        {"username": USER, "sym": "  ", "trxNum": TRX},
        400,
        "BAD_INPUT",
        "CANCEL_SET_SELL",
    ),
    # limit (an unusable trxNum is no refusal: tests/integration/test_trace_numbers.py)
    "limit-words": Case(
        "/user_utils/recent_transactions",
        {"username": USER, "limit": "many", "trxNum": TRX},
        400,
        "BAD_INPUT",
        "DISPLAY_SUMMARY",
    ),
    "limit-zero": Case(
        "/user_utils/recent_transactions",
        {"username": USER, "limit": 0, "trxNum": TRX},
        422,
        "OUT_OF_RANGE",
        "DISPLAY_SUMMARY",
    ),
    # bodies that are not a JSON object
    "body-not-json": _add("username=$USER&amount=10", 400, "BAD_INPUT"),
    "body-empty": _add("", 400, "BAD_INPUT"),
    "body-whitespace": _buy("  \n ", 400, "BAD_INPUT"),
    "body-json-array": _add('[{"username": "$USER", "amount": "1.00"}]', 400, "BAD_INPUT"),
    "body-json-null": _add("null", 400, "BAD_INPUT"),
    "body-json-string": _buy('"$USER"', 400, "BAD_INPUT"),
    "body-truncated-json": _add('{"username": "$USER", "amount": ', 400, "BAD_INPUT"),
    "body-invalid-utf8": _add(b'{"username": "\xff\xfe", "amount": "1.00"}', 400, "BAD_INPUT"),
    "body-deeply-nested": _add("[" * 5000 + "]" * 5000, 400, "BAD_INPUT"),
    "body-30kb": _add({**ADD_OK, "padding": "x" * 30_000}, 413, "BODY_TOO_LARGE"),
    # routing: unknown paths, wrong methods
    "path-unknown-buy": Case("/buy/no_such_$HEX", ADD_OK, 404, "NOT_FOUND"),
    "path-unknown-sell": Case("/sell/no_such_$HEX", ADD_OK, 404, "NOT_FOUND"),
    "path-unknown-user-utils": Case("/user_utils/no_such_$HEX", ADD_OK, 404, "NOT_FOUND"),
    "path-unknown-auth": Case("/auth/no_such_$HEX", ADD_OK, 404, "NOT_FOUND"),
    "get-buy": Case("/buy/buy", None, 405, "METHOD_NOT_ALLOWED", method="GET"),
    "get-commit-sell": Case("/sell/commit_sell", None, 405, "METHOD_NOT_ALLOWED", method="GET"),
    "get-add": Case("/user_utils/add", None, 405, "METHOD_NOT_ALLOWED", method="GET"),
    "put-sell": Case("/sell/sell", BUY_OK, 405, "METHOD_NOT_ALLOWED", method="PUT"),
    "post-health": Case("/buy/health", {}, 405, "METHOD_NOT_ALLOWED"),
    # credentials
    "token-none": _buy(BUY_OK, 401, "UNAUTHORIZED", auth="none"),
    "token-garbage-bearer": _add(ADD_OK, 401, "UNAUTHORIZED", auth="garbage"),
    "token-wrong-scheme": _add(ADD_OK, 401, "UNAUTHORIZED", auth="basic"),
    "token-empty-bearer": _buy(BUY_OK, 401, "UNAUTHORIZED", auth="empty-bearer"),
    "token-operator-plus-junk": _add(ADD_OK, 401, "UNAUTHORIZED", auth="operator-junk"),
    "token-jwt-other-key": _add(ADD_OK, 401, "UNAUTHORIZED", auth="jwt-other-key"),
    "token-jwt-expired": _add(ADD_OK, 401, "TOKEN_EXPIRED", auth="jwt-expired"),
    "token-jwt-no-sub": _buy(BUY_OK, 401, "UNAUTHORIZED", auth="jwt-no-sub"),
    "token-jwt-alg-none": _add(ADD_OK, 401, "UNAUTHORIZED", auth="jwt-alg-none"),
    "token-of-another-user": _add(ADD_OK, 403, "FORBIDDEN", auth="other-user"),
    "token-of-another-user-buy": _buy(BUY_OK, 403, "FORBIDDEN", auth="other-user"),
}


def _fill(value: Any, names: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, names) for v in value]
    if value in names:
        return names[value]
    if isinstance(value, str):
        for placeholder, real in names.items():
            value = value.replace(placeholder, str(real))
    return value


def _auth_header(kind: str, stack: Stack, user: str, other: str) -> dict[str, str]:
    now = int(time.time())
    real_key = stack.secret_key
    tokens = {
        "operator": stack.operator_token,
        "garbage": "not.a.token",
        "operator-junk": stack.operator_token + "x",
        "jwt-other-key": jwt.encode(
            {"sub": user, "exp": now + 600}, "another-signing-key-0123456789abcdef", "HS256"
        ),
        "jwt-expired": jwt.encode({"sub": user, "exp": now - 60}, real_key, "HS256"),
        "jwt-no-sub": jwt.encode({"exp": now + 600}, real_key, "HS256"),
        "jwt-alg-none": jwt.encode({"sub": user, "exp": now + 600}, None, "none"),
        "other-user": jwt.encode({"sub": other, "exp": now + 600}, real_key, "HS256"),
    }
    if kind == "none":
        return {}
    if kind == "basic":
        return {"Authorization": "Basic dXNlcjpwYXNz"}
    if kind == "empty-bearer":
        return {"Authorization": "Bearer "}
    return {"Authorization": f"Bearer {tokens[kind]}"}


def _marker(case: Case) -> str:
    """How to find the case's errorEvent: its trxNum if the server could read one, else its path,
    else as the only errorEvent since the request was sent."""
    if HEX in case.path:
        return "path"
    if case.code in {"NOT_FOUND", "METHOD_NOT_ALLOWED", "BODY_TOO_LARGE"}:
        return "time"
    return "trx" if TRX in str(case.body) else "time"


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _audited_username(case: Case, data: bytes | None, names: dict[str, Any]) -> str | None:
    """The user a refusal is audited under: the one its JSON body validly named, if it got as
    far as reading the body with valid credentials."""
    if case.status == 401 or case.code in {"NOT_FOUND", "METHOD_NOT_ALLOWED", "BODY_TOO_LARGE"}:
        return None
    try:
        body = json.loads(data or b"", parse_constant=_no_constants)
    except (ValueError, RecursionError):
        return None
    named = body.get("username") if isinstance(body, dict) else None
    valid = (names[USER], f"nobody-{names[HEX]}")
    return named if named in valid else None


def _account_doc(db, username: str) -> dict[str, Any] | None:
    return db.user_table.find_one({"username": username}, {"_id": 0})


def _assert_clean_error(resp: requests.Response, status: int, code: str | None) -> dict:
    assert resp.status_code == status, resp.text[:500]
    assert resp.headers["Content-Type"].startswith("application/json")
    body = resp.json()
    assert body["ok"] is False
    assert isinstance(body["error"], str) and body["error"].strip()
    assert isinstance(body["code"], str) and body["code"]
    if code is not None:
        assert body["code"] == code
    for leak in LEAKS:
        assert leak not in body["error"], body["error"]
    return body


@pytest.mark.parametrize(
    "case",
    [pytest.param(case, id=name) for name, case in CASES.items()],
)
def test_malformed_request_is_refused_cleanly_changes_nothing_and_is_audited(
    case: Case, stack: Stack, operator: Client, new_user, db
) -> None:
    user = new_user("1000.00")
    other = new_user("50.00") if case.auth == "other-user" else user
    trx = random.randint(10**12, 2**53)
    names = {USER: user, TRX: trx, HEX: uuid.uuid4().hex[:12]}
    path = _fill(case.path, names)
    headers = _auth_header(case.auth, stack, user, other)
    if isinstance(case.body, dict | list):
        data: bytes | None = json.dumps(_fill(case.body, names)).encode()
        headers["Content-Type"] = "application/json"
    elif isinstance(case.body, str):
        data = _fill(case.body, names).encode()
        headers["Content-Type"] = "application/json"
    else:
        data = case.body
    before = {u: (summary(operator, u), _account_doc(db, u)) for u in {user, other}}
    t0_ms = int(time.time() * 1000)

    resp = requests.request(case.method, stack.url + path, data=data, headers=headers, timeout=30)

    error = _assert_clean_error(resp, case.status, case.code)
    for u, (summary_before, doc_before) in before.items():
        assert _account_doc(db, u) == doc_before, f"{u}'s stored account changed"
        assert summary(operator, u) == summary_before, f"{u}'s summary changed"
    if isinstance(case.body, dict) and "nobody-" in str(case.body.get("username")):
        assert _account_doc(db, f"nobody-{names[HEX]}") is None

    query: dict[str, Any] = {"type": "errorEvent"}
    marker = _marker(case)
    if marker == "trx":
        query["transactionNum"] = trx
    elif marker == "path":
        query["errorMessage"] = f"{error['error']}: {path}"
    else:
        query["timestamp"] = {"$gte": t0_ms}
    events = list(logged(db).find(query, {"_id": 0}))
    assert len(events) == 1, (query, events)
    event = events[0]
    assert event["errorMessage"].startswith(error["error"])
    assert event.get("command") == case.command
    assert event.get("username") == _audited_username(case, data, names)


def test_body_over_the_nginx_limit_gets_the_json_413_from_nginx(stack: Stack, new_user) -> None:
    user = new_user("10.00")
    body = json.dumps({"username": user, "amount": "1.00", "padding": "x" * (2 * 1024 * 1024)})
    resp = requests.post(
        stack.url + "/user_utils/add",
        data=body,
        headers={
            "Authorization": f"Bearer {stack.operator_token}",
            "Content-Type": "application/json",
        },
        timeout=30,
    )
    error = _assert_clean_error(resp, 413, "BODY_TOO_LARGE")
    assert error["error"] == "request body too large"
