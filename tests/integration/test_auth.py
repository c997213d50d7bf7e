"""Register and log in for a token; a token acts only for its own user; the operator for anyone."""

from __future__ import annotations

import threading
import time
import uuid

import jwt
import pytest
import requests

from tests.integration.harness import Client, Stack, summary

PASSWORD = "correct horse battery"


def _name(prefix: str = "a") -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def _register(stack: Stack, username: str, password: str = PASSWORD) -> str:
    resp = requests.post(
        stack.url + "/auth/register", json={"username": username, "password": password}, timeout=30
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["ok"] is True and body["username"] == username
    assert isinstance(body["token"], str) and body["token"]
    return body["token"]


def _auth_post(stack: Stack, path: str, body: object) -> requests.Response:
    return requests.post(stack.url + path, json=body, timeout=30)


def _refused(resp: requests.Response, status: int, code: str) -> dict:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["ok"] is False and body["error"]
    assert body["code"] == code, body
    return body


def test_register_returns_a_token_that_acts_for_the_new_empty_account(stack: Stack) -> None:
    username = _name()
    me = Client(stack.url, _register(stack, username))

    assert me.ok("/user_utils/display_summary", {})["funds"] == "0.00"
    assert me.ok("/user_utils/add", {"amount": "12.34"})["funds"] == "12.34"
    assert me.ok("/user_utils/display_summary", {"username": username})["funds"] == "12.34"


def test_login_with_the_right_password_returns_a_working_token(stack: Stack) -> None:
    username = _name()
    _register(stack, username)
    resp = _auth_post(stack, "/auth/login", {"username": username, "password": PASSWORD})
    assert resp.status_code == 200, resp.text
    assert resp.json()["username"] == username
    me = Client(stack.url, resp.json()["token"])
    assert me.ok("/user_utils/add", {"amount": "5.00"})["funds"] == "5.00"


def test_login_with_a_wrong_password_or_unknown_user_is_401_with_one_message(
    stack: Stack,
) -> None:
    username = _name()
    _register(stack, username)
    wrong = _auth_post(stack, "/auth/login", {"username": username, "password": PASSWORD + "!"})
    unknown = _auth_post(stack, "/auth/login", {"username": _name(), "password": PASSWORD})
    assert "token" not in _refused(wrong, 401, "BAD_CREDENTIALS")
    assert _refused(unknown, 401, "BAD_CREDENTIALS")["error"] == wrong.json()["error"]


def test_login_with_an_object_for_username_is_400_not_a_query(stack: Stack) -> None:
    resp = _auth_post(stack, "/auth/login", {"username": {"$ne": None}, "password": PASSWORD})
    _refused(resp, 400, "BAD_INPUT")


def test_registering_a_taken_name_is_409_and_keeps_the_first_password(stack: Stack, db) -> None:
    username = _name()
    _register(stack, username)
    stored = db.user_table.find_one({"username": username})["password_hash"]

    again = _auth_post(
        stack, "/auth/register", {"username": username, "password": "another password"}
    )

    _refused(again, 409, "USERNAME_TAKEN")
    assert db.user_table.count_documents({"username": username}) == 1
    assert db.user_table.find_one({"username": username})["password_hash"] == stored
    old = _auth_post(stack, "/auth/login", {"username": username, "password": PASSWORD})
    assert old.status_code == 200


def test_registering_a_name_an_add_already_created_is_409(
    stack: Stack, new_user, operator: Client
) -> None:
    username = new_user("20.00")
    resp = _auth_post(stack, "/auth/register", {"username": username, "password": PASSWORD})
    _refused(resp, 409, "USERNAME_TAKEN")
    assert summary(operator, username)["funds"] == "20.00"


@pytest.mark.parametrize("password", ["", "short", "7chars!", "x" * 129])
def test_a_password_outside_8_to_128_characters_is_400_and_creates_nothing(
    stack: Stack, db, password: str
) -> None:
    username = _name()
    resp = _auth_post(stack, "/auth/register", {"username": username, "password": password})
    _refused(resp, 400, "BAD_INPUT")
    assert db.user_table.find_one({"username": username}) is None


def test_passwords_are_stored_as_salted_slow_hashes(stack: Stack, db, operator: Client) -> None:
    first, second = _name(), _name()
    _register(stack, first)
    _register(stack, second)
    hashes = [db.user_table.find_one({"username": u})["password_hash"] for u in (first, second)]

    for stored in hashes:
        assert stored.startswith(("scrypt:", "pbkdf2:")), stored
        assert stored.count("$") == 2  # method$salt$hash
        assert PASSWORD not in stored
        assert "horse" not in stored
    assert hashes[0] != hashes[1], "the same password must hash differently (salt)"
    assert "password" not in str(summary(operator, first))


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/user_utils/add", {"amount": "1.00"}),
        ("/user_utils/display_summary", {}),
        ("/user_utils/recent_transactions", {}),
        ("/user_utils/quote", {"sym": "ABC"}),
        ("/buy/buy", {"sym": "ABC", "amount": "300.00"}),
        ("/buy/commit_buy", {}),
        ("/buy/cancel_buy", {}),
        ("/buy/set_buy_amount", {"sym": "ABC", "amount": "300.00"}),
        ("/buy/set_buy_trigger", {"sym": "ABC", "amount": "300.00"}),
        ("/buy/cancel_set_buy", {"sym": "ABC"}),
        ("/sell/sell", {"sym": "ABC", "amount": "300.00"}),
        ("/sell/commit_sell", {}),
        ("/sell/cancel_sell", {}),
        ("/sell/set_sell_amount", {"sym": "ABC", "amount": "300.00"}),
        ("/sell/set_sell_trigger", {"sym": "ABC", "amount": "300.00"}),
        ("/sell/cancel_set_sell", {"sym": "ABC"}),
    ],
)
def test_a_user_token_naming_another_user_is_403_and_the_other_account_is_unchanged(
    stack: Stack, operator: Client, new_user, db, path: str, body: dict
) -> None:
    victim = new_user("1000.00")
    operator.ok("/buy/buy", {"username": victim, "sym": "ABC", "amount": "600.00"})
    operator.ok("/buy/commit_buy", {"username": victim})
    operator.ok("/buy/buy", {"username": victim, "sym": "ABC", "amount": "300.00"})
    operator.ok("/buy/set_buy_amount", {"username": victim, "sym": "ABC", "amount": "100.00"})
    before = db.user_table.find_one({"username": victim}, {"_id": 0})
    attacker = Client(stack.url, _register(stack, _name("m")))

    resp = attacker.post(path, {**body, "username": victim})

    refusal = _refused(resp, 403, "FORBIDDEN")
    assert set(refusal) == {"ok", "error", "code", "request_id"}
    assert db.user_table.find_one({"username": victim}, {"_id": 0}) == before


