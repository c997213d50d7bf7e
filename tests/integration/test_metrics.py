"""Metrics as an operator sees them: a stack of its own, with Prometheus, replays a generated
workload through NGINX, then Prometheus's HTTP API is asked what happened.

The stack is this module's alone, so every command it counted is one the replay sent. Prometheus
scrapes every second here. Run with DTS_METRICS=off, the stack starts without Prometheus and these
tests fail: that is what they are for.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from backend.generate_workload import generate
from dts.metrics import COMMAND_BUCKETS_S
from tests.integration.harness import ROOT, replay_tool, stack_env

HTTP_PORT = int(os.environ.get("DTS_METRICS_HTTP_PORT", "19480"))
PORT_BASE = int(os.environ.get("DTS_METRICS_PORT_BASE", "19500"))
PROMETHEUS_PORT = int(os.environ.get("DTS_METRICS_PROMETHEUS_PORT", str(PORT_BASE + 90)))
PROMETHEUS = f"http://127.0.0.1:{PROMETHEUS_PORT}"
SCRIPT = [sys.executable, str(ROOT / "scripts" / "stack.py")]
JOBS = {
    "buy",
    "sell",
    "user_utils",
    "quote_server",
    "watcher",
    "redis",
    "nginx",
    "mtail",
    "prometheus",
}
# Where each process with metrics answers them, by port offset (scripts/stack.py).
INTERNAL_METRICS_OFFSETS = {"buy": 1, "sell": 2, "user_utils": 3, "quote_server": 4, "watcher": 5}
# Headless Chromium on a closed network, as root (the web UI's tests start it the same way).
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
SCREENSHOT = ROOT / "docs" / "screenshots" / "live-page.png"
SETTLE_S = 30.0  # how long Prometheus may take to see the last commands (it scrapes every 1 s)


@pytest.fixture(scope="module")
def metrics_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    data_dir = Path(tmp_path_factory.mktemp("metrics-stack"))
    env = {
        **stack_env(data_dir),
        "DTS_HTTP_PORT": str(HTTP_PORT),
        "DTS_PORT_BASE": str(PORT_BASE),
        "DTS_PROMETHEUS_PORT": str(PROMETHEUS_PORT),
        "DTS_SCRAPE_INTERVAL_S": "1",
    }
    up = subprocess.run([*SCRIPT, "up"], env=env, cwd=ROOT, capture_output=True, text=True)
    try:
        if up.returncode != 0:
            pytest.fail(f"the stack did not start:\n{up.stdout}\n{up.stderr}")
        yield env
    finally:
        subprocess.run([*SCRIPT, "down"], env=env, cwd=ROOT, check=False, capture_output=True)
        if os.environ.get("DTS_TEST_KEEP_DATA") != "1":
            shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def replayed(metrics_stack: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A generated workload replayed through NGINX: the replay tool's own summary."""
    work = Path(tmp_path_factory.mktemp("metrics-replay"))
    return replay(metrics_stack, work, generate(users=12, per_user=25, seed=2020), concurrency=6)


def replay(env: dict[str, str], work: Path, commands: list[str], concurrency: int) -> dict:
    workload = work / "workload.txt"
    workload.write_text("\n".join(commands) + "\n")
    url = f"http://127.0.0.1:{HTTP_PORT}"
    code, result, output = replay_tool(
        url, env["DTS_OPERATOR_TOKEN"], workload, work, "--concurrency", str(concurrency)
    )
    assert code == 0, output
    return result


def query(expr: str) -> list[dict[str, Any]]:
    resp = requests.get(f"{PROMETHEUS}/api/v1/query", params={"query": expr}, timeout=10)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["status"] == "success", body
    return body["data"]["result"]


def scalar(expr: str) -> float | None:
    result = query(expr)
    return float(result[0]["value"][1]) if result else None


