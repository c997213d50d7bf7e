"""One leader among several watcher instances: a lease in Redis, renewed while the leader lives.

The lease is a key holding the leader's id with an expiry. Every instance calls `hold()` every
third of the lease: the leader extends its own key, the others try to take it once it is gone.
So when the leader dies its lease runs out and another instance leads within about one lease; a
leader that stops (SIGTERM) gives it up at once.

The lease keeps the instances from doing the same work twice; it is not what keeps an order from
firing twice. A leader that stalls past its lease (a long pause, a partition from Redis) may act
once more while its successor already leads, and that is harmless: firing is a version-checked
account write that removes the order, so of two racing fires one finds it gone.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket

import redis

from dts import metrics

log = logging.getLogger(__name__)
LEADER_KEY = "dts:watcher:leader"

# Extends the lease if we hold it, takes it if nobody does; 1 if we hold it afterwards.
_HOLD = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return 1
end
if not holder then
    redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
    return 1
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""


def instance_id(name: str = "") -> str:
    """Unique per process, readable in Redis: which instance leads, on which host."""
    return f"{name or 'watcher'}@{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Lease:
    def __init__(self, client: redis.Redis, holder: str, ttl_s: float, key: str = LEADER_KEY):
        self.redis = client
        self.holder = holder
        self.ttl_ms = max(1, int(ttl_s * 1000))
        self.key = key
        self._hold = client.register_script(_HOLD)
        self._release = client.register_script(_RELEASE)
        self.held = False

    @property
    def renew_every_s(self) -> float:
        return self.ttl_ms / 3000

    def hold(self) -> bool:
        """Renews or takes the lease; False (and not leading) if Redis cannot be reached."""
        was = self.held
        try:
            self.held = bool(self._hold(keys=[self.key], args=[self.holder, self.ttl_ms]))
        except redis.RedisError as exc:
            metrics.redis_error("leader_lease")
            log.warning("leader lease: %s", exc)
            self.held = False
        if self.held != was:
            log.info("%s %s", self.holder, "leads" if self.held else "no longer leads")
        return self.held

    def release(self) -> None:
        try:
            self._release(keys=[self.key], args=[self.holder])
        except redis.RedisError as exc:
            log.warning("leader lease not released: %s", exc)
        self.held = False

    def leader(self) -> str | None:
        value = self.redis.get(self.key)
        return value.decode() if value is not None else None
