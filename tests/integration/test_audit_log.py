"""The audit log and DUMPLOG: every command, refusal and cash move, valid against logfile.xsd."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
import xmlschema

from backend.generate_workload import generate
from tests.integration.harness import PENDING_TTL_S, ROOT, Client, Stack, logged, summary

SCHEMA = xmlschema.XMLSchema(ROOT / "dts" / "logfile.xsd")


def users_of(workload_lines: list[str]) -> set[str]:
    users = set()
    for line in workload_lines:
        fields = line.split(" ", 1)[1].split(",")
        if fields[0] != "DUMPLOG":
            users.add(fields[1])
    return users


@pytest.fixture(scope="module")
def replayed(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A generated workload of 8 users, replayed through NGINX, ending in an all-users DUMPLOG."""
    tmp = tmp_path_factory.mktemp("audit")
    suffix = uuid.uuid4().hex[:6]
    lines = []
    for line in generate(users=8, per_user=60, seed=int(suffix, 16)):
        head, _, rest = line.partition(" ")
        fields = rest.split(",")
        if fields[0] != "DUMPLOG":
            fields[1] += suffix
        lines.append(f"{head} {','.join(fields)}")
    workload = tmp / "workload.txt"
    workload.write_text("\n".join(lines) + "\n")
    result_path = tmp / "result.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "backend/input_script.py"),
            str(workload),
            "--url",
            stack.url,
            "--token",
            stack.operator_token,
            "--no-progress",
            "--json",
            str(result_path),
            "--out-dir",
            str(tmp),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return {
        "users": users_of(lines),
        "result": json.loads(result_path.read_text()),
        "dump": tmp / "testLOG",
        "commands": len(lines),
    }


def events_of(dump: Path, users: set[str]) -> list[ET.Element]:
    root = ET.parse(dump).getroot()
    return [
        e for e in root if e.findtext("username") in users or e.findtext("command") == "DUMPLOG"
    ]


def test_the_dumplog_of_a_replayed_workload_validates_against_logfile_xsd(replayed: dict) -> None:
    SCHEMA.validate(replayed["dump"])


def test_every_command_sent_has_one_user_command(replayed: dict) -> None:
    events = events_of(replayed["dump"], replayed["users"])
    commands = [e for e in events if e.tag == "userCommand"]
    mine = [e for e in commands if e.findtext("username") in replayed["users"]]
    assert len(mine) == replayed["commands"] - 1  # all but the DUMPLOG, which names no user
    assert any(e.findtext("command") == "DUMPLOG" for e in commands)
    assert replayed["result"]["sent"] == replayed["commands"]


def test_every_refusal_has_an_error_event(replayed: dict) -> None:
    users = replayed["users"]
    events = events_of(replayed["dump"], users)
    errors = [e for e in events if e.tag == "errorEvent" and e.findtext("username") in users]
    assert len(errors) == sum(replayed["result"]["refused"].values())
    assert all(e.findtext("errorMessage") for e in errors)


def test_cash_moves_sum_to_each_users_cash(replayed: dict, operator: Client) -> None:
    # Once every window has closed, the next summary settles the last pending trades for good.
    time.sleep(PENDING_TTL_S + 0.5)
    for user in replayed["users"]:
        funds = summary(operator, user)["funds"]  # settles any pending trade that expired since
        resp = operator.post("/user_utils/dumplog", {"username": user, "filename": "cash.xml"})
        assert resp.status_code == 200
        cash = Decimal(0)
        for e in ET.fromstring(resp.content):
            if e.tag == "accountTransaction":
                sign = 1 if e.findtext("action") == "add" else -1
                cash += sign * Decimal(e.findtext("funds") or "0")
        assert Decimal(funds) == cash, user
        assert summary(operator, user)["funds"] == funds


def test_quote_fetches_are_logged_with_their_cryptokey(replayed: dict) -> None:
    quotes = [e for e in ET.parse(replayed["dump"]).getroot() if e.tag == "quoteServer"]
    assert quotes
    assert all(e.findtext("cryptokey") and e.findtext("quoteServerTime") for e in quotes)


OUTSIDE = [Path("/tmp/x"), Path("/etc/passwd"), ROOT / "x", ROOT.parent / "passwd"]


def stamp(path: Path) -> tuple[bool, float]:
    return (path.exists(), path.stat().st_mtime if path.exists() else 0.0)


@pytest.mark.parametrize(
    ("filename", "stored_as"),
    [
        ("../../etc/passwd", "passwd"),
        ("/tmp/x", "x"),
        ("..\\..\\windows\\evil.xml", "evil.xml"),
        ("./nested/dir/log.xml", "log.xml"),
        ("..", None),
        ("...", None),
    ],
)
def test_dumplog_writes_only_inside_the_log_directory(
    operator: Client, stack: Stack, filename: str, stored_as: str | None
) -> None:
    log_dir = stack.data_dir / "dumplog"
    outside_before = [stamp(p) for p in OUTSIDE]
    before = {p for p in stack.data_dir.rglob("*") if p.is_file()}
    resp = operator.post("/user_utils/dumplog", {"filename": filename})
    after = {p for p in stack.data_dir.rglob("*") if p.is_file()}
    new = {p for p in after - before if "logs" not in p.parts}
    if stored_as is None:
        assert resp.status_code == 400 and resp.json()["code"] == "BAD_FILENAME"
        assert new == set()
        return
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("application/xml")
    assert (log_dir / "all" / stored_as).exists()
    assert all(p.resolve().is_relative_to(log_dir.resolve()) for p in new)
    assert [stamp(p) for p in OUTSIDE] == outside_before


