"""Request IDs through NGINX: a client's well-formed X-Request-ID comes back and is in the
service's log line; a malformed one or none is replaced by NGINX's own; every error body names it,
NGINX's own errors too."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import requests

from tests.integration.harness import Client, Stack

NGINX_ID = re.compile(r"[0-9a-f]{32}")


def _log_line(stack: Stack, service: str, request_id: str) -> dict[str, object]:
    """The service's JSON log line for `request_id` (the line is written as the reply goes)."""
    log = Path(stack.data_dir) / "logs" / f"{service}.log"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for line in log.read_text(errors="replace").splitlines():
            if request_id in line and line.startswith("{"):
                return json.loads(line)
        time.sleep(0.05)
    raise AssertionError(f"no log line of {service} names {request_id}")


def test_a_clients_id_comes_back_and_is_in_the_services_log_line(
    stack: Stack, operator: Client, new_user: Callable[..., str]
) -> None:
    user = new_user(funds="10.00")
    sent = f"client-{uuid.uuid4().hex[:12]}"
    reply = operator.post(
        "/user_utils/add", {"username": user, "amount": "1.00"}, headers={"X-Request-ID": sent}
    )
    assert reply.status_code == 200 and reply.headers["X-Request-ID"] == sent
    line = _log_line(stack, "user_utils", sent)
    assert (line["command"], line["user"], line["outcome"], line["status"]) == (
        "ADD",
        user,
        "ok",
        200,
    )


def test_a_refusal_names_the_id_in_its_body_and_its_log_line(
    stack: Stack, operator: Client, new_user: Callable[..., str]
) -> None:
    user = new_user(funds="10.00")
    sent = f"refused-{uuid.uuid4().hex[:12]}"
    reply = operator.post("/buy/commit_buy", {"username": user}, headers={"X-Request-ID": sent})
    assert reply.status_code == 409
    assert reply.json()["request_id"] == sent == reply.headers["X-Request-ID"]
    assert _log_line(stack, "buy", sent)["outcome"] == "NO_PENDING_BUY"


def test_a_malformed_or_missing_id_is_replaced_by_nginxs(stack: Stack, operator: Client) -> None:
    for headers in ({"X-Request-ID": "bad id"}, {"X-Request-ID": "x" * 65}, {}):
        reply = operator.post("/user_utils/quote", {"sym": "ABC"}, headers=headers)
        assert reply.status_code in (200, 400), reply.text
        assert NGINX_ID.fullmatch(reply.headers["X-Request-ID"])


def test_nginxs_own_errors_and_the_ui_name_the_id_too(stack: Stack) -> None:
    too_large = requests.post(
        f"{stack.url}/user_utils/add",
        data="x" * 70_000,
        headers={"X-Request-ID": "large-body-01", "Content-Type": "application/json"},
        timeout=10,
    )
    assert too_large.status_code == 413
    assert too_large.json()["request_id"] == "large-body-01"
    assert too_large.headers["X-Request-ID"] == "large-body-01"
    page = requests.get(f"{stack.url}/", timeout=10)
    assert NGINX_ID.fullmatch(page.headers["X-Request-ID"])
