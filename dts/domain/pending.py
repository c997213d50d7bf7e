"""The pending-trade machine: BUY/SELL, then COMMIT or CANCEL within the window, else expiry.

Pending trades of one side form a stack: COMMIT and CANCEL take the newest live one. Each expires
`ttl` after its own creation, and an expired one gives its reservation back the next time the
account is touched (`expire_pending` runs before every command).
"""

from __future__ import annotations

from dts.domain.account import PendingTrade, Side
from dts.domain.change import Change
from dts.domain.sides import SIDES
from dts.errors import Refused
from dts.money import format_cents


def expire_pending(ch: Change) -> None:
    for side in Side:
        rules = SIDES[side]
        stack = ch.account.pending(side)
        live = [t for t in stack if t.expires_at_ms > ch.now_ms]
        for trade in stack:
            if trade.expires_at_ms <= ch.now_ms:
                rules.release_trade(ch, trade.sym, trade.shares, trade.price_cents)
                ch.system_event(
                    side.value,
                    trade.sym,
                    trade.total_cents,
                    f"pending {side.value} of {trade.shares} {trade.sym} expired uncommitted",
                )
                ch.note(
                    f"EXPIRED_{side.value}",
                    sym=trade.sym,
                    shares=trade.shares,
                    price_cents=trade.price_cents,
                    amount_cents=trade.total_cents,
                )
                ch.expired.append(side.value)
                # COMMIT/CANCEL are told EXPIRED only when the trade they would take, the newest,
                # is the one that expired; with a live newer trade they act on it instead.
                if not live:
                    ch.account.expired_at_ms[side.value] = trade.expires_at_ms
        stack[:] = live


def start_trade(
    ch: Change, side: Side, sym: str, amount_cents: int, price_cents: int, ttl_ms: int
) -> PendingTrade:
    shares = amount_cents // price_cents
    rules = SIDES[side]
    rules.check_can_start(ch, sym, amount_cents, max(shares, 1))
    if shares < 1:
        raise Refused(
            f"{format_cents(amount_cents)} buys no whole share of {sym} at "
            f"{format_cents(price_cents)}",
            "ZERO_SHARES",
        )
    rules.reserve_trade(ch, sym, shares, price_cents)
    ch.account.expired_at_ms.pop(side.value, None)
    trade = PendingTrade(
        sym=sym,
        shares=shares,
        price_cents=price_cents,
        created_at_ms=ch.now_ms,
        expires_at_ms=ch.now_ms + ttl_ms,
        trx_num=ch.trx_num,
    )
    ch.account.pending(side).append(trade)
    ch.note(
        side.value, sym=sym, shares=shares, price_cents=price_cents, amount_cents=trade.total_cents
    )
    return trade


def _pop_newest(ch: Change, side: Side) -> PendingTrade:
    stack = ch.account.pending(side)
    if not stack:
        if side.value in ch.expired or side.value in ch.account.expired_at_ms:
            raise Refused(f"your pending {side.value} expired before it was committed", "EXPIRED")
        raise Refused(f"there is no pending {side.value} to act on", f"NO_PENDING_{side.value}")
    return stack.pop()


def commit_trade(ch: Change, side: Side) -> PendingTrade:
    trade = _pop_newest(ch, side)
    SIDES[side].complete_trade(ch, trade.sym, trade.shares, trade.price_cents)
    ch.note(
        f"COMMIT_{side.value}",
        sym=trade.sym,
        shares=trade.shares,
        price_cents=trade.price_cents,
        amount_cents=trade.total_cents,
    )
    return trade


def cancel_trade(ch: Change, side: Side) -> PendingTrade:
    trade = _pop_newest(ch, side)
    SIDES[side].release_trade(ch, trade.sym, trade.shares, trade.price_cents)
    ch.note(
        f"CANCEL_{side.value}",
        sym=trade.sym,
        shares=trade.shares,
        price_cents=trade.price_cents,
        amount_cents=trade.total_cents,
    )
    return trade
