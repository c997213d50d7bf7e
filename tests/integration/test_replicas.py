"""Three replicas of each service and two watchers: correctness does not depend on which replica a
request lands on, and a watcher's death hands the triggers to the other without firing twice.

The stack is its own (faultkit.py): three processes per service behind NGINX, two watchers sharing
one leader lease, fixed prices that a restart of the quote server can move (QUOTE_PRICES), and a
2 s quote cache, so the watcher sees a moved price within a sweep or two.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pymongo
import pymongo.database
import pytest
import redis

from dts.adapters.redis.leader import LEADER_KEY
from dts.money import format_cents as dollars
from dts.price_walk import fixed_price_cents
from tests.integration.faultkit import (
    FaultStack,
    assert_same_as_without_faults,
    replay_through,
    workload,
)
from tests.integration.harness import StoredLog, settle_log

HTTP_PORT = int(os.environ.get("DTS_REPLICA_HTTP_PORT", "18880"))
PORT_BASE = int(os.environ.get("DTS_REPLICA_PORT_BASE", "18900"))
SERVICES = ("buy", "sell", "user_utils")


@pytest.fixture(scope="module")
def replicated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultStack]:
    stack = FaultStack.start(
        Path(tmp_path_factory.mktemp("replicas")),
        HTTP_PORT,
        PORT_BASE,
        DTS_REPLICAS="3",
        DTS_WATCHERS="2",
        DTS_WORKERS="1",
        DTS_THREADS="4",
        DTS_QUOTE_TTL_S="2",
        DTS_LEADER_LEASE_S="3",
    )
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def db(replicated: FaultStack) -> Iterator[pymongo.database.Database]:
    with replicated.database() as database:
        yield database


@pytest.fixture
def hints(replicated: FaultStack) -> Iterator[redis.Redis]:
    with replicated.redis() as client:
        yield client


def leading_watcher(client: redis.Redis, deadline_s: float = 20.0) -> str:
    """The name of the watcher that holds the lease now (`watcher` or `watcher-2`)."""
    deadline = time.monotonic() + deadline_s
    while (holder := client.get(LEADER_KEY)) is None:
        assert time.monotonic() < deadline, "no watcher took the lead"
        time.sleep(0.2)
    return holder.decode().split("@", 1)[0]


def test_a_workload_ends_the_same_when_replicas_die_under_it(
    replicated: FaultStack, db: pymongo.database.Database, hints: redis.Redis, tmp_path: Path
) -> None:
    def kill_and_restart(*names: str) -> Callable[[], None]:
        def fault() -> None:
            for name in names:
                replicated.kill(name)
                time.sleep(1.0)  # NGINX sends the dead replicas' share to the others meanwhile
            replicated.up()

        return fault

    def kill_leading_watcher() -> None:
        replicated.kill(leading_watcher(hints))
        time.sleep(2.0)
        replicated.up()

    # Every replica of every service dies once (two at a time, then the third), so whichever one
    # NGINX hashes this client to is hit, and a live one is always left to take its share.
    faults = [kill_and_restart(s, f"{s}-2") for s in SERVICES]
    faults += [kill_leading_watcher]
    faults += [kill_and_restart(f"{s}-3") for s in SERVICES]
    tag = uuid.uuid4().hex[:6]
    hit = workload(users=10, per_user=150, seed=11, suffix=f"r{tag}")
    clean = workload(users=10, per_user=150, seed=11, suffix=f"c{tag}")
    replayed = replay_through(replicated, hit, faults, tmp_path, expect_retries=False)
    users = sorted({c.user.removesuffix(f"r{tag}") for c in hit if c.user})
    assert_same_as_without_faults(
        replicated, db, replayed, users, (f"r{tag}", f"c{tag}"), clean, tmp_path
    )


def _fired(db: pymongo.database.Database, hints: redis.Redis, user: str) -> list[dict]:
    settle_log(db, hints)
    return [
        e
        for e in StoredLog(db).find({"username": user, "type": "systemEvent"})
        if "trigger fired" in e.get("message", "")
    ]


def test_when_the_leading_watcher_dies_the_other_fires_each_trigger_once(
    replicated: FaultStack, db: pymongo.database.Database, hints: redis.Redis
) -> None:
    tag = uuid.uuid4().hex[:3].upper()
    orders = {}  # user -> (symbol, its price now, the price it moves to)
    for i in range(6):
        user, sym = f"w{tag.lower()}{i}{uuid.uuid4().hex[:6]}", f"W{tag}{i}"
        price = fixed_price_cents(sym)
        orders[user] = (sym, price, max(1, price // 2))
        assert replicated.post("/user_utils/add", {"username": user, "amount": "1000.00"}).ok
        amount = {"username": user, "sym": sym, "amount": "600.00"}
        assert replicated.post("/buy/set_buy_amount", amount).ok
        trigger = f"{(price - 1) // 100}.{(price - 1) % 100:02d}"  # just below: does not fire now
        reply = replicated.post("/buy/set_buy_trigger", {**amount, "amount": trigger})
        assert reply.ok and reply.json()["fired"] is None, reply.text
    first = leading_watcher(hints)
    replicated.kill(first)
    deadline = time.monotonic() + 20
    while leading_watcher(hints) == first:  # its lease runs out, the other takes it
        assert time.monotonic() < deadline, "the lead did not pass to the other watcher"
        time.sleep(0.2)
    moved = ",".join(f"{sym}={new}" for sym, _, new in orders.values())
    replicated.env["QUOTE_PRICES"] = moved
    replicated.kill("quote_server", signal.SIGTERM)
    replicated.up()  # the quote server with the moved prices, and the dead watcher again
    deadline = time.monotonic() + 60
    while any(replicated.summary(u)["buy_triggers"] for u in orders):
        assert time.monotonic() < deadline, "the surviving watcher did not fire the triggers"
        time.sleep(0.5)
    time.sleep(3.0)  # both watchers sweep again over the symbols: nothing may fire a second time
    for user, (sym, _, new) in orders.items():
        shares = 60_000 // new
        after = replicated.summary(user)
        assert after["holdings"] == [
            {
                "sym": sym,
                "shares": shares,
                "reserved_shares": 0,
                "cost_basis": dollars(shares * new),
            }
        ]
        funds = 100_000 - shares * new
        assert after["funds"] == f"{funds // 100}.{funds % 100:02d}"
        assert len(_fired(db, hints, user)) == 1, user
    replicated.env.pop("QUOTE_PRICES")
