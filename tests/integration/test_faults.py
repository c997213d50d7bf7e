"""Faults under load: workers, services, Redis, the watcher and the database server killed and
restarted while a generated workload replays, and the single faults one at a time.

The stack here is its own (own ports and data directory), because these tests kill its parts. It
runs with fixed quote prices and a pending window longer than the test, so the outcome of every
command depends only on the commands before it: the same workload replayed again under other user
names, with no fault, must leave every account exactly the same, and the audit log must hold each
committed cash movement exactly once.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pymongo
import pymongo.database
import pytest
import redis
import requests

from backend.generate_workload import generate
from backend.input_script import Replayer
from backend.workload import BadLine, Command, parse_lines, segments
from bench.run import renamed
from bench.verify import compare_accounts

ROOT = Path(__file__).resolve().parents[2]
HTTP_PORT = int(os.environ.get("DTS_FAULT_HTTP_PORT", "18680"))
PORT_BASE = int(os.environ.get("DTS_FAULT_PORT_BASE", "18700"))
TOKEN = "fault-operator-" + uuid.uuid4().hex
SCRIPT = [sys.executable, str(ROOT / "scripts" / "stack.py")]
CHUNK = 150  # commands replayed between looks at whether the faults are done
RETRIES = 12  # the replay's retries per command: enough to outlast any restart here


@dataclass
class FaultStack:
    url: str
    data_dir: Path
    env: dict[str, str]
    mongo_uri: str
    log: list[str] = field(default_factory=list)

    def pid(self, name: str) -> int:
        text = (self.data_dir / "run" / f"{name}.pid").read_text()
        return int(text.split()[0])

    def kill(self, name: str, sig: signal.Signals = signal.SIGKILL) -> None:
        """Kills a whole component (its process group), as a crash or an operator would."""
        self.log.append(f"{sig.name} {name}")
        os.killpg(self.pid(name), sig)
        deadline = time.monotonic() + 20
        while _alive(self.pid(name)) and time.monotonic() < deadline:
            time.sleep(0.05)

    def freeze(self, name: str, seconds: float) -> None:
        """Stops a component without killing it (SIGSTOP): to the others, a network partition."""
        self.log.append(f"SIGSTOP {name} for {seconds} s")
        os.killpg(self.pid(name), signal.SIGSTOP)
        time.sleep(seconds)
        os.killpg(self.pid(name), signal.SIGCONT)

    def kill_worker(self, name: str) -> None:
        """SIGKILL to one gunicorn worker: its master starts another, requests in it are cut."""
        master = self.pid(name)
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        self.log.append(f"SIGKILL a worker of {name}")
        os.kill(int(children[0]), signal.SIGKILL)

    def up(self) -> None:
        """Starts whatever is not running (scripts/stack.py up), and waits until it answers."""
        done = subprocess.run([*SCRIPT, "up"], env=self.env, cwd=ROOT, capture_output=True)
        assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
        self.log.append("up")

    def post(self, path: str, body: dict[str, Any], **kw: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {TOKEN}", **kw.pop("headers", {})}
        return requests.post(self.url + path, json=body, headers=headers, timeout=30, **kw)

    def summary(self, user: str) -> dict[str, Any]:
        resp = self.post("/user_utils/display_summary", {"username": user})
        assert resp.status_code == 200, resp.text
        return resp.json()


def _alive(pid: int) -> bool:
    """Still running: a zombie waiting for its reaper counts as gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] not in {"Z", "X"}


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultStack]:
    data_dir = Path(tmp_path_factory.mktemp("faults"))
    env = {
        **os.environ,
        "DTS_DATA_DIR": str(data_dir),
        "DTS_HTTP_PORT": str(HTTP_PORT),
        "DTS_PORT_BASE": str(PORT_BASE),
        "QUOTE_MODE": "fixed",
        "DTS_PENDING_TTL_S": "3600",
        "DTS_WATCH_INTERVAL_S": "1",
        "DTS_HINT_REBUILD_S": "2",
        "DTS_OPERATOR_TOKEN": TOKEN,
        "DTS_SECRET_KEY": "fault-signing-" + uuid.uuid4().hex,
        "DTS_WORKERS": "2",
        "DTS_THREADS": "4",
    }
    stack = FaultStack(
        f"http://127.0.0.1:{HTTP_PORT}",
        data_dir,
        env,
        f"mongodb://127.0.0.1:{PORT_BASE + 17}/?retryWrites=false",
    )
    try:
        stack.up()
        yield stack
    finally:
        subprocess.run([*SCRIPT, "down"], env=env, cwd=ROOT, check=False, capture_output=True)
        if os.environ.get("DTS_TEST_KEEP_DATA") != "1":
            shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def db(faulty: FaultStack) -> Iterator[pymongo.database.Database]:
    client: pymongo.MongoClient = pymongo.MongoClient(faulty.mongo_uri)
    yield client["dts"]
    client.close()


