"""NGINX's outer walls: per-client rate limits with a JSON 429, body size, the one allowed
cross-origin caller, and the security headers of the UI and the API."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.integration.harness import LOGIN_BURST, UI_ORIGIN, Client, Stack


def _login(stack: Stack, username: str) -> requests.Response:
    return requests.post(
        stack.url + "/auth/login",
        json={"username": username, "password": "wrong-password-1"},
        timeout=30,
    )


def _knock(stack: Stack) -> requests.Response:
    """A request the login limit counts that costs the service nothing (no password hashing)."""
    return requests.get(stack.url + "/auth/login", timeout=30)


def test_a_burst_of_logins_from_one_client_is_slowed_with_a_json_429(stack: Stack) -> None:
    name = f"guess{uuid.uuid4().hex[:8]}"
    with ThreadPoolExecutor(max_workers=16) as pool:
        # Well past the burst: the bucket refills at only 5 a second meanwhile.
        statuses = list(pool.map(lambda _: _knock(stack), range(3 * LOGIN_BURST)))
    limited = [r for r in statuses if r.status_code == 429]
    assert limited, [r.status_code for r in statuses]
    assert {r.status_code for r in statuses} == {405, 429}
    assert limited[0].json() == {
        "ok": False,
        "error": "too many requests, slow down",
        "code": "RATE_LIMITED",
        "request_id": limited[0].headers["X-Request-ID"],
    }
    assert limited[0].headers["Retry-After"] == "1"
    deadline = time.monotonic() + 30  # the bucket drains: other tests may log in again
    while _login(stack, name).status_code == 429:
        assert time.monotonic() < deadline, "the login limit never let go"
        time.sleep(0.5)


def test_other_endpoints_are_not_held_to_the_login_limit(operator: Client) -> None:
    with ThreadPoolExecutor(max_workers=16) as pool:
        replies = list(pool.map(lambda _: operator.post("/user_utils/health"), range(80)))
    assert {r.status_code for r in replies} == {405}  # health is a GET: every one got through


def test_the_ui_origin_may_call_cross_origin_and_no_other_may(stack: Stack) -> None:
    def preflight(origin: str) -> requests.Response:
        return requests.options(
            stack.url + "/buy/buy",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
            timeout=30,
        )

    allowed = preflight(UI_ORIGIN)
    assert allowed.status_code == 204
    assert allowed.headers["Access-Control-Allow-Origin"] == UI_ORIGIN
    assert "Authorization" in allowed.headers["Access-Control-Allow-Headers"]
    assert "Idempotency-Key" in allowed.headers["Access-Control-Allow-Headers"]
    for origin in ("http://evil.example", "null", UI_ORIGIN + ".evil.example"):
        refused = preflight(origin)
        assert "Access-Control-Allow-Origin" not in refused.headers, origin
        assert "Access-Control-Allow-Headers" not in refused.headers, origin
    post = requests.post(
        stack.url + "/user_utils/quote",
        json={},
        headers={"Origin": "http://evil.example"},
        timeout=30,
    )
    assert post.status_code == 401 and "Access-Control-Allow-Origin" not in post.headers


def test_the_ui_is_served_with_security_headers(stack: Stack) -> None:
    page = requests.get(stack.url + "/", timeout=30)
    assert page.status_code == 200
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "Server" not in page.headers or "/" not in page.headers["Server"]  # no version


def test_api_answers_say_what_they_are_and_errors_too(stack: Stack, operator: Client) -> None:
    ok = requests.get(stack.url + "/user_utils/health", timeout=30)
    refused = operator.post("/user_utils/add", {"username": "x", "amount": "-1"})
    for resp in (ok, refused):
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Content-Type"].startswith("application/json")
