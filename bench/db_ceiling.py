"""The database's ceiling: DTS's own storage code against the database server, with nothing else.

    python bench/db_ceiling.py [--threads 1 8 32] [--seconds 20] [--mongo-uri URI]

Each simulated command is what an ADD costs the database through the real adapters: a load and a
guarded save by `AccountStore.apply` and two audit records by `AuditLog.record` (batched and
written behind, as in the services; the run's time includes writing the last of them), for users
of its own, one thread per user at a time. No HTTP, no Flask, no Redis: so the rate printed is
the most commands per second the database server can carry, and its CPU per command shows how
much of a core one command takes there. Without --mongo-uri it starts a development database
server (standalone, as the native stack does) in a temporary directory.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from dts.adapters.audit.log import AuditLog
from dts.adapters.audit.outbox import RecordedIds
from dts.adapters.memory import FixedQuotes
from dts.adapters.mongo.accounts import AccountStore, connect, ensure_indexes
from dts.config import Settings
from dts.domain.change import Change
from dts.domain.events import Event, EventType
from dts.services import Caller, Services


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    raw = Path(f"/proc/{pid}/stat").read_text()
    fields = raw[raw.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_database(sync: bool = True) -> tuple[subprocess.Popen, str, Path]:
    """Started as scripts/stack.py starts it: standalone, and syncing each commit unless told."""
    home = Path(tempfile.mkdtemp(prefix="dts-ceiling-"))
    port = free_port()
    server = Path(sys.executable).parent / "secantusd-py"
    cmd = [str(server), "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--storage-path", str(home / "db"), "--standalone"]
    if sync:
        cmd.append("--sync-on-commit")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, f"mongodb://127.0.0.1:{port}/?retryWrites=false", home
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("the database server did not start")


def clock_ms() -> int:
    return int(time.time() * 1000)


def add_rule(ch: Change) -> None:
    ch.credit_cash(1)
    ch.note("ADD", amount_cents=1)


def run(uri: str, threads: int, seconds: float, server_pid: int | None) -> dict[str, float]:
    db = connect(uri, f"ceiling{threads}")
    db.client.drop_database(f"ceiling{threads}")
    ensure_indexes(db)
    # Shared as in dts.wiring: without it the store never learns that the audit log stored an
    # account's outbox, carries every event forward, and each command grows the account.
    recorded = RecordedIds()
    audit = AuditLog(db, "ceiling", recorded=recorded)
    services = Services(
        Settings(), AccountStore(db, recorded=recorded), FixedQuotes(clock_ms), audit, clock_ms
    )
    trx = itertools.count(1)
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def user(n: int) -> None:
        name = f"ceiling-{n}"
        mine: list[float] = []
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            t = next(trx)
            now = int(time.time() * 1000)
            caller = Caller(name, t)
            caller.trail.append(Event(EventType.USER_COMMAND, now, t, "ADD", name, amount_cents=1))
            services.apply(caller, "ADD", add_rule, create=True)
            audit.record(caller.trail)
            mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)

    cpu0 = cpu_seconds(server_pid) if server_pid else None
    started = time.perf_counter()
    workers = [threading.Thread(target=user, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    wall = time.perf_counter() - started
    latencies.sort()
    done = len(latencies)
    result = {
        "threads": threads,
        "commands": done,
        "per_s": round(done / wall, 1),
        "p50_ms": round(1000 * latencies[done // 2], 2),
        "p99_ms": round(1000 * latencies[int(done * 0.99)], 2),
    }
    if cpu0 is not None and server_pid:
        result["db_cpu_ms_per_command"] = round(1000 * (cpu_seconds(server_pid) - cpu0) / done, 3)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--mongo-uri", help="an existing server (its CPU is then not measured)")
    parser.add_argument(
        "--no-sync",
        action="store_true",
        help="start the server without --sync-on-commit (the native stack's DTS_DB_SYNC=off)",
    )
    args = parser.parse_args(argv)
    proc = home = None
    uri = args.mongo_uri
    if uri is None:
        proc, uri, home = start_database(sync=not args.no_sync)
    try:
        print("threads  commands/s  p50 ms  p99 ms  database CPU ms/command")
        for n in args.threads:
            r = run(uri, n, args.seconds, proc.pid if proc else None)
            cpu = r.get("db_cpu_ms_per_command", "-")
            print(f"{n:7d}  {r['per_s']:10.1f}  {r['p50_ms']:6.1f}  {r['p99_ms']:6.1f}  {cpu}")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        if home is not None:
            shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
