"""A request ID for every request, and one JSON log line for every command.

NGINX gives each request an ID (the client's `X-Request-ID` when well formed, else its own) and
passes it on; a service called directly makes one. The service answers with it (header and error
body), and each command's log line carries it with the user, the command, its outcome and its
duration, so one request can be followed from NGINX into a service's log.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

import orjson
from flask import Flask, Response, g, request

log = logging.getLogger("dts.requests")
HEADER = "X-Request-ID"
# As NGINX's map accepts them (nginx/templates/dts.conf.template).
REQUEST_ID_RE = re.compile(r"[A-Za-z0-9._:-]{8,64}")


def request_id() -> str:
    """This request's ID (made on first use when there is no request context's one yet)."""
    rid = g.get("request_id")
    if rid is None:
        sent = request.headers.get(HEADER, "")
        rid = g.request_id = sent if REQUEST_ID_RE.fullmatch(sent) else uuid.uuid4().hex
    return rid


def configure_log(enabled: bool) -> None:
    """Each command's line goes to stderr (the service's log file natively, the container's log
    in Docker), or nowhere (DTS_REQUEST_LOG=off)."""
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.propagate = False
    log.setLevel(logging.INFO if enabled else logging.WARNING)


def install(app: Flask) -> None:
    """Every response carries the request's ID."""

    @app.after_request
    def answer_with_the_id(response: Response) -> Response:
        response.headers[HEADER] = request_id()
        return response


def log_command(
    command: str, username: str | None, outcome: str, started: float, status: int
) -> None:
    """One line, one JSON object: what an operator greps for or a log shipper parses."""
    if not log.isEnabledFor(logging.INFO):
        return
    log.info(
        orjson.dumps(
            {
                "request_id": request_id(),
                "command": command,
                "user": username,
                "outcome": outcome,
                "status": status,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            }
        ).decode()
    )
