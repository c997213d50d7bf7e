"""The course's XML log format (LOGFILE.md): audit records in, one `<log>` document out, streamed.

Records are written one at a time as they come off the database cursor, so memory stays flat
however many millions of events a DUMPLOG covers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from xml.sax.saxutils import escape

from dts.adapters.audit.records import XML_LAYOUT
from dts.money import format_cents
from dts.validation import XML_ILLEGAL_RE

COMMANDS = frozenset({
    "ADD", "QUOTE", "BUY", "COMMIT_BUY", "CANCEL_BUY", "SELL", "COMMIT_SELL", "CANCEL_SELL",
    "SET_BUY_AMOUNT", "CANCEL_SET_BUY", "SET_BUY_TRIGGER", "SET_SELL_AMOUNT", "SET_SELL_TRIGGER",
    "CANCEL_SET_SELL", "DUMPLOG", "DISPLAY_SUMMARY",
})  # fmt: skip

_COMMAND_TYPES = {"userCommand", "systemEvent", "errorEvent", "debugEvent"}


def _value(value: Any, kind: str) -> str:
    if kind == "money":
        return format_cents(int(value))
    if kind == "int":
        return str(int(value))
    return escape(XML_ILLEGAL_RE.sub("", str(value)))


def element(record: dict[str, Any]) -> str | None:
    """One event as XML, or None for a record the course's schema has no place for."""
    kind = record.get("type")
    layout = XML_LAYOUT.get(kind) if isinstance(kind, str) else None
    if layout is None:
        return None
    if kind in _COMMAND_TYPES and record.get("command") not in COMMANDS:
        return None
    parts = [f"<{kind}>"]
    for tag, key, value_kind in layout:
        value = record.get(key)
        if value is not None:
            parts.append(f"<{tag}>{_value(value, value_kind)}</{tag}>")
    parts.append(f"</{kind}>")
    return "".join(parts)


def iter_log(records: Iterable[dict[str, Any]], chunk_chars: int = 1 << 16) -> Iterator[str]:
    """The document in chunks of about `chunk_chars`, produced as the records arrive."""
    parts = ['<?xml version="1.0"?>\n<log>\n']
    size = len(parts[0])
    for record in records:
        xml = element(record)
        if xml is None:
            continue
        parts.append(xml + "\n")
        size += len(xml) + 1
        if size >= chunk_chars:
            yield "".join(parts)
            parts, size = [], 0
    parts.append("</log>\n")
    yield "".join(parts)
