"""dts/openapi.yaml against the code: a valid document, the services' routes exactly, and request
bodies that say what the pydantic models of dts/validation.py accept."""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from hypothesis import assume, given
from hypothesis import strategies as st
from openapi_spec_validator import validate
from pydantic import BaseModel
from pydantic.functional_validators import BeforeValidator

import dts.wiring
from buy_service.app import create_app as create_buy_app
from dts import validation
from dts.config import Settings
from dts.errors import DtsError, OutOfRange
from dts.validation import IDEMPOTENCY_KEY_RE, SYMBOL_RE, USERNAME_RE, parse
from dts.web.openapi import openapi_spec
from sell_service.app import create_app as create_sell_app
from user_service.app import create_app as create_user_app

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
# Nothing listens here: the apps are built, never connected (their clients connect lazily).
OFFLINE = Settings(
    mongo_uri="mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=100",
    redis_url="redis://127.0.0.1:9/0",
    quote_server_url="http://127.0.0.1:9",
    secret_key="unit-test-signing-key-0123456789",
    operator_token="unit-test-operator-token-0123456789",
)
# Each field type of dts/validation.py (by its validator) and the schema that describes it.
SCHEMA_OF_VALIDATOR: dict[Callable[..., Any], str] = {
    validation._username: "Username",
    validation._symbol: "Symbol",
    validation._amount_cents: "MoneyIn",
    validation._positive_int: "PositiveInt",
    validation.trace_number: "TraceNumber",
    validation._password: "Password",
    validation._filename: "Filename",
}
MODELS: dict[str, type[BaseModel]] = {
    name: model
    for name, model in vars(validation).items()
    if inspect.isclass(model) and issubclass(model, BaseModel) and model is not BaseModel
}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return openapi_spec()


@pytest.fixture(scope="module")
def apps() -> Iterator[dict[str, Flask]]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dts.wiring, "ensure_indexes", lambda db: None)
        built = {
            "buy": create_buy_app(OFFLINE),
            "sell": create_sell_app(OFFLINE),
            "user_utils": create_user_app(OFFLINE),
        }
    yield built
    for app in built.values():
        ext = app.extensions["dts"]
        ext.db.client.close()
        ext.audit.stream.database.client.close()


def resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield method.upper(), path, operation


def routes(apps: dict[str, Flask]) -> Iterator[tuple[str, str, Callable[..., Any]]]:
    """(method, path, view) of every route the services answer; HEAD and OPTIONS are Flask's own.
    `/metrics` is no part of the API: Prometheus reads it on the service's own port, and NGINX
    answers it with a 404 (dts.web.metrics_endpoint)."""
    for app in apps.values():
        for rule in app.url_map.iter_rules():
            if rule.endpoint in {"static", "metrics"}:
                continue
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                yield method, rule.rule, inspect.unwrap(app.view_functions[rule.endpoint])


def body_schema_name(spec: dict[str, Any], operation: dict[str, Any]) -> str | None:
    if "requestBody" not in operation:
        return None
    body = resolve(spec, operation["requestBody"])
    ref = body["content"]["application/json"]["schema"]["$ref"]
    return ref.rsplit("/", 1)[-1]


def models_parsed_by(view: Callable[..., Any]) -> set[str]:
    """The models a view validates its body with (`req.parse(TradeBody)`, `parse(Credentials)`)."""
    return set(re.findall(r"\bparse\(\s*([A-Z]\w*)", inspect.getsource(view)))


def validators_of(annotation: Any) -> list[Callable[..., Any]]:
    found = [
        m.func for m in getattr(annotation, "__metadata__", ()) if isinstance(m, BeforeValidator)
    ]
    for arg in typing.get_args(annotation):
        found.extend(validators_of(arg))
    return found


# --- the document --------------------------------------------------------------------------------


def test_the_document_is_valid_openapi(spec: dict[str, Any]) -> None:
    validate(spec)
    assert spec["openapi"].startswith("3.")


def test_the_document_lists_exactly_the_routes_the_services_answer(
    spec: dict[str, Any], apps: dict[str, Flask]
) -> None:
    served = {(method, path) for method, path, _ in routes(apps)}
    described = {(method, path) for method, path, _ in operations(spec)}
    assert described - served == set(), "described but not served"
    assert served - described == set(), "served but not described"


def test_every_service_serves_the_document_as_json(
    spec: dict[str, Any], apps: dict[str, Flask]
) -> None:
    paths = {"buy": ["/buy"], "sell": ["/sell"], "user_utils": ["/user_utils", "/auth"]}
    for name, app in apps.items():
        for prefix in paths[name]:
            reply = app.test_client().get(f"{prefix}/openapi.json")
            assert reply.status_code == 200
            assert reply.mimetype == "application/json"
            assert reply.get_json() == spec


# --- requests ------------------------------------------------------------------------------------


def test_each_route_is_described_with_the_body_model_its_view_parses(
    spec: dict[str, Any], apps: dict[str, Flask]
) -> None:
    described = {(method, path): op for method, path, op in operations(spec)}
    for method, path, view in routes(apps):
        parsed = models_parsed_by(view)
        name = body_schema_name(spec, described[(method, path)])
        assert parsed == ({name} if name else set()), f"{method} {path}"


