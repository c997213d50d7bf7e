"""Audit events the rules produce, as plain values; dts.adapters.audit.log stores them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EventType(StrEnum):
    USER_COMMAND = "userCommand"
    QUOTE_SERVER = "quoteServer"
    ACCOUNT_TRANSACTION = "accountTransaction"
    SYSTEM_EVENT = "systemEvent"
    ERROR_EVENT = "errorEvent"
    DEBUG_EVENT = "debugEvent"


@dataclass(frozen=True)
class Event:
    type: EventType
    timestamp_ms: int
    trx_num: int
    command: str | None = None
    username: str | None = None
    sym: str | None = None
    amount_cents: int | None = None
    shares: int | None = None
    price_cents: int | None = None
    action: str | None = None
    filename: str | None = None
    message: str | None = None
    quote_server_time_ms: int | None = None
    cryptokey: str | None = None
    # Set for events of a stored account change (dts.adapters.audit.outbox): recording it twice
    # stores it once.
    record_id: str | None = None
