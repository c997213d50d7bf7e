"""What the fault and replica tests share: a native stack of their own that they may break, and
the check that a workload replayed through faults ends exactly as the same workload without any.

The stack runs with fixed quote prices and a pending window longer than the test, so the outcome of
every command depends only on the commands before it: the same workload replayed again under other
user names, with no fault, must leave every account exactly the same, and the audit log must hold
each committed cash movement exactly once.
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
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pymongo
import pymongo.database
import redis
import requests

from backend.generate_workload import generate
from backend.input_script import Replayer
from backend.replay_compare import compare_accounts, renamed
from backend.workload import BadLine, Command, parse_lines, segments
from tests.integration.harness import ROOT, StoredLog

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
    port_base: int
    log: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, data_dir: Path, http_port: int, port_base: int, **env: str) -> FaultStack:
        stack = cls(
            f"http://127.0.0.1:{http_port}",
            data_dir,
            {
                **os.environ,
                "DTS_DATA_DIR": str(data_dir),
                "DTS_HTTP_PORT": str(http_port),
                "DTS_PORT_BASE": str(port_base),
                "QUOTE_MODE": "fixed",
                "DTS_PENDING_TTL_S": "3600",
                "DTS_WATCH_INTERVAL_S": "1",
                "DTS_HINT_REBUILD_S": "2",
                "DTS_OPERATOR_TOKEN": TOKEN,
                "DTS_SECRET_KEY": "fault-signing-" + uuid.uuid4().hex,
                "DTS_WORKERS": "2",
                "DTS_THREADS": "4",
                **env,
            },
            f"mongodb://127.0.0.1:{port_base + 17}/?retryWrites=false",
            port_base,
        )
        try:
            stack.up()
        except BaseException:
            stack.stop()
            raise
        return stack

    def stop(self) -> None:
        subprocess.run([*SCRIPT, "down"], env=self.env, cwd=ROOT, check=False, capture_output=True)
        if os.environ.get("DTS_TEST_KEEP_DATA") != "1":
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def pid(self, name: str) -> int:
        text = (self.data_dir / "run" / f"{name}.pid").read_text()
        return int(text.split()[0])

    def kill(self, name: str, sig: signal.Signals = signal.SIGKILL) -> None:
        """Kills a whole component (its process group), as a crash or an operator would."""
        self.log.append(f"{sig.name} {name}")
        pid = self.pid(name)
        os.killpg(pid, sig)
        # Past gunicorn's graceful_timeout (20 s), after which its master kills what is left: a
        # restart must not find the old process still there and take it for the new one.
        deadline = time.monotonic() + 40
        while _alive(pid):
            assert time.monotonic() < deadline, f"{name} still runs 40 s after {sig.name}"
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

    @contextmanager
    def database(self) -> Iterator[pymongo.database.Database]:
        """The stack's own database, for reading what the tests cannot see over HTTP."""
        client: pymongo.MongoClient = pymongo.MongoClient(self.mongo_uri)
        try:
            yield client["dts"]
        finally:
            client.close()

    @contextmanager
    def redis(self) -> Iterator[redis.Redis]:
        """The stack's Redis (the watchers' index and leader lease live there)."""
        client = redis.Redis(port=self.port_base + 79)
        try:
            yield client
        finally:
            client.close()


def _alive(pid: int) -> bool:
    """Still running: a zombie waiting for its reaper counts as gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] not in {"Z", "X"}


def workload(users: int, per_user: int, seed: int, suffix: str) -> list[Command]:
    lines = generate(users, per_user, seed, dumplog=f"./faults-{suffix}.xml")
    commands = [c for c in parse_lines(lines) if not isinstance(c, BadLine)]
    return renamed(commands, suffix)


def replayer(stack: FaultStack, out_dir: Path) -> Replayer:
    return Replayer(stack.url, TOKEN, 20.0, False, out_dir, retries=RETRIES)


def cash_events(db: pymongo.database.Database, user: str) -> list[dict[str, Any]]:
    return StoredLog(db).find({"username": user, "type": "accountTransaction"})


def signed_sum(events: list[dict[str, Any]]) -> int:
    return sum(e["amount"] if e["action"] == "add" else -e["amount"] for e in events)


def cents(dollars: str) -> int:
    return int(Decimal(dollars) * 100)


def replay_through(
    stack: FaultStack,
    commands: list[Command],
    faults: list[Callable[[], None]],
    out_dir: Path,
    expect_retries: bool = True,
) -> Replayer:
    """Replays `commands` while `faults` happen one after another, a second apart.

    The replay goes in chunks while the faults are tried. If the workload runs out first, other
    users' generated commands (never compared) keep the stack busy until the last fault is over:
    so every fault meets a running workload, however fast this machine replays or slow it
    restarts. Each user's commands stay in order; the DUMPLOG comes last.
    """
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

    replaying = replayer(stack, out_dir)
    injector = threading.Thread(target=inject, daemon=True)
    injector.start()
    position = 0
    body = [c for segment in segments(commands) for c in segment if c.name != "DUMPLOG"]
    while position < len(body) and not done.is_set():
        replaying.run(body[position : position + CHUNK], concurrency=8)
        position += CHUNK
    filler = replayer(stack, out_dir)
    while not done.is_set():
        extra = workload(users=4, per_user=50, seed=position, suffix=f"x{uuid.uuid4().hex[:6]}")
        filler.run([c for c in extra if c.name != "DUMPLOG"], concurrency=4)
        position += 1
    injector.join()
    assert not failures, failures
    replaying.run(body[position:] + [c for c in commands if c.name == "DUMPLOG"], concurrency=8)
    stats = replaying.stats
    assert dict(stats.transport_errors) == {}, (stats.transport_errors, stack.log)
    assert stats.sent == len(commands)
    if expect_retries:  # replicas may absorb every fault: NGINX moves a refused request on
        assert stats.retries > 0, "no fault reached a request: the test proved nothing"
    return replaying


def assert_same_as_without_faults(
    stack: FaultStack,
    db: pymongo.database.Database,
    hit: Replayer,
    users: list[str],
    suffixes: tuple[str, str],
    clean: list[Command],
    out_dir: Path,
) -> dict[str, Any]:
    """Replays `clean` (the same workload, other names) with no fault and compares every account
    and every user's logged cash movements with the faulted run's."""
    hit_suffix, clean_suffix = suffixes
    reference = replayer(stack, out_dir)
    reference.run(clean, concurrency=8)
    assert dict(reference.stats.transport_errors) == {}
    assert reference.stats.retries == 0  # nothing failed here: the comparison has a sound base
    result = compare_accounts(stack.url, TOKEN, users, hit_suffix, clean_suffix)
    assert result["users_mismatched"] == 0, (result["mismatches"], stack.log)
    assert result["users_compared"] == len(users)
    assert Counter(reference.stats.refused) == Counter(hit.stats.refused)
    for user in users:  # what killed processes left in outboxes and queues goes into the log
        for name in (user + hit_suffix, user + clean_suffix):
            dumped = stack.post("/user_utils/dumplog", {"username": name, "filename": "f.xml"})
            assert dumped.status_code == 200, dumped.text
    for user in users:  # the audit log: each committed cash movement once, none missing
        hit_events = cash_events(db, user + hit_suffix)
        clean_events = cash_events(db, user + clean_suffix)
        assert all(isinstance(e["_id"], str) for e in hit_events)
        assert len(hit_events) == len(clean_events), user
        funds = cents(stack.summary(user + hit_suffix)["funds"])
        assert signed_sum(hit_events) == funds == signed_sum(clean_events), user
    return result