def eventually(expr: str, want: float) -> float | None:
    """The expression's value once it equals `want`, or its last value after SETTLE_S."""
    deadline = time.monotonic() + SETTLE_S
    value = scalar(expr)
    while value != want and time.monotonic() < deadline:
        time.sleep(0.5)
        value = scalar(expr)
    return value


def bucket_of(seconds: float) -> tuple[float, float]:
    """The histogram bucket (lower, upper] that holds `seconds`."""
    lower = 0.0
    for upper in (*COMMAND_BUCKETS_S, float("inf")):
        if seconds <= upper:
            return lower, upper
        lower = upper
    raise AssertionError("unreachable")


def test_prometheus_counts_every_command_the_replay_sent(replayed: dict) -> None:
    sent = replayed["sent"]
    assert sent > 250, replayed
    assert eventually("sum(dts_commands_total)", float(sent)) == sent
    by_outcome = {
        r["metric"]["outcome"]: float(r["value"][1])
        for r in query("sum by (outcome) (dts_commands_total)")
    }
    assert by_outcome.get("ok") == replayed["accepted"], (by_outcome, replayed)


def test_the_histograms_p99_lies_in_the_bucket_of_the_replays_p99(replayed: dict) -> None:
    """The services time a command from the moment their handler runs, the replay from its
    sending: the replay's times are longer by NGINX, the network and the wait for the handler, a
    wait that grows with load. So the services' p99 may lie up to a quarter below the replay's,
    at the lower bound of that bucket, and not above the replay's own bucket."""
    eventually("sum(dts_command_seconds_count)", float(replayed["sent"]))
    p99_s = scalar("histogram_quantile(0.99, sum by (le) (dts_command_seconds_bucket))")
    assert p99_s is not None
    replay_p99_s = replayed["latency_ms"]["p99"] / 1000
    _, upper = bucket_of(replay_p99_s)
    lower, _ = bucket_of(replay_p99_s * 0.75)
    assert lower < p99_s <= upper, (p99_s, replayed["latency_ms"])


def test_quotes_are_served_from_the_cache(replayed: dict) -> None:
    eventually("sum(dts_commands_total)", float(replayed["sent"]))
    ratio = scalar(
        'sum(dts_quote_cache_lookups_total{result="hit"}) / sum(dts_quote_cache_lookups_total)'
    )
    assert ratio is not None and 0 < ratio < 1, ratio


def test_the_watcher_checks_fresh_quotes_and_the_audit_log_is_stored(replayed: dict) -> None:
    """Every quote fetched is published, and the watcher times its check from the fetch; the
    journal's backlog is reported, and the drainers report what they stored."""
    eventually("sum(dts_commands_total)", float(replayed["sent"]))
    fetched = scalar("sum(dts_quote_server_seconds_count)")
    assert fetched is not None and fetched > 0
    checked = eventually("sum(dts_watcher_trigger_lag_seconds_count)", fetched)
    assert checked is not None and 0 < checked <= fetched, (checked, fetched)
    assert (scalar("sum(dts_watcher_sweep_seconds_count)") or 0) > 0
    assert scalar('dts_audit_journal_entries{job="watcher"}') is not None
    assert (scalar("sum(dts_audit_records_stored_total)") or 0) >= replayed["sent"]


def test_every_process_is_a_target_and_every_target_is_up(replayed: dict) -> None:
    deadline = time.monotonic() + SETTLE_S
    while True:
        resp = requests.get(f"{PROMETHEUS}/api/v1/targets", timeout=10)
        targets = resp.json()["data"]["activeTargets"]
        health = {(t["labels"]["job"], t["scrapeUrl"]): t["health"] for t in targets}
        if all(h == "up" for h in health.values()) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert {job for job, _ in health} == JOBS
    assert all(h == "up" for h in health.values()), health
    assert scalar("min(up)") == 1


