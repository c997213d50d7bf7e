"""Batching: the database work of many request threads goes to the server as one request.

The development database server spends most of a small operation on per-request overhead (one
audit record alone costs about 1.5 ms of its core, twenty in one `insert_many` about 0.3 ms each),
so each process keeps one thread per kind of batch (account loads, guarded saves). A request
hands its item over and waits until the batch that carries it is done, exactly as long as its own
round trip would have taken, and gets its own result. While one batch is at the server the next
one fills up, so the busier the process, the larger and cheaper its batches.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from dts.errors import Unavailable

T = TypeVar("T")
R = TypeVar("R")
log = logging.getLogger(__name__)


class _Batch(Generic[T, R]):
    __slots__ = ("done", "error", "items", "results")

    def __init__(self) -> None:
        self.items: list[T] = []
        self.results: list[R] = []
        self.done = threading.Event()
        self.error: BaseException | None = None


class GroupCommit(Generic[T, R]):
    """`write` takes a batch of items and returns one result per item, in order."""

    def __init__(
        self,
        write: Callable[[list[T]], list[R]],
        *,
        max_batch: int = 1000,
        wait_s: float = 30.0,
        name: str = "group-commit",
    ) -> None:
        self._write = write
        self._max_batch = max_batch
        self._wait_s = wait_s
        self._name = name
        self._cond = threading.Condition()
        self._queue: list[_Batch[T, R]] = [_Batch()]
        self._thread: threading.Thread | None = None
        self._pid: int | None = None  # the process that started the thread

    def submit(self, items: Sequence[T]) -> list[R]:
        """Returns `items`' results once written; raises what the write raised for their batch."""
        if not items:
            return []
        with self._cond:
            self._start_once()
            batch = self._queue[-1]
            if len(batch.items) >= self._max_batch:
                batch = _Batch()
                self._queue.append(batch)
            start = len(batch.items)
            batch.items.extend(items)
            self._cond.notify()
        if not batch.done.wait(self._wait_s):
            raise Unavailable("the database is not keeping up, try again shortly")
        if batch.error is not None:
            # A fresh error per waiting thread: one exception object raised in many threads at
            # once would have its traceback rewritten under each other's feet.
            message = getattr(batch.error, "message", "the write failed")
            raise Unavailable(message) from batch.error
        return batch.results[start : start + len(items)]

    def _start_once(self) -> None:
        # Started on first use, not at construction: gunicorn forks workers after the app factory
        # may have run, and a thread does not survive a fork. The thread never returns, so a
        # process that started it has it; asking the thread itself takes a lock on every submit.
        if self._pid != os.getpid():
            self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
            self._thread.start()
            self._pid = os.getpid()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue[0].items:
                    self._cond.wait()
                batch = self._queue.pop(0)
                if not self._queue:
                    self._queue.append(_Batch())
            try:
                batch.results = self._write(batch.items)
                if len(batch.results) != len(batch.items):
                    raise RuntimeError(f"{self._name}: {len(batch.results)} results for a batch")
            except BaseException as exc:  # handed to every waiting request, never lost here
                batch.error = exc
            finally:
                batch.done.set()
