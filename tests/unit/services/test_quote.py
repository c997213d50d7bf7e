"""QUOTE: a fetch is audited as a quoteServer event; the cached quote is not fetched again."""

from __future__ import annotations

from dts.adapters.memory import FixedQuotes, MemoryAccounts
from dts.domain.events import Event, EventType
from dts.services import Caller, Services
from tests.unit.services.harness import T0_MS, Clock


def test_first_quote_is_fetched_and_audited(services: Services, accounts: MemoryAccounts) -> None:
    caller = Caller("carol", 5)
    reply = services.quote(caller, "ABC")
    assert reply == {
        "sym": "ABC",
        "price_cents": 12_00,
        "quoteServerTime": T0_MS,
        "cryptokey": "key-ABC",
        "cached": False,
    }
    assert caller.trail == [
        Event(
            type=EventType.QUOTE_SERVER,
            timestamp_ms=T0_MS,
            trx_num=5,
            username="carol",
            sym="ABC",
            price_cents=12_00,
            quote_server_time_ms=T0_MS,
            cryptokey="key-ABC",
        )
    ]
    assert accounts.load("carol") is None  # QUOTE needs no account and makes none
    assert accounts.saves == 0


def test_cached_quote_gives_no_event(services: Services, clock: Clock) -> None:
    services.quote(Caller("carol", 5), "ABC")
    clock.advance(1_000)
    again = Caller("carol", 6)
    reply = services.quote(again, "ABC")
    assert reply == {
        "sym": "ABC",
        "price_cents": 12_00,
        "quoteServerTime": T0_MS,
        "cryptokey": "key-ABC",
        "cached": True,
    }
    assert again.trail == []


def test_quote_fetched_again_once_the_cache_expires(
    services: Services, quotes: FixedQuotes, clock: Clock
) -> None:
    services.quote(Caller("carol", 5), "ABC")
    quotes.expire_quotes()
    clock.advance(120_000)
    again = Caller("carol", 6)
    assert services.quote(again, "ABC")["cached"] is False
    assert [(e.type, e.quote_server_time_ms) for e in again.trail] == [
        (EventType.QUOTE_SERVER, T0_MS + 120_000)
    ]
