"""Work that must not stall a gevent worker's other requests.

Under gunicorn's gevent worker (the default, `DTS_WORKER_CLASS=gevent`, gunicorn.conf.py) one
thread serves every request of the process by switching between them whenever one waits on a
socket. A request that computes for long without waiting would hold up every other request of its
service meanwhile, and gunicorn's heartbeat with them. Password hashing (tens of milliseconds of
scrypt, which releases the interpreter lock) goes to gevent's thread pool; long loops give way now
and then. Under the threaded worker, or outside gunicorn, both are plain calls.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def _gevent_hub() -> object | None:
    try:
        from gevent import get_hub, monkey
    except ImportError:
        return None
    return get_hub() if monkey.is_module_patched("threading") else None


def off_the_loop(fn: Callable[..., T], *args: object) -> T:
    """`fn(*args)` in a real thread when the process is a gevent worker, else right here."""
    hub = _gevent_hub()
    if hub is None:
        return fn(*args)
    return hub.threadpool.apply(fn, args)  # type: ignore[attr-defined]


def give_way() -> None:
    """Lets the process's other requests run (gevent), or other threads take the lock."""
    time.sleep(0)
