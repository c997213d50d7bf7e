"""The trigger machine: SET_*_AMOUNT, SET_*_TRIGGER, CANCEL_SET_*, and firing on a quote.

An order fires at most once: firing removes it from the account in the same guarded write that
moves the cash and shares, so a second watcher (or a retry) finds nothing left to fire.
"""

from __future__ import annotations

from dts.domain.account import Side, TriggerOrder
from dts.domain.change import Change
from dts.domain.sides import SIDES
from dts.errors import Refused
from dts.money import format_cents


def set_amount(ch: Change, side: Side, sym: str, amount_cents: int) -> TriggerOrder:
    orders = ch.account.orders(side)
    new = TriggerOrder(sym=sym, amount_cents=amount_cents, trx_num=ch.trx_num)
    stored = SIDES[side].set_amount(ch, orders.get(sym), new)
    orders[sym] = stored
    ch.note(f"SET_{side.value}_AMOUNT", sym=sym, amount_cents=amount_cents)
    return stored


def set_trigger(
    ch: Change, side: Side, sym: str, trigger_cents: int, price_cents: int | None
) -> tuple[TriggerOrder, dict[str, object] | None]:
    """Sets the price, then checks it at once against the current quote (when one is known)."""
    orders = ch.account.orders(side)
    order = orders.get(sym)
    if order is None:
        raise Refused(
            f"set a {side.value.lower()} amount for {sym} first (SET_{side.value}_AMOUNT)",
            f"NO_{side.value}_AMOUNT",
        )
    updated = SIDES[side].set_trigger(ch, order, trigger_cents)
    orders[sym] = updated
    ch.note(f"SET_{side.value}_TRIGGER", sym=sym, price_cents=trigger_cents)
    fired = fire_order(ch, side, sym, price_cents) if price_cents is not None else None
    return updated, fired


def cancel_order(ch: Change, side: Side, sym: str) -> TriggerOrder:
    order = ch.account.orders(side).pop(sym, None)
    if order is None:
        raise Refused(
            f"there is no {side.value.lower()} order for {sym} to cancel", f"NO_{side.value}_AMOUNT"
        )
    SIDES[side].release_order(ch, order)
    ch.note(f"CANCEL_SET_{side.value}", sym=sym, amount_cents=order.amount_cents)
    return order


def fire_order(ch: Change, side: Side, sym: str, price_cents: int) -> dict[str, object] | None:
    """Fires the side's order for `sym` if its trigger price is crossed; returns what it did."""
    orders = ch.account.orders(side)
    order = orders.get(sym)
    rules = SIDES[side]
    if order is None or order.trigger_cents is None:
        return None
    if not rules.fires(price_cents, order.trigger_cents):
        return None
    del orders[sym]
    done = rules.fire(ch, order, price_cents)
    ch.system_event(
        f"SET_{side.value}_TRIGGER",
        sym,
        int(done["amount_cents"]),  # type: ignore[call-overload]
        f"{side.value.lower()} trigger fired: {done['shares']} {sym} at "
        f"{format_cents(price_cents)}",
    )
    ch.note(
        f"{side.value}_TRIGGER_FIRED",
        sym=sym,
        shares=done["shares"],
        price_cents=price_cents,
        amount_cents=done["amount_cents"],
    )
    return {"side": side.value, "sym": sym, **done}


def fire_triggers(ch: Change, sym: str, price_cents: int) -> list[dict[str, object]]:
    """Checks both sides' orders for `sym` against one quote."""
    fired = [fire_order(ch, side, sym, price_cents) for side in Side]
    return [f for f in fired if f is not None]
