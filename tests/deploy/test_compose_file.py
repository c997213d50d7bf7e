"""docker-compose.yml as the real Docker Compose CLI reads it: parsed, interpolated with the
variables of .env.example and validated against the Compose Specification."""

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.deploy.tools import COMPOSE_FILE, ENV_EXAMPLE, Compose


def test_env_example_exists_to_interpolate_with() -> None:
    assert ENV_EXAMPLE.is_file(), ".env.example is missing"


def test_compose_file_is_valid_and_renders_without_warnings(compose: Compose) -> None:
    assert compose.model(COMPOSE_FILE)["services"]


def test_compose_file_refuses_to_render_without_the_secrets(compose: Compose) -> None:
    """No silent default secret: the file must demand DTS_SECRET_KEY and DTS_OPERATOR_TOKEN."""
    assert not compose.accepts(COMPOSE_FILE, env={})


def _hopeful_condition(original: str) -> str:
    return original.replace("condition: service_healthy", "condition: service_hopeful")


def _unknown_key(_original: str) -> str:
    return "services:\n  x:\n    image: busybox\n    not_a_compose_key: 1\n"


@pytest.mark.parametrize(
    "break_file",
    [
        pytest.param(_hopeful_condition, id="bad-condition"),
        pytest.param(_unknown_key, id="unknown-key"),
    ],
)
def test_compose_rejects_a_file_outside_the_specification(
    compose: Compose, tmp_path: Path, break_file: Callable[[str], str]
) -> None:
    """Canary: a schema check that silently stopped checking cannot pass this."""
    original = COMPOSE_FILE.read_text()
    broken = break_file(original)
    assert broken != original, "the canary's edit no longer applies to docker-compose.yml"
    path = tmp_path / "broken.yml"
    path.write_text(broken)
    assert not compose.accepts(path)
