"""A debugEvent from its audit record to the course's XML: stored with its message, written with a
`debugMessage`, valid against dts/logfile.xsd."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import xmlschema

from dts.adapters.audit.logxml import iter_log
from dts.adapters.audit.records import to_record
from dts.domain.events import Event, EventType

SCHEMA = xmlschema.XMLSchema(Path(__file__).resolve().parents[2] / "dts" / "logfile.xsd")
NOW_MS = 1_700_000_000_000
MESSAGE = "trxNum 0 is not a whole number from 1 to 2^53: numbered 17 by the server"


def debug_event(**fields: object) -> Event:
    base: dict = {
        "type": EventType.DEBUG_EVENT,
        "timestamp_ms": NOW_MS,
        "trx_num": 17,
        "command": "ADD",
        "username": "u",
        "amount_cents": 9162800,
        "message": MESSAGE,
    }
    return Event(**(base | fields))  # type: ignore[arg-type]


def test_a_debug_events_message_is_stored_as_its_debug_message() -> None:
    record = to_record(debug_event(), "user_utils1")
    assert record["type"] == "debugEvent"
    assert record["debugMessage"] == MESSAGE
    assert "errorMessage" not in record


def test_a_debug_event_is_written_with_its_debug_message_and_validates() -> None:
    records = [
        to_record(debug_event(), "user_utils1"),
        to_record(debug_event(command="QUOTE", sym="ABC", amount_cents=None), "user_utils1"),
        to_record(debug_event(command="DUMPLOG", username=None, filename="testLOG"), "u1"),
    ]
    document = "".join(iter_log(records))
    SCHEMA.validate(document)
    events = list(ET.fromstring(document))
    assert [e.tag for e in events] == ["debugEvent"] * 3
    assert [e.findtext("debugMessage") for e in events] == [MESSAGE] * 3
    assert [e.findtext("transactionNum") for e in events] == ["17"] * 3
    assert events[0].findtext("funds") == "91628.00"
    assert events[1].findtext("stockSymbol") == "ABC"
