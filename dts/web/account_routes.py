"""The user-utilities service's command routes: funds, quotes, the account's views, DUMPLOG."""

from __future__ import annotations

from flask import Blueprint

from dts.commands import Outcome
from dts.validation import AmountBody, Body, DumplogBody, RecentBody, SymbolBody
from dts.web.command import CommandRequest, command, services

bp = Blueprint("account", __name__, url_prefix="/user_utils")


@bp.post("/add")
@command("ADD")
def add(req: CommandRequest) -> Outcome:
    body = req.parse(AmountBody)
    return services().add(req.username, req.trx, body.amount)


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
    return services().recent(req.username, req.trx, min(body.limit or 20, 100))


@bp.post("/dumplog")
@command("DUMPLOG")
def dumplog(req: CommandRequest) -> Outcome:
    req.parse(DumplogBody)
    raise NotImplementedError
