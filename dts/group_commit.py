"""Batching: the database work of many request threads goes to the server as one request.

The development database server spends most of a small operation on per-request overhead (one
audit record alone costs about 1.5 ms of its core, twenty in one `insert_many` about 0.3 ms each),
so each process keeps one thread per kind of batch.

- `GroupCommit` (account loads and guarded saves): a request hands its item over and waits until
  the batch that carries it is done, exactly as long as its own round trip would have taken, and
  gets its own result. While one batch is at the server the next one fills up, so the busier the
  process, the larger and cheaper its batches.
- `WriteBehind` (audit records): the request does not wait at all; see its docstring for what
  that costs and why the audit log can afford it.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
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
        # may have run, and a thread does not survive a fork.
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
            self._thread.start()

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


class WriteBehind(Generic[T]):
    """Items written by one background thread in batches, without the caller waiting for them.

    For records whose loss on a crash is bounded and whose readers can ask for a flush first: the
    audit log (dts.audit). A caller's items are in memory until the next batch, at most `linger_s`
    plus one write later; waiting that long lets the batch gather every other request's items
    meanwhile, so the database sees a few large inserts instead of one small one per request
    (the round trip was a fifth of the database server's CPU per command). A failed write is
    retried until it succeeds, in order; a backlog of `max_backlog` items makes callers wait, so
    memory stays bounded while the database is down. The process's normal exit flushes what is
    left (atexit; gunicorn and the watcher both leave through it).
    """

    def __init__(
        self,
        write: Callable[[list[T]], object],
        *,
        linger_s: float = 0.05,
        max_batch: int = 2000,
        max_backlog: int = 50_000,
        wait_s: float = 30.0,
        retry_s: float = 0.5,
        name: str = "write-behind",
        on_start: Callable[[], None] | None = None,
    ) -> None:
        self._write = write
        self._linger_s = linger_s
        self._max_batch = max_batch
        self._max_backlog = max_backlog
        self._wait_s = wait_s
        self._retry_s = retry_s
        self._name = name
        self._on_start = on_start
        self._cond = threading.Condition()
        self._items: list[T] = []
        self._put = 0  # items ever put
        self._written = 0  # items ever written: always a prefix of those put
        self._hurry = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def put(self, items: Sequence[T]) -> None:
        """Queues `items`; waits only while the backlog is full (then 503 after `wait_s`)."""
        if not items:
            return
        with self._cond:
            self._start_once()
            if not self._cond.wait_for(
                lambda: self._put - self._written < self._max_backlog, self._wait_s
            ):
                raise Unavailable("the database is not keeping up, try again shortly")
            self._items.extend(items)
            self._put += len(items)
            self._cond.notify_all()

    def flush(self, timeout_s: float = 30.0) -> bool:
        """True once every item put before the call is written; False if `timeout_s` ran out."""
        with self._cond:
            target = self._put
            if self._written >= target:
                return True
        self._hurry.set()
        with self._cond:
            return self._cond.wait_for(lambda: self._written >= target, timeout_s)

    def backlog(self) -> int:
        with self._cond:
            return self._put - self._written

    def _start_once(self) -> None:
        """Called with `_cond` held, by `put` only.

        Started on first use, in the process that uses it: a thread does not survive gunicorn's
        fork. `on_start` runs first and in the caller, so it is in place before any item is.
        """
        if self._thread is not None and self._thread.is_alive():
            return
        if self._on_start is not None:
            self._on_start()
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()
        if not self._pid:
            atexit.register(self._at_exit)
        self._pid = os.getpid()

    def _at_exit(self) -> None:
        # Within gunicorn's graceful stop (20 s) and the native stack's patience (15 s).
        if os.getpid() == self._pid and not self.flush(10.0):
            log.error("%s: %d items not written at exit", self._name, self.backlog())

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: bool(self._items))
                full = len(self._items) >= self._max_batch
            if not full:
                self._hurry.wait(self._linger_s)  # let the batch fill, unless a flush is waiting
            self._hurry.clear()
            with self._cond:
                batch = self._items[: self._max_batch]
                del self._items[: self._max_batch]
            self._write_until_done(batch)
            with self._cond:
                self._written += len(batch)
                self._cond.notify_all()

    def _write_until_done(self, batch: list[T]) -> None:
        attempt = 0
        while True:
            try:
                self._write(batch)
                return
            except Exception:  # kept and retried: the items are the only copy of what happened
                attempt += 1
                log.warning(
                    "%s: write of %d items failed, retrying", self._name, len(batch), exc_info=True
                )
                time.sleep(min(self._retry_s * attempt, 5.0))
