"""deploy/k8s/secret.template.yaml is one Secret with empty values: a template in git, never a
real or a weak secret."""

from pathlib import Path

from tests.deploy.k8s_rules import load_manifests, secret_template_problems
from tests.deploy.tools import SECRET_TEMPLATE


def test_secret_template_exists() -> None:
    assert SECRET_TEMPLATE.is_file(), f"no Secret template at {SECRET_TEMPLATE}"


def test_secret_template_values_are_empty() -> None:
    assert secret_template_problems(load_manifests(SECRET_TEMPLATE)) == []


def test_secret_template_check_rejects_a_filled_in_value(tmp_path: Path) -> None:
    """Canary: the template with one value filled in."""
    original = SECRET_TEMPLATE.read_text()
    filled = original.replace(
        'DTS_SECRET_KEY: ""', 'DTS_SECRET_KEY: "a-real-looking-secret-0123456789"'
    )
    assert filled != original, "the canary's edit no longer applies to the Secret template"
    path = tmp_path / "filled-secret.yaml"
    path.write_text(filled)
    assert "stringData.DTS_SECRET_KEY must be empty" in secret_template_problems(
        load_manifests(path)
    )