def test_the_live_page_shows_the_load_and_every_target_up(
    metrics_stack: dict[str, str], replayed: dict, tmp_path: Path
) -> None:
    """The operator's page that needs no Docker (deploy/prometheus/consoles/dts.html), read as
    HTML and rendered by headless Chromium into docs/screenshots/live-page.png.

    A rate needs a counter's value at two scrapes: a second, slower replay (one user at a time)
    keeps commands coming over several scrapes, as a running system does."""
    eventually("sum(dts_commands_total)", float(replayed["sent"]))
    replay(metrics_stack, tmp_path, generate(users=6, per_user=40, seed=2021), concurrency=1)
    expected_rows = {"ADD", "BUY", "QUOTE", "DISPLAY_SUMMARY"}
    deadline = time.monotonic() + SETTLE_S
    while True:
        # Each service is scraped at its own moment within the interval, and a short replay can
        # fall between two scrapes of one service: the page is read again until every service's
        # commands have a rate, not merely the first one's.
        page = requests.get(f"{PROMETHEUS}/consoles/dts.html", timeout=10)
        assert page.status_code == 200, page.text[:500]
        html = page.text
        throughput = re.search(r'id="throughput">([0-9.]+)<', html)
        targets = re.search(r'id="targets">(\d+) of (\d+)<', html)
        rows = set(re.findall(r"<tr>\s*<td>([A-Z_]+)</td>", html))
        settled = (
            throughput is not None
            and float(throughput.group(1)) > 0
            and targets is not None
            and targets.group(1) == targets.group(2)
            and expected_rows <= rows
        )
        if settled or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert throughput and float(throughput.group(1)) > 0, html
    assert targets and targets.group(1) == targets.group(2), html
    assert int(targets.group(2)) >= len(JOBS)
    assert expected_rows <= rows, rows

    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    assert Path(chromium).exists(), f"no Chromium at {chromium}: make test-browser installs it"
    shot = tmp_path / "live-page.png"
    subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1280,1400",
            f"--screenshot={shot}",
            f"{PROMETHEUS}/consoles/dts.html",
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, SCREENSHOT)


@pytest.mark.parametrize(
    "path",
    [
        "/metrics",
        "/buy/metrics",
        "/sell/metrics",
        "/user_utils/metrics",
        "/auth/metrics",
        "/quote_server/metrics",
        "/metrics/",
        "/stub_status",
    ],
)
def test_metrics_are_never_served_through_nginx(metrics_stack: dict[str, str], path: str) -> None:
    public = requests.get(f"http://127.0.0.1:{HTTP_PORT}{path}", timeout=10)
    assert public.status_code == 404, public.text[:200]
    assert "dts_" not in public.text and "Active connections" not in public.text
    assert public.json()["code"] == "NOT_FOUND"


@pytest.mark.parametrize("process", sorted(INTERNAL_METRICS_OFFSETS))
def test_each_process_answers_its_metrics_on_its_internal_port(
    metrics_stack: dict[str, str], process: str
) -> None:
    port = PORT_BASE + INTERNAL_METRICS_OFFSETS[process]
    resp = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/plain")
    assert "# TYPE dts_" in resp.text


def test_nginx_refusals_with_429_are_counted_by_api(metrics_stack: dict[str, str]) -> None:
    """NGINX's 429s never reach a service: mtail counts them from NGINX's log (deploy/mtail).
    Last in this module: the login limit it provokes holds for a few seconds."""
    url = f"http://127.0.0.1:{HTTP_PORT}/auth/login"
    with ThreadPoolExecutor(max_workers=16) as pool:  # well past the test stack's login burst
        statuses = list(pool.map(lambda _: requests.get(url, timeout=30).status_code, range(300)))
    refused = statuses.count(429)
    assert refused > 0, statuses
    assert eventually('sum(dts_rate_limited_total{api="auth"})', float(refused)) == refused
    assert scalar('sum(dts_rate_limited_total{api!="auth"})') in (None, 0.0)
