"""The trigger watcher fires orders when a quote crosses them after they were set.

Prices are fixed in the test stack, so a test moves the market the way the system sees it: it puts
a newer quote into the Redis cache (as a fetch would), and the watcher's sweep must act on it.
"""

from __future__ import annotations

import time

import redis
from bson.int64 import Int64

from dts.adapters.mongo.accounts import read_list
from dts.adapters.redis.watch_hints import TRIGGERS, WatchHints
from dts.domain.account import Account, TriggerOrder
from dts.money import format_cents as dollars
from tests.integration.harness import Client, Stack, logged, move_market, summary


def wait_for(predicate, timeout_s: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_buy_trigger_fires_when_a_later_quote_drops_to_it(
    operator: Client, new_user, stack: Stack, cache: redis.Redis
) -> None:
    user, sym = new_user("1000.00"), "WB1"
    price = stack.price_cents(sym)
    trigger = price - 100
    operator.ok("/buy/set_buy_amount", {"username": user, "sym": sym, "amount": "1000.00"})
    reply = operator.ok(
        "/buy/set_buy_trigger",
        {"username": user, "sym": sym, "amount": f"{trigger / 100:.2f}"},
    )
    assert reply["fired"] is None
    move_market(cache, sym, trigger)
    assert wait_for(lambda: summary(operator, user)["buy_triggers"] == [])
    shares = 100000 // trigger
    after = summary(operator, user)
    assert after["holdings"] == [
        {
            "sym": sym,
            "shares": shares,
            "reserved_shares": 0,
            "cost_basis": dollars(shares * trigger),
        }
    ]
    left = 100000 - shares * trigger
    assert after["funds"] == f"{left // 100}.{left % 100:02d}"
    time.sleep(2.5)  # two more sweeps: it must not fire again
    assert summary(operator, user)["holdings"] == after["holdings"]
    assert summary(operator, user)["funds"] == after["funds"]


def test_sell_trigger_fires_when_a_later_quote_rises_to_it(
    operator: Client, new_user, stack: Stack, cache: redis.Redis
) -> None:
    user, sym = new_user("5000.00"), "WS1"
    price = stack.price_cents(sym)
    operator.ok("/buy/buy", {"username": user, "sym": sym, "amount": "5000.00"})
    operator.ok("/buy/commit_buy", {"username": user})
    held = 500000 // price
    funds_before = 500000 - held * price
    trigger = price + 100
    operator.ok("/sell/set_sell_amount", {"username": user, "sym": sym, "amount": "5000.00"})
    operator.ok(
        "/sell/set_sell_trigger",
        {"username": user, "sym": sym, "amount": f"{trigger / 100:.2f}"},
    )
    reserved = 500000 // trigger
    assert reserved <= held
    move_market(cache, sym, trigger)
    assert wait_for(lambda: summary(operator, user)["sell_triggers"] == [])
    after = summary(operator, user)
    expected_funds = funds_before + reserved * trigger
    assert after["funds"] == f"{expected_funds // 100}.{expected_funds % 100:02d}"
    assert after["realized_gain"] == dollars(reserved * (trigger - price))
    remaining = held - reserved
    expected = (
        [
            {
                "sym": sym,
                "shares": remaining,
                "reserved_shares": 0,
                "cost_basis": dollars(remaining * price),
            }
        ]
        if remaining
        else []
    )
    assert after["holdings"] == expected


def test_an_expired_pending_buy_is_given_back_without_its_owner_coming_back(
    operator: Client, new_user, stack: Stack, db
) -> None:
    user = new_user("1000.00")
    operator.ok("/buy/buy", {"username": user, "sym": "ABC", "amount": "500.00"})
    stored = db.user_table.find_one({"username": user})
    assert stored["funds"] < 100000 and len(read_list(stored["pending_buy"])) == 1

    def given_back() -> bool:
        doc = db.user_table.find_one({"username": user})
        return doc["funds"] == 100000 and read_list(doc["pending_buy"]) == []

    # Nobody touches the account: only the watcher's sweep can settle it.
    assert wait_for(given_back, timeout_s=stack.pending_ttl_s + 30)
    expiries = logged(db).count_documents(
        {"username": user, "type": "systemEvent", "command": "BUY"}
    )
    assert expiries == 1


def test_a_trigger_whose_hint_was_lost_still_fires_after_the_rebuild(
    operator: Client, new_user, stack: Stack, cache: redis.Redis
) -> None:
    user, sym = new_user("1000.00"), "WH1"
    trigger = stack.price_cents(sym) - 100
    operator.ok("/buy/set_buy_amount", {"username": user, "sym": sym, "amount": "500.00"})
    operator.ok(
        "/buy/set_buy_trigger", {"username": user, "sym": sym, "amount": f"{trigger / 100:.2f}"}
    )
    holders = TRIGGERS.format(side="BUY", sym=sym)
    assert cache.zscore(holders, user) == trigger
    cache.delete(holders)  # as if the service died between its write and the publish
    move_market(cache, sym, trigger)
    assert wait_for(lambda: summary(operator, user)["buy_triggers"] == [])
    assert summary(operator, user)["holdings"][0]["shares"] == 50000 // trigger


def test_an_account_no_rule_can_read_does_not_stop_the_watcher_serving_the_others(
    operator: Client, new_user, stack: Stack, cache: redis.Redis, db
) -> None:
    broken, user, sym = new_user("10.00"), new_user("1000.00"), "WH2"
    db.user_table.update_one({"_id": broken}, {"$set": {"pending_buy": [{"sym": "ABC"}]}})
    try:
        trigger = stack.price_cents(sym) - 100
        operator.ok("/buy/set_buy_amount", {"username": user, "sym": sym, "amount": "500.00"})
        operator.ok(
            "/buy/set_buy_trigger",
            {"username": user, "sym": sym, "amount": f"{trigger / 100:.2f}"},
        )
        cache.delete(TRIGGERS.format(side="BUY", sym=sym))  # only a rebuild over every account
        move_market(cache, sym, trigger)  # (the broken one included) can find this order now
        assert wait_for(lambda: summary(operator, user)["buy_triggers"] == [])
    finally:
        db.user_table.update_one({"_id": broken}, {"$set": {"pending_buy": []}})


def test_an_older_version_of_an_accounts_hints_never_replaces_a_newer_one(
    cache: redis.Redis,
) -> None:
    hints = WatchHints(cache)
    name = "hint-order-" + str(time.monotonic_ns())
    with_trigger = Account(name, buy_orders={"HO1": TriggerOrder("HO1", 100, 50)})
    without = Account(name)
    assert hints.publish(with_trigger, 7)
    assert hints.publish(without, 6)  # a slower writer of an older version arrives late
    assert name in hints.crossed("HO1", 50)
    assert hints.publish(without, 8)
    assert name not in hints.crossed("HO1", 50)
    assert "HO1" not in hints.symbols()


def test_hints_take_numbers_as_the_database_returns_them(cache: redis.Redis) -> None:
    name = "hint-int64-" + str(time.monotonic_ns())
    order = TriggerOrder("HI1", Int64(1000), Int64(500))
    account = Account(name, buy_orders={"HI1": order}, version=Int64(4))
    assert WatchHints(cache).publish(account, account.version)
    assert name in WatchHints(cache).crossed("HI1", 500)


def test_a_quote_finds_only_the_orders_it_crosses(cache: redis.Redis) -> None:
    hints = WatchHints(cache)
    tag = str(time.monotonic_ns())
    buyer, seller = f"hint-buyer-{tag}", f"hint-seller-{tag}"
    hints.publish(Account(buyer, buy_orders={"HX1": TriggerOrder("HX1", 1000, 500)}), 1)
    hints.publish(
        Account(seller, sell_orders={"HX1": TriggerOrder("HX1", 1000, 700, reserved_shares=1)}), 1
    )
    assert hints.crossed("HX1", 600) == []  # between the two: neither fires
    assert hints.crossed("HX1", 500) == [buyer]  # a BUY fires at or below its price
    assert hints.crossed("HX1", 450) == [buyer]
    assert hints.crossed("HX1", 700) == [seller]  # a SELL at or above
    assert hints.crossed("HX2", 1) == []
    hints.publish(Account(buyer, buy_orders={"HX1": TriggerOrder("HX1", 1000, 400)}), 2)
    assert hints.crossed("HX1", 450) == []  # a changed trigger price moves the order
