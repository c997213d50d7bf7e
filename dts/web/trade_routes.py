"""The buy and sell services' routes: one blueprint, built for a side.

`/buy/buy`, `/buy/commit_buy`, ... and `/sell/sell`, `/sell/commit_sell`, ... are the same six
commands mirrored, so they are written once.
"""

from __future__ import annotations

from flask import Blueprint

from dts.domain.account import Side
from dts.services import Reply
from dts.validation import Body, SymbolBody, TradeBody
from dts.web import replies
from dts.web.command import CommandRequest, command, services


def trade_blueprint(side: Side) -> Blueprint:
    word = side.value.lower()
    bp = Blueprint(f"{word}_trades", __name__, url_prefix=f"/{word}")

    @bp.post(f"/{word}")
    @command(side.value)
    def start(req: CommandRequest) -> Reply:
        body = req.parse(TradeBody)
        reply = services().start_trade(side, req.keyed_caller(), body.sym, body.amount)
        return replies.trade_started(side, reply, services().settings.pending_ttl_s)

    @bp.post(f"/commit_{word}")
    @command(f"COMMIT_{side.value}")
    def commit(req: CommandRequest) -> Reply:
        req.parse(Body)
        return replies.trade_finished(
            side, True, services().finish_trade(side, True, req.keyed_caller())
        )

    @bp.post(f"/cancel_{word}")
    @command(f"CANCEL_{side.value}")
    def cancel(req: CommandRequest) -> Reply:
        req.parse(Body)
        reply = services().finish_trade(side, False, req.keyed_caller())
        return replies.trade_finished(side, False, reply)

    @bp.post(f"/set_{word}_amount")
    @command(f"SET_{side.value}_AMOUNT")
    def set_amount(req: CommandRequest) -> Reply:
        body = req.parse(TradeBody)
        return replies.amount_set(
            side, services().set_amount(side, req.keyed_caller(), body.sym, body.amount)
        )

    @bp.post(f"/set_{word}_trigger")
    @command(f"SET_{side.value}_TRIGGER")
    def set_trigger(req: CommandRequest) -> Reply:
        body = req.parse(TradeBody)
        return replies.trigger_set(
            side, services().set_trigger(side, req.keyed_caller(), body.sym, body.amount)
        )

    @bp.post(f"/cancel_set_{word}")
    @command(f"CANCEL_SET_{side.value}")
    def cancel_set(req: CommandRequest) -> Reply:
        body = req.parse(SymbolBody)
        return replies.order_cancelled(
            side, services().cancel_set(side, req.keyed_caller(), body.sym)
        )

    return bp
