"""Benchmark: replay a workload through NGINX and write a results table and a chart.

    python bench/run.py --workload backend/commands/user100.txt [--naive-limit 2000]

Starts the native stack if nothing answers at --url (and stops it again at the end), replays the
workload with the real replay tool, then replays the first --naive-limit commands of it in the
naive mode (one command at a time, a new connection each; its users renamed so both runs start
from empty accounts), and writes bench/results/<name>.md, .json and .png with the machine's core
count and the git revision.
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
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.input_script import (  # noqa: E402
    Replayer,
    default_url,
    operator_token,
    percentile,
    summary,
)
from backend.workload import BadLine, Command, parse_lines  # noqa: E402


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/user_utils/health", timeout=3) as resp:
            return resp.status == 200
    except OSError:
        return False


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


def renamed(commands: list[Command], suffix: str) -> list[Command]:
    """The same commands for other users, so a second run starts from empty accounts."""
    out = []
    for c in commands:
        body = dict(c.body)
        if "username" in body:
            body["username"] = f"{body['username']}{suffix}"
        out.append(replace(c, user=c.user and f"{c.user}{suffix}", body=body))
    return out


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


def markdown(meta: dict[str, Any], runs: dict[str, tuple[dict[str, Any], list[int]]]) -> str:
    lines = [
        f"# Benchmark: {meta['workload']}",
        "",
        f"git {meta['git']}, {meta['cores']} cores, {meta['python']}, {meta['date']}, "
        f"auth {meta['auth']}, quote mode {meta['quote_mode']}",
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
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workload", type=Path, default=ROOT / "backend/commands/user10.txt")
    parser.add_argument("--url", default=default_url())
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--naive-limit",
        type=int,
        default=2000,
        help="commands replayed in the naive mode (0: skip it)",
    )
    parser.add_argument("--name", help="results file name (default: the workload's)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)

    started_stack = False
    if not answers(args.url):
        subprocess.run([sys.executable, str(ROOT / "scripts/stack.py"), "up"], check=True)
        started_stack = True
    try:
        token = operator_token(None)
        commands = load(args.workload)
        scratch = args.out / "tmp"
        runs: dict[str, tuple[dict[str, Any], list[int]]] = {}
        print(f"real mode: {len(commands)} commands, concurrency {args.concurrency}")
        runs["real"] = replay(args.url, token, commands, False, args.concurrency, scratch)
        if args.naive_limit:
            sample = renamed(commands[: args.naive_limit], f"n{int(time.time()) % 100000}")
            print(f"naive mode: the first {len(sample)} commands, one at a time")
            runs["naive"] = replay(args.url, token, sample, True, 1, scratch)
    finally:
        if started_stack:
            subprocess.run([sys.executable, str(ROOT / "scripts/stack.py"), "down"], check=False)

    name = args.name or args.workload.stem
    meta = {
        "workload": args.workload.name,
        "git": git_revision(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "auth": os.environ.get("DTS_AUTH", "on"),
        "quote_mode": os.environ.get("QUOTE_MODE", "random"),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{name}.json").write_text(
        json.dumps(
            {"meta": meta, **{mode: {**r, "timeline_per_s": t} for mode, (r, t) in runs.items()}},
            indent=2,
        )
        + "\n"
    )
    (args.out / f"{name}.md").write_text(markdown(meta, runs))
    chart(args.out / f"{name}.png", f"{args.workload.name} @ {meta['git']}", runs)
    print(markdown(meta, runs))
    return 1 if any(r["transport_errors"] for r, _ in runs.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
