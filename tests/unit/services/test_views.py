"""DISPLAY_SUMMARY and the recent transactions: read the account as it stands, settled first."""

from __future__ import annotations

import dataclasses

from dts.adapters.memory import MemoryAccounts, MemoryAudit
from dts.domain.account import Side
from dts.services import Caller, Services
from tests.unit.services.harness import (
    T0_MS,
    WINDOW_MS,
    Clock,
    cash_moves,
    kinds,
    open_account,
    run_recorded,
)


def test_summary_shows_funds_holdings_pending_trades_orders_and_history(
    services: Services, accounts: MemoryAccounts, audit: MemoryAudit, clock: Clock, alice: str
) -> None:
    steps = [
        lambda c: services.start_trade(Side.BUY, c, "ABC", 50_00),  # 4 ABC, 48.00 reserved
        lambda c: services.start_trade(Side.SELL, c, "ABC", 24_00),  # 2 ABC reserved
        lambda c: services.set_amount(Side.BUY, c, "ABC", 20_00),
        lambda c: services.set_trigger(Side.BUY, c, "ABC", 11_99),
        lambda c: services.set_amount(Side.SELL, c, "ABC", 30_00),
        lambda c: services.set_trigger(Side.SELL, c, "ABC", 12_01),  # 2 ABC reserved
    ]
    for trx, step in enumerate(steps, start=10):
        run_recorded(audit, Caller(alice, trx), step)
    clock.advance(5_000)
    saves = accounts.saves
    caller = Caller(alice, 20)
    summary = services.summary(caller)
    history = summary.pop("transactions")
    assert summary == {
        "username": "alice",
        "funds_cents": 32_00,
        "reserved_cents": 68_00,
        "holdings": [{"sym": "ABC", "shares": 6, "reserved_shares": 4, "cost_basis_cents": 120_00}],
        "realized_gain_cents": 0,
        "pending_buys": [
            {
                "sym": "ABC",
                "shares": 4,
                "price_cents": 12_00,
                "amount_cents": 48_00,
                "expires_at": T0_MS + WINDOW_MS,
                "seconds_left": 55,
                "trxNum": 10,
            }
        ],
        "pending_sells": [
            {
                "sym": "ABC",
                "shares": 2,
                "price_cents": 12_00,
                "amount_cents": 24_00,
                "expires_at": T0_MS + WINDOW_MS,
                "seconds_left": 55,
                "trxNum": 11,
            }
        ],
        "buy_triggers": [
            {"sym": "ABC", "amount_cents": 20_00, "trigger_cents": 11_99, "reserved_shares": 0}
        ],
        "sell_triggers": [
            {"sym": "ABC", "amount_cents": 30_00, "trigger_cents": 12_01, "reserved_shares": 2}
        ],
    }
    assert [(t["trxNum"], t["command"]) for t in history] == [
        (15, "SET_SELL_TRIGGER"),
        (14, "SET_SELL_AMOUNT"),
        (13, "SET_BUY_TRIGGER"),
        (12, "SET_BUY_AMOUNT"),
        (11, "SELL"),
        (10, "BUY"),
        (3, "COMMIT_BUY"),
        (2, "BUY"),
        (1, "ADD"),
    ]
    assert caller.trail == []
    assert accounts.saves == saves


def test_summary_lists_a_symbol_whose_every_share_is_reserved(
    services: Services, audit: MemoryAudit, alice: str
) -> None:
    run_recorded(
        audit, Caller(alice, 10), lambda c: services.start_trade(Side.SELL, c, "ABC", 120_00)
    )
    summary = services.summary(Caller(alice, 11))
    assert summary["holdings"] == [
        {"sym": "ABC", "shares": 0, "reserved_shares": 10, "cost_basis_cents": 120_00}
    ]
    assert summary["funds_cents"] == 100_00


def test_summary_after_expiry_shows_the_settled_account_and_saves_it(
    services: Services, accounts: MemoryAccounts, audit: MemoryAudit, clock: Clock, alice: str
) -> None:
    run_recorded(
        audit, Caller(alice, 10), lambda c: services.start_trade(Side.BUY, c, "ABC", 50_00)
    )
    clock.advance(WINDOW_MS)
    caller = Caller(alice, 11)
    summary = services.summary(caller)
    assert (summary["funds_cents"], summary["reserved_cents"], summary["pending_buys"]) == (
        100_00,
        0,
        [],
    )
    assert summary["transactions"][0]["command"] == "EXPIRED_BUY"
    assert kinds(caller.trail) == ["accountTransaction", "systemEvent"]
    assert cash_moves(caller.trail) == [("add", 48_00)]
    account = accounts.load(alice)
    assert account is not None and account.funds_cents == 100_00 and account.pending_buys == []


def test_recent_gives_the_newest_transactions_first_up_to_the_limit(
    services: Services, accounts: MemoryAccounts, alice: str
) -> None:
    saves = accounts.saves
    caller = Caller(alice, 10)
    assert services.recent(caller, 2) == {
        "transactions": [
            {
                "trxNum": 3,
                "timestamp": T0_MS,
                "command": "COMMIT_BUY",
                "sym": "ABC",
                "shares": 10,
                "price_cents": 12_00,
                "amount_cents": 120_00,
            },
            {
                "trxNum": 2,
                "timestamp": T0_MS,
                "command": "BUY",
                "sym": "ABC",
                "shares": 10,
                "price_cents": 12_00,
                "amount_cents": 120_00,
            },
        ]
    }
    assert caller.trail == []
    assert accounts.saves == saves


def test_account_keeps_only_the_configured_number_of_recent_transactions(
    services: Services, audit: MemoryAudit
) -> None:
    short = dataclasses.replace(
        services, settings=dataclasses.replace(services.settings, recent_transactions_max=3)
    )
    open_account(short, audit, "carol", abc_shares=0)
    for trx in range(2, 6):
        run_recorded(audit, Caller("carol", trx), lambda c: short.add(c, 1_00))
    recent = short.recent(Caller("carol", 6), 10)["transactions"]
    assert [t["trxNum"] for t in recent] == [5, 4, 3]
    assert short.summary(Caller("carol", 7))["funds_cents"] == 104_00
