"""An account summary as the replay tool reads it back, for the comparison's tests."""

from __future__ import annotations

from typing import Any


def summary(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "funds": "700.00",
        "reserved": "100.00",
        "holdings": [{"sym": "ABC", "shares": 3, "reserved_shares": 1}],
        "pending_buys": [],
        "pending_sells": [],
        "buy_triggers": [
            {"sym": "XYZ", "amount": "100.00", "trigger": "9.50", "reserved_shares": 0}
        ],
        "sell_triggers": [],
        "transactions": [{"trxNum": 4, "timestamp": 1, "command": "ADD", "amount": "1.00"}],
    }
    return {**base, **overrides}
