"""gunicorn.conf.py's part in multiprocess metrics: every worker inherits one directory, emptied
when the service starts, and a dead worker's live gauges leave it (its counters stay)."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[2]
MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"


@pytest.fixture(autouse=True)
def environment_kept() -> Iterator[None]:
    """gunicorn.conf.py sets the variable in os.environ itself: each test leaves it as it was."""
    was = os.environ.get(MULTIPROC_DIR)
    yield
    if was is None:
        os.environ.pop(MULTIPROC_DIR, None)
    else:
        os.environ[MULTIPROC_DIR] = was


def load_conf() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dts_gunicorn_conf", ROOT / "gunicorn.conf.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_without_a_directory_given_one_is_made_for_the_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(MULTIPROC_DIR, raising=False)
    monkeypatch.delenv("DTS_METRICS", raising=False)
    load_conf()
    made = Path(os.environ[MULTIPROC_DIR])
    assert made.is_dir() and made.name.startswith("dts-metrics-")
    made.rmdir()


def test_with_metrics_off_no_directory_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MULTIPROC_DIR, raising=False)
    monkeypatch.setenv("DTS_METRICS", "off")
    load_conf()
    assert MULTIPROC_DIR not in os.environ


def test_the_directory_is_emptied_at_start_and_a_dead_workers_live_gauges_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MULTIPROC_DIR, str(tmp_path))
    conf = load_conf()
    (tmp_path / "counter_111.db").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("not ours")
    conf.on_starting(None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    (tmp_path / "counter_222.db").write_bytes(b"x")
    (tmp_path / "gauge_livesum_222.db").write_bytes(b"x")
    conf.child_exit(None, SimpleNamespace(pid=222))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["counter_222.db", "notes.txt"]
