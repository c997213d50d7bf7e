"""What makes BUY and SELL different, and nothing else.

The pending-trade machine (dts.domain.pending) and the trigger machine (dts.domain.triggers) are
written once; they ask a side how to reserve, release and complete. A BUY sets cash aside and ends
with shares; a SELL sets shares aside and ends with cash.
"""

from __future__ import annotations

from typing import Protocol

from dts.domain.account import Side, TriggerOrder
from dts.domain.change import Change
from dts.errors import Refused
from dts.money import format_cents


class SideRules(Protocol):
    side: Side

    def reserve_trade(self, ch: Change, sym: str, shares: int, price_cents: int) -> None: ...
    def release_trade(self, ch: Change, sym: str, shares: int, price_cents: int) -> None: ...
    def complete_trade(self, ch: Change, sym: str, shares: int, price_cents: int) -> None: ...

    def check_can_start(self, ch: Change, sym: str, amount_cents: int, shares: int) -> None: ...

    def set_amount(self, ch: Change, old: TriggerOrder | None, new: TriggerOrder) -> TriggerOrder:
        """Returns the stored order; reservations are taken or returned on `ch`."""
        ...

    def set_trigger(self, ch: Change, order: TriggerOrder, trigger_cents: int) -> TriggerOrder: ...
    def fires(self, price_cents: int, trigger_cents: int) -> bool: ...
    def fire(self, ch: Change, order: TriggerOrder, price_cents: int) -> dict[str, object]: ...
    def release_order(self, ch: Change, order: TriggerOrder) -> None: ...


class BuySide:
    side = Side.BUY

    def check_can_start(self, ch: Change, sym: str, amount_cents: int, shares: int) -> None:
        if ch.account.funds_cents < amount_cents:
            raise Refused(
                f"insufficient funds: {format_cents(amount_cents)} needed, "
                f"{format_cents(ch.account.funds_cents)} available",
                "INSUFFICIENT_FUNDS",
            )

    def reserve_trade(self, ch: Change, sym: str, shares: int, price_cents: int) -> None:
        ch.debit_cash(shares * price_cents)

    def release_trade(self, ch: Change, sym: str, shares: int, price_cents: int) -> None:
        ch.credit_cash(shares * price_cents)

    def complete_trade(self, ch: Change, sym: str, shares: int, price_cents: int) -> None:
        ch.add_shares(sym, shares)
        ch.bought(sym, shares * price_cents)

    def set_amount(self, ch: Change, old: TriggerOrder | None, new: TriggerOrder) -> TriggerOrder:
        if old is not None:
            ch.credit_cash(old.amount_cents)
            new = TriggerOrder(new.sym, new.amount_cents, old.trigger_cents, 0, new.trx_num)
        ch.debit_cash(new.amount_cents)
        return new

    def set_trigger(self, ch: Change, order: TriggerOrder, trigger_cents: int) -> TriggerOrder:
        return TriggerOrder(order.sym, order.amount_cents, trigger_cents, 0, order.trx_num)

    def fires(self, price_cents: int, trigger_cents: int) -> bool:
        return price_cents <= trigger_cents

    def fire(self, ch: Change, order: TriggerOrder, price_cents: int) -> dict[str, object]:
        shares = order.amount_cents // price_cents
        cost = shares * price_cents
        ch.credit_cash(order.amount_cents - cost)
        ch.add_shares(order.sym, shares)
        ch.bought(order.sym, cost)
        return {"shares": shares, "price_cents": price_cents, "amount_cents": cost}

    def release_order(self, ch: Change, order: TriggerOrder) -> None:
        ch.credit_cash(order.amount_cents)


class SellSide:
    side = Side.SELL

    def check_can_start(self, ch: Change, sym: str, amount_cents: int, shares: int) -> None:
        held = ch.account.stocks.get(sym, 0)
        if held < shares:
            raise Refused(
                f"insufficient shares of {sym}: {shares} needed, {held} available",
                "INSUFFICIENT_SHARES",
            )

    def reserve_trade(self, ch: Change, sym: str, shares: int, price_cents: int) -> None:
        ch.take_shares(sym, shares)

    def release_trade(self, ch: Change, sym: str, shares: int, price_cents: int) -> None:
        ch.add_shares(sym, shares)

    def complete_trade(self, ch: Change, sym: str, shares: int, price_cents: int) -> None:
        ch.credit_cash(shares * price_cents)
        ch.sold(sym, shares, shares * price_cents)

    def set_amount(self, ch: Change, old: TriggerOrder | None, new: TriggerOrder) -> TriggerOrder:
        if ch.account.stocks.get(new.sym, 0) < 1:
            raise Refused(f"you hold no unreserved shares of {new.sym}", "NO_HOLDING")
        if old is None:
            return new
        kept = TriggerOrder(
            new.sym, new.amount_cents, old.trigger_cents, old.reserved_shares, new.trx_num
        )
        if old.trigger_cents is None:
            return kept
        return self._reserve_for(ch, kept, old.trigger_cents)

    def set_trigger(self, ch: Change, order: TriggerOrder, trigger_cents: int) -> TriggerOrder:
        return self._reserve_for(ch, order, trigger_cents)

    def fires(self, price_cents: int, trigger_cents: int) -> bool:
        return price_cents >= trigger_cents

    def fire(self, ch: Change, order: TriggerOrder, price_cents: int) -> dict[str, object]:
        proceeds = order.reserved_shares * price_cents
        ch.credit_cash(proceeds)
        ch.sold(order.sym, order.reserved_shares, proceeds)
        return {
            "shares": order.reserved_shares,
            "price_cents": price_cents,
            "amount_cents": proceeds,
        }

    def release_order(self, ch: Change, order: TriggerOrder) -> None:
        ch.add_shares(order.sym, order.reserved_shares)

    def _reserve_for(self, ch: Change, order: TriggerOrder, trigger_cents: int) -> TriggerOrder:
        """Reserves floor(amount / trigger) shares, taking or returning the difference."""
        wanted = order.amount_cents // trigger_cents
        if wanted < 1:
            raise Refused(
                f"{format_cents(order.amount_cents)} buys no whole share at "
                f"{format_cents(trigger_cents)}",
                "ZERO_SHARES",
            )
        if wanted > order.reserved_shares:
            ch.take_shares(order.sym, wanted - order.reserved_shares)
        else:
            ch.add_shares(order.sym, order.reserved_shares - wanted)
        return TriggerOrder(order.sym, order.amount_cents, trigger_cents, wanted, order.trx_num)


SIDES: dict[Side, SideRules] = {Side.BUY: BuySide(), Side.SELL: SellSide()}
