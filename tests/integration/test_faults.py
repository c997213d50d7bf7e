"""Faults under load: workers, services, Redis, the watcher and the database server killed and
restarted while a generated workload replays, and the single faults one at a time.

The stack here is its own (own ports and data directory), because these tests kill its parts; the
shared machinery and what "nothing lost, nothing twice" is checked against are in faultkit.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pymongo
import pymongo.database
import pytest
import requests

from tests.integration.faultkit import (
    ROOT,
    SCRIPT,
    FaultStack,
    assert_same_as_without_faults,
    replay_through,
    workload,
)

HTTP_PORT = int(os.environ.get("DTS_FAULT_HTTP_PORT", "18680"))
PORT_BASE = int(os.environ.get("DTS_FAULT_PORT_BASE", "18700"))


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultStack]:
    stack = FaultStack.start(Path(tmp_path_factory.mktemp("faults")), HTTP_PORT, PORT_BASE)
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def db(faulty: FaultStack) -> Iterator[pymongo.database.Database]:
    with faulty.database() as database:
        yield database


def faults_of(stack: FaultStack) -> list[Callable[[], None]]:
    """Each fault, then the restart that heals it (a killed worker is replaced by its master)."""

    def restart(name: str, sig: signal.Signals = signal.SIGKILL, down_s: float = 0.0) -> None:
        stack.kill(name, sig)
        time.sleep(down_s)
        stack.up()

    return [
        lambda: stack.kill_worker("buy"),
        lambda: stack.kill_worker("sell"),
        lambda: restart("sell"),
        lambda: restart("user_utils", signal.SIGTERM),
        lambda: restart("redis"),
        lambda: restart("database", down_s=2.0),
        lambda: stack.freeze("database", 3.0),
        lambda: restart("watcher"),
        lambda: restart("buy"),
        lambda: stack.kill_worker("user_utils"),
    ]


def test_a_workload_survives_every_fault_without_losing_or_repeating_anything(
    faulty: FaultStack, db: pymongo.database.Database, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:6]
    hit = workload(users=12, per_user=150, seed=7, suffix=f"f{tag}")
    clean = workload(users=12, per_user=150, seed=7, suffix=f"c{tag}")
    replayed = replay_through(faulty, hit, faults_of(faulty), tmp_path)
    users = sorted({c.user.removesuffix(f"f{tag}") for c in hit if c.user})
    result = assert_same_as_without_faults(
        faulty, db, replayed, users, (f"f{tag}", f"c{tag}"), clean, tmp_path
    )
    stats = replayed.stats
    print(  # shown with -s: what the run went through
        f"\nfaults: {faulty.log}\ncommands {stats.sent}, retries {stats.retries}, "
        f"refused {sum(stats.refused.values())}, users identical {result['users_matching']}/12"
    )


def test_without_the_database_commands_get_a_clean_503_and_nothing_changes(
    faulty: FaultStack,
) -> None:
    user = f"db{uuid.uuid4().hex[:8]}"
    assert faulty.post("/user_utils/add", {"username": user, "amount": "10.00"}).ok
    faulty.kill("database")
    try:
        refused = faulty.post("/user_utils/add", {"username": user, "amount": "5.00"})
        assert refused.status_code == 503
        assert refused.json()["code"] == "UNAVAILABLE" and "Traceback" not in refused.text
        for body in ({"username": user, "filename": "x.xml"}, {"filename": "all.xml"}):
            dump = faulty.post("/user_utils/dumplog", body)
            assert dump.status_code == 503 and dump.json()["code"] == "UNAVAILABLE", dump.text
        health = requests.get(faulty.url + "/user_utils/health", timeout=30)
        assert health.status_code == 503 and health.json()["database"] is False
    finally:
        faulty.up()
    assert faulty.summary(user)["funds"] == "10.00"
    assert faulty.post("/user_utils/add", {"username": user, "amount": "5.00"}).ok
    assert faulty.summary(user)["funds"] == "15.00"


def test_without_quotes_a_buy_is_refused_with_503_and_reserves_nothing(
    faulty: FaultStack,
) -> None:
    user = f"qs{uuid.uuid4().hex[:8]}"
    assert faulty.post("/user_utils/add", {"username": user, "amount": "5000.00"}).ok
    sym = "Q" + uuid.uuid4().hex[:2].upper()  # never quoted before: not in the cache
    buy = {"username": user, "sym": sym, "amount": "1000.00"}  # more than any fixed price
    for down in ("quote_server", "redis"):
        faulty.kill(down)
        try:
            resp = faulty.post("/buy/buy", buy)
            assert resp.status_code == 503, (down, resp.text)
            assert resp.json()["code"] == "UNAVAILABLE"
        finally:
            faulty.up()
        after = faulty.summary(user)
        assert after["funds"] == "5000.00" and after["pending_buys"] == [], down
    assert faulty.post("/buy/buy", buy).ok


def test_pending_trades_and_trigger_orders_survive_a_restart_of_everything(
    faulty: FaultStack,
) -> None:
    user = f"rs{uuid.uuid4().hex[:8]}"
    assert faulty.post("/user_utils/add", {"username": user, "amount": "1000.00"}).ok
    assert faulty.post("/buy/buy", {"username": user, "sym": "AB", "amount": "900.00"}).ok
    order = {"username": user, "sym": "CD", "amount": "100.00"}
    assert faulty.post("/buy/set_buy_amount", order).ok
    assert faulty.post("/buy/set_buy_trigger", {**order, "amount": "0.01"}).ok  # below the price
    before = faulty.summary(user)

    subprocess.run([*SCRIPT, "down"], env=faulty.env, cwd=ROOT, check=True, capture_output=True)
    faulty.up()

    after = faulty.summary(user)
    assert after["pending_buys"] and after["buy_triggers"] == before["buy_triggers"]
    assert after["reserved"] == before["reserved"]
    # Redis kept nothing; the watcher rebuilds its trigger index from the accounts.
    deadline = time.monotonic() + 30
    with faulty.redis() as hints:
        while user.encode() not in hints.zrange("dts:trig:BUY:CD", 0, -1):
            assert time.monotonic() < deadline, "the trigger never came back into the index"
            time.sleep(0.5)
    commit = faulty.post("/buy/commit_buy", {"username": user})
    assert commit.status_code == 200, commit.text


def test_a_service_told_to_stop_closes_its_idle_connections_instead_of_waiting_on_them(
    faulty: FaultStack,
) -> None:
    """NGINX keeps idle keep-alive connections to every service; a stopping worker must not wait
    gunicorn's whole graceful_timeout (20 s) for them to end (dts.web.gevent_worker)."""
    user = f"st{uuid.uuid4().hex[:8]}"
    for _ in range(20):
        assert faulty.post("/user_utils/add", {"username": user, "amount": "1.00"}).ok
    started = time.monotonic()
    faulty.kill("user_utils", signal.SIGTERM)
    took_s = time.monotonic() - started
    faulty.up()
    assert took_s < 10, f"user_utils took {took_s:.1f} s to stop"
    assert faulty.summary(user)["funds"] == "20.00"
