"""bench.run.markdown: a result says how full the database was, since that changes its cost."""

from __future__ import annotations

from typing import Any

from bench.run import markdown

META: dict[str, Any] = {
    "workload": "user45.txt",
    "git": "abc1234",
    "cores": 2,
    "python": "3.11.7",
    "date": "2026-12-02 19:00 UTC",
    "auth": "on",
    "quote_mode": "random",
}


def header(meta: dict[str, Any]) -> str:
    return markdown(meta, {}).splitlines()[2]


def test_the_database_size_at_start_is_in_the_header() -> None:
    line = header({**META, "database_at_start": {"accounts": 45, "audit_records": 1234}})
    assert line.endswith("database at start: 45 accounts, 1234 audit records")


def test_an_unreadable_database_is_said_so() -> None:
    assert header({**META, "database_at_start": None}).endswith("database at start: not read")
    assert header(META).endswith("database at start: not read")
