"""Which accounts the trigger watcher must look at, kept in Redis beside the quote cache.

Why not a database index: the development database server maintains every secondary index of a
collection on every update, about 0.75 ms of its single core each (measured: docs/benchmarks.md),
and the account document is written by nearly every command. So `user_table` has no index but its
`_id`, and the two questions the watcher asks, "who has a trigger on S?" and "whose pending trade
has expired?", are answered from here instead:

- `dts:trig:BUY:<sym>` and `dts:trig:SELL:<sym>` hold the usernames with a live trigger on `sym`,
  scored by the trigger price, so a quote finds just the orders it crosses (a BUY fires at or
  below its price, a SELL at or above) and the watcher reads no account it would leave as it is;
- `dts:trig:all` is the set of symbols with a live trigger;
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

from dts import metrics
from dts.domain.account import Account, Side

log = logging.getLogger(__name__)

TRIGGERS = "dts:trig:{side}:{sym}"
TRIGGER_SYMBOLS = "dts:trig:all"
EXPIRY = "dts:expiry"
_VERSIONS = "dts:hint:version"

# Key names inside the script follow TRIGGERS (and a per-user set of the "SIDE:sym" last published).
# ARGV: username, version, next expiry ("" for none), then pairs of "SIDE:sym" and trigger cents.
_PUBLISH = """
local user = ARGV[1]
local version = tonumber(ARGV[2])
local known = tonumber(redis.call('HGET', KEYS[1], user) or '-1')
if version < known then return 0 end
redis.call('HSET', KEYS[1], user, ARGV[2])
local mine = 'dts:hint:syms:' .. user
local wanted = {}
for i = 4, #ARGV, 2 do wanted[ARGV[i]] = ARGV[i + 1] end
for _, entry in ipairs(redis.call('SMEMBERS', mine)) do
  local at = string.find(entry, ':', 1, true)
  if at and not wanted[entry] then
    local sym = string.sub(entry, at + 1)
    redis.call('ZREM', 'dts:trig:' .. entry, user)
    local left = redis.call('ZCARD', 'dts:trig:BUY:' .. sym)
    left = left + redis.call('ZCARD', 'dts:trig:SELL:' .. sym)
    if left == 0 then redis.call('SREM', KEYS[2], sym) end
  end
end
redis.call('DEL', mine)
for entry, price in pairs(wanted) do
  local sym = string.sub(entry, string.find(entry, ':', 1, true) + 1)
  redis.call('ZADD', 'dts:trig:' .. entry, price, user)
  redis.call('SADD', KEYS[2], sym)
  redis.call('SADD', mine, entry)
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


Hints = tuple[tuple[tuple[str, str, int], ...], int | None]


def hints_of(account: Account) -> Hints:
    """(side, symbol, trigger price) of every live trigger, and the next pending expiry."""
    triggers = tuple(
        sorted(
            (side.value, sym, order.trigger_cents)
            for side in Side
            for sym, order in account.orders(side).items()
            if order.trigger_cents is not None
        )
    )
    return triggers, next_expiry_ms(account)


class WatchHints:
    def __init__(self, client: redis.Redis) -> None:
        self.redis = client
        self._publish = client.register_script(_PUBLISH)

    def publish(self, account: Account, version: int) -> bool:
        """Records the account's hints as of `version`; False if Redis could not take them."""
        triggers, expiry = hints_of(account)
        # Plain ints: numbers read from the database are bson's Int64, which hiredis's command
        # packer refuses.
        args: list[str | int] = [
            account.username,
            int(version),
            "" if expiry is None else int(expiry),
        ]
        for side, sym, price in triggers:
            args += [f"{side}:{sym}", int(price)]
        try:
            self._publish(keys=[_VERSIONS, TRIGGER_SYMBOLS, EXPIRY], args=args)
        except redis.RedisError as exc:
            # The write itself succeeded; the watcher's next rebuild restores the hint.
            metrics.redis_error("watch_hints")
            log.warning("could not publish watch hints of %s: %s", account.username, exc)
            return False
        return True

    def publish_all(self, accounts: Iterable[tuple[Account, int]]) -> int:
        return sum(self.publish(account, version) for account, version in accounts)

    def crossed(self, sym: str, price_cents: int) -> list[str]:
        """Accounts with a BUY trigger at or above the price, or a SELL trigger at or below it."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.zrangebyscore(TRIGGERS.format(side="BUY", sym=sym), price_cents, "+inf")
        pipe.zrangebyscore(TRIGGERS.format(side="SELL", sym=sym), "-inf", price_cents)
        buyers, sellers = pipe.execute()
        return sorted({m.decode() for m in (*buyers, *sellers)})

    def symbols(self) -> list[str]:
        return sorted(m.decode() for m in self.redis.smembers(TRIGGER_SYMBOLS))

    def expired(self, now_ms: int, limit: int = 1000) -> list[str]:
        members = self.redis.zrangebyscore(EXPIRY, "-inf", now_ms, start=0, num=limit)
        return [m.decode() for m in members]
