"""Same-hour A/B: two revisions benchmarked in turn, each run on a fresh stack and database.

    python bench/ab.py --a 185bd11 --b HEAD --workload backend/commands/user45.txt --rounds 3
    python bench/ab.py --a HEAD --env-a DTS_METRICS=off --b HEAD --rounds 3   # a setting's cost

This machine's speed drifts by 5-15 % within an hour, so a claim that a change helps is only as
good as runs of the old and the new code alternated (A B, then B A, ...) under the same load. Each
revision is checked out into a scratch worktree and benchmarked with `bench/run.py` from there, on
its own data directory and ports, with this virtualenv's interpreter. The table printed at the end
(and written with --json) has throughput, p50/p99 and CPU per command of each process group.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def worktree(revision: str, into: Path, label: str) -> Path:
    path = into / f"{label}-{revision.replace('/', '_')}"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-f", str(path), revision],
        check=True,
        capture_output=True,
    )
    return path


def run_once(
    code: Path,
    python: str,
    workload: Path,
    out: Path,
    port: int,
    extra: list[str],
    settings: dict[str, str],
) -> dict[str, Any]:
    data = Path(tempfile.mkdtemp(prefix="dts-ab-"))
    env = {
        **os.environ,
        **settings,
        "DTS_DATA_DIR": str(data),
        "DTS_HTTP_PORT": str(port),
        "DTS_PORT_BASE": str(port + 100),
        # The worktree's own code, not what this virtualenv has installed from this checkout.
        "PYTHONPATH": str(code),
    }
    try:
        subprocess.run(
            [
                python,
                str(code / "bench" / "run.py"),
                "--workload",
                str(workload),
                "--url",
                f"http://127.0.0.1:{port}",
                "--naive-limit",
                "0",
                "--out",
                str(out),
                *extra,
            ],
            cwd=code,
            env=env,
            check=True,
        )
    finally:
        shutil.rmtree(data, ignore_errors=True)
    return json.loads((out / f"{workload.stem}.json").read_text())


def parse_setting(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise SystemExit(f"--env-a/--env-b take NAME=VALUE, not {text!r}")
    return name, value


def row(label: str, result: dict[str, Any]) -> dict[str, Any]:
    real = result["real"]
    cpu = {
        name: part["cpu_ms_per_command"] for name, part in result["processes"]["components"].items()
    }
    return {
        "code": label,
        "git": result["meta"]["git"],
        "cmd_per_s": real["throughput_per_s"],
        "p50_ms": real["latency_ms"]["p50"],
        "p99_ms": real["latency_ms"]["p99"],
        "transport_errors": real["transport_errors"],
        "cpu_ms_per_command": cpu,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--a", required=True, help="the old revision")
    parser.add_argument("--b", default="HEAD", help="the new revision")
    parser.add_argument("--workload", type=Path, default=ROOT / "backend/commands/user45.txt")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each, alternated")
    parser.add_argument("--port", type=int, default=18180)
    parser.add_argument(
        "--python-a",
        default=sys.executable,
        help="the interpreter (virtualenv) for A, when its pinned packages differ from B's",
    )
    for side in ("a", "b"):
        parser.add_argument(
            f"--env-{side}",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help=f"a setting for {side.upper()}'s stack only (repeatable): the same revision "
            "with and without a setting measures what the setting costs",
        )
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args, extra = parser.parse_known_args(argv)
    settings = {"A": dict(parse_setting(s) for s in args.env_a)}
    settings["B"] = dict(parse_setting(s) for s in args.env_b)

    scratch = Path(tempfile.mkdtemp(prefix="dts-ab-code-"))
    rows = []
    try:
        codes = {"A": worktree(args.a, scratch, "A"), "B": worktree(args.b, scratch, "B")}
        for i in range(args.rounds):
            order = ["A", "B"] if i % 2 == 0 else ["B", "A"]
            for label in order:
                out = scratch / f"out-{label}-{i}"
                python = args.python_a if label == "A" else sys.executable
                result = run_once(
                    codes[label],
                    python,
                    args.workload.resolve(),
                    out,
                    args.port,
                    extra,
                    settings[label],
                )
                rows.append({**row(label, result), "settings": settings[label]})
                print(json.dumps(rows[-1]), flush=True)
    finally:
        for path in scratch.iterdir():
            if path.is_dir() and (path / ".git").exists():
                subprocess.run(
                    ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(path)],
                    check=False,
                )
        shutil.rmtree(scratch, ignore_errors=True)

    print(f"\n{'code':4} {'git':8} {'cmd/s':>7} {'p50 ms':>7} {'p99 ms':>7}  CPU ms per command")
    for r in rows:
        cpu = ", ".join(f"{k} {v:.2f}" for k, v in sorted(r["cpu_ms_per_command"].items()))
        print(
            f"{r['code']:4} {r['git']:8} {r['cmd_per_s']:7.1f} {r['p50_ms']:7.1f} "
            f"{r['p99_ms']:7.1f}  {cpu}"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
