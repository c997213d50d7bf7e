"""Metrics: the verbs record into Prometheus's client library, nothing when DTS_METRICS is off,
and /metrics exists only with metrics on (dts.metrics, dts.web.metrics_endpoint)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from flask import Flask
from prometheus_client import REGISTRY

from dts import metrics
from dts.adapters.redis.quotes import quote_message, read_quote_message
from dts.config import ConfigError, Settings
from dts.domain.quote import Quote
from dts.web.app import register_error_handlers
from dts.web.command import EXTENSION, CommandRequest, command
from quote_server.app import create_app
from tests.unit.web.fakes import FakeExtension

BASE = Settings(auth_enabled=False, quote_mode="fixed")


@pytest.fixture(autouse=True)
def metrics_switch() -> Iterator[None]:
    """Each test starts with metrics on and leaves them as it found them."""
    was = metrics.enabled()
    metrics.enable(True)
    yield
    metrics.enable(was)


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def commanded_app() -> Flask:
    app = Flask("metrics-test")
    app.extensions[EXTENSION] = FakeExtension()
    register_error_handlers(app)

    @app.post("/quote")
    @command("QUOTE")
    def quote(req: CommandRequest) -> dict[str, str]:
        return {"message": "fine"}

    return app


def test_a_command_is_counted_by_outcome_and_timed() -> None:
    before = sample("dts_commands_total", command="QUOTE", outcome="ok")
    timed = sample("dts_command_seconds_count", command="QUOTE")
    refused = sample("dts_commands_total", command="QUOTE", outcome="BAD_INPUT")
    client = commanded_app().test_client()
    assert client.post("/quote", json={"username": "alice"}).status_code == 200
    assert client.post("/quote", data="not json").status_code == 400
    assert sample("dts_commands_total", command="QUOTE", outcome="ok") == before + 1
    assert sample("dts_commands_total", command="QUOTE", outcome="BAD_INPUT") == refused + 1
    assert sample("dts_command_seconds_count", command="QUOTE") == timed + 2


def test_off_records_nothing() -> None:
    metrics.enable(False)
    before = sample("dts_commands_total", command="QUOTE", outcome="ok")
    hits = sample("dts_quote_cache_lookups_total", result="hit")
    commanded_app().test_client().post("/quote", json={"username": "alice"})
    metrics.quote_lookup(hit=True)
    metrics.triggers_fired(["BUY"])
    assert sample("dts_commands_total", command="QUOTE", outcome="ok") == before
    assert sample("dts_quote_cache_lookups_total", result="hit") == hits


def test_the_metrics_endpoint_exists_only_with_metrics_on() -> None:
    on = create_app(BASE).test_client()
    assert on.get("/quote?sym=ABC&user=bob").status_code == 200
    page = on.get("/metrics")
    assert page.status_code == 200
    assert "dts_quotes_served_total" in page.get_data(as_text=True)
    off = create_app(replace(BASE, metrics=False)).test_client()
    missing = off.get("/metrics")
    assert missing.status_code == 404
    assert missing.get_json()["code"] == "NOT_FOUND"


def test_the_audit_backlog_reports_nothing_while_redis_is_away() -> None:
    def unreachable() -> tuple[int, float | None]:
        raise ConnectionError("redis is away")

    assert list(metrics.AuditBacklog(unreachable).collect()) == []
    waiting, age = list(metrics.AuditBacklog(lambda: (3, 12.5)).collect())
    assert waiting.samples[0].value == 3 and age.samples[0].value == 12.5
    (_, empty_age) = list(metrics.AuditBacklog(lambda: (0, None)).collect())
    assert empty_age.samples[0].value == 0


@pytest.mark.parametrize("bind", ["18005", "host:", ":18005", "host:port", "host:70000"])
def test_a_watcher_metrics_address_must_be_host_and_port(bind: str) -> None:
    with pytest.raises(ConfigError, match="DTS_WATCHER_METRICS_BIND"):
        replace(BASE, watcher_metrics_bind=bind).validate()


def test_metrics_are_on_unless_switched_off() -> None:
    assert Settings.from_env({}).metrics is True
    for off in ("off", "0", "false", "OFF"):
        assert Settings.from_env({"DTS_METRICS": off}).metrics is False


def test_a_fresh_quote_message_carries_its_fetch_time_and_an_older_one_still_reads() -> None:
    quote = Quote(sym="ABC", price_cents=12_34, quote_server_time_ms=1, cryptokey="k")
    assert read_quote_message(quote_message(quote, 1_700_000_000_123)) == (
        "ABC",
        12_34,
        1_700_000_000_123,
    )
    assert read_quote_message("ABC 1234") == ("ABC", 12_34, None)  # from a service before metrics
