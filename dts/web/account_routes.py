"""The user-utilities service's command routes: funds, quotes, the account's views, DUMPLOG."""

from __future__ import annotations

from flask import Blueprint, Response, stream_with_context

from dts.commands import Outcome
from dts.validation import AmountBody, Body, DumplogBody, RecentBody, SymbolBody, parse
from dts.web.command import CommandRequest, command, record_user_command, services

bp = Blueprint("account", __name__, url_prefix="/user_utils")


@bp.post("/add")
@command("ADD")
def add(req: CommandRequest) -> Outcome:
    body = req.parse(AmountBody)
    return services().add(req.username, req.trx, body.amount, req.idempotency_key)


@bp.post("/quote")
@command("QUOTE")
def quote(req: CommandRequest) -> Outcome:
    body = req.parse(SymbolBody)
    return services().quote(req.username, req.trx, body.sym)


@bp.post("/display_summary")
@command("DISPLAY_SUMMARY")
def display_summary(req: CommandRequest) -> Outcome:
    req.parse(Body)
    return services().summary(req.username, req.trx)


@bp.post("/recent_transactions")
@command("DISPLAY_SUMMARY")
def recent_transactions(req: CommandRequest) -> Outcome:
    body = req.parse(RecentBody)
    return services().recent(req.username, req.trx, body.limit or 20)


@bp.post("/dumplog")
@command("DUMPLOG")
def dumplog(req: CommandRequest) -> Response:
    """Everyone's log for the operator without a username; otherwise one user's own log."""
    everyone = req.identity is not None and req.identity.operator and _names_no_user(req.raw)
    if everyone:
        body = parse(DumplogBody, {k: v for k, v in req.raw.items() if k != "username"})
        req.params = {"filename": body.filename}
    else:
        body = req.parse(DumplogBody)
    record_user_command(req)  # the log it writes includes this very DUMPLOG
    name, chunks = services().dumplog(None if everyone else req.username, body.filename)
    return Response(
        stream_with_context(chunks),
        mimetype="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _names_no_user(raw: object) -> bool:
    return isinstance(raw, dict) and raw.get("username") in (None, "")