def _workload(users: int, per_user: int, seed: int, suffix: str) -> list[Command]:
    lines = generate(users, per_user, seed, dumplog=f"./faults-{suffix}.xml")
    commands = [c for c in parse_lines(lines) if not isinstance(c, BadLine)]
    return renamed(commands, suffix)


def _replayer(stack: FaultStack, out_dir: Path) -> Replayer:
    return Replayer(stack.url, TOKEN, 20.0, False, out_dir, retries=RETRIES)


def _faults(stack: FaultStack) -> list[Callable[[], None]]:
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


def _cash_events(db: pymongo.database.Database, user: str) -> list[dict[str, Any]]:
    return list(db.transaction_table.find({"username": user, "type": "accountTransaction"}))


def _signed_sum(events: list[dict[str, Any]]) -> int:
    return sum(e["amount"] if e["action"] == "add" else -e["amount"] for e in events)


def _cents(dollars: str) -> int:
    return int(Decimal(dollars) * 100)


def test_a_workload_survives_every_fault_without_losing_or_repeating_anything(
    faulty: FaultStack, db: pymongo.database.Database, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:6]
    hit = _workload(users=12, per_user=250, seed=7, suffix=f"f{tag}")
    clean = _workload(users=12, per_user=250, seed=7, suffix=f"c{tag}")
    faults = _faults(faulty)
    done = threading.Event()
    failures: list[BaseException] = []

    def inject() -> None:
        try:
            for fault in faults:
                time.sleep(1.0)
                fault()
        except BaseException as exc:  # reported by the test, not lost in the thread
            failures.append(exc)
        finally:
            done.set()

    replayer = _replayer(faulty, tmp_path)
    injector = threading.Thread(target=inject, daemon=True)
    injector.start()
    position = 0
    body = [c for segment in segments(hit) for c in segment if c.name != "DUMPLOG"]
    while position < len(body) and not done.is_set():
        replayer.run(body[position : position + CHUNK], concurrency=8)
        position += CHUNK
    assert done.is_set(), "the workload ran out before every fault was tried"
    injector.join()
    assert not failures, failures
    replayer.run(body[position:] + [c for c in hit if c.name == "DUMPLOG"], concurrency=8)
    stats = replayer.stats
    assert dict(stats.transport_errors) == {}, (stats.transport_errors, faulty.log)
    assert stats.sent == len(hit)

    reference = _replayer(faulty, tmp_path)
    reference.run(clean, concurrency=8)
    assert dict(reference.stats.transport_errors) == {}
    assert reference.stats.retries == 0  # nothing failed here: the comparison has a sound base

    users = sorted({c.user.removesuffix(f"f{tag}") for c in hit if c.user})
    result = compare_accounts(faulty.url, TOKEN, users, f"f{tag}", f"c{tag}")
    assert result["users_mismatched"] == 0, (result["mismatches"], faulty.log)
    assert result["users_compared"] == 12
    assert Counter(reference.stats.refused) == Counter(stats.refused)

    for user in users:  # the audit log: each committed cash movement once, none missing
        hit_events = _cash_events(db, user + f"f{tag}")
        clean_events = _cash_events(db, user + f"c{tag}")
        assert all(isinstance(e["_id"], str) for e in hit_events)
        assert len(hit_events) == len(clean_events), user
        funds = _cents(faulty.summary(user + f"f{tag}")["funds"])
        assert _signed_sum(hit_events) == funds == _signed_sum(clean_events), user
    assert stats.retries > 0, "no fault reached a request: the test proved nothing"
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
    hints = redis.Redis(port=PORT_BASE + 79)
    deadline = time.monotonic() + 30
    while user.encode() not in hints.zrange("dts:trig:BUY:CD", 0, -1):
        assert time.monotonic() < deadline, "the trigger never came back into the watcher's index"
        time.sleep(0.5)
    hints.close()
    commit = faulty.post("/buy/commit_buy", {"username": user})
    assert commit.status_code == 200, commit.text
