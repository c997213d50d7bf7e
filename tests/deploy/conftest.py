"""The pinned tools and the rendered deployment files, shared by every deployment test.

A missing tool fails its tests rather than skipping them: a check that silently stopped running
would let a broken deployment file through CI.
"""

import os
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.k8s_rules import Manifests, load_manifests
from tests.deploy.tools import (
    COMPOSE_FILE,
    K8S_DIR,
    TOOLS_VENV,
    Compose,
    Hadolint,
    Kubectl,
    KubernetesValidate,
)


def _tool(name: str) -> Path:
    path = TOOLS_VENV / "bin" / name
    if not os.access(path, os.X_OK):
        pytest.fail(
            f"{path} is missing: `make check-deploy` installs the deployment tools "
            "(scripts/deploy-tools-requirements.txt), then runs these tests",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def compose() -> Compose:
    return Compose(_tool("docker-compose"))


@pytest.fixture(scope="session")
def hadolint() -> Hadolint:
    return Hadolint(_tool("hadolint"))


@pytest.fixture(scope="session")
def kubectl() -> Kubectl:
    return Kubectl(_tool("kubectl"))


@pytest.fixture(scope="session")
def kubernetes_validate() -> KubernetesValidate:
    return KubernetesValidate(_tool("kubernetes-validate"))


@pytest.fixture(scope="session")
def compose_model(compose: Compose) -> dict[str, Any]:
    return compose.model(COMPOSE_FILE)


@pytest.fixture(scope="session")
def rendered_k8s(kubectl: Kubectl, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return kubectl.render(K8S_DIR, tmp_path_factory.mktemp("k8s") / "rendered.yaml")


@pytest.fixture(scope="session")
def k8s_manifests(rendered_k8s: Path) -> Manifests:
    return Manifests(load_manifests(rendered_k8s))
