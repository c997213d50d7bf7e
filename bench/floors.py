"""The floor of each part a command goes through: what it costs with nothing of DTS around it.

    python bench/floors.py [--requests 20000] [--ops 5000] [--out bench/results]

A command costs the service that serves it an HTTP request under gunicorn and Flask, an account
read and (for a change) a guarded write through pymongo, and one or two Redis commands (the quote,
the audit journal). This measures each alone, one at a time, on this machine:

- a Flask app that answers `{"ok": true}` and does nothing else, under gunicorn's gevent and
  gthread workers, driven over keep-alive connections 16 at a time: the worker's CPU per request;
- pymongo against a fresh development database server: the client's CPU per `find` by `_id` and
  per guarded `update_one` of an account-sized document, and the server's;
- redis-py against a fresh Redis: the client's CPU per `GET` and per `XADD`.

So a service's CPU per command can be compared with what its parts cost at the least. Writes
bench/results/floors.md and floors.json. Run it while nothing else does.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.db_ceiling import cpu_seconds, free_port

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
JSON = {"Content-Type": "application/json"}

NOOP_APP = """
from flask import Flask, jsonify

def create_app():
    app = Flask("noop")

    @app.post("/noop")
    def noop():
        return jsonify({"ok": True})

    return app
"""


def cpu_s(pids: list[int]) -> float:
    return sum(cpu_seconds(pid) for pid in pids)


def children(pid: int) -> list[int]:
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                raw = Path(f"/proc/{entry.name}/stat").read_text()
            except OSError:
                continue
            if int(raw[raw.rindex(")") + 2 :].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def wait_for_port(port: int, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"nothing listens on {port}")


def flask_floor(worker: str, requests: int, in_flight: int, scratch: Path) -> dict[str, Any]:
    (scratch / "noop_app.py").write_text(NOOP_APP)
    port = free_port()
    args = [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1"]
    args += ["--worker-class", worker, "--threads", "16", "--worker-connections", "256"]
    args += ["--keep-alive", "75", "--worker-tmp-dir", "/dev/shm", "noop_app:create_app()"]
    server = subprocess.Popen(args, cwd=scratch, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        time.sleep(1.0)
        workers = children(server.pid)
        per_client = requests // in_flight

        def client() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port)
            for _ in range(per_client):
                conn.request("POST", "/noop", body=b"{}", headers=JSON)
                conn.getresponse().read()
            conn.close()

        before = cpu_s(workers)
        started = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(in_flight)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
        used = cpu_s(workers) - before
        done = per_client * in_flight
        return {
            "part": f"Flask under gunicorn's {worker} worker, a request that does nothing",
            "client_ms": None,
            "server_ms": round(1000 * used / done, 3),
            "per_s": round(done / wall, 1),
        }
    finally:
        server.terminate()
        server.wait(10)


def account_document(name: str) -> dict[str, Any]:
    from dts.adapters.mongo.accounts import to_document
    from dts.domain.account import Account

    account = Account(username=name, funds_cents=1_234_567, stocks={"ABC": 10, "XYZ": 3})
    account.transactions = [
        {"type": "ADD", "amount": 10_000, "timestamp": 1_700_000_000_000 + i, "trxNum": i}
        for i in range(20)
    ]
    doc = to_document(account)
    doc["transactions"] = json.dumps(doc["transactions"], separators=(",", ":"))
    doc["_id"] = name
    doc["version"] = 0
    return doc


def mongo_floor(ops: int, scratch: Path) -> list[dict[str, Any]]:
    from pymongo import MongoClient, UpdateOne

    port = free_port()
    server = subprocess.Popen(
        [
            *(str(BIN / "secantusd-py"), "--host", "127.0.0.1", "--port", str(port)),
            *("--storage-path", str(scratch / "db"), "--sync-on-commit"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        users = MongoClient(f"mongodb://127.0.0.1:{port}/?retryWrites=false").dts.user_table
        names = [f"floor{i}" for i in range(100)]
        users.insert_many([account_document(n) for n in names])
        rows = []

        def measure(part: str, op: Any) -> None:
            server_before, client_before = cpu_s([server.pid]), time.process_time()
            for i in range(ops):
                op(i)
            rows.append(
                {
                    "part": part,
                    "client_ms": round(1000 * (time.process_time() - client_before) / ops, 3),
                    "server_ms": round(1000 * (cpu_s([server.pid]) - server_before) / ops, 3),
                    "per_s": None,
                }
            )

        measure(
            "pymongo: an account read by `_id` (`find` with `$in`, as the batched reader)",
            lambda i: list(users.find({"_id": {"$in": [names[i % 100]]}})),
        )
        versions = dict.fromkeys(names, 0)

        def guarded_write(i: int) -> None:
            name = names[i % 100]
            doc = {k: v for k, v in account_document(name).items() if k not in ("_id", "version")}
            update = {"$set": {**doc, "ops.1": "0123456789abcdef"}, "$inc": {"version": 1}}
            users.bulk_write([UpdateOne({"_id": name, "version": versions[name]}, update)])
            versions[name] += 1

        measure("pymongo: a guarded account write (`bulk_write` of one `UpdateOne`)", guarded_write)
        return rows
    finally:
        server.terminate()
        server.wait(10)


def redis_floor(ops: int, scratch: Path) -> list[dict[str, Any]]:
    import redis

    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--dir", str(scratch)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        client = redis.Redis(port=port)
        client.set("dts:quote:ABC", json.dumps({"sym": "ABC", "price_cents": 12345}))
        rows = []
        record = json.dumps([{"type": "userCommand", "username": "u", "trxNum": 1}] * 2)
        for part, op in (
            ("redis-py: a cached quote (`GET`)", lambda: client.get("dts:quote:ABC")),
            ("redis-py: a journal entry (`XADD`)", lambda: client.xadd("floor", {"r": record})),
        ):
            server_before, client_before = cpu_s([server.pid]), time.process_time()
            for _ in range(ops):
                op()
            rows.append(
                {
                    "part": part,
                    "client_ms": round(1000 * (time.process_time() - client_before) / ops, 3),
                    "server_ms": round(1000 * (cpu_s([server.pid]) - server_before) / ops, 3),
                    "per_s": None,
                }
            )
        return rows
    finally:
        server.terminate()
        server.wait(10)


def markdown(rows: list[dict[str, Any]], revision: str) -> str:
    lines = [
        "# Floors: what each part of a command costs alone",
        "",
        f"git {revision}, {os.cpu_count()} cores, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} (bench/floors.py)",
        "",
        "| part | client CPU ms per op | server CPU ms per op | per second |",
        "|---|---:|---:|---:|",
    ]
    for r in rows:
        cells = ["-" if c is None else str(c) for c in (r["client_ms"], r["server_ms"], r["per_s"])]
        lines.append(f"| {r['part']} | {' | '.join(cells)} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--ops", type=int, default=5_000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="dts-floors-"))
    try:
        rows = [flask_floor(w, args.requests, 16, scratch) for w in ("gevent", "gthread")]
        rows += mongo_floor(args.ops, scratch)
        rows += redis_floor(args.ops, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    revision = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    text = markdown(rows, revision)
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "floors.md").write_text(text)
    summary = json.dumps({"git": revision, "rows": rows}, indent=2)
    (args.out / "floors.json").write_text(summary + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
