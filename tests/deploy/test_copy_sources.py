"""Every COPY source of every image docker-compose.yml builds is in its build context, past the
.dockerignore: nothing here runs `docker build`, which is where such a break would first show."""

from pathlib import Path
from typing import Any

import pytest

from tests.deploy.copy_sources import copy_source_problems, dockerignore_rules, is_ignored
from tests.deploy.tools import ROOT, Compose


def test_every_copy_source_exists_and_reaches_the_build(compose_model: dict[str, Any]) -> None:
    assert copy_source_problems(compose_model) == []


def test_copy_check_rejects_missing_and_ignored_sources(compose: Compose, tmp_path: Path) -> None:
    """Canary: one COPY of a file that is not there, one of a file .dockerignore excludes."""
    context = tmp_path / "ctx"
    context.mkdir()
    (context / "Dockerfile").write_text(
        "FROM busybox:1.36\nCOPY missing.txt /a\nCOPY secret.txt /b\n"
    )
    (context / ".dockerignore").write_text("secret.txt\n")
    (context / "secret.txt").touch()
    compose_file = tmp_path / "bad-copy.yml"
    compose_file.write_text(f"services:\n  x:\n    build: {context}\n")

    problems = copy_source_problems(compose.model(compose_file))

    assert "Dockerfile: COPY source missing.txt does not exist" in problems
    assert "Dockerfile: COPY source secret.txt is excluded by .dockerignore" in problems


@pytest.mark.parametrize(
    ("path", "ignored"),
    [
        (".env", True),
        (".env.example", False),
        ("frontend/node_modules/vite/index.js", True),
        ("docs/operations.md", True),
        ("dts/config.py", False),
        ("frontend/src/main.js", False),
    ],
)
def test_repository_dockerignore_reads_as_docker_reads_it(path: str, ignored: bool) -> None:
    """The matcher is ours, not Docker's: pin it to cases whose answer Docker's documentation
    settles (a `!` re-includes, `**/` matches at any depth, a directory covers its files)."""
    rules = dockerignore_rules(ROOT, ROOT / "Dockerfile")
    assert is_ignored(path, rules) is ignored
