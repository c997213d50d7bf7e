"""What the stack's own Prometheus saw of a benchmark run, beside what the replay tool measured.

The replay tool times each command from the client (NGINX and the network included); the services
count and time them from the inside (dts.metrics). Over the same window the two must agree: the
commands counted are the commands sent, and the p99 from the histogram lies close to the client's
(within the width of its bucket, less the few milliseconds NGINX adds). A benchmark whose two views
disagree has found a bug in one of them.

The window is the real run's, from its first command to its last answer, read from Prometheus as
the difference of each counter at the run's end and `offset` the run's length before: a stack that
served other commands before the run (a warm-up) is not counted twice.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
SETTLE_S = 30.0  # Prometheus scrapes every 5 s by default (DTS_SCRAPE_INTERVAL_S)
AGREE_PCT = 5.0


def prometheus_url(env: dict[str, str] | None = None) -> str:
    """Where the native stack's Prometheus listens: the stack's own rule (scripts/stack.py)."""
    spec = importlib.util.spec_from_file_location("dts_stack_for_bench", ROOT / "scripts/stack.py")
    assert spec and spec.loader
    stack = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = stack
    spec.loader.exec_module(stack)
    return f"http://127.0.0.1:{stack.prometheus_port(dict(os.environ if env is None else env))}"


def _query(url: str, expr: str, at: float) -> float | None:
    resp = requests.get(f"{url}/api/v1/query", params={"query": expr, "time": at}, timeout=10)
    resp.raise_for_status()
    result = resp.json()["data"]["result"]
    if not result:
        return None
    value = float(result[0]["value"][1])
    return None if value != value else value  # NaN: no data


def since(metric: str, seconds: int, fresh: bool) -> str:
    """`metric` summed (by `le` for a histogram) less its value `seconds` ago (0 if it had none).

    With `fresh` (the processes started for this run, so every counter began at zero) nothing is
    subtracted: Prometheus keeps a stopped stack's last values for five minutes, and a run begun
    within them on the same ports would otherwise have the earlier run's count taken off its own.
    """
    by = " by (le)" if metric.endswith("_bucket") else ""
    now = f"sum{by} ({metric})"
    if fresh:
        return now
    return f"({now} - (sum{by} ({metric} offset {seconds}s) or {now} * 0))"


def view(
    url: str, started: float, ended: float, sent: int, fresh: bool = False
) -> dict[str, Any] | None:
    """Commands counted and p50/p99 over the run, once Prometheus has scraped its last commands;
    None when no Prometheus answers (DTS_METRICS=off). Throughput is the count over the replay's
    own wall time: Prometheus's samples, 5 s apart, cannot place the run's ends more closely."""
    try:
        requests.get(f"{url}/-/ready", timeout=2).raise_for_status()
    except requests.RequestException:
        return None
    deadline = time.time() + SETTLE_S
    while True:  # until a scrape after the last answer has the whole run
        at = time.time()
        window = round(at - started) + 1
        counted = _query(url, since("dts_commands_total", window, fresh), at)
        if (counted is not None and counted >= sent) or at > deadline:
            break
        time.sleep(1.0)
    buckets = since("dts_command_seconds_bucket", window, fresh)
    p50 = _query(url, f"histogram_quantile(0.50, {buckets})", at)
    p99 = _query(url, f"histogram_quantile(0.99, {buckets})", at)
    return {
        "url": url,
        "commands": round(counted or 0),
        "throughput_per_s": round((counted or 0) / (ended - started), 1),
        "p50_ms": None if p50 is None else round(p50 * 1000, 1),
        "p99_ms": None if p99 is None else round(p99 * 1000, 1),
    }


def agreement(measured: dict[str, Any], seen: dict[str, Any]) -> dict[str, Any]:
    """How far Prometheus's numbers are from the replay tool's, in per cent of the replay's."""

    def off(mine: float | None, theirs: float) -> float | None:
        if mine is None or not theirs:
            return None
        return round(100 * (mine - theirs) / theirs, 1) + 0.0  # + 0.0: no "-0.0"

    throughput = off(seen["throughput_per_s"], measured["throughput_per_s"])
    p99 = off(seen["p99_ms"], measured["latency_ms"]["p99"])
    return {
        "throughput_off_pct": throughput,
        "p99_off_pct": p99,
        "agree": all(v is not None and abs(v) <= AGREE_PCT for v in (throughput, p99)),
    }


def markdown(seen: dict[str, Any], agreed: dict[str, Any]) -> list[str]:
    return [
        "",
        f"Prometheus's view of the real run (bench/prometheus_view.py, {seen['url']}):",
        "",
        "| source | commands | cmd/s | p50 ms | p99 ms |",
        "|---|---|---|---|---|",
        f"| Prometheus | {seen['commands']} | {seen['throughput_per_s']} | {seen['p50_ms']} | "
        f"{seen['p99_ms']} |",
        "",
        f"Throughput {_pct(agreed['throughput_off_pct'])}, p99 {_pct(agreed['p99_off_pct'])} "
        f"from the replay tool's: {'within' if agreed['agree'] else 'NOT within'} "
        f"{AGREE_PCT:.0f} %.",
    ]


def _pct(value: float | None) -> str:
    return "unknown" if value is None else f"{value:+} %"
