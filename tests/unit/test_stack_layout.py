"""The native stack's layout of replicas: names, ports and NGINX upstream lines (no processes)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("dts_stack", ROOT / "scripts" / "stack.py")
assert _spec and _spec.loader
stack = importlib.util.module_from_spec(_spec)
sys.modules["dts_stack"] = stack
_spec.loader.exec_module(stack)


def layout(tmp_path: Path, **env: str) -> object:
    return stack.Layout(
        data=tmp_path,
        http_port=8080,
        port_base=20000,
        mongo_uri="mongodb://x",
        db_cache_size="64M",
        db_sync=True,
        replicas=stack.replica_counts(env),
    )


def test_one_of_each_unless_asked_and_per_service_counts_win() -> None:
    assert stack.replica_counts({}) == {"buy": 1, "sell": 1, "user_utils": 1, "watcher": 1}
    counts = stack.replica_counts(
        {"DTS_REPLICAS": "3", "DTS_SELL_REPLICAS": "2", "DTS_WATCHERS": "2"}
    )
    assert counts == {"buy": 3, "sell": 2, "user_utils": 3, "watcher": 2}


@pytest.mark.parametrize("bad", ["0", "-1", "two", "9"])
def test_a_count_out_of_range_stops_with_a_message(bad: str) -> None:
    with pytest.raises(SystemExit, match="DTS_REPLICAS must be a whole number"):
        stack.replica_counts({"DTS_REPLICAS": bad})


def test_replicas_get_their_own_names_ports_and_nginx_servers(tmp_path: Path) -> None:
    lay = layout(tmp_path, DTS_REPLICAS="3", DTS_WATCHERS="2")
    procs = stack.processes(lay)
    names = [p.name for p in procs]
    for service in ("buy", "sell", "user_utils"):
        assert [n for n in names if n.split("-")[0] == service] == [
            service,
            f"{service}-2",
            f"{service}-3",
        ]
    assert [n for n in names if n.startswith("watcher")] == ["watcher", "watcher-2"]
    ports = [p.port for p in procs if p.port]
    assert len(ports) == len(set(ports))  # nothing shares a port, the stores included
    assert stack.upstream_servers(lay, "buy") == (
        "127.0.0.1:20001;\n    server 127.0.0.1:20021;\n    server 127.0.0.1:20041"
    )
    watchers = {p.env["DTS_INSTANCE"] for p in procs if p.name.startswith("watcher")}
    assert watchers == {"watcher", "watcher-2"}


def test_every_process_is_recognisable_by_its_command_line(tmp_path: Path) -> None:
    # `up` and `down` trust a pid file only while that process's command line shows its marker;
    # a marker missing from it made every `up` start another copy and `down` leave them running.
    for proc in stack.processes(layout(tmp_path, DTS_REPLICAS="2", DTS_WATCHERS="3")):
        assert stack.marker(proc) in " ".join(proc.argv), proc.name


def scraped(lay: object) -> dict[str, list[str]]:
    config = json.loads((lay.data / "prometheus" / "prometheus.yml").read_text())  # type: ignore[attr-defined]
    return {
        job["job_name"]: job["static_configs"][0]["targets"] for job in config["scrape_configs"]
    }


def test_prometheus_scrapes_every_replica_watcher_and_exporter(tmp_path: Path) -> None:
    lay = layout(tmp_path, DTS_REPLICAS="2", DTS_WATCHERS="2")
    procs = {p.name: p for p in stack.processes(lay)}
    jobs = scraped(lay)
    for name in ("buy", "buy-2", "sell", "sell-2", "user_utils", "user_utils-2", "quote_server"):
        job = "quote_server" if name == "quote_server" else name.split("-")[0]
        assert f"127.0.0.1:{procs[name].port}" in jobs[job]
        assert procs[name].env["PROMETHEUS_MULTIPROC_DIR"].endswith(f"metrics/{name}")
    assert jobs["watcher"] == [f"127.0.0.1:{procs[w].port}" for w in ("watcher", "watcher-2")]
    assert procs["watcher-2"].env["DTS_WATCHER_METRICS_BIND"] == "127.0.0.1:20025"
    assert jobs["redis"] == [f"127.0.0.1:{procs['redis_exporter'].port}"]
    assert jobs["nginx"] == [f"127.0.0.1:{procs['nginx_exporter'].port}"]
    assert jobs["mtail"] == [f"127.0.0.1:{procs['mtail'].port}"]
    site = (tmp_path / "nginx" / "conf.d" / "dts.conf").read_text()
    assert f"access_log {lay.log_dir / 'nginx-rate-limited.log'} dts_rate_limited" in site
    assert str(lay.log_dir / "nginx-rate-limited.log") in procs["mtail"].argv
    assert [p.name for p in procs.values()][-1] == "prometheus"  # last: everything else is up
    ports = [p.port for p in procs.values() if p.port]
    assert len(ports) == len(set(ports))
    status = (tmp_path / "nginx" / "conf.d" / "status.conf").read_text()
    assert "listen 127.0.0.1:20093;" in status and "stub_status;" in status


def test_without_metrics_nothing_of_them_runs(tmp_path: Path) -> None:
    lay = layout(tmp_path)
    lay.metrics = False  # type: ignore[attr-defined]
    procs = stack.processes(lay)
    names = {p.name for p in procs}
    assert not names & {"prometheus", "redis_exporter", "nginx_exporter", "mtail"}
    site = (tmp_path / "nginx" / "conf.d" / "dts.conf").read_text()
    assert "access_log /dev/null dts_rate_limited" in site
    assert not any("PROMETHEUS_MULTIPROC_DIR" in p.env for p in procs)
    assert not any("DTS_WATCHER_METRICS_BIND" in p.env for p in procs)
    assert not (tmp_path / "nginx" / "conf.d" / "status.conf").exists()


@pytest.mark.parametrize(
    ("env", "port"),
    [
        ({}, 9090),
        ({"DTS_PORT_BASE": "21500"}, 21590),
        ({"DTS_PORT_BASE": "21500", "DTS_PROMETHEUS_PORT": "9999"}, 9999),
    ],
)
def test_prometheus_listens_on_9090_unless_the_ports_are_moved(
    env: dict[str, str], port: int
) -> None:
    assert stack.prometheus_port(env) == port
