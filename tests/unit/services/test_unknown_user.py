"""Every command but ADD and QUOTE needs an existing account: else 404, and no account is made."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dts.adapters.memory import MemoryAccounts
from dts.domain.account import Side
from dts.errors import NotFound
from dts.services import Caller, Services
from tests.unit.services.harness import kinds

Command = Callable[[Services, Caller], object]
QUOTED = ["quoteServer"]  # a command that needs the price fetches it before loading the account

ACCOUNT_COMMANDS = [
    pytest.param(lambda s, c: s.start_trade(Side.BUY, c, "ABC", 50_00), QUOTED, id="BUY"),
    pytest.param(lambda s, c: s.start_trade(Side.SELL, c, "ABC", 50_00), QUOTED, id="SELL"),
    pytest.param(lambda s, c: s.finish_trade(Side.BUY, True, c), [], id="COMMIT_BUY"),
    pytest.param(lambda s, c: s.finish_trade(Side.BUY, False, c), [], id="CANCEL_BUY"),
    pytest.param(lambda s, c: s.finish_trade(Side.SELL, True, c), [], id="COMMIT_SELL"),
    pytest.param(lambda s, c: s.finish_trade(Side.SELL, False, c), [], id="CANCEL_SELL"),
    pytest.param(lambda s, c: s.set_amount(Side.BUY, c, "ABC", 30_00), [], id="SET_BUY_AMOUNT"),
    pytest.param(lambda s, c: s.set_amount(Side.SELL, c, "ABC", 30_00), [], id="SET_SELL_AMOUNT"),
    pytest.param(
        lambda s, c: s.set_trigger(Side.BUY, c, "ABC", 11_99), QUOTED, id="SET_BUY_TRIGGER"
    ),
    pytest.param(
        lambda s, c: s.set_trigger(Side.SELL, c, "ABC", 12_01), QUOTED, id="SET_SELL_TRIGGER"
    ),
    pytest.param(lambda s, c: s.cancel_set(Side.BUY, c, "ABC"), [], id="CANCEL_SET_BUY"),
    pytest.param(lambda s, c: s.cancel_set(Side.SELL, c, "ABC"), [], id="CANCEL_SET_SELL"),
    pytest.param(lambda s, c: s.fire_triggers(c, "ABC", 11_00), [], id="TRIGGER"),
    pytest.param(lambda s, c: s.settle(c), [], id="EXPIRE"),
    pytest.param(lambda s, c: s.summary(c), [], id="DISPLAY_SUMMARY"),
    pytest.param(lambda s, c: s.recent(c, 20), [], id="RECENT"),
]


@pytest.mark.parametrize(("command", "trail"), ACCOUNT_COMMANDS)
def test_account_command_for_an_unknown_user_is_not_found(
    services: Services, accounts: MemoryAccounts, command: Command, trail: list[str]
) -> None:
    caller = Caller("nobody", 1)
    with pytest.raises(NotFound) as refused:
        command(services, caller)
    assert (refused.value.code, refused.value.status) == ("UNKNOWN_USER", 404)
    assert kinds(caller.trail) == trail
    assert accounts.load("nobody") is None
    assert accounts.saves == 0