def test_a_users_own_dumplog_holds_only_their_events(operator: Client, new_user) -> None:
    alice, bob = new_user("10.00"), new_user("20.00")
    resp = operator.post("/user_utils/dumplog", {"username": alice, "filename": "mine.xml"})
    assert resp.status_code == 200
    SCHEMA.validate(resp.content.decode())
    root = ET.fromstring(resp.content)
    names = Counter(e.findtext("username") for e in root)
    assert set(names) == {alice} and names[alice] >= 3  # ADD, its cash move, this DUMPLOG
    assert bob not in resp.text


def test_a_dumplog_right_after_replies_holds_every_answered_command(
    operator: Client, new_user
) -> None:
    """Each process writes its records behind its replies, and this stack lets them wait up to a
    second (DTS_AUDIT_LINGER_S): only the DUMPLOG's flush of every process puts them in the log."""
    user = new_user("1000.00")
    operator.ok("/user_utils/quote", {"username": user, "sym": "AB"})
    operator.ok("/buy/buy", {"username": user, "sym": "AB", "amount": "900.00"})
    operator.refused("/sell/sell", {"username": user, "sym": "AB", "amount": "1.00"}, 409)
    resp = operator.post("/user_utils/dumplog", {"username": user, "filename": "now.xml"})
    assert resp.status_code == 200
    root = ET.fromstring(resp.content)
    commands = [e.findtext("command") for e in root if e.tag == "userCommand"]
    assert commands == ["ADD", "QUOTE", "BUY", "SELL", "DUMPLOG"]
    assert [e.tag for e in root].count("errorEvent") == 1  # the SELL of shares not held


def test_only_the_operator_may_dump_everyones_log(stack: Stack, operator: Client) -> None:
    token = operator.ok(
        "/auth/register", {"username": f"v{uuid.uuid4().hex[:10]}", "password": "long enough"}
    )["token"]
    user = Client(stack.url, token)
    resp = user.post("/user_utils/dumplog", {"filename": "all.xml"})
    assert resp.status_code == 200  # without a username it is the user's own log
    root = ET.fromstring(resp.content)
    assert {e.findtext("username") for e in root} <= {user_name(token)}


def user_name(token: str) -> str:
    import base64

    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"]


def test_everyones_log_holds_every_user_in_time_order_and_records_without_one(
    operator: Client, new_user
) -> None:
    alice, bob = new_user("1.00"), new_user("2.00")
    for _ in range(3):  # interleaved in time, so one query in time order would mix them
        operator.ok("/user_utils/add", {"username": alice, "amount": "1.00"})
        operator.ok("/user_utils/add", {"username": bob, "amount": "1.00"})
    ghost = f"ghost{uuid.uuid4().hex[:10]}"  # never had an account, yet its refusal is logged
    operator.refused("/user_utils/display_summary", {"username": ghost}, 404)
    marker = f"everyone-{uuid.uuid4().hex[:8]}.xml"
    resp = operator.post("/user_utils/dumplog", {"filename": marker})
    assert resp.status_code == 200
    SCHEMA.validate(resp.content.decode())
    events = list(ET.fromstring(resp.content))
    names = [e.findtext("username") for e in events]
    for user in (alice, bob):
        at = [i for i, name in enumerate(names) if name == user]
        assert len(at) >= 8  # 4 ADDs and their 4 cash moves
        assert at == list(range(at[0], at[0] + len(at)))
        stamps = [int(events[i].findtext("timestamp")) for i in at]
        assert stamps == sorted(stamps)
    assert ghost in names
    # The DUMPLOG's own record names no user and is in the log it writes.
    [own] = [e for e in events if e.findtext("filename") == marker]
    assert own.tag == "userCommand" and own.findtext("username") is None


def test_a_command_that_hits_a_bug_answers_500_and_is_still_logged_with_an_error_event(
    operator: Client, db, new_user
) -> None:
    user = new_user("10.00")
    # A document no rule can read (a pending BUY without its fields): loading it raises.
    db.user_table.update_one({"_id": user}, {"$set": {"pending_buy": [{"sym": "ABC"}]}})
    try:
        reply = operator.post("/user_utils/display_summary", {"username": user, "trxNum": 424242})
    finally:
        db.user_table.update_one({"_id": user}, {"$set": {"pending_buy": []}})

    assert reply.status_code == 500
    body = reply.json()
    assert body.pop("request_id") == reply.headers["X-Request-ID"]
    assert body == {"ok": False, "error": "internal error", "code": "INTERNAL"}
    records = list(logged(db).find({"username": user, "transactionNum": 424242}, {"_id": 0}))
    assert sorted((r["type"], r["command"]) for r in records) == [
        ("errorEvent", "DISPLAY_SUMMARY"),
        ("userCommand", "DISPLAY_SUMMARY"),
    ]
    [error] = [r for r in records if r["type"] == "errorEvent"]
    assert error["errorMessage"] == "internal error"
