"""Reading ahead: the next items of a slow source fetched while the consumer works on this one.

Everyone's DUMPLOG is two halves that used to take turns: the database server finding and sending
a batch of records, and the user service turning the previous batch into XML and sending it on.
With the reading on a thread of its own (a greenlet under gevent's worker), each half runs while
the other does, and a bounded queue keeps memory flat whatever the log's size.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")
PUT_WAIT_S = 0.5  # how often a blocked reader checks whether the consumer has gone


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


_DONE = object()


class _Reader(Generic[T]):
    def __init__(self, source: Iterator[T], depth: int) -> None:
        self.source = source
        self.queue: queue.Queue[object] = queue.Queue(maxsize=depth)
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            for item in self.source:
                if not self._put(item):
                    return
            self._put(_DONE)
        except BaseException as exc:  # handed to the consumer, raised there
            self._put(_Failed(exc))
        finally:
            close = getattr(self.source, "close", None)
            if close is not None:
                close()

    def _put(self, item: object) -> bool:
        while not self.stopped.is_set():
            try:
                self.queue.put(item, timeout=PUT_WAIT_S)
                return True
            except queue.Full:
                continue
        return False


def read_ahead(source: Iterator[T], depth: int = 4) -> Iterator[T]:
    """`source`'s items in order, read by another thread up to `depth` items ahead.

    An error of the source is raised here, where the consumer takes the item it would have been;
    a consumer that stops early (a client gone mid-download) stops the reader too.
    """
    reader = _Reader(source, depth)
    thread = threading.Thread(target=reader.run, name="read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = reader.queue.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        reader.stopped.set()
