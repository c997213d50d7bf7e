"""Quotes: the quote-server client and the Redis cache in front of it.

A symbol's quote is cached for `quote_ttl_s` (120 s). Concurrent misses for one symbol share one
fetch: threads of one process wait on a local lock, processes on a short Redis lock, so the quote
server sees one request per symbol per expiry however many users ask at once. Every real fetch is
an audit event and is published on `QUOTE_CHANNEL` so the trigger watcher checks that symbol.
"""

from __future__ import annotations

import logging
import threading
import time
import zlib
from dataclasses import asdict

import orjson
import redis
import urllib3

from dts.domain.events import Event
from dts.domain.quote import Quote
from dts.errors import Unavailable

log = logging.getLogger(__name__)
QUOTE_CHANNEL = "dts:quotes"
_KEY = "dts:quote:{}"
_LOCK = "dts:quote-lock:{}"


class QuoteServerClient:
    """HTTP to the internal quote server over one pool of keep-alive connections per process.

    One pool shared by every thread or greenlet, at most `POOL_SIZE` idle connections kept: a pool
    per thread-local would, under the gevent worker, be one per greenlet, and fill the quote
    server's connection slots with idle keep-alives.
    """

    POOL_SIZE = 16

    def __init__(self, base_url: str, timeout_s: float) -> None:
        self.url = base_url.rstrip("/") + "/quote"
        self.timeout = urllib3.Timeout(total=timeout_s)
        self._pool = urllib3.PoolManager(maxsize=self.POOL_SIZE, retries=False)

    def fetch(self, sym: str, username: str) -> Quote:
        try:
            resp = self._pool.request(
                "GET", self.url, fields={"sym": sym, "user": username}, timeout=self.timeout
            )
            if resp.status != 200:
                raise ValueError(f"the quote server answered {resp.status}")
            body = orjson.loads(resp.data)
            return Quote(
                sym=sym,
                price_cents=int(body["price_cents"]),
                quote_server_time_ms=int(body["timestamp"]),
                cryptokey=str(body["cryptokey"]),
            )
        except (urllib3.exceptions.HTTPError, ValueError, KeyError, TypeError) as exc:
            raise Unavailable("the quote server is unavailable, try again shortly") from exc


class QuoteCache:
    def __init__(
        self,
        client: redis.Redis,
        quote_server: QuoteServerClient,
        ttl_s: int = 120,
        wait_s: float = 5.0,
    ) -> None:
        self.redis = client
        self.quote_server = quote_server
        self.ttl_s = ttl_s
        self.wait_s = wait_s
        # Striped locks: bounded memory however many symbols clients invent.
        self._locks = [threading.Lock() for _ in range(64)]

    def get(self, sym: str, username: str, trx_num: int) -> tuple[Quote, list[Event]]:
        """The current quote for `sym`, and the quoteServer event if it had to be fetched."""
        try:
            cached = self._cached(sym)
            if cached:
                return cached, []
            with self._locks[zlib.crc32(sym.encode()) % len(self._locks)]:
                cached = self._cached(sym)
                if cached:
                    return cached, []
                return self._fetch_once(sym, username, trx_num)
        except redis.RedisError as exc:
            raise Unavailable("the quote cache is unavailable, try again shortly") from exc

    def cached_prices(self, symbols: list[str]) -> dict[str, int]:
        """The prices in the cache right now for those of `symbols` that have one (one MGET)."""
        if not symbols:
            return {}
        try:
            raws = self.redis.mget([_KEY.format(sym) for sym in symbols])
        except redis.RedisError as exc:
            raise Unavailable("the quote cache is unavailable, try again shortly") from exc
        return {
            sym: int(orjson.loads(raw)["price_cents"])
            for sym, raw in zip(symbols, raws, strict=True)
            if raw is not None
        }

    def _cached(self, sym: str) -> Quote | None:
        raw = self.redis.get(_KEY.format(sym))
        if raw is None:
            return None
        return Quote(**{**orjson.loads(raw), "cached": True})

    def _store(self, quote: Quote) -> None:
        """Caches and announces a fetched quote. A quote the cache refuses is still a real quote,
        fetched and to be logged: the command goes on with it, and only the next one pays for
        another fetch (the watcher's sweep still finds the symbol's triggers)."""
        payload = orjson.dumps({k: v for k, v in asdict(quote).items() if k != "cached"})
        try:
            pipe = self.redis.pipeline(transaction=False)
            pipe.set(_KEY.format(quote.sym), payload, ex=self.ttl_s)
            pipe.publish(QUOTE_CHANNEL, f"{quote.sym} {quote.price_cents}")
            pipe.execute()
        except redis.RedisError:
            log.warning("quote for %s fetched but not cached: the cache refused it", quote.sym)

    def _release(self, lock_key: str) -> None:
        try:
            self.redis.delete(lock_key)
        except redis.RedisError:  # it expires by itself within wait_s
            log.warning("could not release %s", lock_key)

    def _fetch_once(self, sym: str, username: str, trx_num: int) -> tuple[Quote, list[Event]]:
        lock_key = _LOCK.format(sym)
        holder = self.redis.set(lock_key, "1", nx=True, px=int(self.wait_s * 1000))
        if not holder:
            deadline = time.monotonic() + self.wait_s
            while time.monotonic() < deadline:
                time.sleep(0.005)
                cached = self._cached(sym)
                if cached:
                    return cached, []
        try:
            quote = self.quote_server.fetch(sym, username)
            self._store(quote)  # before the lock goes, so a waiting process finds it cached
        finally:
            if holder:
                self._release(lock_key)
        return quote, [quote.fetched(username, trx_num, int(time.time() * 1000))]
