"""Replies on the wire: each `*_cents` value becomes an exact dollar string, plain name."""

from __future__ import annotations

from typing import Any

from dts.money import format_cents


def to_wire(value: Any) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key.endswith("_cents") and (item is None or isinstance(item, int)):
                out[key.removesuffix("_cents")] = None if item is None else format_cents(item)
            else:
                out[key] = to_wire(item)
        return out
    if isinstance(value, list | tuple):
        return [to_wire(item) for item in value]
    return value
