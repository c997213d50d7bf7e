"""How a command request travels: JSON body -> identity -> validated fields -> service -> reply.

The `command` decorator wraps every command route. Each request has one audit trail
(`CommandRequest.trail`): the services add what the command caused as it happens, and the
decorator records it once, at the end of the request whatever happened: the `userCommand` first,
then those events, then the `errorEvent` of a refusal. All of a request's records carry one
transaction number: the body's `trxNum` when it is usable, else one the server assigns (with a
`debugEvent` saying why, when a `trxNum` was sent but unusable).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import wraps
from typing import Any, TypeVar

from flask import Response, current_app, g, jsonify, request
from pydantic import BaseModel

from dts import metrics
from dts.auth import Identity, acting_user
from dts.domain.events import Event, EventType
from dts.errors import BadInput, DtsError
from dts.services import Caller, Reply, Services
from dts.validation import IDEMPOTENCY_KEY_RE, SYMBOL_RE, USERNAME_RE, parse, trace_number
from dts.web.presenters import to_wire
from dts.web.refusals import as_refusal
from dts.web.request_ids import log_command

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
    idempotency_key: str | None = None
    trail: list[Event] = field(default_factory=list)  # what the command caused, in order
    head_recorded: bool = False  # the userCommand is in the trail or recorded (`record_head`)

    def caller(self) -> Caller:
        """The services' view of the request; its events land in this request's trail, which
        starts with the userCommand."""
        if self.username is None or self.trx is None:
            raise BadInput("username is required")
        if not self.head_recorded:
            self.trail[0:0] = head_records(self)
            self.head_recorded = True
        return Caller(self.username, self.trx, None, self.trail)

    def keyed_caller(self) -> Caller:
        """The same, for a command that changes the account: a retry with the request's
        Idempotency-Key gets the first reply (dts.ports.StoredAccount)."""
        caller = self.caller()
        caller.key = self.idempotency_key
        return caller

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


def head_records(req: CommandRequest) -> list[Event]:
    """The userCommand, and its debugEvent if the request's trxNum was unusable."""
    received = user_command_event(req)
    if req.trx_note is None:
        return [received]
    return [received, replace(received, type=EventType.DEBUG_EVENT, message=req.trx_note)]


def error_event(req: CommandRequest, refusal: DtsError, now_ms: int) -> Event:
    return replace(
        user_command_event(req),
        type=EventType.ERROR_EVENT,
        timestamp_ms=now_ms,
        message=refusal.message,
    )


def take_records(req: CommandRequest, refusal: DtsError | None, now_ms: int) -> list[Event]:
    """Everything of the request not yet recorded, in order; the trail is empty afterwards."""
    records = [] if req.head_recorded else head_records(req)
    req.head_recorded = True
    records += req.trail
    req.trail.clear()
    if refusal is not None:
        records.append(error_event(req, refusal, now_ms))
    return records


def record_head(req: CommandRequest) -> None:
    """Records the userCommand now, for a command whose own output must already include it."""
    current_app.extensions[EXTENSION].record(take_records(req, None, 0))


def command(name: str) -> Callable[..., Callable[[], Response]]:
    def decorate(view: Callable[[CommandRequest], Reply | Response]) -> Callable[[], Response]:
        @wraps(view)
        def handle() -> Response:
            ext = current_app.extensions[EXTENSION]
            started = time.perf_counter()
            req = CommandRequest(command=name, received_ms=ext.services.clock_ms())
            g.dts_command = req
            refusal: DtsError | None = None
            try:
                req.raw = read_json_body()
                req.number(ext.next_trx)
                req.identity = ext.authenticator.identify(request.headers.get("Authorization"))
                req.idempotency_key = idempotency_key()
                result = view(req)
                if isinstance(result, Response):
                    return result
                return jsonify({"ok": True, **to_wire(result)})
            except Exception as exc:
                refusal = as_refusal(exc)
                raise
            finally:
                if req.trx is None:  # refused before it was numbered: its body could not be read
                    req.trx = ext.next_trx()
                ext.record(take_records(req, refusal, ext.services.clock_ms()))
                outcome, status = ("ok", 200) if refusal is None else (refusal.code, refusal.status)
                metrics.command_done(name, outcome, time.perf_counter() - started)
                log_command(name, req.username, outcome, started, status)

        return handle

    return decorate
