"""Property-based fuzzing of the whole API through NGINX, generated from the OpenAPI document the
services serve (dts/openapi.yaml).

schemathesis makes requests for every operation, valid ones and ones that break the document
(negative mode), sends them with the operator token and checks every reply: never a 5xx, a status
the document lists, its content type, and a body its schema accepts. Random usernames name no
account, so about half of the bodies are steered to a funded account that holds shares (and half
of the log-ins to its password): the success replies get checked too, not only refusals.

DTS_FUZZ_EXAMPLES sets the examples per operation of the fuzzing phase (default 25); DUMPLOG (of
everyone, it reads the whole audit log) and the log-ins (held to NGINX's login rate) get a fifth.
Besides, the coverage phase sends each operation's boundary and malformed cases and each path with
the methods it does not take. The tally of requests, statuses and failed checks is printed and
written to bench/results/tmp/fuzz.json.
"""

from __future__ import annotations

import json
import os
import time
import uuid
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dts.validation import IDEMPOTENCY_KEY_RE
from dts.web.openapi import openapi_spec
from tests.integration.harness import HTTP_PORT, Client, Stack

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results" / "tmp" / "fuzz.json"  # ignored by git: one per run
EXAMPLES = int(os.environ.get("DTS_FUZZ_EXAMPLES", "25"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
HELD_SYMBOLS = ("ABC", "S", "XYZ")
PASSWORD = "fuzz-password-" + uuid.uuid4().hex[:8]
AUTH_PATHS = ("/auth/login", "/auth/register")


@dataclass
class Account:
    username: str
    password: str


@dataclass
class Tally:
    started: float = field(default_factory=time.monotonic)
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    per_operation: dict[str, Counter[int]] = field(default_factory=dict)
    error_codes: Counter[str] = field(default_factory=Counter)
    unexpected_methods: int = 0
    failures: Counter[str] = field(default_factory=Counter)

    def summary(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "server_errors": sum(n for status, n in self.statuses.items() if status >= 500),
            "failed_checks": dict(self.failures),
            "schema_violations": self.failures.get("Response violates schema", 0),
            "statuses": {str(s): n for s, n in sorted(self.statuses.items())},
            "error_codes": dict(self.error_codes.most_common()),
            "statuses_per_operation": {
                op: {str(s): n for s, n in sorted(statuses.items())}
                for op, statuses in sorted(self.per_operation.items())
            },
            "requests_with_undocumented_methods": self.unexpected_methods,
            "examples_per_operation": EXAMPLES,
            "seconds": round(time.monotonic() - self.started, 1),
        }


@pytest.fixture(scope="module")
def fuzz_account(stack: Stack, operator: Client) -> Account:
    """A registered account rich enough that most generated amounts can be bought, holding
    shares worth a third of the largest amount of each of HELD_SYMBOLS."""
    username = "fuzz" + uuid.uuid4().hex[:12]
    operator.ok("/auth/register", {"username": username, "password": PASSWORD})
    for _ in range(3):
        operator.ok("/user_utils/add", {"username": username, "amount": "1000000000.00"})
    for sym in HELD_SYMBOLS:
        operator.ok("/buy/buy", {"username": username, "sym": sym, "amount": "333333333.00"})
        operator.ok("/buy/commit_buy", {"username": username})
    return Account(username, PASSWORD)


@pytest.fixture(scope="module")
def tally() -> Iterator[Tally]:
    counts = Tally()
    yield counts
    summary = counts.summary()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"\nfuzz: {json.dumps(summary)}")


def load_schema() -> schemathesis.BaseSchema:
    """The repository's document (test_the_document_is_served_through_nginx checks that NGINX
    serves the same), aimed at the test stack, with bounded examples."""
    slow = {"generation": {"max-examples": max(1, EXAMPLES // 5)}}
    config = schemathesis.Config.from_dict(
        {
            "base-url": f"http://127.0.0.1:{HTTP_PORT}",
            "seed": int(os.environ.get("DTS_FUZZ_SEED", "20260101")),
            "generation": {"mode": "all", "max-examples": EXAMPLES, "unique-inputs": True},
            "request-timeout": 30,
            "operations": [
                # NGINX lets one client log in 5 times a second: keep to that, so that neither
                # these nor the tests after them meet a 429 that fuzzing provoked.
                {"include-path": list(AUTH_PATHS), "rate-limit": "5/s", **slow},
                {"include-path": "/user_utils/dumplog", **slow},
            ],
        }
    )
    return schemathesis.openapi.from_dict(openapi_spec(), config=config)


schema = load_schema()


@pytest.mark.parametrize("prefix", ["/buy", "/sell", "/user_utils", "/auth"])
def test_the_document_is_served_through_nginx(stack: Stack, prefix: str) -> None:
    reply = requests.get(f"{stack.url}{prefix}/openapi.json", timeout=30)
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "application/json"
    assert reply.json() == openapi_spec()


def steer(case: schemathesis.Case, account: Account) -> None:
    """Points about half of the generated bodies at the funded account (and a symbol it holds),
    keeping the rest of each; which ones follows from the body, so a failure replays the same."""
    body = case.body
    if not isinstance(body, dict):
        return
    draw = zlib.crc32(json.dumps(body, sort_keys=True, default=repr).encode())
    if case.path == "/user_utils/dumplog":
        if draw % 5 == 0:  # everyone's log reads the whole audit log: only now and then
            return
    elif draw % 2:
        return
    if case.path == "/auth/login":
        body.update(username=account.username, password=account.password)
    elif case.path != "/auth/register":
        body["username"] = account.username
        if "sym" in body:
            body["sym"] = HELD_SYMBOLS[draw // 2 % len(HELD_SYMBOLS)]
    # Generated keys are short and alike ("0", "A"): on one account most would name an earlier
    # command (422 IDEMPOTENCY_KEY_REUSED). Most are made unique; the rest still get replays.
    key = (case.headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and IDEMPOTENCY_KEY_RE.fullmatch(key) and draw // 8 % 4:
        case.headers["Idempotency-Key"] = f"{key[:60]}.{uuid.uuid4().hex}"


def error_code(response: schemathesis.Response) -> str:
    try:
        reply = response.json()
    except ValueError:
        return "(not JSON)"  # response_schema_conformance reports it
    return str(reply.get("code")) if isinstance(reply, dict) else "(no code)"


@schema.parametrize()
def test_fuzz_every_operation_through_nginx(
    case: schemathesis.Case, stack: Stack, fuzz_account: Account, tally: Tally
) -> None:
    steer(case, fuzz_account)
    operator = {"Authorization": f"Bearer {stack.operator_token}"}
    response = case.call(headers=operator)
    tally.requests += 1
    tally.statuses[response.status_code] += 1
    if response.status_code >= 400:
        tally.error_codes[error_code(response)] += 1
    if case.method.upper() == case.operation.method.upper():
        label = f"{case.method.upper()} {case.path}"
        tally.per_operation.setdefault(label, Counter())[response.status_code] += 1
    else:
        tally.unexpected_methods += 1  # the coverage phase's check that they are refused
    try:
        case.validate_response(response, checks=CHECKS, headers=operator)
    except (FailureGroup, Failure) as exc:
        failures = exc.exceptions if isinstance(exc, FailureGroup) else (exc,)
        tally.failures.update(failure.title for failure in failures)
        raise
