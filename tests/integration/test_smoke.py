"""The stack answers through NGINX, and a user's money survives a whole trade."""

from __future__ import annotations

from dts.money import format_cents as dollars
from tests.integration.harness import Client, Stack, summary


def test_every_service_is_healthy_through_nginx(operator: Client) -> None:
    for path in ("/buy/health", "/sell/health", "/user_utils/health", "/auth/health"):
        resp = operator.session.get(operator.base_url + path, timeout=10)
        assert resp.status_code == 200, path
        assert resp.json()["ok"] is True


def test_buy_commit_then_sell_commit_moves_cash_and_shares(
    operator: Client, new_user, stack: Stack
) -> None:
    user = new_user("1000.00")
    price = stack.price_cents("ABC")
    operator.ok("/buy/buy", {"username": user, "sym": "ABC", "amount": "1000.00"})
    operator.ok("/buy/commit_buy", {"username": user})
    shares = 100000 // price
    after_buy = summary(operator, user)
    assert after_buy["holdings"] == [
        {
            "sym": "ABC",
            "shares": shares,
            "reserved_shares": 0,
            "cost_basis": dollars(shares * price),
        }
    ]
    cash_left = 100000 - shares * price
    assert after_buy["funds"] == f"{cash_left // 100}.{cash_left % 100:02d}"
    operator.ok("/sell/sell", {"username": user, "sym": "ABC", "amount": "1000.00"})
    operator.ok("/sell/commit_sell", {"username": user})
    final = summary(operator, user)
    assert final["funds"] == "1000.00"
    assert final["holdings"] == []
