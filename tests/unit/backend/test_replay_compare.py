"""The replay comparison (backend/replay_compare.py): a concurrent replay must end where a
sequential one does, and what counts as the same account."""

from __future__ import annotations

from typing import Any

import pytest

from backend.replay_compare import differences, renamed, settled_state
from backend.workload import parse_line
from tests.unit.backend.summaries import summary


def test_a_live_pending_buy_counts_as_the_cash_it_returns_when_it_expires() -> None:
    live = summary(
        funds="600.00",
        reserved="200.00",
        pending_buys=[{"sym": "ABC", "shares": 1, "price": "100.00", "amount": "100.00"}],
    )
    assert settled_state(live) == settled_state(summary())


def test_a_live_pending_sell_counts_as_the_shares_it_returns_when_it_expires() -> None:
    live = summary(
        holdings=[
            {"sym": "ABC", "shares": 1, "reserved_shares": 3},
            {"sym": "Q", "shares": 0, "reserved_shares": 2},
        ],
        pending_sells=[
            {"sym": "ABC", "shares": 2, "price": "1.00", "amount": "2.00"},
            {"sym": "Q", "shares": 2, "price": "1.00", "amount": "2.00"},
        ],
    )
    settled = settled_state(live)
    assert settled["holdings"] == {"ABC": [3, 1], "Q": [2, 0]}


def test_timestamps_and_recent_transactions_do_not_count() -> None:
    later = summary(transactions=[{"trxNum": 4, "timestamp": 99, "command": "ADD"}])
    assert settled_state(later) == settled_state(summary())


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"funds": "700.01"}, "funds_cents"),
        ({"reserved": "0.00"}, "reserved_cents"),
        ({"holdings": [{"sym": "ABC", "shares": 3, "reserved_shares": 0}]}, "holdings"),
        ({"buy_triggers": []}, "buy_triggers"),
        (
            {
                "sell_triggers": [
                    {"sym": "A", "amount": "5.00", "trigger": None, "reserved_shares": 0}
                ]
            },
            "sell_triggers",
        ),
    ],
)
def test_any_difference_in_cash_holdings_or_orders_is_a_mismatch(
    change: dict[str, Any], field: str
) -> None:
    result = differences(["u"], {"u": summary()}, {"u": summary(**change)})
    assert result["users_mismatched"] == 1
    assert [m["field"] for m in result["mismatches"]] == [field]


def test_an_account_missing_on_one_side_is_a_mismatch_and_on_both_is_not() -> None:
    result = differences(["a", "b"], {"a": summary(), "b": None}, {"a": None, "b": None})
    assert result["users_compared"] == 2 and result["users_mismatched"] == 1
    assert result["accounts_missing"] == 1
    assert result["mismatches"] == [
        {"user": "a", "concurrent": settled_state(summary()), "sequential": None}
    ]


def test_renaming_gives_every_user_a_fresh_name_and_leaves_dumplog_alone() -> None:
    commands = [parse_line(1, "[1] ADD,alice,1.00"), parse_line(2, "[2] DUMPLOG,./testLOG")]
    first, dump = renamed(commands, "s1")  # type: ignore[arg-type]
    assert first.user == "alices1" and first.body["username"] == "alices1"
    assert dump.user is None and dump.body == {"filename": "./testLOG"}
