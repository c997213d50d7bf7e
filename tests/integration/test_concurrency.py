"""Many clients at once on one account: nothing is lost, applied twice, or made from nothing.

Prices are fixed per symbol, so every trigger either fires at once when it is set (and its reply
says so) or never: the replies of the successful commands are then a complete account of every
cash and share movement, and the final account must match them to the cent and the share.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from dts.adapters.mongo.accounts import read_map
from tests.integration.harness import Client, Stack, logged, summary

THREADS = 8
REQUESTS_PER_THREAD = 40
SYMS = ("CC", "T2")


def _cents(dollars: str) -> int:
    whole, _, frac = dollars.partition(".")
    return int(whole) * 100 + int(frac or 0)


def _dollars(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


@dataclass
class Reply:
    op: str
    sym: str | None
    amount_cents: int | None
    status: int
    body: dict[str, Any]


@dataclass
class Log:
    replies: list[Reply] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, reply: Reply) -> None:
        with self.lock:
            self.replies.append(reply)

    def fail(self, what: str) -> None:
        with self.lock:
            self.failures.append(what)


OPS: dict[str, tuple[str, bool]] = {
    # op: (path, whether it names a symbol)
    "ADD": ("/user_utils/add", False),
    "BUY": ("/buy/buy", True),
    "COMMIT_BUY": ("/buy/commit_buy", False),
    "CANCEL_BUY": ("/buy/cancel_buy", False),
    "SELL": ("/sell/sell", True),
    "COMMIT_SELL": ("/sell/commit_sell", False),
    "CANCEL_SELL": ("/sell/cancel_sell", False),
    "SET_BUY_AMOUNT": ("/buy/set_buy_amount", True),
    "SET_BUY_TRIGGER": ("/buy/set_buy_trigger", True),
    "CANCEL_SET_BUY": ("/buy/cancel_set_buy", True),
    "SET_SELL_AMOUNT": ("/sell/set_sell_amount", True),
    "SET_SELL_TRIGGER": ("/sell/set_sell_trigger", True),
    "CANCEL_SET_SELL": ("/sell/cancel_set_sell", True),
}


def _send(client: Client, log: Log, op: str, sym: str | None, amount_cents: int | None) -> Reply:
    path, _ = OPS[op]
    body: dict[str, Any] = {}
    if sym is not None:
        body["sym"] = sym
    if amount_cents is not None:
        body["amount"] = _dollars(amount_cents)
    try:
        resp = client.post(path, body)
        data = resp.json()
    except (requests.RequestException, ValueError) as exc:
        log.fail(f"{op} {body}: transport error {exc!r}")
        return Reply(op, sym, amount_cents, 0, {})
    reply = Reply(op, sym, amount_cents, resp.status_code, data)
    log.add(reply)
    if resp.status_code == 200 and data.get("ok") is True:
        return reply
    if resp.status_code == 409 and data.get("ok") is False and data.get("error"):
        return reply
    log.fail(f"{op} {body}: {resp.status_code} {resp.text[:300]}")
    return reply


def _trigger_cents(op: str, price_cents: int, fire: bool) -> int:
    """A buy trigger fires at or above the price, a sell trigger at or below: at once, or never."""
    above = fire if op == "SET_BUY_TRIGGER" else not fire
    return price_cents + (50 if above else -50)


def _random_requests(rng: random.Random, price: Callable[[str], int]) -> list[tuple]:
    """One random command; a SET_*_AMOUNT is often followed at once by its trigger."""
    op = rng.choice(list(OPS))
    _, needs_sym = OPS[op]
    sym = rng.choice(SYMS) if needs_sym else None
    amount = None
    if op == "ADD":
        amount = rng.randint(1, 50_000)
    elif op in {"BUY", "SET_BUY_AMOUNT"}:
        amount = price(sym) * rng.randint(1, 4) + rng.randint(0, price(sym) - 1)
    elif op in {"SELL", "SET_SELL_AMOUNT"}:
        amount = price(sym) * rng.randint(1, 3) + rng.randint(0, 99)
    elif op in {"SET_BUY_TRIGGER", "SET_SELL_TRIGGER"}:
        amount = _trigger_cents(op, price(sym), fire=rng.random() < 0.5)
    requests_ = [(op, sym, amount)]
    if op.endswith("_AMOUNT") and rng.random() < 0.5:
        trigger = op.replace("_AMOUNT", "_TRIGGER")
        requests_.append((trigger, sym, _trigger_cents(trigger, price(sym), rng.random() < 0.5)))
    return requests_


def _expected(replies: list[Reply]) -> tuple[int, Counter]:
    """Cash (cents) and shares per symbol implied by the successful replies."""
    cash = 0
    shares: Counter = Counter()
    for r in replies:
        if r.status != 200:
            continue
        if r.op == "ADD":
            cash += r.amount_cents
        elif r.op in {"COMMIT_BUY", "COMMIT_SELL"}:
            trade = r.body["trade"]
            assert trade["shares"] >= 1
            assert _cents(trade["amount"]) == trade["shares"] * _cents(trade["price"])
            sign = 1 if r.op == "COMMIT_BUY" else -1
            cash -= sign * _cents(trade["amount"])
            shares[trade["sym"]] += sign * trade["shares"]
        elif r.op in {"SET_BUY_TRIGGER", "SET_SELL_TRIGGER"} and r.body["fired"]:
            fired = r.body["fired"]
            assert _cents(fired["amount"]) == fired["shares"] * _cents(fired["price"])
            sign = 1 if r.op == "SET_BUY_TRIGGER" else -1
            cash -= sign * _cents(fired["amount"])
            shares[fired["sym"]] += sign * fired["shares"]
    return cash, shares


def _cancel_everything(me: Client, log: Log) -> None:
    for op in ("CANCEL_BUY", "CANCEL_SELL"):
        while _send(me, log, op, None, None).status == 200:
            pass
    for sym in SYMS:
        _send(me, log, "CANCEL_SET_BUY", sym, None)
        _send(me, log, "CANCEL_SET_SELL", sym, None)


def _register(stack: Stack) -> tuple[str, str]:
    username = f"c{uuid.uuid4().hex[:12]}"
    resp = requests.post(
        stack.url + "/auth/register",
        json={"username": username, "password": "concurrency-password"},
        timeout=30,
    )
    assert resp.status_code == 200, resp.text
    return username, resp.json()["token"]


def _run_threads(count: int, work: Callable[[int], None]) -> None:
    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a client thread hung"


def _race(clients: list[Client], path: str, body: dict) -> list[tuple[int, str | None]]:
    """Sends one request from each client at the same moment; their statuses and codes."""
    start = threading.Barrier(len(clients))
    statuses: list[tuple[int, str | None]] = []

    def send(index: int) -> None:
        start.wait()
        resp = clients[index].post(path, body)
        statuses.append((resp.status_code, resp.json().get("code")))

    _run_threads(len(clients), send)
    return statuses


def _audited_funds_cents(db, username: str) -> int:
    total = 0
    for e in logged(db).find({"type": "accountTransaction", "username": username}):
        assert e["action"] in {"add", "remove"}
        total += e["amount"] if e["action"] == "add" else -e["amount"]
    return total


def test_hammering_one_account_through_both_services_conserves_cash_and_shares(
    stack: Stack, db
) -> None:
    username, token = _register(stack)
    log = Log()
    setup = Client(stack.url, token)
    _send(setup, log, "ADD", None, 2_000_000)
    for sym in SYMS:
        price = stack.price_cents(sym)
        _send(setup, log, "BUY", sym, price * 40)
        _send(setup, log, "COMMIT_BUY", None, None)
        for side in ("BUY", "SELL"):  # one trigger of each side that fires, so effects are sure
            trigger = f"SET_{side}_TRIGGER"
            _send(setup, log, f"SET_{side}_AMOUNT", sym, price * 3 + 7)
            _send(setup, log, trigger, sym, _trigger_cents(trigger, price, fire=True))
    assert not log.failures and all(r.status == 200 for r in log.replies), log.replies
    fired_shares = [r.body["fired"]["shares"] for r in log.replies if r.op.endswith("TRIGGER")]
    amounts = [(stack.price_cents(sym) * 3 + 7, stack.price_cents(sym)) for sym in SYMS]
    assert fired_shares == [n for a, p in amounts for n in (a // p, a // (p - 50))]

    samples: list[tuple[int, dict]] = []
    hammering = threading.Event()
    hammering.set()

    def watch_db() -> None:
        while hammering.is_set():
            doc = db.user_table.find_one({"username": username}, {"funds": 1, "stocks": 1})
            samples.append((doc["funds"], read_map(doc.get("stocks"))))
            time.sleep(0.02)

    watcher = threading.Thread(target=watch_db)
    watcher.start()
    start = threading.Barrier(THREADS)

    def client(index: int) -> None:
        rng = random.Random(1000 + index)
        me = Client(stack.url, token)
        start.wait()
        sent = 0
        while sent < REQUESTS_PER_THREAD:
            for request in _random_requests(rng, stack.price_cents)[: REQUESTS_PER_THREAD - sent]:
                _send(me, log, *request)
                sent += 1

    try:
        _run_threads(THREADS, client)
    finally:
        hammering.clear()
        watcher.join()
    _cancel_everything(setup, log)

    assert not log.failures, log.failures[:10]
    ok = Counter(r.op for r in log.replies if r.status == 200)
    fired = Counter(r.op for r in log.replies if r.status == 200 and r.body.get("fired"))
    assert ok["COMMIT_BUY"] > len(SYMS) and ok["COMMIT_SELL"] > 0, ok
    assert fired["SET_BUY_TRIGGER"] > len(SYMS) and fired["SET_SELL_TRIGGER"] > len(SYMS), fired

    cash, shares = _expected(log.replies)
    final = summary(setup, username)
    assert final["pending_buys"] == [] and final["pending_sells"] == []
    assert final["buy_triggers"] == [] and final["sell_triggers"] == []
    assert final["reserved"] == "0.00"
    assert final["funds"] == _dollars(cash)
    assert final["holdings"] == [
        {
            "sym": sym,
            "shares": n,
            "reserved_shares": 0,
            "cost_basis": _dollars(n * stack.price_cents(sym)),
        }
        for sym, n in sorted(shares.items())
        if n
    ]
    assert all(funds >= 0 and min(stocks.values(), default=0) >= 0 for funds, stocks in samples)
    assert len(samples) > 10
    deadline = time.monotonic() + 3
    while _audited_funds_cents(db, username) != cash and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _audited_funds_cents(db, username) == cash


@pytest.mark.parametrize("side", ["buy", "sell"])
def test_concurrent_commits_of_one_pending_trade_commit_it_exactly_once(
    stack: Stack, operator: Client, new_user, side: str
) -> None:
    username = new_user("5000.00")
    price = stack.price_cents("CC")
    rounds, racers = 6, 4
    if side == "sell":
        operator.ok("/buy/buy", {"username": username, "sym": "CC", "amount": "5000.00"})
        operator.ok("/buy/commit_buy", {"username": username})
    before = summary(operator, username)
    clients = [Client(stack.url, stack.operator_token) for _ in range(racers)]

    for _ in range(rounds):
        operator.ok(f"/{side}/{side}", {"username": username, "sym": "CC", "amount": "100.00"})
        statuses = _race(clients, f"/{side}/commit_{side}", {"username": username})
        assert sorted(statuses) == [(200, None)] + [(409, f"NO_PENDING_{side.upper()}")] * (
            racers - 1
        ), statuses

    shares_each = 10000 // price
    moved_cents = rounds * shares_each * price
    moved_shares = rounds * shares_each
    after = summary(operator, username)
    held_before = before["holdings"][0]["shares"] if before["holdings"] else 0
    held_after = after["holdings"][0]["shares"] if after["holdings"] else 0
    if side == "buy":
        assert _cents(after["funds"]) == _cents(before["funds"]) - moved_cents
        assert held_after == held_before + moved_shares
    else:
        assert _cents(after["funds"]) == _cents(before["funds"]) + moved_cents
        assert held_after == held_before - moved_shares
    assert after["pending_buys"] == [] and after["pending_sells"] == []


def test_concurrent_first_adds_create_one_account_and_add_every_cent(
    stack: Stack, operator: Client, new_user, db
) -> None:
    username = new_user(None)
    adds_per_thread = 50
    statuses: Counter = Counter()
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def add_cents(_: int) -> None:
        me = Client(stack.url, stack.operator_token)
        start.wait()
        for _ in range(adds_per_thread):
            resp = me.post("/user_utils/add", {"username": username, "amount": "0.01"})
            with lock:
                statuses[resp.status_code] += 1

    _run_threads(THREADS, add_cents)

    total = THREADS * adds_per_thread
    assert statuses == Counter({200: total})
    assert summary(operator, username)["funds"] == _dollars(total)
    assert db.user_table.count_documents({"username": username}) == 1
    adds = list(logged(db).find({"type": "accountTransaction", "username": username}))
    assert [(e["action"], e["amount"]) for e in adds] == [("add", 1)] * total
    assert (
        logged(db).count_documents({"type": "userCommand", "username": username, "command": "ADD"})
        == total
    )
