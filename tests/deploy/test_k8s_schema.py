"""deploy/k8s renders with `kubectl kustomize`, and every object, with the Secret template, matches
the Kubernetes JSON schemas of each version the manifests support (strict, offline)."""

from pathlib import Path

import pytest

from tests.deploy.k8s_rules import Manifests
from tests.deploy.tools import K8S_VERSIONS, SECRET_TEMPLATE, Kubectl, KubernetesValidate


def test_deploy_k8s_renders_as_kubectl_apply_k_would(k8s_manifests: Manifests) -> None:
    assert k8s_manifests.objects


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_rendered_objects_and_secret_template_match_the_schemas(
    kubernetes_validate: KubernetesValidate, rendered_k8s: Path, version: str
) -> None:
    assert kubernetes_validate.problems(version, rendered_k8s, SECRET_TEMPLATE) == ""


BROKEN_MANIFESTS = {
    "unknown-field": """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: x}
spec:
  replica: 2
  selector: {matchLabels: {a: b}}
  template: {metadata: {labels: {a: b}}, spec: {containers: [{name: x, image: "busybox:1.36"}]}}
""",
    "wrong-type": """\
apiVersion: v1
kind: Service
metadata: {name: x}
spec: {ports: [{port: eighty}]}
""",
    "unknown-kind": """\
apiVersion: apps/v1
kind: Deploymnet
metadata: {name: x}
""",
}


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("canary", BROKEN_MANIFESTS)
def test_validator_rejects_a_broken_manifest(
    kubernetes_validate: KubernetesValidate, tmp_path: Path, canary: str, version: str
) -> None:
    """Canary: a misspelt field, a value of the wrong type, a kind that does not exist."""
    manifest = tmp_path / f"{canary}.yaml"
    manifest.write_text(BROKEN_MANIFESTS[canary])
    assert kubernetes_validate.problems(version, manifest) != ""


def test_kustomize_rejects_a_kustomization_naming_a_missing_file(
    kubectl: Kubectl, tmp_path: Path
) -> None:
    """Canary: rendering fails the way `kubectl apply -k` would."""
    (tmp_path / "kustomization.yaml").write_text("resources:\n  - not-there.yaml\n")
    assert kubectl.kustomize(tmp_path).returncode != 0
