"""Once a command is answered, its audit records survive SIGKILL of any one process at once.

Each case answers a few commands of each kind of record (a cash move, a quote fetch, a refusal,
a summary), kills one process the moment the last reply is in, restarts what it killed, and asks
DUMPLOG: every answered command is there exactly once with every record it had.
"""

from __future__ import annotations

import itertools
import os
import random
import time
import uuid
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from dts.price_walk import fixed_price_cents
from tests.integration.faultkit import FaultStack

HTTP_PORT = int(os.environ.get("DTS_DURABLE_HTTP_PORT", "19080"))
PORT_BASE = int(os.environ.get("DTS_DURABLE_PORT_BASE", "19100"))
USERS = 3
_numbers = itertools.count(random.randrange(10**6, 10**9, 10**5))


@pytest.fixture(scope="module")
def durable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultStack]:
    # Records gather half a second before the journal's drainers store them: what a killed
    # process had not handed on yet would be lost, not merely late.
    stack = FaultStack.start(
        Path(tmp_path_factory.mktemp("durable")), HTTP_PORT, PORT_BASE, DTS_AUDIT_LINGER_S="0.5"
    )
    yield stack
    stack.stop()


def answered(stack: FaultStack, tag: str) -> dict[int, tuple[str, Counter[str]]]:
    """Sends the commands; their transaction numbers -> (user, the record types each must have)."""
    expected: dict[int, tuple[str, Counter[str]]] = {}

    def send(path: str, body: dict, status: int, *types: str) -> None:
        trx = next(_numbers)
        reply = stack.post(path, {**body, "trxNum": trx})
        assert reply.status_code == status, reply.text
        expected[trx] = (body["username"], Counter(["userCommand", *types]))

    for i in range(USERS):
        user, sym, bought = f"k{tag}{i}", f"Q{tag[:3]}{i}".upper(), f"B{tag[:3]}{i}".upper()
        two_shares = f"{2 * fixed_price_cents(bought) / 100:.2f}"
        send("/user_utils/add", {"username": user, "amount": "9000.00"}, 200, "accountTransaction")
        send("/user_utils/quote", {"username": user, "sym": sym}, 200, "quoteServer")
        buy = {"username": user, "sym": bought, "amount": two_shares}
        send("/buy/buy", buy, 200, "quoteServer", "accountTransaction")
        send("/buy/commit_buy", {"username": user}, 200)
        send("/buy/commit_buy", {"username": user}, 409, "errorEvent")
        send("/user_utils/add", {"username": user, "amount": "-1"}, 422, "errorEvent")
        send("/user_utils/display_summary", {"username": user}, 200)
    return expected


def logged(stack: FaultStack, user: str) -> list[ET.Element]:
    deadline = time.monotonic() + 60
    while True:  # the restarted stack may still be finding its feet
        reply = stack.post("/user_utils/dumplog", {"username": user, "filename": "durable.xml"})
        if reply.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert reply.status_code == 200, reply.text
    return list(ET.fromstring(reply.content))


@pytest.mark.parametrize("victim", ["user_utils", "buy", "redis", "database", "watcher"])
def test_sigkill_right_after_the_replies_loses_no_answered_commands_record(
    durable: FaultStack, victim: str
) -> None:
    tag = uuid.uuid4().hex[:6]
    expected = answered(durable, tag)
    durable.kill(victim)  # SIGKILL to its whole process group, the moment the last reply is in
    durable.up()

    found: dict[int, Counter[str]] = {trx: Counter() for trx in expected}
    for user in sorted({user for user, _ in expected.values()}):
        for element in logged(durable, user):
            trx = int(element.findtext("transactionNum") or 0)
            if trx in found:
                found[trx][element.tag] += 1
    assert found == {trx: types for trx, (_, types) in expected.items()}, durable.log
