"""The user-utilities service's command routes: funds, quotes, the account's views, DUMPLOG."""

from __future__ import annotations

from flask import Blueprint, Response, stream_with_context

from dts.services import Reply
from dts.validation import AmountBody, Body, DumplogBody, RecentBody, SymbolBody, parse
from dts.web import replies
from dts.web.command import CommandRequest, command, record_head, services

bp = Blueprint("account", __name__, url_prefix="/user_utils")


@bp.post("/add")
@command("ADD")
def add(req: CommandRequest) -> Reply:
    body = req.parse(AmountBody)
    return replies.added(services().add(req.keyed_caller(), body.amount))


@bp.post("/quote")
@command("QUOTE")
def quote(req: CommandRequest) -> Reply:
    body = req.parse(SymbolBody)
    return replies.quoted(services().quote(req.caller(), body.sym))


@bp.post("/display_summary")
@command("DISPLAY_SUMMARY")
def display_summary(req: CommandRequest) -> Reply:
    req.parse(Body)
    caller = req.caller()
    return replies.account_summary(caller.username, services().summary(caller))


@bp.post("/recent_transactions")
@command("DISPLAY_SUMMARY")
def recent_transactions(req: CommandRequest) -> Reply:
    body = req.parse(RecentBody)
    caller = req.caller()
    return replies.recent_transactions(caller.username, services().recent(caller, body.limit or 20))


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
    record_head(req)  # the log it writes includes this very DUMPLOG
    name, chunks = services().dumplog(None if everyone else req.username, body.filename)
    return Response(
        stream_with_context(chunks),
        mimetype="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _names_no_user(raw: object) -> bool:
    return isinstance(raw, dict) and raw.get("username") in (None, "")
