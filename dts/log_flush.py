"""A flush of every process's audit backlog, asked for over Redis before a DUMPLOG reads the log.

Each process writes its audit records behind its replies (dts.group_commit.WriteBehind), so a
record can still be in another process's memory when a DUMPLOG starts. Every process that writes
records runs a `FlushListener`: it keeps its name in a registry of live writers (a heartbeat every
second) and listens on a channel. A DUMPLOG publishes a flush request there and waits until every
live writer has answered that what it held is stored; it publishes again every half second, so a
process whose subscription was just re-established (Redis restarted, say) still hears it. A record
answered before the DUMPLOG started was queued before the request, so it is in the log then.

A process queues records only while its subscription is confirmed (dts.audit writes them at once
otherwise), and a process that stops heartbeating (killed, or frozen) drops out of the registry
after `LIVE_S`: a DUMPLOG waits for it no longer than that.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable

import redis
from redis.client import PubSub

log = logging.getLogger(__name__)

CHANNEL = "dts:audit:flush"
WRITERS = "dts:audit:writers"  # hash: process name -> last heartbeat (ms)
_ANSWERS = "dts:audit:flushed:{}"
_ANSWER_TTL_S = 60
HEARTBEAT_S = 1.0
LIVE_S = 5.0
REPUBLISH_S = 0.5


def settle(client: redis.Redis, timeout_s: float = 10.0) -> bool:
    """True once every live writer has stored what it held when this was called.

    False if one did not answer within `timeout_s`, or Redis could not be asked: the caller must
    not present the log as complete then.
    """
    request = uuid.uuid4().hex
    key = _ANSWERS.format(request)
    deadline = time.monotonic() + timeout_s
    answered: set[str] = set()
    try:
        waiting = _live_writers(client)
        next_publish = 0.0
        while waiting - answered:
            now = time.monotonic()
            if now >= deadline:
                log.warning("audit flush: no answer from %s", sorted(waiting - answered))
                return False
            if now >= next_publish:
                client.publish(CHANNEL, request)
                next_publish = now + REPUBLISH_S
                waiting = _live_writers(client)  # a writer that died meanwhile drops out
            got = client.blpop([key], timeout=REPUBLISH_S)
            if got is not None:
                answered.add(got[1].decode())
        client.delete(key)
    except redis.RedisError:
        log.warning("audit flush: Redis unreachable")
        return False
    return True


def _live_writers(client: redis.Redis) -> set[str]:
    """Writers heard from within LIVE_S; older entries are removed (the process is gone)."""
    cutoff = (time.time() - LIVE_S) * 1000
    entries = client.hgetall(WRITERS)
    stale = [name for name, beat in entries.items() if float(beat) < cutoff]
    if stale:
        client.hdel(WRITERS, *stale)
    return {name.decode() for name, beat in entries.items() if float(beat) >= cutoff}


class FlushListener:
    """The thread that keeps one process registered as a writer and answers flush requests."""

    def __init__(self, client: redis.Redis, flush: Callable[[float], bool]) -> None:
        self._client = client
        self._flush = flush
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        # Set while the subscription is confirmed: only then may the process queue records.
        self.subscribed = threading.Event()
        self._stopping = threading.Event()

    def stop(self) -> None:
        self._stopping.set()

    def start(self) -> None:
        threading.Thread(target=self._run, name="audit-flush", daemon=True).start()
        atexit.register(self._leave)

    def _leave(self) -> None:
        with contextlib.suppress(redis.RedisError):  # else the entry goes stale on its own
            self._client.hdel(WRITERS, self.name)

    def _run(self) -> None:
        pubsub: PubSub | None = None
        beat_at = 0.0
        failing = False
        while not self._stopping.is_set():
            try:
                if pubsub is None:
                    pubsub = self._subscribe()
                    if failing:
                        log.warning("audit flush: subscribed again")
                    failing = False
                if time.monotonic() >= beat_at:
                    self._beat()
                    beat_at = time.monotonic() + HEARTBEAT_S
                msg = pubsub.get_message(timeout=HEARTBEAT_S)
                if msg is not None and msg["type"] == "message":
                    self._answer(msg["data"])
            except Exception:  # the listener must outlive any one failure
                if not failing:  # once per outage, not once a second
                    log.warning("audit flush: listener failed; retrying", exc_info=True)
                failing = True
                self.subscribed.clear()
                if pubsub is not None:
                    pubsub.close()
                pubsub = None
                time.sleep(1.0)
        if pubsub is not None:
            pubsub.close()
        self._leave()

    def _subscribe(self) -> PubSub:
        pubsub = self._client.pubsub()
        pubsub.subscribe(CHANNEL)
        # The confirmation means the server counts this process in every later PUBLISH.
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            msg = pubsub.get_message(timeout=1.0)
            if msg is not None and msg["type"] == "subscribe":
                self._beat()  # registered before records may be queued: a DUMPLOG waits for it
                self.subscribed.set()
                return pubsub
        pubsub.close()
        raise redis.TimeoutError("no subscription confirmation")

    def _beat(self) -> None:
        self._client.hset(WRITERS, self.name, int(time.time() * 1000))

    def _answer(self, request: bytes | str) -> None:
        request = request.decode() if isinstance(request, bytes) else request
        if not self._flush(8.0):  # within the DUMPLOG's own 10 s
            log.warning("audit flush: this process's backlog was not written in time")
            return  # no answer: the DUMPLOG times out and refuses rather than miss records
        key = _ANSWERS.format(request)
        pipe = self._client.pipeline(transaction=False)
        pipe.rpush(key, self.name)
        pipe.expire(key, _ANSWER_TTL_S)
        pipe.execute()
