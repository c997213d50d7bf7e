"""Request IDs: a well-formed X-Request-ID comes back, anything else is replaced; every error
body names the ID; each command logs one JSON line with it (dts.web.request_ids)."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator

import pytest
from flask import Flask

from dts.errors import Refused
from dts.web import request_ids
from dts.web.app import register_error_handlers
from dts.web.command import EXTENSION, CommandRequest, command
from tests.unit.web.fakes import FakeExtension

GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def app() -> Flask:
    app = Flask("request-ids-test")
    app.extensions[EXTENSION] = FakeExtension()
    register_error_handlers(app)
    request_ids.install(app)

    @app.post("/summary")
    @command("DISPLAY_SUMMARY")
    def summary(req: CommandRequest) -> dict[str, str]:
        body = req.raw if isinstance(req.raw, dict) else {}
        req.username = body.get("username")
        if body.get("refuse"):
            raise Refused("nothing to show", "NOTHING")
        return {"message": "fine"}

    return app


@pytest.fixture
def lines() -> Iterator[list[dict[str, object]]]:
    """The JSON lines the request log writes, parsed."""
    seen: list[dict[str, object]] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(json.loads(record.getMessage()))

    handler = Collect()
    request_ids.configure_log(True)
    request_ids.log.addHandler(handler)
    yield seen
    request_ids.log.removeHandler(handler)


@pytest.mark.parametrize("sent", ["client-abc-123", "a1b2c3d4", "x" * 64, "2026-12-07T01:02:03.5"])
def test_a_well_formed_id_comes_back(app: Flask, sent: str) -> None:
    reply = app.test_client().post("/summary", json={}, headers={"X-Request-ID": sent})
    assert reply.headers["X-Request-ID"] == sent


@pytest.mark.parametrize(
    "sent", [None, "short", "has space in it", "x" * 65, "quote\"it'", "ü" * 9]
)
def test_a_missing_or_malformed_id_is_replaced(app: Flask, sent: str | None) -> None:
    headers = {} if sent is None else {"X-Request-ID": sent}
    reply = app.test_client().post("/summary", json={}, headers=headers)
    assert GENERATED.fullmatch(reply.headers["X-Request-ID"])


def test_an_error_body_names_the_id(app: Flask) -> None:
    for path in ("/summary", "/nowhere"):
        reply = app.test_client().post(
            path, json={"refuse": True}, headers={"X-Request-ID": "err-id-0001"}
        )
        assert reply.status_code >= 400
        assert reply.get_json()["request_id"] == "err-id-0001"
        assert reply.headers["X-Request-ID"] == "err-id-0001"


def test_each_command_logs_one_json_line_with_its_id_user_and_outcome(
    app: Flask, lines: list[dict[str, object]]
) -> None:
    client = app.test_client()
    client.post("/summary", json={"username": "ann"}, headers={"X-Request-ID": "log-id-0001"})
    client.post("/summary", json={"username": "bob", "refuse": True})
    ok, refused = lines
    assert {k: ok[k] for k in ("request_id", "command", "user", "outcome", "status")} == {
        "request_id": "log-id-0001",
        "command": "DISPLAY_SUMMARY",
        "user": "ann",
        "outcome": "ok",
        "status": 200,
    }
    assert (refused["user"], refused["outcome"], refused["status"]) == ("bob", "NOTHING", 409)
    assert GENERATED.fullmatch(str(refused["request_id"]))
    assert isinstance(ok["ms"], float | int) and ok["ms"] >= 0


def test_the_log_can_be_turned_off(app: Flask, lines: list[dict[str, object]]) -> None:
    request_ids.configure_log(False)
    app.test_client().post("/summary", json={"username": "ann"})
    assert lines == []
