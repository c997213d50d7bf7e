"""Every Dockerfile of the repository passes hadolint with no finding of any level."""

import fnmatch
import os
from pathlib import Path

import pytest

from tests.deploy.tools import ROOT, Hadolint


def _is_pruned(directory: str) -> bool:
    """Dependencies, virtualenvs and local state: their Dockerfiles are not ours to lint."""
    return directory in (".git", "node_modules", ".data") or directory.startswith(".venv")


def _is_dockerfile(name: str) -> bool:
    return not name.endswith(".dockerignore") and any(
        fnmatch.fnmatchcase(name, pattern)
        for pattern in ("Dockerfile", "Dockerfile.*", "*.Dockerfile")
    )


def repository_dockerfiles() -> list[Path]:
    found = []
    for directory, subdirectories, files in os.walk(ROOT):
        subdirectories[:] = [name for name in subdirectories if not _is_pruned(name)]
        found += [Path(directory, name) for name in files if _is_dockerfile(name)]
    return sorted(found)


DOCKERFILES = repository_dockerfiles()


def test_the_repository_has_dockerfiles_to_lint() -> None:
    assert DOCKERFILES, "no Dockerfile found"


@pytest.mark.parametrize(
    "dockerfile", DOCKERFILES, ids=[str(path.relative_to(ROOT)) for path in DOCKERFILES]
)
def test_hadolint_finds_nothing_in(hadolint: Hadolint, dockerfile: Path) -> None:
    result = hadolint.lint(dockerfile)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_rejects_a_broken_dockerfile(hadolint: Hadolint, tmp_path: Path) -> None:
    """Canary: an unpinned base image, `cd` instead of WORKDIR, an unpinned pip install."""
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM python\nRUN cd /tmp && pip install flask\n")
    assert hadolint.lint(dockerfile).returncode != 0
