"""dts.group_commit.WriteBehind: callers do not wait, nothing is lost or reordered, bounded."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from dts.errors import Unavailable
from dts.group_commit import WriteBehind

ROOT = Path(__file__).resolve().parents[2]


def test_put_returns_before_the_write_and_flush_waits_for_it() -> None:
    release = threading.Event()
    written: list[int] = []

    def write(items: list[int]) -> None:
        release.wait(5)
        written.extend(items)

    behind = WriteBehind(write, linger_s=0)
    behind.put([1, 2])  # the writer is held: a waiting put would never return
    assert written == [] and behind.backlog() == 2
    assert not behind.flush(timeout_s=0.05)
    release.set()
    assert behind.flush(timeout_s=5)
    assert written == [1, 2] and behind.backlog() == 0


def test_items_of_many_threads_gather_into_few_writes_in_order_of_arrival() -> None:
    batches: list[list[int]] = []
    behind = WriteBehind(batches.append, linger_s=0.2)
    for i in range(50):
        behind.put([i])
    assert behind.flush(timeout_s=5)
    assert [i for batch in batches for i in batch] == list(range(50))
    assert len(batches) < 5  # the linger gathered them; one write per item would be 50


def test_a_failed_write_is_retried_with_the_same_items_until_it_succeeds() -> None:
    attempts: list[list[str]] = []

    def write(items: list[str]) -> None:
        attempts.append(list(items))
        if len(attempts) < 3:
            raise ConnectionError("database down")

    behind = WriteBehind(write, linger_s=0, retry_s=0.01)
    behind.put(["a", "b"])
    assert behind.flush(timeout_s=5)
    assert attempts == [["a", "b"]] * 3


def test_a_full_backlog_makes_callers_wait_and_then_refuses_cleanly() -> None:
    release = threading.Event()
    behind = WriteBehind(lambda items: release.wait(5), linger_s=0, max_backlog=3, wait_s=0.05)
    behind.put([1, 2, 3])
    with pytest.raises(Unavailable):
        behind.put([4])
    release.set()
    assert behind.flush(timeout_s=5)
    behind.put([4])  # room again once the writer caught up
    assert behind.flush(timeout_s=5)


def test_a_normal_exit_writes_what_is_still_queued(tmp_path: Path) -> None:
    out = tmp_path / "written.txt"
    program = textwrap.dedent(
        f"""
        from dts.group_commit import WriteBehind

        def write(items):
            with open({str(out)!r}, "a") as f:
                f.write("".join(items))

        behind = WriteBehind(write, linger_s=60)  # would not write for a minute on its own
        behind.put(["a", "b", "c"])
        """
    )
    subprocess.run([sys.executable, "-c", program], cwd=ROOT, check=True, timeout=30)
    assert out.read_text() == "abc"
