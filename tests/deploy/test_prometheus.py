"""Prometheus's files, checked by its own promtool: the rules parse, each alert fires on the series
it is for and not before (alerts.test.yml), and the configurations Prometheus runs with, the native
stack's generated one and docker compose's, load with those rules.

promtool comes with Debian's prometheus package, which `make deps` installs; a missing promtool
fails these tests rather than skipping them.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import yaml

from tests.deploy import tools

ROOT = Path(__file__).resolve().parents[2]
RULES_DIR = ROOT / "deploy" / "prometheus"
RULE_FILES = sorted(RULES_DIR.glob("*.rules.yml"))


def promtool(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return tools.promtool(*args, cwd=RULES_DIR)


def load_stack_script() -> object:
    spec = importlib.util.spec_from_file_location(
        "dts_stack_for_prometheus", ROOT / "scripts" / "stack.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_recording_and_alert_rules_are_valid() -> None:
    assert {p.name for p in RULE_FILES} == {"recording.rules.yml", "alerts.rules.yml"}
    checked = promtool("check", "rules", *RULE_FILES)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_each_alert_fires_on_its_series_and_not_before() -> None:
    tested = promtool("test", "rules", "alerts.test.yml")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    alerts = (RULES_DIR / "alerts.rules.yml").read_text()
    test_text = (RULES_DIR / "alerts.test.yml").read_text()
    for line in alerts.splitlines():
        if line.strip().startswith("- alert:"):
            name = line.split(":", 1)[1].strip()
            assert f"alertname: {name}" in test_text, f"{name} has no test"


def test_the_native_stacks_generated_configuration_loads(tmp_path: Path) -> None:
    stack = load_stack_script()
    lay = stack.Layout(  # type: ignore[attr-defined]
        data=tmp_path,
        http_port=8080,
        port_base=20000,
        mongo_uri="mongodb://x",
        db_cache_size="64M",
        db_sync=True,
        replicas=stack.replica_counts({"DTS_REPLICAS": "2"}),  # type: ignore[attr-defined]
    )
    config = stack.prometheus_config(lay)  # type: ignore[attr-defined]
    checked = promtool("check", "config", config)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    for rules in RULE_FILES:
        assert rules.name in checked.stdout


def test_the_compose_configuration_loads() -> None:
    checked = promtool("check", "config", RULES_DIR / "prometheus.compose.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    for rules in RULE_FILES:
        assert rules.name in checked.stdout


def test_compose_runs_prometheus_on_these_files_and_it_finds_every_service() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    config = yaml.safe_load((RULES_DIR / "prometheus.compose.yml").read_text())
    prometheus = compose["prometheus"]
    assert "./deploy/prometheus:/etc/prometheus/dts:ro" in prometheus["volumes"]
    assert "--config.file=/etc/prometheus/dts/prometheus.compose.yml" in prometheus["command"]
    found = {
        name: sd["port"]
        for job in config["scrape_configs"]
        for sd in job.get("dns_sd_configs", [])
        for name in sd["names"]
    }
    static = {
        target.split(":")[0]
        for job in config["scrape_configs"]
        for sc in job.get("static_configs", [])
        for target in sc["targets"]
    }
    for service in ("buy_service", "sell_service", "user_service", "quote_server", "watcher"):
        assert service in compose and service in found, service
    assert compose["watcher"]["environment"]["DTS_WATCHER_METRICS_BIND"].endswith(
        f":{found['watcher']}"
    )
    assert {"redis-exporter", "nginx-exporter", "mtail"} <= static
    assert {"redis-exporter", "nginx-exporter", "mtail"} <= set(compose)


def test_compose_counts_nginx_429s_with_mtail_on_the_file_nginx_writes() -> None:
    """NGINX writes its 429 lines where mtail reads them: the same volume, at the path the image
    follows, and mtail runs the program the native stack runs."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    nginx, mtail = compose["services"]["nginx"], compose["services"]["mtail"]
    log = Path(nginx["environment"]["DTS_RATE_LIMITED_LOG"])
    mounts = {
        name: {v.split(":")[0]: v.split(":")[1] for v in service["volumes"]}
        for name, service in (("nginx", nginx), ("mtail", mtail))
    }
    shared = set(mounts["nginx"]) & set(mounts["mtail"]) & set(compose["volumes"])
    assert len(shared) == 1, mounts
    (volume,) = shared
    assert log.parent == Path(mounts["nginx"][volume]) == Path(mounts["mtail"][volume])
    dockerfile = (ROOT / mtail["build"]["dockerfile"]).read_text()
    assert f'"--logs", "{log}"' in dockerfile
    assert "COPY deploy/mtail/rate_limited.mtail /etc/mtail/" in dockerfile
    assert '"--port", "3903"' in dockerfile
