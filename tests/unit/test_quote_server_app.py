"""The quote server over Flask's test client: prices, validation, JSON errors and health."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dts.config import ConfigError, Settings
from dts.price_walk import PriceWalk, fixed_price_cents
from quote_server.app import create_app

BASE = Settings(auth_enabled=False)


def client_for(**overrides: object) -> FlaskClient:
    return create_app(replace(BASE, **overrides)).test_client()


@pytest.fixture
def fixed_client() -> FlaskClient:
    return client_for(quote_mode="fixed")


def prices(client: FlaskClient, sym: str, n: int) -> list[int]:
    return [client.get(f"/quote?sym={sym}&user=bob").get_json()["price_cents"] for _ in range(n)]


def test_fixed_mode_answers_the_fixed_price_with_the_full_shape(fixed_client: FlaskClient) -> None:
    before_ms = time.time_ns() // 1_000_000
    response = fixed_client.get("/quote?sym=abc&user=bob")
    after_ms = time.time_ns() // 1_000_000

    assert response.status_code == 200
    assert response.is_json
    body = response.get_json()
    assert set(body) == {"sym", "user", "price_cents", "price", "timestamp", "cryptokey"}
    assert body["sym"] == "ABC"
    assert body["user"] == "bob"
    assert body["price_cents"] == fixed_price_cents("ABC")
    assert body["price"] == f"{fixed_price_cents('ABC') / 100:.2f}"
    assert isinstance(body["timestamp"], int) and before_ms <= body["timestamp"] <= after_ms
    assert isinstance(body["cryptokey"], str) and "," not in body["cryptokey"]


def test_fixed_mode_price_never_changes(fixed_client: FlaskClient) -> None:
    assert prices(fixed_client, "S", 5) == [fixed_price_cents("S")] * 5


def test_post_with_json_body_is_accepted_and_trimmed(fixed_client: FlaskClient) -> None:
    response = fixed_client.post("/quote", json={"sym": "  xyz ", "user": " alice_1.x-y "})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["sym"], body["user"]) == ("XYZ", "alice_1.x-y")
    assert body["price_cents"] == fixed_price_cents("XYZ")


def test_each_quote_has_its_own_cryptokey(fixed_client: FlaskClient) -> None:
    keys = {fixed_client.get("/quote?sym=A&user=bob").get_json()["cryptokey"] for _ in range(20)}
    assert len(keys) == 20


def test_random_mode_with_a_seed_is_reproducible_and_follows_the_walk() -> None:
    first = prices(client_for(quote_mode="random", quote_seed=42), "ABC", 30)
    second = prices(client_for(quote_mode="random", quote_seed=42), "ABC", 30)
    walk = PriceWalk(seed=42)
    assert first == second == [walk.next_price_cents("ABC") for _ in range(30)]
    assert len(set(first)) > 1


def test_random_mode_price_string_matches_cents() -> None:
    client = client_for(quote_mode="random", quote_seed=1)
    for _ in range(20):
        body = client.get("/quote?sym=S&user=bob").get_json()
        assert body["price"] == f"{body['price_cents'] // 100}.{body['price_cents'] % 100:02d}"


def test_latency_setting_delays_the_answer() -> None:
    client = client_for(quote_mode="fixed", quote_latency_ms=60)
    started = time.perf_counter()
    assert client.get("/quote?sym=A&user=bob").status_code == 200
    assert time.perf_counter() - started >= 0.06


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("user=bob", "sym is required"),
        ("sym=&user=bob", "sym must be 1-5 letters or digits"),
        ("sym=ABCDEF&user=bob", "sym must be 1-5 letters or digits"),
        ("sym=AB-C&user=bob", "sym must be 1-5 letters or digits"),
        # "ß" upper-cases to "SS": still refused
        (
            "sym=%C3%9F&user=bob",
            "sym must be 1-5 letters or digits",
        ),  # "ß" upper-cases to "SS": still refused
        ("sym=ABC", "user is required"),
        ("sym=ABC&user=", "user must be 1-64"),
        ("sym=ABC&user=bob%20smith", "user must be 1-64"),
        ("sym=ABC&user=" + "a" * 65, "user must be 1-64"),
        ("sym=ABC&user=bob%0A", None),  # trimmed: a trailing newline is whitespace, so accepted
    ],
)
def test_query_validation(fixed_client: FlaskClient, query: str, message: str | None) -> None:
    response = fixed_client.get(f"/quote?{query}")
    if message is None:
        assert response.status_code == 200
        return
    assert response.status_code == 400
    body = response.get_json()
    expected_code = "MISSING_FIELD" if message.endswith("required") else "BAD_INPUT"
    assert body["ok"] is False and body["code"] == expected_code
    assert body["error"].startswith(message)


@pytest.mark.parametrize(
    "body",
    [
        {"sym": {"$ne": None}, "user": "bob"},
        {"sym": ["ABC"], "user": "bob"},
        {"sym": "ABC", "user": 7},
        ["ABC", "bob"],
        "ABC",
    ],
)
def test_post_with_non_string_fields_is_bad_input(fixed_client: FlaskClient, body: object) -> None:
    response = fixed_client.post("/quote", json=body)
    assert response.status_code == 400
    assert response.get_json()["code"] == "BAD_INPUT"


def test_post_with_malformed_json_is_bad_input(fixed_client: FlaskClient) -> None:
    response = fixed_client.post("/quote", data="{not json", content_type="application/json")
    assert response.status_code == 400
    body = response.get_json()
    assert body.pop("request_id") == response.headers["X-Request-ID"]
    assert body == {
        "ok": False,
        "error": "request body must be a JSON object with sym and user",
        "code": "BAD_INPUT",
    }


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sym=st.text(max_size=8), user=st.text(max_size=70))
def test_any_input_gets_a_json_quote_or_a_json_400(
    fixed_client: FlaskClient, sym: str, user: str
) -> None:
    response = fixed_client.post("/quote", json={"sym": sym, "user": user})
    assert response.is_json
    body = response.get_json()
    if response.status_code == 200:
        assert body["price_cents"] == fixed_price_cents(body["sym"])
        assert body["sym"] == sym.strip().upper()
    else:
        assert response.status_code == 400
        assert body["ok"] is False and body["code"] == "BAD_INPUT"


def test_unknown_path_is_a_json_404(fixed_client: FlaskClient) -> None:
    response = fixed_client.get("/no/such/thing")
    assert response.status_code == 404
    assert response.is_json
    body = response.get_json()
    assert body["ok"] is False and body["code"] == "NOT_FOUND" and body["error"]


def test_wrong_method_is_a_json_405_with_allow_header(fixed_client: FlaskClient) -> None:
    response = fixed_client.delete("/quote")
    assert response.status_code == 405
    assert response.get_json()["code"] == "METHOD_NOT_ALLOWED"
    assert {"GET", "POST"} <= {m.strip() for m in response.headers["Allow"].split(",")}


def test_oversized_body_is_a_json_413() -> None:
    client = client_for(quote_mode="fixed", max_body_bytes=64)
    response = client.post("/quote", json={"sym": "ABC", "user": "b" * 200})
    assert response.status_code == 413
    assert response.get_json()["ok"] is False


def test_unexpected_error_is_a_json_500_without_a_stack_trace(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def explode(sym: str) -> int:
        raise RuntimeError("secret internals")

    monkeypatch.setattr("quote_server.app.fixed_price_cents", explode)
    response = client_for(quote_mode="fixed").get("/quote?sym=A&user=bob")
    assert response.status_code == 500
    body = response.get_json()
    assert body.pop("request_id") == response.headers["X-Request-ID"]
    assert body == {
        "ok": False,
        "error": "internal error",
        "code": "INTERNAL",
    }


@pytest.mark.parametrize("path", ["/health", "/quote_server/health"])
@pytest.mark.parametrize("mode", ["fixed", "random"])
def test_health_reports_service_and_mode(path: str, mode: str) -> None:
    response = client_for(quote_mode=mode).get(path)
    assert response.status_code == 200
    assert response.get_json() == {"ok": True, "service": "quote_server", "mode": mode}


def test_factory_reads_the_environment_when_given_no_config(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("QUOTE_MODE", "fixed")
    monkeypatch.delenv("QUOTE_LATENCY_MS", raising=False)
    client = create_app().test_client()
    assert client.get("/health").get_json()["mode"] == "fixed"


def test_factory_needs_no_secrets_database_or_redis() -> None:
    """The default settings point at no running MongoDB or Redis, and carry no secrets."""
    app = create_app(Settings(quote_mode="fixed"))
    assert app.test_client().get("/quote?sym=A&user=bob").status_code == 200


@pytest.mark.parametrize(
    "overrides", [{"quote_mode": "walk"}, {"quote_mode": "fixed", "quote_latency_ms": -1}]
)
def test_factory_refuses_bad_quote_settings(overrides: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        create_app(replace(BASE, **overrides))


def test_fixed_prices_can_be_set_per_symbol() -> None:
    app = create_app(Settings(quote_mode="fixed", quote_prices="ab=1234, CD=99"))
    client = app.test_client()
    assert client.get("/quote?sym=AB&user=u").get_json()["price_cents"] == 1234
    assert client.get("/quote?sym=CD&user=u").get_json()["price_cents"] == 99
    assert client.get("/quote?sym=EF&user=u").get_json()["price_cents"] == fixed_price_cents("EF")


@pytest.mark.parametrize("text", ["AB", "AB=", "AB=0", "AB=1.5", "=100"])
def test_a_malformed_price_list_stops_the_quote_server(text: str) -> None:
    with pytest.raises(ConfigError, match="QUOTE_PRICES"):
        create_app(Settings(quote_mode="fixed", quote_prices=text))


def test_the_watcher_may_ask_for_quotes_under_its_reserved_name(fixed_client: FlaskClient) -> None:
    # Refused once: the watcher's refresh of uncached symbols then failed on every sweep.
    reply = fixed_client.get("/quote?sym=AB&user=dts-watcher")
    assert reply.status_code == 200 and reply.get_json()["user"] == "dts-watcher"
