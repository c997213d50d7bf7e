"""An audit event as a stored record and as an XML element: one table of fields for both.

`transaction_table` and an account's outbox (dts.adapters.audit.outbox) hold the same record, keyed
by the original system's names (`transactionNum`, `sym`, `amount`, ...) with money in integer cents;
dts.adapters.audit.logxml writes a record as the course's XML (LOGFILE.md). Adding a field to
`Event` means one row here, and the schema's order of an event's elements is one line in
`XML_ORDER`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dts.domain.events import Event, EventType


@dataclass(frozen=True)
class Field:
    attr: str | None  # the `Event` attribute; None for what the recording process adds
    key: str  # the record's key
    tag: str | None  # the XML element; None for what the course's schema has no place for
    kind: str  # how the XML writes it: int, str or money (cents as dollars)


FIELDS: tuple[Field, ...] = (
    Field("timestamp_ms", "timestamp", "timestamp", "int"),
    Field(None, "server", "server", "str"),
    Field("trx_num", "transactionNum", "transactionNum", "int"),
    Field("command", "command", "command", "str"),
    Field("username", "username", "username", "str"),
    Field("sym", "sym", "stockSymbol", "str"),
    Field("filename", "filename", "filename", "str"),
    Field("amount_cents", "amount", "funds", "money"),
    Field("price_cents", "price", "price", "money"),
    Field("quote_server_time_ms", "quoteServerTime", "quoteServerTime", "int"),
    Field("cryptokey", "cryptokey", "cryptokey", "str"),
    Field("action", "action", "action", "str"),
    Field("shares", "share", None, "int"),
    # An event's message: the schema's name for the two types that have one; otherwise (a
    # systemEvent's) it is kept for people reading the table, not written to XML.
    Field("message", "errorMessage", "errorMessage", "str"),
    Field("message", "debugMessage", "debugMessage", "str"),
    Field("message", "message", None, "str"),
)

_HEAD = "timestamp server transactionNum"
_COMMAND = f"{_HEAD} command username stockSymbol filename funds"
XML_ORDER: dict[EventType, str] = {
    EventType.USER_COMMAND: _COMMAND,
    EventType.QUOTE_SERVER: f"{_HEAD} price stockSymbol username quoteServerTime cryptokey",
    EventType.ACCOUNT_TRANSACTION: f"{_HEAD} action username funds",
    EventType.SYSTEM_EVENT: _COMMAND,
    EventType.ERROR_EVENT: f"{_COMMAND} errorMessage",
    EventType.DEBUG_EVENT: f"{_COMMAND} debugMessage",
}

_BY_TAG = {f.tag: f for f in FIELDS if f.tag is not None}
# Per type, its elements in the schema's order as (tag, record key, kind).
XML_LAYOUT: dict[str, list[tuple[str, str, str]]] = {
    kind.value: [(tag, _BY_TAG[tag].key, _BY_TAG[tag].kind) for tag in order.split()]
    for kind, order in XML_ORDER.items()
}
_MESSAGE_KEY = {
    kind: next((f.key for f in FIELDS if f.attr == "message" and f.tag in order.split()), "message")
    for kind, order in XML_ORDER.items()
}
_PLAIN = [f for f in FIELDS if f.attr not in (None, "message")]
_KEY_TO_ATTR = {f.key: f.attr for f in FIELDS if f.attr is not None}


def to_record(event: Event, server: str | None = None) -> dict[str, Any]:
    """The stored record; `server` is the process that records it (None inside an outbox)."""
    record: dict[str, Any] = {} if event.record_id is None else {"_id": event.record_id}
    record["type"] = event.type.value
    if server is not None:
        record["server"] = server
    for f in _PLAIN:
        value = getattr(event, f.attr)  # type: ignore[arg-type]
        if value is not None:
            record[f.key] = value
    if event.message is not None:
        record[_MESSAGE_KEY[event.type]] = event.message
    return record


def from_record(record: dict[str, Any]) -> Event:
    """The event a record was made from (an outbox's, to be recorded by whoever finds it)."""
    values: dict[str, Any] = {
        attr: record[key] for key, attr in _KEY_TO_ATTR.items() if key in record
    }
    values["type"] = EventType(record["type"])
    if "_id" in record:
        values["record_id"] = str(record["_id"])
    return Event(**values)
