"""A stock's price as the quote server gave it, with what the audit log keeps of it."""

from __future__ import annotations

from dataclasses import dataclass

from dts.domain.events import Event, EventType


@dataclass(frozen=True)
class Quote:
    sym: str
    price_cents: int
    quote_server_time_ms: int
    cryptokey: str
    cached: bool = False

    def fetched(self, username: str, trx_num: int, now_ms: int) -> Event:
        """The quoteServer event of a real fetch (a cached quote has none)."""
        return Event(
            type=EventType.QUOTE_SERVER,
            timestamp_ms=now_ms,
            trx_num=trx_num,
            username=username,
            sym=self.sym,
            price_cents=self.price_cents,
            quote_server_time_ms=self.quote_server_time_ms,
            cryptokey=self.cryptokey,
        )
