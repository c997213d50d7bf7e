"""dts.adapters.group_commit: batching many threads' writes without losing, mixing or repeating
any."""

from __future__ import annotations

import threading

import pytest

from dts.adapters.group_commit import GroupCommit
from dts.errors import Unavailable


def test_each_caller_gets_the_results_of_its_own_items_in_order() -> None:
    batches: list[list[int]] = []
    release = threading.Event()

    def write(items: list[int]) -> list[int]:
        batches.append(list(items))
        release.wait(5)
        return [i * 10 for i in items]

    commit: GroupCommit[int, int] = GroupCommit(write)
    results: dict[int, list[int]] = {}

    def call(n: int) -> None:
        results[n] = commit.submit([n, n + 1000])

    threads = [threading.Thread(target=call, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    release.set()
    for t in threads:
        t.join(10)
    assert results == {n: [n * 10, (n + 1000) * 10] for n in range(20)}
    written = sorted(i for batch in batches for i in batch)
    assert written == sorted([*range(20), *range(1000, 1020)])  # each item written exactly once
    assert len(batches) < 20  # the threads that arrived during a write shared a batch


def test_a_failed_write_fails_every_caller_in_its_batch_with_a_clean_error() -> None:
    def write(items: list[str]) -> list[None]:
        raise Unavailable("the database is unavailable, try again shortly")

    commit: GroupCommit[str, None] = GroupCommit(write)
    with pytest.raises(Unavailable) as caught:
        commit.submit(["a"])
    assert caught.value.status == 503
    assert caught.value.message == "the database is unavailable, try again shortly"


def test_the_writer_survives_a_failed_batch() -> None:
    calls = {"n": 0}

    def write(items: list[str]) -> list[str]:
        calls["n"] += 1
        if calls["n"] == 1:
            raise Unavailable("down")
        return [s.upper() for s in items]

    commit: GroupCommit[str, str] = GroupCommit(write)
    with pytest.raises(Unavailable):
        commit.submit(["a"])
    assert commit.submit(["b", "c"]) == ["B", "C"]


def test_a_write_returning_the_wrong_number_of_results_is_an_error_not_a_mixup() -> None:
    commit: GroupCommit[str, str] = GroupCommit(lambda items: ["only one"])
    with pytest.raises(Unavailable):
        commit.submit(["a", "b"])


def test_nothing_to_write_returns_at_once() -> None:
    commit: GroupCommit[str, str] = GroupCommit(lambda items: pytest.fail("wrote nothing"))
    assert commit.submit([]) == []


def test_a_batch_is_capped_so_one_burst_cannot_grow_a_write_without_bound() -> None:
    sizes: list[int] = []
    gate = threading.Event()

    def write(items: list[int]) -> list[int]:
        gate.wait(5)
        sizes.append(len(items))
        return items

    commit: GroupCommit[int, int] = GroupCommit(write, max_batch=3)
    threads = [threading.Thread(target=commit.submit, args=([n],)) for n in range(10)]
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join(10)
    assert sum(sizes) == 10
    assert max(sizes) <= 3