def test_a_user_token_acts_for_itself_with_its_name_or_no_name(stack: Stack) -> None:
    username = _name()
    me = Client(stack.url, _register(stack, username))
    me.ok("/user_utils/add", {"amount": "1000.00"})
    me.ok("/user_utils/add", {"username": username, "amount": "1000.00"})
    me.ok("/user_utils/add", {"username": f"  {username} ", "amount": "0.50"})
    me.ok("/buy/buy", {"sym": "ABC", "amount": "300.00"})
    bought = me.ok("/buy/commit_buy", {"username": username})["trade"]
    me.ok("/sell/sell", {"username": username, "sym": "ABC", "amount": "300.00"})
    sold = me.ok("/sell/commit_sell", {})["trade"]

    assert bought["shares"] == sold["shares"] == 30000 // stack.price_cents("ABC")
    mine = me.ok("/user_utils/display_summary", {})
    assert mine["username"] == username
    assert mine["funds"] == "2000.50"
    assert mine["holdings"] == []


def test_the_operator_token_acts_for_any_user_but_must_name_one(
    operator: Client, new_user, stack: Stack
) -> None:
    alice, bob = new_user("100.00"), _name()
    _register(stack, bob)
    operator.ok("/user_utils/add", {"username": alice, "amount": "1.00"})
    operator.ok("/user_utils/add", {"username": bob, "amount": "2.00"})
    assert summary(operator, alice)["funds"] == "101.00"
    assert summary(operator, bob)["funds"] == "2.00"
    operator.refused("/user_utils/add", {"amount": "1.00"}, 400, "MISSING_FIELD")
    assert summary(operator, alice)["funds"] == "101.00"


@pytest.mark.parametrize(
    "path", ["/user_utils/add", "/user_utils/display_summary", "/buy/buy", "/sell/commit_sell"]
)
def test_a_command_without_a_token_is_401_and_changes_nothing(
    stack: Stack, operator: Client, new_user, path: str
) -> None:
    username = new_user("10.00")
    body = {"username": username, "sym": "ABC", "amount": "5.00"}
    _refused(_auth_post(stack, path, body), 401, "UNAUTHORIZED")
    assert summary(operator, username)["funds"] == "10.00"


def test_register_and_login_need_no_token(stack: Stack) -> None:
    username = _name()
    resp = requests.post(
        stack.url + "/auth/register",
        json={"username": username, "password": PASSWORD},
        headers={"Authorization": "Bearer garbage"},
        timeout=30,
    )
    assert resp.status_code == 200, resp.text


def test_an_account_created_by_add_has_no_password_and_cannot_log_in(
    stack: Stack, new_user
) -> None:
    username = new_user("10.00")
    resp = _auth_post(stack, "/auth/login", {"username": username, "password": PASSWORD})
    _refused(resp, 401, "BAD_CREDENTIALS")


def test_concurrent_registrations_of_one_name_create_exactly_one_account(stack: Stack, db) -> None:
    username, racers = _name(), 4
    start = threading.Barrier(racers)
    results: list[tuple[int, str, str | None]] = []

    def register(index: int) -> None:
        password = f"password-of-racer-{index}"
        start.wait()
        resp = _auth_post(stack, "/auth/register", {"username": username, "password": password})
        results.append((resp.status_code, password, resp.json().get("code")))

    threads = [threading.Thread(target=register, args=(i,)) for i in range(racers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sorted((status, code) for status, _, code in results) == [(200, None)] + [
        (409, "USERNAME_TAKEN")
    ] * (racers - 1)
    assert db.user_table.count_documents({"username": username}) == 1
    winner = next(password for status, password, _ in results if status == 200)
    for _, password, _ in results:
        login = _auth_post(stack, "/auth/login", {"username": username, "password": password})
        assert login.status_code == (200 if password == winner else 401)


def test_issued_tokens_name_their_user_and_expire(stack: Stack) -> None:
    username = _name()
    claims = jwt.decode(_register(stack, username), stack.secret_key, algorithms=["HS256"])
    assert claims["sub"] == username
    assert 0 < claims["exp"] - time.time() <= 24 * 3600
