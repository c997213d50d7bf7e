"""Benchmark: replay a workload through NGINX and write a results table and a chart.

    python bench/run.py --workload backend/commands/user100.txt [--naive-limit 2000]
    python bench/run.py --workload backend/commands/user10.txt --verify all

Starts the native stack if nothing answers at --url (and stops it again at the end), replays the
workload with the real replay tool, then replays the first --naive-limit commands of it in the
naive mode (one command at a time in file order, a new connection each; its users renamed so both
runs start from empty accounts), and writes bench/results/<name>.md, .json and .png with the
machine's core count and the git revision.

--verify checks that the concurrent replay ends with the same accounts as a sequential one
(backend/replay_compare.py); the naive run is then the sequential reference, over the verified
commands.
`--verify all` compares the measured run itself: it replays the workload under fresh user names
so it starts from empty accounts, however often the stack has seen the file. `--verify N` (fewer
than all) compares a second concurrent replay of the first N commands, since the measured run has
gone past them: accounts are only comparable after the same commands.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from pymongo.errors import PyMongoError

from backend.input_script import (
    Replayer,
    default_url,
    operator_token,
    percentile,
    summary,
)
from backend.replay_compare import compare_accounts, renamed
from backend.workload import BadLine, Command, parse_lines
from bench import prometheus_view
from bench.procstats import ProcessSampler, first_and_last_tenth
from bench.procstats import markdown as procstats_markdown
from dts.adapters.mongo.accounts import connect
from dts.config import Settings

ROOT = Path(__file__).resolve().parent.parent

VERIFY_PENDING_TTL_S = 3600  # the longest the services accept


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/user_utils/health", timeout=3) as resp:
            return resp.status == 200
    except OSError:
        return False


def data_dir() -> Path:
    """Where `make up` keeps its pid files (the sampler finds the stack's processes there)."""
    return Path(os.environ.get("DTS_DATA_DIR") or ROOT / ".data")


def git_revision() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def load(path: Path) -> list[Command]:
    with path.open(encoding="utf-8", errors="replace") as lines:
        return [c for c in parse_lines(lines) if not isinstance(c, BadLine)]


def timeline(replayer: Replayer, bucket_s: float = 1.0) -> list[int]:
    counts: dict[int, int] = {}
    for t in replayer.stats.finished_at:
        slot = int((t - replayer.started) // bucket_s)
        counts[slot] = counts.get(slot, 0) + 1
    return [counts.get(i, 0) for i in range(max(counts, default=-1) + 1)]


def replay(
    url: str,
    token: str | None,
    commands: list[Command],
    naive: bool,
    concurrency: int,
    out_dir: Path,
) -> tuple[dict[str, Any], list[int]]:
    replayer = Replayer(url, token, 30.0, naive, out_dir)
    wall_s = replayer.run(commands, concurrency)
    result = summary(replayer.stats, wall_s, 0)
    everything = sorted(v for vs in replayer.stats.latency_ms.values() for v in vs)
    result["latency_ms"]["p99.9"] = round(percentile(everything, 0.999), 2)
    return result, timeline(replayer)


def chart(path: Path, title: str, runs: dict[str, tuple[dict[str, Any], list[int]]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    for mode, (_, series) in runs.items():
        left.plot(range(len(series)), series, label=mode)
    left.set(title="throughput over time", xlabel="seconds", ylabel="commands / s")
    left.legend()
    labels = ["p50", "p95", "p99"]
    width = 0.8 / max(1, len(runs))
    for i, (mode, (result, _)) in enumerate(runs.items()):
        xs = [j + i * width for j in range(len(labels))]
        right.bar(xs, [result["latency_ms"][k] for k in labels], width=width, label=mode)
    right.set_xticks([j + width * (len(runs) - 1) / 2 for j in range(len(labels))], labels)
    right.set(title="latency percentiles", ylabel="ms")
    right.legend()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def verification_markdown(v: dict[str, Any]) -> list[str]:
    lines = [
        "",
        f"Verification ({v['what']}): {v['users_compared']} users compared, "
        f"{v['users_matching']} identical, {v['users_mismatched']} different "
        f"({v['mismatches_total']} differing fields); compared "
        f"{', '.join(v['compared'])}; {v['pending_trades_folded_back']} live pending trades "
        "folded back as if expired.",
    ]
    if v["quote_mode"] != "fixed":
        lines.append(f"Quote mode {v['quote_mode']}: prices move, so differences are expected.")
    expired = v["expired_refusals"]
    if v["users_mismatched"] and (expired["concurrent"] or expired["sequential"]):
        lines.append(
            f"Pending trades expired ({v['pending_ttl_s']} s window; EXPIRED refusals: "
            f"concurrent {expired['concurrent']}, sequential {expired['sequential']}): the slower "
            "replay lets a trade expire that the faster one commits, a difference of time, not "
            "of concurrency. Verify with a longer window (DTS_PENDING_TTL_S=3600)."
        )
    if v["mismatches"]:
        lines += ["", "| user | field | concurrent | sequential |", "|---|---|---|---|"]
        for m in v["mismatches"]:
            lines.append(
                f"| {m['user']} | {m.get('field', 'account')} | {m['concurrent']} "
                f"| {m['sequential']} |"
            )
    return lines


def tenths(series: list[int]) -> dict[str, float]:
    """Mean throughput of the first and the last tenth of a run, and the change between them.

    The seconds at the end in which nothing but a final DUMPLOG was streaming are left out, and
    so is the last, partial second (`first_and_last_tenth`).
    """
    windows = first_and_last_tenth(series)
    if not windows:
        return {}
    (f0, f1), (l0, l1) = windows["first"], windows["last"]
    a, b = sum(series[f0:f1]) / (f1 - f0), sum(series[l0:l1]) / (l1 - l0)
    return {"first": round(a, 1), "last": round(b, 1), "change_pct": round(100 * (b - a) / a, 1)}


def database_at_start() -> dict[str, int] | None:
    """How much the database already holds: its server costs more per command as it fills.

    Read through the stack's own settings (MONGO_URI, DTS_MONGO_DB); None when it cannot be
    reached from here, for example a remote stack behind --url.
    """
    settings = Settings.from_env()
    db = connect(settings.mongo_uri, settings.mongo_db)
    try:
        return {
            "accounts": db.user_table.estimated_document_count(),
            "audit_records": db.transaction_table.estimated_document_count(),
        }
    except PyMongoError:
        return None
    finally:
        db.client.close()


def markdown(
    meta: dict[str, Any],
    runs: dict[str, tuple[dict[str, Any], list[int]]],
    verification: dict[str, Any] | None = None,
    processes: dict[str, Any] | None = None,
) -> str:
    lines = [
        f"# Benchmark: {meta['workload']}",
        "",
        f"git {meta['git']}, {meta['cores']} cores, {meta['python']}, {meta['date']}, "
        f"auth {meta['auth']}, quote mode {meta['quote_mode']}, "
        f"{meta.get('concurrency', 32)} commands in flight, database at start: "
        + (
            f"{meta['database_at_start']['accounts']} accounts, "
            f"{meta['database_at_start']['audit_records']} audit records"
            if meta.get("database_at_start")
            else "not read"
        ),
        "",
        "| mode | commands | wall s | cmd/s | p50 ms | p95 ms | p99 ms | accepted | refused "
        "| transport errors |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for mode, (r, _) in runs.items():
        lat = r["latency_ms"]
        lines.append(
            f"| {mode} | {r['sent']} | {r['wall_s']:.1f} | {r['throughput_per_s']:.1f} | "
            f"{lat['p50']:.1f} | {lat['p95']:.1f} | {lat['p99']:.1f} | {r['accepted']} | "
            f"{sum(r['refused'].values())} | {sum(r['transport_errors'].values())} |"
        )
    real = runs.get("real")
    if real:
        lines += [
            "",
            "Per command (real mode):",
            "",
            "| command | count | p50 ms | p95 ms | p99 ms |",
            "|---|---|---|---|---|",
        ]
        for name, row in real[0]["per_command"].items():
            lines.append(
                f"| {name} | {row['count']} | {row['p50_ms']} | {row['p95_ms']} | {row['p99_ms']} |"
            )
        steady = tenths(real[1])
        if steady:
            lines += [
                "",
                f"Throughput in the first tenth of the run {steady['first']} cmd/s, in the last "
                f"{steady['last']} cmd/s ({steady['change_pct']:+.1f} %; seconds in which only a "
                "final DUMPLOG streamed are left out).",
            ]
    if verification:
        lines += verification_markdown(verification)
    if processes:
        lines += [
            "",
            "CPU and memory of every process during the real run (bench/procstats.py):",
            "",
            procstats_markdown(processes),
        ]
        if processes.get("tenths"):
            first, last = processes["tenths"]["first"], processes["tenths"]["last"]
            lines += [
                "",
                "CPU ms per command in the first and the last tenth of the run:",
                "",
                "| component | first tenth | last tenth |",
                "|---|---:|---:|",
            ]
            for name, ms in first["cpu_ms_per_command"].items():
                lines.append(f"| {name} | {ms} | {last['cpu_ms_per_command'].get(name)} |")
    return "\n".join(lines) + "\n"


def verify_count(text: str | None, total: int) -> int | None:
    """--verify's value as a number of commands (at most `total`), None when not asked."""
    if text is None:
        return None
    if text == "all":
        return total
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"--verify takes a positive number of commands or 'all', not {text!r}")
    return min(int(text), total)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workload", type=Path, default=ROOT / "backend/commands/user10.txt")
    parser.add_argument("--url", default=default_url())
    # 16 in flight: past it the machine is busy and more only queues (docs/benchmarks.md).
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--naive-limit",
        type=int,
        default=2000,
        help="commands replayed in the naive mode (0: skip it)",
    )
    parser.add_argument(
        "--verify",
        metavar="N|all",
        help="compare the accounts of a concurrent and a sequential replay of the first N "
        "commands, or of all (the naive run covers them); a stack the benchmark starts runs with "
        "QUOTE_MODE=fixed and DTS_PENDING_TTL_S=3600 then",
    )
    parser.add_argument(
        "--sample-s", type=float, default=2.0, help="seconds between CPU/RSS samples"
    )
    parser.add_argument("--name", help="results file name (default: the workload's)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    try:
        verify_count(args.verify, sys.maxsize)
    except ValueError as exc:
        parser.error(str(exc))

    revision = git_revision()  # of the code that runs, not of whatever is checked out at the end
    started_stack = False
    if not answers(args.url):
        if args.verify:  # fixed prices, and a pending window longer than the slow replay
            os.environ.setdefault("QUOTE_MODE", "fixed")
            os.environ.setdefault("DTS_PENDING_TTL_S", str(VERIFY_PENDING_TTL_S))
        subprocess.run([sys.executable, str(ROOT / "scripts/stack.py"), "up"], check=True)
        started_stack = True
    verification: dict[str, Any] | None = None
    processes: dict[str, Any] | None = None
    seen: dict[str, Any] | None = None
    try:
        token = operator_token(None)
        commands = load(args.workload)
        at_start = database_at_start()
        scratch = args.out / "tmp"
        tag = f"{int(time.time()) % 100000}"
        verify_n = verify_count(args.verify, len(commands))
        verify_whole = verify_n == len(commands)
        runs: dict[str, tuple[dict[str, Any], list[int]]] = {}
        measured = renamed(commands, f"r{tag}") if verify_whole else commands
        print(f"real mode: {len(commands)} commands, concurrency {args.concurrency}")
        with ProcessSampler(data_dir(), interval_s=args.sample_s) as sampler:
            started = time.time()
            replay_offset_s = time.perf_counter() - sampler.started_at
            runs["real"] = replay(args.url, token, measured, False, args.concurrency, scratch)
            ended = time.time()
        processes = sampler.summary(commands=runs["real"][0]["sent"])
        processes["tenths"] = sampler.cpu_by_tenth(runs["real"][1], replay_offset_s)
        seen = prometheus_view.view(
            prometheus_view.prometheus_url(),
            started,
            ended,
            runs["real"][0]["sent"],
            fresh=started_stack,
        )
        compared = "real"
        if verify_n is not None and not verify_whole:
            prefix = renamed(commands[:verify_n], f"c{tag}")
            print(f"real mode again: the first {len(prefix)} commands, to verify")
            compared = f"real, first {len(prefix)}"
            runs[compared] = replay(args.url, token, prefix, False, args.concurrency, scratch)
        naive_limit = args.naive_limit if verify_n is None else verify_n
        if naive_limit:
            sample = renamed(commands[:naive_limit], f"n{tag}")
            print(f"naive mode: the first {len(sample)} commands, one at a time")
            runs["naive"] = replay(args.url, token, sample, True, 1, scratch)
        if verify_n is not None:
            users = sorted({c.user for c in commands[:verify_n] if c.user})
            print(f"verifying {len(users)} users: concurrent against sequential replay")
            verification = {
                "what": "the measured run against the naive run"
                if verify_whole
                else f"a concurrent replay of the first {verify_n} commands against the naive run",
                "commands": verify_n,
                "quote_mode": os.environ.get("QUOTE_MODE", "random"),
                "pending_ttl_s": int(os.environ.get("DTS_PENDING_TTL_S", "60")),
                "expired_refusals": {
                    "concurrent": runs[compared][0]["refused"].get("EXPIRED", 0),
                    "sequential": runs["naive"][0]["refused"].get("EXPIRED", 0),
                },
                **compare_accounts(
                    args.url, token, users, f"r{tag}" if verify_whole else f"c{tag}", f"n{tag}"
                ),
            }
    finally:
        if started_stack:
            subprocess.run([sys.executable, str(ROOT / "scripts/stack.py"), "down"], check=False)

    name = args.name or args.workload.stem
    meta = {
        "workload": args.workload.name,
        "git": revision,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "auth": os.environ.get("DTS_AUTH", "on"),
        "quote_mode": os.environ.get("QUOTE_MODE", "random"),
        "concurrency": args.concurrency,
        "database_at_start": at_start,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "meta": meta,
        **{mode: {**r, "timeline_per_s": t} for mode, (r, t) in runs.items()},
    }
    if verification is not None:
        report["verification"] = verification
    if processes is not None:
        report["processes"] = processes
    if "real" in runs:
        report["real"]["throughput_tenths"] = tenths(runs["real"][1])
    text = markdown(meta, runs, verification, processes)
    if seen is not None:
        agreed = prometheus_view.agreement(runs["real"][0], seen)
        report["prometheus"] = {**seen, **agreed}
        text += "\n".join(prometheus_view.markdown(seen, agreed)) + "\n"
    (args.out / f"{name}.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out / f"{name}.md").write_text(text)
    chart(args.out / f"{name}.png", f"{args.workload.name} @ {meta['git']}", runs)
    print(text)
    failed = any(r["transport_errors"] for r, _ in runs.values())
    return 1 if failed or (verification and verification["users_mismatched"]) else 0


if __name__ == "__main__":
    raise SystemExit(main())
