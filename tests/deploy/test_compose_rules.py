"""docker-compose.yml keeps the deployment's own rules (tests.deploy.compose_rules), and each rule
the canaries below break still notices."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.deploy import compose_rules
from tests.deploy.tools import COMPOSE_FILE, DUMMY_SECRETS, Compose

Model = dict[str, Any]


def test_only_nginx_publishes_a_port(compose_model: Model) -> None:
    assert compose_rules.published_ports(compose_model) == []


def test_services_restart_unless_stopped_and_one_shots_never(compose_model: Model) -> None:
    assert compose_rules.restart_policies(compose_model) == []


def test_every_waited_on_service_has_a_healthcheck(compose_model: Model) -> None:
    assert compose_rules.healthchecks(compose_model) == []


def test_dependencies_wait_for_healthy_or_completed(compose_model: Model) -> None:
    assert compose_rules.dependency_conditions(compose_model) == []


def test_secrets_come_from_the_environment_not_the_file(compose_model: Model) -> None:
    assert compose_rules.secrets_from_environment(compose_model, DUMMY_SECRETS) == []


def test_stores_sit_only_on_internal_networks(compose_model: Model) -> None:
    assert compose_rules.internal_stores(compose_model) == []


def test_replica_set_members_and_initiator_agree(compose_model: Model) -> None:
    assert compose_rules.replica_set(compose_model) == []


def test_mongo_clients_name_the_set_and_write_with_majority(compose_model: Model) -> None:
    assert compose_rules.mongo_clients(compose_model) == []


def test_api_services_scale_and_nginx_finds_every_replica(compose_model: Model) -> None:
    assert compose_rules.scalable_api_services(compose_model) == []


def _insert_after(line: str, new_line: str) -> Callable[[str], str]:
    def edit(original: str) -> str:
        return "".join(
            f"{old}{new_line}\n" if old.rstrip("\n") == line else old
            for old in original.splitlines(keepends=True)
        )

    return edit


@pytest.mark.parametrize(
    ("break_file", "rule", "message"),
    [
        pytest.param(
            _insert_after("  mongo1: &mongo-member", '    ports: ["27017:27017"]'),
            compose_rules.published_ports,
            "mongo1: publishes a port; only nginx may",
            id="published-db",
        ),
        pytest.param(
            lambda original: original.replace("&w=majority", ""),
            compose_rules.mongo_clients,
            "MONGO_URI must ask for w=majority",
            id="no-majority",
        ),
        pytest.param(
            _insert_after("  buy_service:", "    container_name: dts-buy"),
            compose_rules.scalable_api_services,
            "buy_service: container_name prevents --scale",
            id="fixed-name",
        ),
    ],
)
def test_rule_rejects_a_valid_compose_file_that_breaks_it(
    compose: Compose,
    tmp_path: Path,
    break_file: Callable[[str], str],
    rule: Callable[[Model], list[str]],
    message: str,
) -> None:
    """Canary: valid Compose, so only the rule can catch the break."""
    original = COMPOSE_FILE.read_text()
    broken = break_file(original)
    assert broken != original, "the canary's edit no longer applies to docker-compose.yml"
    path = tmp_path / "broken.yml"
    path.write_text(broken)
    problems = rule(compose.model(path))
    assert any(message in problem for problem in problems), problems
