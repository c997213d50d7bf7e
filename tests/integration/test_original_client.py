"""A whole workload sent exactly as the original system's replay client sends it ends every account
exactly as the project's own replay of the same file does.

The original client posts one command at a time, each over a new connection, with no credentials
(the stack runs with DTS_AUTH=off for it): `{"cmd": NAME, "username": ..., "amount": <JSON float>,
"sym": ..., "trxNum": <the line's number - 1>}`, QUOTE and CANCEL_SET_* symbols with a trailing
space and newline, DUMPLOG as `{"cmd": "DUMPLOG", "filename": "./testLOG"}`. Its first trxNum is 0:
that command must run all the same, under a server-assigned number, with a debugEvent.

Both replays run on one stack of this module's own (authentication off, fixed prices, a pending
window longer than the test, so nothing depends on how fast either replay goes), under two renames
of the same generated file, so each starts from accounts that do not exist yet.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import uuid
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import xmlschema

from backend.generate_workload import generate
from tests.integration import harness
from tests.integration.faultkit import FaultStack
from tests.integration.harness import ROOT, logged, replay_tool

HTTP_PORT = int(os.environ.get("DTS_ORIGINAL_HTTP_PORT", str(harness.HTTP_PORT + 200)))
PORT_BASE = int(os.environ.get("DTS_ORIGINAL_PORT_BASE", str(harness.PORT_BASE + 200)))
SCHEMA = xmlschema.XMLSchema(ROOT / "dts" / "logfile.xsd")
LINE_RE = re.compile(r"^\[(\d+)\] ([A-Z_]+),(.*)$")
# Each command's route, as dts/web/account_routes.py and trade_routes.py serve them.
PATHS = {
    "ADD": "/user_utils/add",
    "QUOTE": "/user_utils/quote",
    "DISPLAY_SUMMARY": "/user_utils/display_summary",
    "DUMPLOG": "/user_utils/dumplog",
    "BUY": "/buy/buy",
    "COMMIT_BUY": "/buy/commit_buy",
    "CANCEL_BUY": "/buy/cancel_buy",
    "SET_BUY_AMOUNT": "/buy/set_buy_amount",
    "SET_BUY_TRIGGER": "/buy/set_buy_trigger",
    "CANCEL_SET_BUY": "/buy/cancel_set_buy",
    "SELL": "/sell/sell",
    "COMMIT_SELL": "/sell/commit_sell",
    "CANCEL_SELL": "/sell/cancel_sell",
    "SET_SELL_AMOUNT": "/sell/set_sell_amount",
    "SET_SELL_TRIGGER": "/sell/set_sell_trigger",
    "CANCEL_SET_SELL": "/sell/cancel_set_sell",
}
SPACED_SYMBOL = {"QUOTE", "CANCEL_SET_BUY", "CANCEL_SET_SELL"}
# What a DISPLAY_SUMMARY says that two replays may differ in without the accounts differing.
VOLATILE = {"ok", "message", "username", "expires_at", "seconds_left", "timestamp", "trxNum"}


@dataclass(frozen=True)
class Sent:
    line_no: int
    name: str
    user: str | None
    status: int
    reply: bytes

    def code(self) -> str | None:
        if self.status == 200:
            return None
        return json.loads(self.reply).get("code")


@pytest.fixture(scope="module")
def open_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultStack]:
    data_dir = Path(tmp_path_factory.mktemp("original-client"))
    stack = FaultStack.start(data_dir, HTTP_PORT, PORT_BASE, DTS_AUTH="off")
    try:
        yield stack
    finally:
        stack.stop()


def renamed_lines(lines: list[str], suffix: str) -> list[str]:
    out = []
    for line in lines:
        head, _, rest = line.partition(" ")
        fields = rest.split(",")
        if fields[0] != "DUMPLOG":
            fields[1] += suffix
        out.append(f"{head} {','.join(fields)}")
    return out


def original_body(name: str, args: list[str], trx_num: int) -> dict[str, Any]:
    if name == "DUMPLOG":
        return {"cmd": "DUMPLOG", "filename": args[0]}
    body: dict[str, Any] = {"cmd": name, "username": args[0]}
    rest = args[1:]
    if name == "ADD":
        body["amount"] = float(rest[0])
    elif rest:
        body["sym"] = f"{rest[0]} \n" if name in SPACED_SYMBOL else rest[0]
        if len(rest) > 1:
            body["amount"] = float(rest[1])
    body["trxNum"] = trx_num
    return body


def send_like_the_original_client(url: str, lines: list[str]) -> list[Sent]:
    """One request at a time, each on a new connection, with no Authorization header."""
    host, _, port = url.removeprefix("http://").partition(":")
    sent = []
    for line in lines:
        match = LINE_RE.match(line)
        assert match, line
        line_no, name, args = int(match.group(1)), match.group(2), match.group(3).split(",")
        body = original_body(name, args, line_no - 1)
        connection = http.client.HTTPConnection(host, int(port), timeout=120)
        try:
            connection.request(
                "POST", PATHS[name], json.dumps(body), {"Content-Type": "application/json"}
            )
            reply = connection.getresponse()
            sent.append(Sent(line_no, name, body.get("username"), reply.status, reply.read()))
        finally:
            connection.close()
    return sent


def replay_with_the_project_tool(stack: FaultStack, workload: Path, out_dir: Path) -> dict:
    code, result, output = replay_tool(
        stack.url, "not-checked-with-auth-off", workload, out_dir, timeout_s=600
    )
    assert code == 0, output
    return result


def end_state(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: end_state(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [end_state(v) for v in value]
    return value


def test_the_original_clients_requests_end_every_account_as_the_project_replay_does(
    open_stack: FaultStack, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:6]
    lines = list(generate(users=8, per_user=40, seed=int(tag, 16), dumplog="./testLOG"))
    users = sorted({line.split(" ", 1)[1].split(",")[1] for line in lines[:-1]})
    assert lines[-1].endswith("DUMPLOG,./testLOG") and len(users) == 8
    mine, theirs = f"o{tag}", f"p{tag}"
    workload = tmp_path / "workload.txt"
    workload.write_text("\n".join(renamed_lines(lines, theirs)) + "\n")
    project = replay_with_the_project_tool(open_stack, workload, tmp_path)
    assert project["transport_errors"] == {} and project["sent"] == len(lines), project

    sent = send_like_the_original_client(open_stack.url, renamed_lines(lines, mine))

    assert all(s.status < 500 for s in sent), [s for s in sent if s.status >= 500]
    assert sent[0].name == "ADD" and sent[0].status == 200, sent[0]
    assert sum(s.status == 200 for s in sent) == project["accepted"]
    refused = Counter(s.code() for s in sent if s.status != 200)
    assert refused == Counter(project["refused"])

    differences = {}
    for user in users:
        ours = open_stack.summary(user + mine)
        reference = open_stack.summary(user + theirs)
        if end_state(ours) != end_state(reference):
            differences[user] = (end_state(ours), end_state(reference))
    assert differences == {}

    dump = sent[-1]
    assert dump.name == "DUMPLOG" and dump.status == 200
    SCHEMA.validate(dump.reply.decode())
    first_user = sent[0].user
    written = [
        e
        for e in ET.fromstring(dump.reply)
        if e.tag == "debugEvent" and (e.findtext("username") or "").endswith(mine)
    ]
    assert [e.findtext("username") for e in written] == [first_user]
    assert written[0].findtext("debugMessage", "").startswith("trxNum 0 ")
    with open_stack.database() as db:
        log = logged(db, f"redis://127.0.0.1:{PORT_BASE + 79}/0")
        [debug] = log.find({"type": "debugEvent", "username": {"$in": [u + mine for u in users]}})
        # Server-assigned numbers come from a counter that client numbers may coincide with (a
        # fresh stack's first is 1, as line 2's trxNum): the record is the one received with it.
        [received] = log.find(
            {
                "type": "userCommand",
                "transactionNum": debug["transactionNum"],
                "username": first_user,
                "timestamp": debug["timestamp"],
            }
        )
        assert (debug["username"], received["command"]) == (first_user, "ADD")
        assert debug["transactionNum"] >= 1
        their_names = [u + theirs for u in users]
        assert log.count_documents({"type": "debugEvent", "username": {"$in": their_names}}) == 0
