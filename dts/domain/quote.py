"""A stock's price as the quote server gave it, with what the audit log keeps of it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Quote:
    sym: str
    price_cents: int
    quote_server_time_ms: int
    cryptokey: str
    cached: bool = False
