"""Checks the issue's requirement: replaying a workload concurrently leaves every account exactly
as a slow sequential replay of the same commands does (in fixed-price mode).

Both replays run the same commands under two renames (`renamed`: `alice` becomes `alice<suffix>`),
so each starts from empty accounts; afterwards every user's DISPLAY_SUMMARY is fetched as the
operator under both names and compared on what must be equal:

- cash: `funds` (available) and `reserved` (set aside by pending BUYs and buy amounts);
- holdings: per symbol, `shares` and `reserved_shares`;
- trigger orders: every buy and sell order's symbol, amount, trigger price and reserved shares.

What is left out, and why:

- Pending trades. Each expires 60 s after its BUY or SELL, measured on the wall clock, and the two
  replays end minutes apart, so a trade the workload never committed may still be live in one
  replay and already expired in the other. The comparison therefore folds every live pending trade
  back as if it had expired, which is exactly what expiry does (a BUY's cost returns from
  `reserved` to `funds`, a SELL's shares from `reserved_shares` to `shares`): a trade that expired
  during one replay but not the other, and so changed what came after, still shows as a mismatch.
- Recent transactions: they carry timestamps, and the expiry of a leftover pending trade (noted
  there) happens in one replay and not yet in the other.

The 60 s pending window is the one rule that depends on time, and a sequential replay is several
times slower per user than a concurrent one: in user10.txt a user's BUYs pile up and a later
COMMIT takes the newest, so an older BUY is committed or lost to expiry depending on how fast the
replay went: with the 60 s window the whole-file replays differed for 8 of 10 users (the slow one
had EXPIRED refusals), with a 3600 s window all 10 were identical. A stack run with
DTS_PENDING_TTL_S=3600 (the benchmark starts its own that way) isolates what the check is for:
whether concurrency changes the outcome.

In random-price mode the two replays see different prices and are expected to differ. Fetching a
summary is itself a command: it settles expired pending trades and adds a DISPLAY_SUMMARY record
to the audit log of every compared user.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from dataclasses import replace
from decimal import Decimal
from typing import Any

from backend.replay_http import Connection, Origin
from backend.workload import Command

SUMMARY_PATH = "/user_utils/display_summary"
FETCH_CONCURRENCY = 8
FETCH_TIMEOUT_S = 30.0
MISMATCHES_SHOWN = 20


def renamed(commands: list[Command], suffix: str) -> list[Command]:
    """The same commands for other users, so a second run starts from empty accounts."""
    out = []
    for c in commands:
        body = dict(c.body)
        if "username" in body:
            body["username"] = f"{body['username']}{suffix}"
        out.append(replace(c, user=c.user and f"{c.user}{suffix}", body=body))
    return out


def cents(dollars: str | int | float) -> int:
    return int((Decimal(str(dollars)) * 100).to_integral_value())


def settled_state(summary: dict[str, Any]) -> dict[str, Any]:
    """The account from a DISPLAY_SUMMARY as it stands once its live pending trades expire."""
    pending_buy_cents = sum(cents(t["amount"]) for t in summary.get("pending_buys", []))
    pending_sell_shares: Counter[str] = Counter()
    for trade in summary.get("pending_sells", []):
        pending_sell_shares[trade["sym"]] += int(trade["shares"])
    holdings: dict[str, list[int]] = {}
    for row in summary.get("holdings", []):
        holdings[row["sym"]] = [int(row["shares"]), int(row["reserved_shares"])]
    for sym, shares in pending_sell_shares.items():
        held, reserved = holdings.get(sym, [0, 0])
        holdings[sym] = [held + shares, reserved - shares]

    def orders(key: str) -> list[list[Any]]:
        return sorted(
            [
                o["sym"],
                cents(o["amount"]),
                None if o.get("trigger") is None else cents(o["trigger"]),
                int(o.get("reserved_shares") or 0),
            ]
            for o in summary.get(key, [])
        )

    return {
        "funds_cents": cents(summary["funds"]) + pending_buy_cents,
        "reserved_cents": cents(summary["reserved"]) - pending_buy_cents,
        "holdings": {sym: v for sym, v in sorted(holdings.items()) if v != [0, 0]},
        "buy_triggers": orders("buy_triggers"),
        "sell_triggers": orders("sell_triggers"),
    }


def pending_count(summary: dict[str, Any] | None) -> int:
    if summary is None:
        return 0
    return len(summary.get("pending_buys", [])) + len(summary.get("pending_sells", []))


async def _fetch(url: str, token: str | None, usernames: list[str]) -> dict[str, Any]:
    """username -> its summary, None when it has no account, or {"error": ...}."""
    origin = Origin.parse(url)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    found: dict[str, Any] = {}
    waiting = iter(usernames)

    async def worker() -> None:
        connection = Connection(origin, headers)
        try:
            for name in waiting:
                try:
                    async with asyncio.timeout(FETCH_TIMEOUT_S):
                        reply = await connection.post(
                            SUMMARY_PATH, json.dumps({"username": name}).encode()
                        )
                except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    found[name] = {"error": type(exc).__name__}
                    continue
                if reply.status == 200:
                    found[name] = json.loads(reply.body)
                elif reply.status == 404:
                    found[name] = None
                else:
                    found[name] = {"error": f"HTTP {reply.status}: {reply.body[:200]!r}"}
        finally:
            connection.close()

    await asyncio.gather(*(worker() for _ in range(min(FETCH_CONCURRENCY, len(usernames)))))
    return found


def fetch_summaries(url: str, token: str | None, usernames: list[str]) -> dict[str, Any]:
    return asyncio.run(_fetch(url, token, usernames)) if usernames else {}


def _state(summary: dict[str, Any] | None) -> dict[str, Any] | None:
    if summary is None or "error" in summary:
        return summary
    return settled_state(summary)


def compare_accounts(
    url: str,
    token: str | None,
    users: list[str],
    concurrent_suffix: str,
    sequential_suffix: str,
) -> dict[str, Any]:
    """Fetches every user under both names and reports where the settled states differ."""
    names = [u + concurrent_suffix for u in users] + [u + sequential_suffix for u in users]
    summaries = fetch_summaries(url, token, names)
    concurrent = {u: summaries.get(u + concurrent_suffix) for u in users}
    sequential = {u: summaries.get(u + sequential_suffix) for u in users}
    return differences(users, concurrent, sequential)


def differences(
    users: list[str], concurrent: dict[str, Any], sequential: dict[str, Any]
) -> dict[str, Any]:
    """The verification result from each user's summary (None: no account) after each replay."""
    mismatches: list[dict[str, Any]] = []
    pending = 0
    for user in users:
        pending += pending_count(concurrent.get(user)) + pending_count(sequential.get(user))
        left, right = _state(concurrent.get(user)), _state(sequential.get(user))
        if left == right:
            continue
        if left is None or right is None or "error" in left or "error" in right:
            mismatches.append({"user": user, "concurrent": left, "sequential": right})
            continue
        for key in left:
            if left[key] != right[key]:
                mismatches.append(
                    {"user": user, "field": key, "concurrent": left[key], "sequential": right[key]}
                )
    mismatched_users = {m["user"] for m in mismatches}
    return {
        "users_compared": len(users),
        "users_matching": len(users) - len(mismatched_users),
        "users_mismatched": len(mismatched_users),
        "accounts_missing": sum(
            concurrent.get(u) is None and sequential.get(u) is None for u in users
        ),
        "pending_trades_folded_back": pending,
        "compared": ["funds", "reserved", "holdings (shares, reserved_shares)", "trigger orders"],
        "excluded": ["pending trades (folded back as if expired)", "recent transactions"],
        "mismatches": mismatches[:MISMATCHES_SHOWN],
        "mismatches_total": len(mismatches),
    }
