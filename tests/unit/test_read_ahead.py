"""dts.read_ahead: the items in order, the source's error where its item would be, and a reader
that stops when its consumer does."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from dts.read_ahead import read_ahead


def test_every_item_in_order() -> None:
    assert list(read_ahead(iter(range(1000)), depth=3)) == list(range(1000))


def test_an_empty_source() -> None:
    assert list(read_ahead(iter([]))) == []


def test_the_reader_runs_ahead_but_no_further_than_its_depth() -> None:
    produced: list[int] = []

    def source() -> Iterator[int]:
        for i in range(100):
            produced.append(i)
            yield i

    items = read_ahead(source(), depth=4)
    assert next(items) == 0
    deadline = time.monotonic() + 5
    while len(produced) < 6 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)
    # One taken, four waiting in the queue, one in the reader's hand: no more.
    assert len(produced) == 6
    assert list(items) == list(range(1, 100))


def test_a_failure_of_the_source_is_raised_where_its_item_would_be() -> None:
    def source() -> Iterator[int]:
        yield 1
        yield 2
        raise RuntimeError("the database went away")

    items = read_ahead(source())
    assert next(items) == 1
    assert next(items) == 2
    with pytest.raises(RuntimeError, match="went away"):
        next(items)


def test_a_consumer_that_stops_early_stops_the_reader_and_closes_the_source() -> None:
    closed = threading.Event()

    def source() -> Iterator[int]:
        try:
            i = 0
            while True:
                yield i
                i += 1
        finally:
            closed.set()

    items = read_ahead(source(), depth=2)
    assert next(items) == 0
    items.close()  # type: ignore[attr-defined]
    assert closed.wait(5), "the reader kept reading after its consumer left"
