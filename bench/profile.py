"""Where a command's CPU goes: py-spy on every process of a running stack during a replay.

    python bench/profile.py --workload backend/commands/user100.txt --seconds 30

Needs a stack started with `make up` (it reads the pid files under DTS_DATA_DIR) and py-spy
(`.venv/bin/pip install py-spy`). The workload is replayed by the real replay tool in a subprocess;
after a warm-up, py-spy samples each component's processes with `--gil`, so only the thread holding
the interpreter counts: for these CPU-bound Python processes that is where the CPU goes. Writes
bench/results/profile.md (and .json): per component the CPU share (from bench/procstats) and the
functions that hold the most samples, inclusive of what they call.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from bench.procstats import ProcessSampler, markdown, stack_groups

ROOT = Path(__file__).resolve().parent.parent

PROFILED = {"database", "buy", "sell", "user_utils", "watcher", "quote_server"}
BORING = ("threading.py", "(gunicorn/", "concurrent/futures", "<module>", "(flask/")


def py_spy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(found).exists():
        raise SystemExit("py-spy is not installed: .venv/bin/pip install py-spy")
    return found


def members(groups: dict[int, str]) -> dict[str, list[int]]:
    """Component -> the pids in its process group (a gunicorn master and its workers ...)."""
    found: dict[str, list[int]] = defaultdict(list)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry.name}/stat").read_text()
        except OSError:
            continue
        pgrp = int(raw[raw.rindex(")") + 2 :].split()[2])
        if pgrp in groups and groups[pgrp] in PROFILED:
            found[groups[pgrp]].append(int(entry.name))
    return found


def top_frames(raw_files: list[Path], limit: int) -> tuple[int, list[tuple[str, float]]]:
    """Inclusive share of samples per frame (a frame counts once per stack)."""
    total = 0
    inclusive: Counter[str] = Counter()
    for path in raw_files:
        if not path.exists():
            continue
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            n = int(count)
            total += n
            for frame in set(stack.split(";")):
                if not any(b in frame for b in BORING):
                    inclusive[frame] += n
    if not total:
        return 0, []
    return total, [(f, 100 * n / total) for f, n in inclusive.most_common(limit)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", type=Path, default=ROOT / "backend/commands/user100.txt")
    parser.add_argument("--url", default=None, help="the stack through NGINX")
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)

    data_dir = Path(os.environ.get("DTS_DATA_DIR") or ROOT / ".data")
    groups = stack_groups(data_dir)
    if not groups:
        raise SystemExit(f"no stack found under {data_dir}: run `make up` first")
    spy = py_spy()
    replay_cmd = [sys.executable, str(ROOT / "backend/input_script.py"), "--no-progress"]
    replay_cmd += ["--out-dir", str(data_dir / "profile-dumps"), str(args.workload)]
    if args.url:
        replay_cmd += ["--url", args.url]
    replay = subprocess.Popen(replay_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(args.warmup)
        raw_dir = data_dir / "profile"
        raw_dir.mkdir(parents=True, exist_ok=True)
        spies: dict[str, list[Path]] = defaultdict(list)
        procs = []
        with ProcessSampler(data_dir, interval_s=1.0) as sampler:
            for component, pids in members(groups).items():
                for pid in pids:
                    out = raw_dir / f"{component}-{pid}.txt"
                    out.unlink(missing_ok=True)
                    cmd = [spy, "record", "--gil", "-p", str(pid), "-d", str(int(args.seconds))]
                    cmd += ["-f", "raw", "-o", str(out)]
                    procs.append(
                        subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    )
                    spies[component].append(out)
            for p in procs:
                p.wait()
    finally:
        replay.terminate()
        replay.wait(timeout=30)

    # The replay ran in another process: count commands by the rate NGINX saw is not at hand,
    # so CPU is reported per second of profiling instead of per command.
    cpu = sampler.summary(commands=0)
    result: dict[str, Any] = {"workload": args.workload.name, "seconds": args.seconds, "cpu": cpu}
    sections = []
    for component in sorted(spies):
        total, frames = top_frames(spies[component], args.top)
        result[component] = {"samples": total, "top": frames}
        rows = "\n".join(f"| {share:5.1f} % | `{frame[:110]}` |" for frame, share in frames)
        sections.append(
            f"### {component} ({total} samples)\n\n| share | function (file:line) |\n"
            f"|---:|---|\n{rows}\n"
        )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "profile.json").write_text(json.dumps(result, indent=2))
    header = (
        f"# Profile: {args.workload.name}, {args.seconds:.0f} s under load\n\n"
        f"CPU seconds per component while sampled (bench/procstats):\n\n"
    )
    (args.out / "profile.md").write_text(header + markdown(cpu) + "\n" + "\n".join(sections))
    print((args.out / "profile.md").read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
