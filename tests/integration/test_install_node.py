"""`make deps` on a machine whose node is missing or too old for the web UI installs one that works.

These run the real installer into a throwaway virtualenv (the package download included), with
apt switched off so that the machine's own packages are left alone.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "scripts" / "install-node.sh"


def min_node() -> tuple[int, ...]:
    engines = json.loads((ROOT / "frontend" / "package.json").read_text())["engines"]["node"]
    return tuple(int(n) for n in re.findall(r"\d+", engines))


def version_of(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", text)[:3])


@pytest.fixture
def venv(tmp_path: Path) -> Path:
    path = tmp_path / "venv"
    subprocess.run([os.path.realpath(sys.executable), "-m", "venv", str(path)], check=True)
    return path


def install(venv: Path, path_first: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VENV": str(venv), "DTS_APT": "off"}
    env["PATH"] = f"{path_first}:{env['PATH']}"
    return subprocess.run(
        ["bash", str(INSTALLER)], env=env, capture_output=True, text=True, timeout=600
    )


def fake_node(where: Path, node: str, npm: str) -> Path:
    """A `node` and an `npm` that only say their versions, first on PATH."""
    where.mkdir()
    for tool, version in (("node", node), ("npm", npm)):
        (where / tool).write_text(f"#!/bin/sh\necho {version}\n")
        (where / tool).chmod(0o755)
    return where


def test_a_too_old_node_gets_a_new_enough_one_in_the_virtualenv(venv: Path, tmp_path: Path):
    proc = install(venv, fake_node(tmp_path / "old-node", "v18.20.4", "9.2.0"))

    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "found: v18.20.4" in proc.stdout
    node = subprocess.run(
        [str(venv / "bin" / "node"), "-e", "console.log(process.version, 6 * 7)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert version_of(node[0]) >= min_node() and node[1] == "42"
    npm = subprocess.run(
        [str(venv / "bin" / "npm"), "--version"],
        env={**os.environ, "PATH": f"{venv / 'bin'}:{os.environ['PATH']}"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert version_of(npm.stdout) >= (9,)


def test_a_new_enough_node_is_left_as_it_is(venv: Path, tmp_path: Path):
    proc = install(venv, fake_node(tmp_path / "new-node", "v22.12.0", "10.9.0"))

    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == ""
    assert not (venv / "bin" / "node").exists()
