"""The buy and sell services' routes: one blueprint, built for a side.

`/buy/buy`, `/buy/commit_buy`, ... and `/sell/sell`, `/sell/commit_sell`, ... are the same six
commands mirrored, so they are written once.
"""

from __future__ import annotations

from flask import Blueprint

from dts.commands import Outcome
from dts.domain.account import Side
from dts.validation import Body, SymbolBody, TradeBody
from dts.web.command import CommandRequest, command, services


def trade_blueprint(side: Side) -> Blueprint:
    word = side.value.lower()
    bp = Blueprint(f"{word}_trades", __name__, url_prefix=f"/{word}")

    @bp.post(f"/{word}")
    @command(side.value)
    def start(req: CommandRequest) -> Outcome:
        body = req.parse(TradeBody)
        return services().start_trade(
            side, req.username, req.trx, body.sym, body.amount, req.idempotency_key
        )

    @bp.post(f"/commit_{word}")
    @command(f"COMMIT_{side.value}")
    def commit(req: CommandRequest) -> Outcome:
        req.parse(Body)
        return services().finish_trade(side, True, req.username, req.trx, req.idempotency_key)

    @bp.post(f"/cancel_{word}")
    @command(f"CANCEL_{side.value}")
    def cancel(req: CommandRequest) -> Outcome:
        req.parse(Body)
        return services().finish_trade(side, False, req.username, req.trx, req.idempotency_key)

    @bp.post(f"/set_{word}_amount")
    @command(f"SET_{side.value}_AMOUNT")
    def set_amount(req: CommandRequest) -> Outcome:
        body = req.parse(TradeBody)
        return services().set_amount(
            side, req.username, req.trx, body.sym, body.amount, req.idempotency_key
        )

    @bp.post(f"/set_{word}_trigger")
    @command(f"SET_{side.value}_TRIGGER")
    def set_trigger(req: CommandRequest) -> Outcome:
        body = req.parse(TradeBody)
        return services().set_trigger(
            side, req.username, req.trx, body.sym, body.amount, req.idempotency_key
        )

    @bp.post(f"/cancel_set_{word}")
    @command(f"CANCEL_SET_{side.value}")
    def cancel_set(req: CommandRequest) -> Outcome:
        body = req.parse(SymbolBody)
        return services().cancel_set(side, req.username, req.trx, body.sym, req.idempotency_key)

    return bp
