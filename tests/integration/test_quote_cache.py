"""The quote cache against the stack's real Redis and quote server, when Redis fails mid-way."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis

from dts.adapters.redis.quotes import QuoteCache, QuoteServerClient
from dts.domain.events import EventType
from tests.integration.harness import PORT_BASE, REDIS_URL, Stack


@pytest.fixture
def cache_refusing_redis(stack: Stack) -> Iterator[redis.Redis]:
    """A Redis login that may read every key and take the fetch lock, but may not write a
    quote into the cache: Redis failing after the quote server has answered."""
    admin = redis.Redis.from_url(REDIS_URL)
    name, password = f"nocache-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    admin.acl_setuser(
        name,
        enabled=True,
        passwords=[f"+{password}"],
        keys=["%R~*", "dts:quote-lock:*"],
        commands=["+@all"],
    )
    client = redis.Redis.from_url(REDIS_URL, username=name, password=password)
    try:
        yield client
    finally:
        client.close()
        admin.acl_deluser(name)
        admin.close()


def test_a_quote_fetched_but_not_cached_is_still_returned_and_logged(
    stack: Stack, cache_refusing_redis: redis.Redis
) -> None:
    sym = "Q" + uuid.uuid4().hex[:4].upper()
    quotes = QuoteCache(
        cache_refusing_redis, QuoteServerClient(f"http://127.0.0.1:{PORT_BASE + 4}", 5.0)
    )

    quote, events = quotes.get(sym, "alice", 7)

    assert quote.price_cents == stack.price_cents(sym) and not quote.cached
    assert [(e.type, e.sym, e.price_cents, e.trx_num) for e in events] == [
        (EventType.QUOTE_SERVER, sym, quote.price_cents, 7)
    ]
    assert cache_refusing_redis.get(f"dts:quote:{sym}") is None  # really not cached
    assert cache_refusing_redis.get(f"dts:quote-lock:{sym}") is None  # and the lock let go
