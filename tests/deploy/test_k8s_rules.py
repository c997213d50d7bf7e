"""deploy/k8s, as rendered, keeps the deployment's own rules (tests.deploy.k8s_rules), and each
rule the canaries below break still notices."""

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.deploy import k8s_rules
from tests.deploy.k8s_rules import Manifests, load_manifests
from tests.deploy.tools import K8S_DIR, Kubectl


def test_no_secret_is_kept_in_the_manifests(k8s_manifests: Manifests) -> None:
    assert k8s_rules.no_secrets(k8s_manifests) == []


def test_every_pod_is_labelled_part_of_dts(k8s_manifests: Manifests) -> None:
    assert k8s_rules.part_of_label(k8s_manifests) == []


def test_every_container_has_requests_and_limits(k8s_manifests: Manifests) -> None:
    assert k8s_rules.resources(k8s_manifests) == []


def test_every_image_has_a_fixed_tag(k8s_manifests: Manifests) -> None:
    assert k8s_rules.fixed_image_tags(k8s_manifests) == []


def test_no_container_may_escalate_privileges(k8s_manifests: Manifests) -> None:
    assert k8s_rules.no_privilege_escalation(k8s_manifests) == []


def test_services_are_ready_when_healthy_and_probed_for_liveness(k8s_manifests: Manifests) -> None:
    assert k8s_rules.probes(k8s_manifests) == []


def test_api_services_autoscale_and_nginx_finds_every_pod(k8s_manifests: Manifests) -> None:
    assert k8s_rules.scaled_api_services(k8s_manifests) == []


def test_replica_set_members_name_and_majority_agree(k8s_manifests: Manifests) -> None:
    assert k8s_rules.replica_set(k8s_manifests) == []


def test_prometheus_finds_and_may_reach_every_process_with_metrics(
    k8s_manifests: Manifests,
) -> None:
    assert k8s_rules.scrape_annotations(k8s_manifests) == []


def test_mtail_reads_the_429_lines_nginx_writes(k8s_manifests: Manifests) -> None:
    assert k8s_rules.rate_limited_log_shared(k8s_manifests) == []


NO_READINESS = """\
  - target: {kind: Deployment, name: buy}
    patch: |-
      - op: remove
        path: /spec/template/spec/containers/0/readinessProbe
"""
NO_SCRAPE = """\
  - target: {kind: Deployment, name: watcher}
    patch: |-
      - op: remove
        path: /spec/template/metadata/annotations
"""
NO_RATE_LIMIT_SERVICE = """\
  - target: {kind: Service, name: nginx-rate-limits}
    patch: |-
      - op: remove
        path: /metadata/annotations
"""
UNSHARED_RATE_LIMITED_LOG = """\
  - target: {kind: Deployment, name: nginx}
    patch: |-
      - op: remove
        path: /spec/template/spec/containers/2/volumeMounts
"""
NO_MAJORITY = """\
  - target: {kind: ConfigMap, name: dts-settings}
    patch: |-
      - op: replace
        path: /data/MONGO_URI
        value: "mongodb://mongo-0.mongo:27017,mongo-1.mongo:27017,mongo-2.mongo:27017/?replicaSet=dts"
"""


@pytest.mark.parametrize(
    ("patches", "rule", "message"),
    [
        pytest.param(
            NO_READINESS,
            k8s_rules.probes,
            "Deployment/buy: readinessProbe must GET",
            id="no-readiness",
        ),
        pytest.param(
            NO_SCRAPE,
            k8s_rules.scrape_annotations,
            "Deployment/watcher: pods must be annotated for scraping on port 9105",
            id="no-scrape-annotations",
        ),
        pytest.param(
            NO_RATE_LIMIT_SERVICE,
            k8s_rules.scrape_annotations,
            "Service/nginx-rate-limits: must be annotated for scraping on port 3903",
            id="no-scrape-annotations-on-the-429-service",
        ),
        pytest.param(
            UNSHARED_RATE_LIMITED_LOG,
            k8s_rules.rate_limited_log_shared,
            "is not on a volume both nginx and mtail mount there",
            id="rate-limited-log-not-shared",
        ),
        pytest.param(
            NO_MAJORITY,
            k8s_rules.replica_set,
            "MONGO_URI must ask for w=majority",
            id="no-majority",
        ),
    ],
)
def test_rule_rejects_the_real_manifests_patched_to_break_it(
    kubectl: Kubectl,
    tmp_path: Path,
    patches: str,
    rule: Callable[[Manifests], list[str]],
    message: str,
) -> None:
    """Canary: the real manifests with one thing broken by an overlay, rendered the same way."""
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    # Relative: kustomize refuses a base given by an absolute path.
    base = os.path.relpath(K8S_DIR, overlay)
    (overlay / "kustomization.yaml").write_text(f"resources: [{base}]\npatches:\n{patches}")
    problems = rule(Manifests(load_manifests(kubectl.render(overlay, tmp_path / "rendered.yaml"))))
    assert any(message in problem for problem in problems), problems
