"""A flush of every process's audit backlog, asked for over Redis before a DUMPLOG reads the log.

Each process writes its audit records behind its replies (dts.group_commit.WriteBehind), so a
record can still be in another process's memory when a DUMPLOG starts. The DUMPLOG publishes a
flush request on one channel; every process that has ever queued a record listens there (it
subscribes before its first record is queued), writes what it holds and answers on a list named
after the request. PUBLISH says how many processes heard it, so the DUMPLOG knows how many answers
to wait for. A record answered before the DUMPLOG started was queued before the request was
published, so it is in the log when the DUMPLOG reads.
"""

from __future__ import annotations

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
_ANSWERS = "dts:audit:flushed:{}"
_ANSWER_TTL_S = 60


def settle(client: redis.Redis, timeout_s: float = 10.0) -> bool:
    """True once every listening process has written what it held when this was called.

    False if one did not answer within `timeout_s` or Redis could not be asked: the caller goes on
    (a DUMPLOG is still useful) and the records of that process may be missing from it.
    """
    request = uuid.uuid4().hex
    key = _ANSWERS.format(request)
    deadline = time.monotonic() + timeout_s
    try:
        expected = int(client.publish(CHANNEL, request))
        answered = 0
        while answered < expected:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            # Below the client's socket timeout, so a slow flush is a wait, not an error.
            got = client.blpop([key], timeout=max(1, min(int(left), 4)))
            if got is not None:
                answered += 1
        client.delete(key)
    except redis.RedisError:
        log.warning("audit flush: Redis unreachable; a DUMPLOG may miss the newest records")
        return False
    if answered < expected:
        log.warning("audit flush: %d of %d processes answered in time", answered, expected)
        return False
    return True


class FlushListener:
    """The thread that answers flush requests for one process's audit writer."""

    def __init__(self, client: redis.Redis, flush: Callable[[float], bool]) -> None:
        self._client = client
        self._flush = flush
        self._name = f"{socket.gethostname()}:{os.getpid()}"

    def start(self) -> None:
        """Subscribes before returning, so a flush published from now on reaches this process."""
        pubsub = self._subscribe()
        threading.Thread(target=self._run, args=(pubsub,), name="audit-flush", daemon=True).start()

    def _subscribe(self) -> PubSub | None:
        pubsub = self._client.pubsub()
        try:
            pubsub.subscribe(CHANNEL)
            # The confirmation means the server counts this process in the next PUBLISH.
            while (msg := pubsub.get_message(timeout=3.0)) is not None:
                if msg["type"] == "subscribe":
                    return pubsub
        except redis.RedisError:
            pass
        log.warning("audit flush: could not subscribe to Redis; retrying in the background")
        pubsub.close()
        return None

    def _run(self, pubsub: PubSub | None) -> None:
        while True:
            if pubsub is None:
                time.sleep(1.0)
                pubsub = self._subscribe()
                continue
            try:
                msg = pubsub.get_message(ignore_subscribe_messages=True, timeout=2.0)
                if msg is not None and msg["type"] == "message":
                    self._answer(msg["data"])
            except redis.RedisError:
                log.warning("audit flush: lost the Redis subscription; subscribing again")
                pubsub.close()
                pubsub = None

    def _answer(self, request: bytes | str) -> None:
        request = request.decode() if isinstance(request, bytes) else request
        if not self._flush(30.0):
            log.warning("audit flush: this process's backlog was not written in time")
            return  # no answer: the DUMPLOG waits out its timeout and says so
        key = _ANSWERS.format(request)
        pipe = self._client.pipeline(transaction=False)
        pipe.rpush(key, self._name)
        pipe.expire(key, _ANSWER_TTL_S)
        pipe.execute()
