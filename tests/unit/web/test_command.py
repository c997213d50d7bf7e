"""The command decorator's bookkeeping, over a fake extension: which transaction number a request
runs under, and which records it leaves (userCommand, its trail, debugEvent, errorEvent), once."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from dts.domain.events import Event, EventType
from dts.errors import Refused
from dts.services import Reply
from dts.validation import AmountBody
from dts.web.app import _record_refusal, register_error_handlers
from dts.web.command import EXTENSION, CommandRequest, command
from tests.unit.web.fakes import FIRST_SERVER_TRX, NOW_MS, FakeExtension


@pytest.fixture
def app() -> Flask:
    app = Flask("command-test")
    app.config["MAX_CONTENT_LENGTH"] = 16 * 1024  # as the services
    ext = FakeExtension()
    app.extensions[EXTENSION] = ext
    register_error_handlers(app, lambda exc, path: _record_refusal(ext, exc, path))  # type: ignore[arg-type]

    @app.post("/add")
    @command("ADD")
    def add(req: CommandRequest) -> Reply:
        body = req.parse(AmountBody)
        return {"message": "added", "trx": req.trx, "amount_cents": body.amount}

    @app.post("/buy")
    @command("BUY")
    def buy(req: CommandRequest) -> Reply:
        """Causes an event, then is refused or fails as the body's `how` says."""
        body = req.parse(AmountBody)
        caller = req.caller()
        caller.trail.append(
            Event(EventType.QUOTE_SERVER, NOW_MS, caller.trx, username=caller.username, sym="AB")
        )
        if body.amount == 100:
            raise Refused("insufficient funds", "INSUFFICIENT_FUNDS")
        if body.amount == 200:
            raise RuntimeError("a bug with a secret detail")
        return {"message": "bought"}

    return app


def post(app: Flask, data: str | bytes) -> tuple[int, dict[str, Any], FakeExtension]:
    reply = app.test_client().post("/add", data=data, content_type="application/json")
    return reply.status_code, reply.get_json(), app.extensions[EXTENSION]


@pytest.mark.parametrize(
    "trx_json",
    ["0", "-7", '"abc"', "1e30", "1.5", "true", "false", '{"$ne": null}', "[1]", "9" * 5000],
)
def test_an_unusable_trx_num_runs_the_command_under_a_server_number_and_logs_why(
    app: Flask, trx_json: str
) -> None:
    status, reply, ext = post(app, f'{{"username": "u", "amount": 12.5, "trxNum": {trx_json}}}')
    assert status == 200, reply
    assert reply["trx"] == FIRST_SERVER_TRX and reply["amount"] == "12.50"
    [user_command] = ext.of(EventType.USER_COMMAND)
    [debug] = ext.of(EventType.DEBUG_EVENT)
    assert user_command.trx_num == debug.trx_num == FIRST_SERVER_TRX
    assert (debug.command, debug.username, debug.amount_cents) == ("ADD", "u", 1250)
    assert debug.message is not None and debug.message.startswith("trxNum ")
    assert str(FIRST_SERVER_TRX) in debug.message
    assert len(debug.message) < 200  # a 5,000-digit number is not copied whole into the log


def test_an_unusable_trx_num_on_a_refused_command_gives_all_three_records_one_number(
    app: Flask,
) -> None:
    status, reply, ext = post(app, '{"username": "u", "amount": 0, "trxNum": 0}')
    assert (status, reply["code"]) == (422, "OUT_OF_RANGE")
    assert [e.type for e in ext.recorded] == [
        EventType.USER_COMMAND,
        EventType.DEBUG_EVENT,
        EventType.ERROR_EVENT,
    ]
    assert {e.trx_num for e in ext.recorded} == {FIRST_SERVER_TRX}


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("username=u&amount=10", id="not-json"),
        pytest.param("", id="empty"),
        pytest.param('{"username": "u", "amount": ', id="truncated"),
        pytest.param(b'{"username": "\xff\xfe", "amount": "1.00"}', id="invalid-utf8"),
        pytest.param("[" * 5000 + "]" * 5000, id="deeply-nested"),
        pytest.param('{"amount": NaN, "trxNum": 7}', id="nan-literal"),
        pytest.param('{"username": "u", "pad": "' + "x" * 20_000 + '"}', id="too-large"),
    ],
)
def test_a_body_that_cannot_be_read_gives_its_user_command_and_error_event_one_number(
    app: Flask, body: str | bytes
) -> None:
    status, reply, ext = post(app, body)
    assert status in (400, 413) and reply["ok"] is False
    [user_command] = ext.of(EventType.USER_COMMAND)
    [error] = ext.of(EventType.ERROR_EVENT)
    assert user_command.trx_num == error.trx_num == FIRST_SERVER_TRX
    assert user_command.command == error.command == "ADD"
    assert ext.of(EventType.DEBUG_EVENT) == []


@pytest.mark.parametrize("trx_json", ["42", '"42"', "42.0", str(2**53)])
def test_a_usable_trx_num_numbers_the_command_without_a_debug_event(
    app: Flask, trx_json: str
) -> None:
    """Guards what already worked: no server number is taken, nothing extra is logged."""
    status, reply, ext = post(app, f'{{"username": "u", "amount": "1.00", "trxNum": {trx_json}}}')
    number = int(float(trx_json.strip('"')))
    assert status == 200 and reply["trx"] == number
    assert [(e.type, e.trx_num) for e in ext.recorded] == [(EventType.USER_COMMAND, number)]
    assert next(ext.numbers) == FIRST_SERVER_TRX


@pytest.mark.parametrize(
    "body",
    ['{"username": "u", "amount": "1.00"}', '{"username": "u", "amount": "1.00", "trxNum": null}'],
)
def test_a_missing_trx_num_is_numbered_by_the_server_without_a_debug_event(
    app: Flask, body: str
) -> None:
    status, reply, ext = post(app, body)
    assert status == 200 and reply["trx"] == FIRST_SERVER_TRX
    assert [(e.type, e.trx_num) for e in ext.recorded] == [
        (EventType.USER_COMMAND, FIRST_SERVER_TRX)
    ]


@pytest.mark.parametrize(
    ("amount", "status", "message"),
    [
        ("0.50", 200, None),
        ("1.00", 409, "insufficient funds"),
        ("2.00", 500, "internal error"),
    ],
)
def test_a_requests_trail_is_recorded_once_in_order_however_it_ends(
    app: Flask, amount: str, status: int, message: str | None
) -> None:
    reply = app.test_client().post("/buy", json={"username": "u", "amount": amount, "trxNum": 9})
    ext = app.extensions[EXTENSION]
    assert reply.status_code == status
    expected = [EventType.USER_COMMAND, EventType.QUOTE_SERVER]
    if message is not None:
        expected.append(EventType.ERROR_EVENT)
        assert reply.get_json()["error"] == message
        assert ext.recorded[-1].message == message  # never the bug's own words
        assert (ext.recorded[-1].command, ext.recorded[-1].username) == ("BUY", "u")
    assert [e.type for e in ext.recorded] == expected
    assert {e.trx_num for e in ext.recorded} == {9}
    assert "secret" not in reply.get_data(as_text=True)


def test_a_request_that_is_no_command_records_one_error_event(app: Flask) -> None:
    reply = app.test_client().post("/nowhere", json={})
    ext = app.extensions[EXTENSION]
    assert reply.status_code == 404
    [error] = ext.recorded
    assert error.type is EventType.ERROR_EVENT and error.message == "no such endpoint: /nowhere"