@pytest.mark.parametrize("name", sorted(n for n in MODELS if n != "QuoteQuery"))
def test_a_body_schema_has_the_fields_types_and_required_set_of_its_model(
    spec: dict[str, Any], name: str
) -> None:
    model = MODELS[name]
    schema = spec["components"]["schemas"][name]
    assert schema["type"] == "object"
    assert set(schema["properties"]) == set(model.model_fields)
    required = {field for field, info in model.model_fields.items() if info.is_required()}
    assert set(schema.get("required", [])) == required
    for field, info in model.model_fields.items():
        (validator,) = validators_of(info.annotation) + [
            m.func for m in info.metadata if isinstance(m, BeforeValidator)
        ]
        expected = SCHEMA_OF_VALIDATOR[validator]
        assert schema["properties"][field] == {"$ref": f"#/components/schemas/{expected}"}, field


def test_every_body_schema_is_a_model(spec: dict[str, Any]) -> None:
    for _, _, operation in operations(spec):
        name = body_schema_name(spec, operation)
        assert name is None or name in MODELS
        if name is not None:
            assert resolve(spec, operation["requestBody"])["required"] is True


def test_patterns_are_the_ones_the_code_checks(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    assert schemas["Username"]["pattern"] == f"^{USERNAME_RE.pattern}$"
    assert schemas["Symbol"]["pattern"] == f"^{SYMBOL_RE.pattern}$"
    header = spec["components"]["parameters"]["IdempotencyKey"]
    assert header["schema"]["pattern"] == f"^{IDEMPOTENCY_KEY_RE.pattern}$"


def accepts(model: type[BaseModel], body: dict[str, Any]) -> bool:
    try:
        parse(model, body)
    except DtsError:
        return False
    return True


def test_bounds_are_the_ones_the_code_enforces(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    low, high = schemas["Password"]["minLength"], schemas["Password"]["maxLength"]
    for length, ok in [(low - 1, False), (low, True), (high, True), (high + 1, False)]:
        assert accepts(validation.Credentials, {"username": "a", "password": "p" * length}) is ok
    low, high = schemas["PositiveInt"]["minimum"], schemas["PositiveInt"]["maximum"]
    for number, ok in [(low - 1, False), (low, True), (high, True), (high + 1, False)]:
        assert accepts(validation.RecentBody, {"limit": number}) is ok
    assert "type" not in schemas["TraceNumber"]  # any value: an unusable one is dropped
    for number, kept in [(low - 1, None), (low, low), (high, high), (high + 1, None)]:
        assert parse(validation.Body, {"trxNum": number}).trxNum == kept
    money = schemas["MoneyIn"]["oneOf"][1]
    assert money["exclusiveMinimum"] == 0
    for dollars, ok in [
        ("0.00", False),
        ("0.01", True),
        (f"{money['maximum']}.00", True),
        (f"{money['maximum']}.01", False),
        ("1.001", False),
    ]:
        assert accepts(validation.AmountBody, {"amount": dollars}) is ok


SCHEMAS = openapi_spec()["components"]["schemas"]


@given(st.from_regex(SCHEMAS["MoneyIn"]["oneOf"][0]["pattern"], fullmatch=True))
def test_a_dollar_string_the_document_allows_is_well_formed_to_the_code(dollars: str) -> None:
    try:
        parse(validation.AmountBody, {"amount": dollars})
    except OutOfRange:
        assert Decimal(dollars) == 0 or Decimal(dollars) > 10**9


@given(
    st.from_regex(SCHEMAS["Username"]["pattern"], fullmatch=True),
    st.from_regex(SCHEMAS["Symbol"]["pattern"], fullmatch=True),
)
def test_names_the_document_allows_are_accepted_by_the_code(username: str, sym: str) -> None:
    assume(username not in validation.RESERVED_USERNAMES)
    assert parse(validation.SymbolBody, {"username": username, "sym": sym}).sym == sym.upper()


def test_the_idempotency_key_is_described_on_exactly_the_commands_that_use_it(
    spec: dict[str, Any], apps: dict[str, Flask]
) -> None:
    key = {"$ref": "#/components/parameters/IdempotencyKey"}
    described = {(method, path): op for method, path, op in operations(spec)}
    for method, path, view in routes(apps):
        uses_key = "req.keyed_caller()" in inspect.getsource(view)
        assert (key in described[(method, path)].get("parameters", [])) is uses_key, path


# --- responses -----------------------------------------------------------------------------------


def test_every_command_describes_its_success_and_the_errors_every_command_can_meet(
    spec: dict[str, Any],
) -> None:
    for method, path, operation in operations(spec):
        statuses = set(operation["responses"])
        assert "200" in statuses
        assert {"429", "503"} <= statuses, path  # NGINX's limit and outage answers, on any route
        if method == "POST":
            assert {"400", "413"} <= statuses, path
        if operation.get("security", spec["security"]):
            assert {"401", "403"} <= statuses, path


def test_an_error_reply_is_exactly_ok_error_code_and_request_id(spec: dict[str, Any]) -> None:
    error = spec["components"]["schemas"]["Error"]
    assert error["additionalProperties"] is False
    assert set(error["required"]) == set(error["properties"])
    assert set(error["properties"]) == {"ok", "error", "code", "request_id"}
