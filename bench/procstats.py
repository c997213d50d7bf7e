"""CPU and memory of every process of the native stack, sampled while a benchmark runs.

`make up` records one pid per component under DTS_DATA_DIR/run/, and each component runs in a
process group of its own (a gunicorn master and its workers, NGINX and its workers), so a sample
reads /proc for every member of those groups, plus the replay tool itself. The summary answers two
questions the throughput issue asks: where does a command's CPU go (ms of CPU per command, per
component), and does every process's memory stay flat (peak RSS, and RSS in the first and last
tenth of the run).
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


@dataclass
class Sample:
    t: float
    cpu_s: float
    rss_kb: int


@dataclass
class Track:
    component: str
    pid: int
    cmd: str
    samples: list[Sample] = field(default_factory=list)


def _stat(pid: int) -> tuple[int, float, int] | None:
    """(process group, CPU seconds, RSS in kB) from /proc/<pid>/stat, None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name may hold spaces and parentheses: the fields start after the last ")".
    fields = raw[raw.rindex(")") + 2 :].split()
    pgrp = int(fields[2])
    cpu_s = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    rss_kb = int(fields[21]) * PAGE_KB
    return pgrp, cpu_s, rss_kb


def _cmd(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:120]
    except OSError:
        return "?"


def stack_groups(data_dir: Path) -> dict[int, str]:
    """Process group -> component name, from the pid files `make up` wrote."""
    groups: dict[int, str] = {}
    for pid_file in sorted((data_dir / "run").glob("*.pid")):
        try:
            groups[int(pid_file.read_text().split()[0])] = pid_file.stem
        except (OSError, ValueError, IndexError):
            continue
    return groups


class ProcessSampler:
    """Samples the stack's processes every `interval_s` on a thread of its own."""

    def __init__(self, data_dir: Path, interval_s: float = 2.0) -> None:
        self.groups = stack_groups(data_dir)
        self.interval_s = interval_s
        self.tracks: dict[int, Track] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="process-sampler", daemon=True)
        self.started_at = 0.0

    def __enter__(self) -> ProcessSampler:
        self.started_at = time.perf_counter()
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self.sample()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.sample()

    def sample(self) -> None:
        now = time.perf_counter() - self.started_at
        me = os.getpid()
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            stat = _stat(pid)
            if stat is None:
                continue
            pgrp, cpu_s, rss_kb = stat
            component = "replay" if pid == me else self.groups.get(pgrp)
            if component is None:
                continue
            track = self.tracks.get(pid)
            if track is None:
                track = self.tracks[pid] = Track(component, pid, _cmd(pid))
            track.samples.append(Sample(now, cpu_s, rss_kb))

    def summary(self, commands: int) -> dict[str, Any]:
        """Per component: CPU seconds and ms per command; per process: peak and early/late RSS."""
        components: dict[str, dict[str, Any]] = {}
        processes = []
        for track in sorted(self.tracks.values(), key=lambda t: (t.component, t.pid)):
            first, last = track.samples[0], track.samples[-1]
            cpu = last.cpu_s - first.cpu_s
            c = components.setdefault(track.component, {"cpu_s": 0.0, "processes": 0})
            c["cpu_s"] += cpu
            c["processes"] += 1
            tenth = max(1, len(track.samples) // 10)
            early = max(s.rss_kb for s in track.samples[:tenth])
            late = max(s.rss_kb for s in track.samples[-tenth:])
            processes.append(
                {
                    "component": track.component,
                    "pid": track.pid,
                    "cpu_s": round(cpu, 2),
                    "peak_rss_mb": round(max(s.rss_kb for s in track.samples) / 1024, 1),
                    "rss_first_tenth_mb": round(early / 1024, 1),
                    "rss_last_tenth_mb": round(late / 1024, 1),
                }
            )
        elapsed = max((t.samples[-1].t - t.samples[0].t for t in self.tracks.values()), default=0)
        for c in components.values():
            c["cores"] = round(c["cpu_s"] / elapsed, 2) if elapsed else None
            c["cpu_s"] = round(c["cpu_s"], 2)
            c["cpu_ms_per_command"] = round(1000 * c["cpu_s"] / commands, 3) if commands else None
        return {
            "interval_s": self.interval_s,
            "elapsed_s": round(elapsed, 1),
            "components": dict(sorted(components.items(), key=lambda kv: -kv[1]["cpu_s"])),
            "processes": processes,
        }

    def cpu_by_tenth(self, per_second: list[int], offset_s: float = 0.0) -> dict[str, Any]:
        """Each component's CPU per command in the first and the last tenth of a run, from the
        replay's commands per second (second 0 starting `offset_s` after the sampler did).

        The tenths are those of bench/run.py's `tenths` (trailing seconds in which only a final
        DUMPLOG streamed are left out), so a fall in throughput can be set beside what each
        process spent per command then. CPU between samples is interpolated linearly.
        """
        found: dict[str, Any] = {}
        for name, (a, b) in first_and_last_tenth(per_second).items():
            commands = sum(per_second[a:b])
            cpu: dict[str, float] = {}
            for track in self.tracks.values():
                spent = _cpu_at(track, offset_s + b) - _cpu_at(track, offset_s + a)
                cpu[track.component] = cpu.get(track.component, 0.0) + spent
            found[name] = {
                "seconds": [a, b],
                "commands": commands,
                "cpu_ms_per_command": {
                    c: round(1000 * v / commands, 3) if commands else None
                    for c, v in sorted(cpu.items(), key=lambda kv: -kv[1])
                },
            }
        return found


def first_and_last_tenth(per_second: list[int]) -> dict[str, tuple[int, int]]:
    """The seconds [a, b) of a replay's first and last tenth, none for a run under 10 s.

    Its last, partial second is left out, and so are the seconds at the end in which only a final
    DUMPLOG was streaming (they measure the log's size, not the rate).
    """
    n = len(per_second) - 1
    while n > 0 and per_second[n - 1] == 0:
        n -= 1
    if n < 10:
        return {}
    k = n // 10
    return {"first": (0, k), "last": (n - k, n)}


def _cpu_at(track: Track, t: float) -> float:
    """The process's CPU seconds at time `t`, between its samples linearly."""
    samples = track.samples
    if not samples or t <= samples[0].t:
        return samples[0].cpu_s if samples else 0.0
    for before, after in itertools.pairwise(samples):
        if after.t >= t:
            share = (t - before.t) / (after.t - before.t) if after.t > before.t else 1.0
            return before.cpu_s + share * (after.cpu_s - before.cpu_s)
    return samples[-1].cpu_s


def markdown(stats: dict[str, Any]) -> str:
    lines = [
        "| component | processes | CPU s | cores busy | CPU ms / command |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, c in stats["components"].items():
        per_command = c["cpu_ms_per_command"]
        lines.append(
            f"| {name} | {c['processes']} | {c['cpu_s']:.1f} | {c['cores'] or 0:.2f} | "
            f"{'-' if per_command is None else f'{per_command:.2f}'} |"
        )
    lines += [
        "",
        "| process | pid | peak RSS MB | RSS first tenth MB | RSS last tenth MB |",
        "|---|---:|---:|---:|---:|",
    ]
    for p in stats["processes"]:
        lines.append(
            f"| {p['component']} | {p['pid']} | {p['peak_rss_mb']} | "
            f"{p['rss_first_tenth_mb']} | {p['rss_last_tenth_mb']} |"
        )
    return "\n".join(lines) + "\n"
