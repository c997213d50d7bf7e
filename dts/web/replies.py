"""Every command's reply as the client reads it: its wording, with each amount through dts.money.

The services answer with data in cents (dts.services); these add the message a person reads.
dts.web.presenters then writes every `*_cents` value as an exact dollar string.
"""

from __future__ import annotations

from dts.domain.account import Side
from dts.money import format_cents
from dts.services import Reply


def added(reply: Reply) -> Reply:
    return {
        "message": f"added {format_cents(reply['amount_cents'])}",
        "funds_cents": reply["funds_cents"],
    }


def quoted(reply: Reply) -> Reply:
    return {"message": f"{reply['sym']} is {format_cents(reply['price_cents'])}", **reply}


def trade_started(side: Side, reply: Reply, pending_ttl_s: int) -> Reply:
    trade = reply["pending"]
    return {
        "message": f"{side.value} of {trade['shares']} {trade['sym']} at "
        f"{format_cents(trade['price_cents'])} pending: commit within {pending_ttl_s} s",
        **reply,
    }


def trade_finished(side: Side, committed: bool, reply: Reply) -> Reply:
    trade = reply["trade"]
    verb = ("bought" if side is Side.BUY else "sold") if committed else "cancelled"
    price = format_cents(trade["price_cents"])
    return {"message": f"{verb} {trade['shares']} {trade['sym']} at {price}", **reply}


def amount_set(side: Side, reply: Reply) -> Reply:
    order = reply["order"]
    return {
        "message": f"{side.value.lower()} amount for {order['sym']} set to "
        f"{format_cents(order['amount_cents'])}",
        **reply,
    }


def trigger_set(side: Side, reply: Reply) -> Reply:
    order = reply["order"]
    message = (
        f"{side.value.lower()} trigger for {order['sym']} set at "
        f"{format_cents(order['trigger_cents'])}"
    )
    if reply["fired"]:
        message += f"; fired at once at {format_cents(reply['price_cents'])}"
    return {"message": message, "order": order, "fired": reply["fired"]}


def order_cancelled(side: Side, reply: Reply) -> Reply:
    order = reply["order"]
    return {"message": f"{side.value.lower()} order for {order['sym']} cancelled", **reply}


def account_summary(username: str, reply: Reply) -> Reply:
    return {"message": f"account of {username}", **reply}


def recent_transactions(username: str, reply: Reply) -> Reply:
    shown = len(reply["transactions"])
    return {"message": f"{shown} recent transactions of {username}", **reply}
