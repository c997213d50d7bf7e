"""Measures a DUMPLOG over many events: time, size, and the peak memory of the service.

    python bench/dumplog_memory.py --events 1000000 [--pack]

Against the running native stack (DTS_DATA_DIR, DTS_HTTP_PORT as for `make up`): inserts synthetic
audit events straight into `transaction_table` (for users named `memtest-*`, so they are easy to
tell apart; two events per command, one document each or, with `--pack`, one document per
command as DTS_PACK_AUDIT stores a command's trail), asks NGINX for the operator's DUMPLOG of
everyone, streams the answer to a file, and samples the resident memory of the user-utilities
service's processes while it runs. Prints the numbers and writes them to
bench/results/dumplog_memory.json.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from pathlib import Path

import pymongo
import requests

from backend.input_script import default_url, operator_token
from dts.adapters.audit.log import NAMES, insert_ignoring_repeats
from dts.adapters.audit.packed import pack

ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    return Path(os.environ.get("DTS_DATA_DIR") or ROOT / ".data")


def service_pids(name: str) -> list[int]:
    """The gunicorn master recorded by the stack, and its workers."""
    master = int((data_dir() / "run" / f"{name}.pid").read_text().split()[0])
    pids = [master]
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                stat = (proc / "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == master:
                pids.append(int(proc.name))
    return pids


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def insert_events(
    db: pymongo.database.Database, count: int, batch: int = 5000, packed: bool = False
) -> float:
    started = time.perf_counter()
    now = int(time.time() * 1000)
    kinds = ["userCommand", "accountTransaction", "quoteServer", "errorEvent"]
    for offset in range(0, count, batch):
        docs = []
        for i in range(offset, min(count, offset + batch)):
            kind = kinds[i % 4]
            doc = {
                "_id": f"memtest:{now}:{i}",
                "timestamp": now + i,
                "type": kind,
                "server": "memtest",
                "transactionNum": i // 2 + 1,
                "username": f"memtest-{i // 2 % 1000}",
            }
            if kind == "userCommand":
                doc.update(command="BUY", sym="ABC", amount=12345)
            elif kind == "accountTransaction":
                doc.update(action="remove", amount=12345)
            elif kind == "quoteServer":
                doc.update(sym="ABC", price=4321, quoteServerTime=now, cryptokey="k" * 43)
            else:
                doc.update(command="SELL", sym="ABC", errorMessage="insufficient shares of ABC")
            docs.append(doc)
        if packed:
            docs = [d for k in range(0, len(docs), 2) for d in pack(docs[k : k + 2])]
        db.transaction_table.insert_many(docs, ordered=False)
    # Their names, as dts.adapters.audit.log lists every name it stores (some listed by an earlier
    # run).
    names = [{"_id": f"memtest-{i}"} for i in range(min(count, 1000))]
    insert_ignoring_repeats(db[NAMES], names)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument(
        "--mongo-uri",
        default=os.environ.get("MONGO_URI")
        or f"mongodb://127.0.0.1:{int(os.environ.get('DTS_PORT_BASE') or 18000) + 17}"
        "/?retryWrites=false",
    )
    parser.add_argument("--skip-insert", action="store_true", help="reuse events already there")
    parser.add_argument("--pack", action="store_true", help="one document per command's events")
    args = parser.parse_args(argv)

    db = pymongo.MongoClient(args.mongo_uri)["dts"]
    insert_s = 0.0
    if not args.skip_insert:
        print(f"inserting {args.events} events ...", flush=True)
        insert_s = insert_events(db, args.events, packed=args.pack)
    total_documents = db.transaction_table.estimated_document_count()

    pids = service_pids("user_utils")
    db_pid = int((data_dir() / "run" / "database.pid").read_text().split()[0])
    baseline = {pid: rss_mb(pid) for pid in pids}
    peaks = dict(baseline)
    db_before = db_peak = rss_mb(db_pid)
    done = threading.Event()

    def sample() -> None:
        nonlocal db_peak
        while not done.is_set():
            for pid in pids:
                peaks[pid] = max(peaks[pid], rss_mb(pid))
            db_peak = max(db_peak, rss_mb(db_pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out = ROOT / "bench" / "results" / "tmp" / "dumplog-memory.xml"
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with requests.post(
        default_url() + "/user_utils/dumplog",
        json={"filename": "memtest.xml"},
        headers={"Authorization": f"Bearer {operator_token(None)}"},
        stream=True,
        timeout=3600,
    ) as resp:
        resp.raise_for_status()
        with out.open("wb") as f:
            for chunk in resp.iter_content(1 << 16):
                f.write(chunk)
    dump_s = time.perf_counter() - started
    done.set()
    sampler.join()
    with out.open("rb") as f:
        written = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b"")) - 3
    result = {
        "documents_in_table": total_documents,
        "packed": args.pack,
        "events_in_dump": written,
        "insert_s": round(insert_s, 1),
        "dumplog_s": round(dump_s, 1),
        "dump_mb": round(out.stat().st_size / 1e6, 1),
        "service_rss_mb": {
            str(pid): {"before": round(baseline[pid], 1), "peak": round(peaks[pid], 1)}
            for pid in pids
        },
        "service_peak_rss_mb": round(max(peaks.values()), 1),
        "database_rss_before_mb": round(db_before, 1),
        "database_peak_rss_mb": round(db_peak, 1),
    }
    print(json.dumps(result, indent=2))
    (ROOT / "bench" / "results" / "dumplog_memory.json").write_text(
        json.dumps(result, indent=2) + "\n"
    )
    out.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
