"""Which accounts the trigger watcher must look at, kept in Redis beside the quote cache.

Why not a database index: the development database server maintains every secondary index of a
collection on every update, about 0.75 ms of its single core each (measured: docs/benchmarks.md),
and the account document is written by nearly every command. So `user_table` has no index but its
`_id`, and the two questions the watcher asks, "who has a trigger on S?" and "whose pending trade
has expired?", are answered from here instead:

- `dts:trig:<sym>` is the set of usernames with a live trigger on `sym`; `dts:trig:all` the symbols;
- `dts:expiry` is a sorted set of usernames scored by their earliest pending trade's expiry.

Each account write publishes the account's new hints with its version, and a Lua script applies
them only if no newer version was published already, so two racing writers never leave the older
state behind. A hint is only a hint: the watcher re-checks the account under the same guarded write
as any command, so a stale hint costs one read. A hint lost to a crash between the database write
and the publish is restored by `rebuild`, which the watcher runs at start-up and then regularly.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import redis

from dts.domain.account import Account

log = logging.getLogger(__name__)

TRIGGERS = "dts:trig:{}"
TRIGGER_SYMBOLS = "dts:trig:all"
EXPIRY = "dts:expiry"
_VERSIONS = "dts:hint:version"

# Key names inside the script follow TRIGGERS (and a per-user set of the symbols last published).
# ARGV: username, version, next expiry ("" for none), then the symbols with a live trigger.
_PUBLISH = """
local user = ARGV[1]
local version = tonumber(ARGV[2])
local known = tonumber(redis.call('HGET', KEYS[1], user) or '-1')
if version < known then return 0 end
redis.call('HSET', KEYS[1], user, ARGV[2])
local mine = 'dts:hint:syms:' .. user
local wanted = {}
for i = 4, #ARGV do wanted[ARGV[i]] = true end
for _, sym in ipairs(redis.call('SMEMBERS', mine)) do
  if not wanted[sym] then
    local holders = 'dts:trig:' .. sym
    redis.call('SREM', holders, user)
    if redis.call('SCARD', holders) == 0 then redis.call('SREM', KEYS[2], sym) end
  end
end
redis.call('DEL', mine)
for i = 4, #ARGV do
  redis.call('SADD', 'dts:trig:' .. ARGV[i], user)
  redis.call('SADD', KEYS[2], ARGV[i])
  redis.call('SADD', mine, ARGV[i])
end
if ARGV[3] == '' then
  redis.call('ZREM', KEYS[3], user)
else
  redis.call('ZADD', KEYS[3], ARGV[3], user)
end
return 1
"""


def next_expiry_ms(account: Account) -> int | None:
    expiries = [t.expires_at_ms for t in (*account.pending_buys, *account.pending_sells)]
    return min(expiries) if expiries else None


def hints_of(account: Account) -> tuple[tuple[str, ...], int | None]:
    return tuple(account.trigger_symbols), next_expiry_ms(account)


class WatchHints:
    def __init__(self, client: redis.Redis) -> None:
        self.redis = client
        self._publish = client.register_script(_PUBLISH)

    def publish(self, account: Account, version: int) -> bool:
        """Records the account's hints as of `version`; False if Redis could not take them."""
        syms, expiry = hints_of(account)
        args = [account.username, version, "" if expiry is None else expiry, *syms]
        try:
            self._publish(keys=[_VERSIONS, TRIGGER_SYMBOLS, EXPIRY], args=args)
        except redis.RedisError as exc:
            # The write itself succeeded; the watcher's next rebuild restores the hint.
            log.warning("could not publish watch hints of %s: %s", account.username, exc)
            return False
        return True

    def publish_all(self, accounts: Iterable[tuple[Account, int]]) -> int:
        return sum(self.publish(account, version) for account, version in accounts)

    def holders(self, sym: str) -> list[str]:
        return sorted(m.decode() for m in self.redis.smembers(TRIGGERS.format(sym)))

    def symbols(self) -> list[str]:
        return sorted(m.decode() for m in self.redis.smembers(TRIGGER_SYMBOLS))

    def expired(self, now_ms: int, limit: int = 1000) -> list[str]:
        members = self.redis.zrangebyscore(EXPIRY, "-inf", now_ms, start=0, num=limit)
        return [m.decode() for m in members]
