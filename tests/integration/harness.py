"""What integration tests share besides fixtures: the shared test stack's ports and settings, a
client through NGINX, and reading the audit log the way a DUMPLOG does.

The stack runs from its own data directory and ports, with fixed quote prices and a short pending
window (DTS_TEST_PENDING_TTL_S, default 2 s) so the 60 s rule is tested without sleeping a minute.
The fixtures that start it and hand out clients and users are in conftest.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pymongo.collection
import pymongo.database
import redis
import requests

from dts.adapters.audit.log import AuditLog
from dts.adapters.mongo.accounts import AccountStore
from dts.price_walk import fixed_price_cents

ROOT = Path(__file__).resolve().parents[2]
HTTP_PORT = int(os.environ.get("DTS_TEST_HTTP_PORT", "18580"))
PORT_BASE = int(os.environ.get("DTS_TEST_PORT_BASE", "18600"))
REDIS_URL = f"redis://127.0.0.1:{PORT_BASE + 79}/0"
PENDING_TTL_S = int(os.environ.get("DTS_TEST_PENDING_TTL_S", "2"))
OPERATOR_TOKEN = "test-operator-token-" + uuid.uuid4().hex
SECRET_KEY = "test-signing-key-" + uuid.uuid4().hex
UI_ORIGIN = "http://ui.example.test:5173"  # the one origin allowed cross-origin calls
# The login limit's burst on the test stack: room for the suite's own registrations and logins
# (about two dozen, some in quick succession), which the default 20 turned into a flaky 429.
LOGIN_BURST = 100


@dataclass
class Stack:
    url: str
    operator_token: str
    secret_key: str
    mongo_uri: str
    data_dir: Path
    pending_ttl_s: int

    def price_cents(self, sym: str) -> int:
        return fixed_price_cents(sym)


def stack_env(data_dir: Path) -> dict[str, str]:
    """The environment `scripts/stack.py` runs the shared test stack with."""
    return {
        **os.environ,
        "DTS_DATA_DIR": str(data_dir),
        "DTS_HTTP_PORT": str(HTTP_PORT),
        "DTS_PORT_BASE": str(PORT_BASE),
        "QUOTE_MODE": "fixed",
        "DTS_PENDING_TTL_S": str(PENDING_TTL_S),
        "DTS_WATCH_INTERVAL_S": "1",
        "DTS_HINT_REBUILD_S": "2",
        "DTS_OPERATOR_TOKEN": OPERATOR_TOKEN,
        "DTS_SECRET_KEY": SECRET_KEY,
        "DTS_AUTH": "on",
        "DTS_WORKERS": "2",
        "DTS_THREADS": "4",
        "DTS_CORS_ORIGIN": UI_ORIGIN,
        "DTS_LOGIN_RATE_BURST": str(LOGIN_BURST),
        # Records wait up to a second in the journal before they are stored, twenty times the
        # default: a test that reads the log without draining the journal (as a DUMPLOG, or
        # `logged`, does) fails instead of passing by luck.
        "DTS_AUDIT_LINGER_S": "1",
    }


class Client:
    """An HTTP client through NGINX, as one caller (a user's token or the operator's)."""

    def __init__(self, base_url: str, token: str | None) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def post(self, path: str, body: Any = None, **kw: Any) -> requests.Response:
        return self.session.post(self.base_url + path, json=body, timeout=30, **kw)

    def ok(self, path: str, body: Any) -> dict[str, Any]:
        resp = self.post(path, body)
        assert resp.status_code == 200, f"{path} {body} -> {resp.status_code} {resp.text}"
        data = resp.json()
        assert data["ok"] is True
        return data

    def refused(self, path: str, body: Any, status: int, code: str | None = None) -> dict:
        resp = self.post(path, body)
        assert resp.status_code == status, f"{path} {body} -> {resp.status_code} {resp.text}"
        data = resp.json()
        assert data["ok"] is False and data["error"]
        if code is not None:
            assert data["code"] == code, data
        return data


def settle_log(db: pymongo.database.Database, client: redis.Redis) -> None:
    """Every record of every answered command stored in `transaction_table`, as a DUMPLOG makes
    sure before it reads: what accounts' outboxes hold and no process has stored yet, then
    everything in the audit journal (dts.adapters.audit.outbox, dts.adapters.audit.journal)."""
    audit = AuditLog(db, "tests", journal_redis=client)
    for events in AccountStore(db).unrecorded(None):
        audit.store(events)
    assert audit.settle(), "the journal was not drained"


class StoredLog:
    """`transaction_table`'s records, one document each or packed (DTS_PACK_AUDIT, on natively),
    read by the audit log's own reader (`AuditLog.records`, what a DUMPLOG reads): each record
    once, each user's oldest first.

    `find` and `count_documents` take the queries the tests ask: fields equal to a value, `$in`,
    `$regex` and `$gte`. A query naming users reads theirs, any other reads everyone's.
    """

    def __init__(self, db: pymongo.database.Database) -> None:
        self.audit = AuditLog(db, "tests")

    def find(
        self, query: dict[str, Any], projection: dict[str, int] | None = None
    ) -> list[dict[str, Any]]:
        user = query.get("username")
        if isinstance(user, str):
            names: list[str | None] = [user]
        elif isinstance(user, dict) and "$in" in user:
            names = list(user["$in"])
        else:
            names = [None]  # everyone
        hidden = {k for k, v in (projection or {}).items() if not v}
        return [
            {k: v for k, v in r.items() if k not in hidden}
            for name in names
            for r in self.audit.records(name)
            if all(_matches(r.get(k), wanted) for k, wanted in query.items())
        ]

    def count_documents(self, query: dict[str, Any]) -> int:
        return len(self.find(query))


def _matches(value: Any, wanted: Any) -> bool:
    if not isinstance(wanted, dict):
        return value == wanted
    tests = {
        "$in": lambda arg: value in arg,
        "$regex": lambda arg: isinstance(value, str) and re.search(arg, value) is not None,
        "$gte": lambda arg: value is not None and value >= arg,
    }
    return all(tests[op](arg) for op, arg in wanted.items())


def logged(db: pymongo.database.Database, redis_url: str = REDIS_URL) -> StoredLog:
    """The audit log once every record of every answered command is stored in it.

    Records reach the table behind the replies, so a test reads the log the way a DUMPLOG does:
    after `settle_log`.
    """
    client = redis.Redis.from_url(redis_url)
    try:
        settle_log(db, client)
    finally:
        client.close()
    return StoredLog(db)


def move_market(cache: redis.Redis, sym: str, price_cents: int) -> None:
    """Puts a newer quote for `sym` into the Redis cache, as a fetch would: how a test moves the
    market when the quote server's prices are fixed."""
    quote = {"sym": sym, "price_cents": price_cents, "quote_server_time_ms": 1, "cryptokey": "t"}
    cache.set(f"dts:quote:{sym}", json.dumps(quote), ex=120)


def summary(operator: Client, username: str) -> dict[str, Any]:
    return operator.ok("/user_utils/display_summary", {"username": username})


def replay_tool(
    url: str, token: str, workload: Path, out_dir: Path, *extra: str, timeout_s: float = 300
) -> tuple[int, dict[str, Any], str]:
    """Runs the replay tool (backend/input_script.py) on `workload` as a user would: its exit
    code, its summary (`--json`; empty if it wrote none) and what it printed."""
    out_dir.mkdir(parents=True, exist_ok=True)
    result_json = out_dir / "result.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "backend" / "input_script.py"),
            str(workload),
            "--url",
            url,
            "--token",
            token,
            "--no-progress",
            "--json",
            str(result_json),
            "--out-dir",
            str(out_dir / "dumps"),
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )
    result = json.loads(result_json.read_text()) if result_json.exists() else {}
    return proc.returncode, result, proc.stdout + proc.stderr
