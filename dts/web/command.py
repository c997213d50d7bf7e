"""How a command request travels: JSON body -> identity -> validated fields -> service -> reply.

The `command` decorator wraps every command route so that each one, accepted or refused, is
recorded once: its `userCommand`, the events it caused, and on refusal its `errorEvent`, handed to
the audit log together at the end of the request (which writes them behind the reply, dts.audit).
All of a request's records carry one transaction number: the body's `trxNum` when it is usable,
else one the server assigns (with a `debugEvent` saying why, when a `trxNum` was sent but unusable).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import wraps
from typing import Any, TypeVar

from flask import Response, current_app, g, jsonify, request
from pydantic import BaseModel

from dts.auth import Identity, acting_user
from dts.commands import Outcome, Services
from dts.domain.events import Event, EventType
from dts.errors import BadInput
from dts.validation import IDEMPOTENCY_KEY_RE, SYMBOL_RE, USERNAME_RE, parse, trace_number
from dts.web.presenters import to_wire

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)
EXTENSION = "dts"
# A JSON integer longer than this is read as a Decimal: int() refuses numbers over 4,300 digits
# (and is slow below that), and no field takes an integer anywhere near this long anyway.
MAX_INT_DIGITS = 40
SHOWN_CHARS = 40  # how much of an unusable trxNum its debugEvent quotes


def services() -> Services:
    return current_app.extensions[EXTENSION].services


def _reject_constant(name: str) -> Any:
    raise BadInput(f"{name} is not a valid JSON value")


def _read_int(text: str) -> int | Decimal:
    return int(text) if len(text) <= MAX_INT_DIGITS else Decimal(text)


def read_json_body() -> Any:
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise BadInput("the request body must be a JSON object")
    try:
        return json.loads(
            raw, parse_float=Decimal, parse_int=_read_int, parse_constant=_reject_constant
        )
    except (ValueError, ArithmeticError, RecursionError):  # Decimal refuses absurd exponents
        raise BadInput("the request body is not valid JSON") from None


@dataclass
class CommandRequest:
    command: str
    received_ms: int = 0
    identity: Identity | None = None
    raw: Any = None
    username: str | None = None
    trx: int | None = None
    trx_note: str | None = None  # why the body's trxNum was not used, for the debugEvent
    params: dict[str, Any] = field(default_factory=dict)
    user_command_recorded: bool = False
    idempotency_key: str | None = None

    def parse(self, model: type[M]) -> M:
        """Validates the body and settles who the command acts for."""
        self._note_valid_fields()
        body = parse(model, self.raw)
        requested = getattr(body, "username", None)
        self.params = {k: getattr(body, k, None) for k in ("sym", "amount", "filename")}
        self.username = requested
        if self.identity is not None:
            self.username = acting_user(self.identity, requested)
        return body

    def number(self, next_trx: Callable[[], int]) -> None:
        """Settles the transaction number, before anything else about the request can fail.

        A missing (or null) trxNum is normal, the web UI sends none: the server numbers the
        command. One that was sent but is unusable is no reason to refuse the command either; the
        server numbers it the same way and `trx_note` says why, for the debugEvent.
        """
        sent = self.raw.get("trxNum") if isinstance(self.raw, dict) else None
        usable = trace_number(sent)
        self.trx = usable or next_trx()
        if sent is not None and usable is None:
            self.trx_note = (
                f"trxNum {_shown(sent)} is not a whole number from 1 to 2^53: "
                f"the server numbered the command {self.trx}"
            )

    def _note_valid_fields(self) -> None:
        """What the audit may already say if the body is refused: whose command, which symbol."""
        raw = self.raw if isinstance(self.raw, dict) else {}
        named = raw.get("username")
        named = named.strip() if isinstance(named, str) else None
        if self.identity is not None and not self.identity.operator:
            self.username = self.identity.username
        elif named and USERNAME_RE.fullmatch(named):
            self.username = named
        sym = raw.get("sym")
        if isinstance(sym, str) and SYMBOL_RE.fullmatch(sym.strip()):
            self.params["sym"] = sym.strip().upper()


def current_command() -> CommandRequest | None:
    return g.get("dts_command")


def _shown(value: Any) -> str:
    """A client's value, short and in ASCII (json.dumps escapes the rest), to quote in the log."""
    text = str(value) if isinstance(value, Decimal) else json.dumps(value, default=str)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 3] + "..."


def idempotency_key() -> str | None:
    """The request's `Idempotency-Key`: a retry with the same key gets the first reply."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not IDEMPOTENCY_KEY_RE.fullmatch(key):
        raise BadInput(
            "Idempotency-Key must be 1 to 100 letters, digits or . _ : -", "BAD_IDEMPOTENCY_KEY"
        )
    return key


def user_command_event(req: CommandRequest) -> Event:
    amount = req.params.get("amount")
    return Event(
        type=EventType.USER_COMMAND,
        timestamp_ms=req.received_ms,
        trx_num=req.trx or 1,
        command=req.command,
        username=req.username,
        sym=req.params.get("sym"),
        amount_cents=amount if isinstance(amount, int) else None,
        filename=req.params.get("filename"),
    )


def pending_user_command(req: CommandRequest) -> list[Event]:
    """The request's userCommand, and its debugEvent if its trxNum was unusable, unless they were
    already recorded (see `record_user_command`)."""
    if req.user_command_recorded:
        return []
    req.user_command_recorded = True
    received = user_command_event(req)
    if req.trx_note is None:
        return [received]
    return [received, replace(received, type=EventType.DEBUG_EVENT, message=req.trx_note)]


def record_user_command(req: CommandRequest) -> None:
    """Records the userCommand now, for a command whose own output must already include it."""
    current_app.extensions[EXTENSION].record(pending_user_command(req))


def command(name: str) -> Callable[..., Callable[[], Response]]:
    def decorate(view: Callable[[CommandRequest], Outcome | Response]) -> Callable[[], Response]:
        @wraps(view)
        def handle() -> Response:
            ext = current_app.extensions[EXTENSION]
            req = CommandRequest(command=name, received_ms=ext.services.clock_ms())
            g.dts_command = req
            req.raw = read_json_body()  # if it fails, the refusal handler numbers the request
            req.number(ext.next_trx)
            req.identity = ext.authenticator.identify(request.headers.get("Authorization"))
            req.idempotency_key = idempotency_key()
            result = view(req)
            reply, events = ({}, []) if isinstance(result, Response) else result
            ext.record([*pending_user_command(req), *events])
            if isinstance(result, Response):
                return result
            return jsonify({"ok": True, **to_wire(reply)})

        return handle

    return decorate
