"""The benchmark's check that a concurrent replay ends where a sequential one does."""

from __future__ import annotations

from typing import Any

import pytest

from backend.replay_compare import differences, renamed, settled_state
from backend.workload import parse_line
from bench.run import verification_markdown, verify_count


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


def test_verify_takes_a_count_capped_at_the_workload_or_all() -> None:
    assert verify_count(None, 10) is None
    assert verify_count("all", 10) == 10
    assert verify_count("4", 10) == 4 and verify_count("40", 10) == 10
    for bad in ("0", "-3", "some"):
        with pytest.raises(ValueError):
            verify_count(bad, 10)


def test_renaming_gives_every_user_a_fresh_name_and_leaves_dumplog_alone() -> None:
    commands = [parse_line(1, "[1] ADD,alice,1.00"), parse_line(2, "[2] DUMPLOG,./testLOG")]
    first, dump = renamed(commands, "s1")  # type: ignore[arg-type]
    assert first.user == "alices1" and first.body["username"] == "alices1"
    assert dump.user is None and dump.body == {"filename": "./testLOG"}


def test_the_report_says_when_expiries_rather_than_concurrency_may_explain_a_difference() -> None:
    result = differences(["u"], {"u": summary()}, {"u": summary(funds="1.00")})
    verification = {
        "what": "the measured run against the naive run",
        "quote_mode": "fixed",
        "pending_ttl_s": 60,
        "expired_refusals": {"concurrent": 0, "sequential": 3},
        **result,
    }
    text = "\n".join(verification_markdown(verification))
    assert "1 users compared, 0 identical, 1 different" in text
    assert "| u | funds_cents | 70000 | 100 |" in text
    assert "DTS_PENDING_TTL_S=3600" in text
