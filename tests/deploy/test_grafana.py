"""docker compose's Grafana: the provisioned data source is the stack's Prometheus, every panel
asks it, every query is PromQL that promtool accepts, and every metric a panel names is one DTS
exports or a recording rule makes, so a renamed metric breaks this test, not the dashboard."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from tests.deploy import tools

GRAFANA = tools.ROOT / "deploy" / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))
SUFFIXES = ("_total", "_bucket", "_count", "_sum", "_created")


def datasource() -> dict[str, Any]:
    config = yaml.safe_load(
        (GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text()
    )
    [source] = config["datasources"]
    return source


def targets() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    return [
        (path.name, panel, target)
        for path in DASHBOARDS
        for panel in json.loads(path.read_text())["panels"]
        for target in panel["targets"]
    ]


def exported_metrics() -> set[str]:
    """The names dts/metrics.py registers, the ones mtail's programs declare (NGINX's 429s; mtail
    exports a name as declared, so the suffix a panel's name loses goes here too), and the ones
    the recording rules make."""
    source = (tools.ROOT / "dts" / "metrics.py").read_text()
    names = set(re.findall(r'"(dts_[a-z_]+)"', source))
    for program in (tools.ROOT / "deploy" / "mtail").glob("*.mtail"):
        declared = re.findall(r"^(?:counter|gauge) (dts_[a-z_]+)", program.read_text(), re.M)
        names |= {name.removesuffix("_total") for name in declared}
    rules = yaml.safe_load(
        (tools.ROOT / "deploy" / "prometheus" / "recording.rules.yml").read_text()
    )
    names |= {rule["record"] for group in rules["groups"] for rule in group["rules"]}
    return names


def test_the_data_source_is_the_stacks_prometheus_and_every_panel_uses_it() -> None:
    source = datasource()
    assert source["type"] == "prometheus" and source["url"] == "http://prometheus:9090"
    assert DASHBOARDS and targets()
    for name, panel, target in targets():
        for used in (panel["datasource"], target["datasource"]):
            assert used == {"type": "prometheus", "uid": source["uid"]}, (name, panel["title"])


def test_every_query_is_valid_promql(tmp_path: Path) -> None:
    rules = {
        "groups": [
            {
                "name": "grafana-panels",
                "rules": [
                    {"record": f"grafana:panel_{panel['id']}:{target['refId']}", "expr": expr}
                    for _, panel, target in targets()
                    for expr in [target["expr"]]
                ],
            }
        ]
    }
    path = tmp_path / "panels.rules.yml"
    path.write_text(yaml.safe_dump(rules))
    checked = tools.promtool("check", "rules", path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_every_metric_a_panel_names_exists() -> None:
    known = exported_metrics() | {"up"}
    for name, panel, target in targets():
        for metric in re.findall(r"\b([a-z]*:?dts[_:][a-z0-9_:]+|up)\b", target["expr"]):
            base = next((metric.removesuffix(s) for s in SUFFIXES if metric.endswith(s)), metric)
            assert base in known, (name, panel["title"], metric)


def test_compose_mounts_the_provisioning_and_the_dashboards_where_grafana_reads_them() -> None:
    service = yaml.safe_load(tools.COMPOSE_FILE.read_text())["services"]["grafana"]
    provider = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "dts.yml").read_text())
    [dashboards_at] = [p["options"]["path"] for p in provider["providers"]]
    assert "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro" in service["volumes"]
    assert f"./deploy/grafana/dashboards:{dashboards_at}:ro" in service["volumes"]
    home = service["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert home.startswith(dashboards_at + "/")
    assert (GRAFANA / "dashboards" / Path(home).name).exists()
    assert "ports" not in service  # NGINX alone publishes a port (compose_rules.published_ports)
