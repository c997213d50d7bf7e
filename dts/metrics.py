"""Every metric DTS exports, defined once, and the few verbs the code records them with.

The numbers are kept by Prometheus's client library. A gunicorn service has several worker
processes, each with its own counters: with `PROMETHEUS_MULTIPROC_DIR` set (gunicorn.conf.py sets
it), each worker writes its values into a memory-mapped file there and `/metrics`
(dts.web.metrics_endpoint) adds up the files of every worker, so a scrape sees the service whole
whichever worker answers it. The watcher is one process and serves its own (`serve`).

Labels are bounded sets, never what clients choose: a command's name (one per route), an outcome
(`ok` or a refusal code of dts.errors or an HTTP status's), a side, an operation's name. A user or
a symbol is never a label: each new one would be a new series in every process and in Prometheus,
without end (docs/decisions.md).

`DTS_METRICS=off` (`enable(False)`): every verb returns at once, so nothing is recorded.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from prometheus_client import REGISTRY, Counter, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

# A command takes from about a millisecond (a cached quote) to a few hundred (a busy database):
# the buckets are finest where the 100 ms objective and the usual p99 lie, about a tenth apart, so
# that a p99 read from them is within a few per cent of the replay tool's (bench/prometheus_view).
COMMAND_BUCKETS_S = (
    0.001,
    0.002,
    0.003,
    0.004,
    0.005,
    0.0075,
    0.01,
    0.0125,
    0.015,
    0.02,
    0.025,
    0.03,
    0.035,
    0.04,
    0.05,
    0.06,
    0.07,
    0.08,
    0.09,
    0.1,
    0.11,
    0.12,
    0.135,
    0.15,
    0.175,
    0.2,
    0.25,
    0.3,
    0.4,
    0.5,
    0.75,
    1.0,
    2.5,
)
CALL_BUCKETS_S = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
SWEEP_BUCKETS_S = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0, 30.0, 60.0)
LAG_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

COMMANDS = Counter(
    "dts_commands",
    "Commands answered, by command and outcome (ok, or the refusal's code).",
    ["command", "outcome"],
)
COMMAND_SECONDS = Histogram(
    "dts_command_seconds",
    "Time from a command's arrival at the service to its reply, by command.",
    ["command"],
    buckets=COMMAND_BUCKETS_S,
)
DATABASE_SECONDS = Histogram(
    "dts_database_seconds",
    "Time a request waits for one database operation (its batch's round trip included).",
    ["operation"],
    buckets=CALL_BUCKETS_S,
)
DATABASE_ERRORS = Counter("dts_database_errors", "Database operations that failed.")
QUOTE_CACHE = Counter(
    "dts_quote_cache_lookups",
    "Quote lookups by result: hit (answered from Redis) or miss (fetched, or waited for a fetch).",
    ["result"],
)
QUOTE_SERVER_SECONDS = Histogram(
    "dts_quote_server_seconds",
    "Time of one call to the quote server, failed ones included.",
    buckets=CALL_BUCKETS_S,
)
QUOTE_SERVER_ERRORS = Counter(
    "dts_quote_server_errors", "Calls to the quote server that failed or timed out."
)
QUOTES_SERVED = Counter("dts_quotes_served", "Quotes the quote server answered.")
REDIS_ERRORS = Counter("dts_redis_errors", "Redis calls that failed, by operation.", ["operation"])
TRIGGERS_FIRED = Counter("dts_triggers_fired", "Automatic orders fired, by side.", ["side"])
SWEEP_SECONDS = Histogram(
    "dts_watcher_sweep_seconds",
    "Duration of one watcher sweep: expiries, cached symbols, refreshes.",
    buckets=SWEEP_BUCKETS_S,
)
TRIGGER_LAG_SECONDS = Histogram(
    "dts_watcher_trigger_lag_seconds",
    "From a quote's fetch to the end of the watcher's check of it (its crossed orders fired).",
    buckets=LAG_BUCKETS_S,
)
AUDIT_STORED = Counter(
    "dts_audit_records_stored", "Audit records written into transaction_table (repeats included)."
)
PENDING_EXPIRED = Counter(
    "dts_pending_expired", "Pending BUYs and SELLs that expired uncommitted, by side.", ["side"]
)
IDEMPOTENT_REPLAYS = Counter(
    "dts_idempotent_replays",
    "Commands answered with their first reply because their Idempotency-Key was seen before.",
    ["command"],
)


class _Switch:
    on = True


_SWITCH = _Switch()


def enable(on: bool) -> None:
    """Settings.metrics, set once by each process's factory before it serves."""
    _SWITCH.on = on


def enabled() -> bool:
    return _SWITCH.on


def command_done(command: str, outcome: str, seconds: float) -> None:
    if _SWITCH.on:
        COMMANDS.labels(command, outcome).inc()
        COMMAND_SECONDS.labels(command).observe(seconds)


def database_op(operation: str, started: float) -> None:
    """`started` is the operation's `time.perf_counter()`."""
    if _SWITCH.on:
        DATABASE_SECONDS.labels(operation).observe(time.perf_counter() - started)


def database_error() -> None:
    if _SWITCH.on:
        DATABASE_ERRORS.inc()


def quote_lookup(hit: bool) -> None:
    if _SWITCH.on:
        QUOTE_CACHE.labels("hit" if hit else "miss").inc()


def quote_server_call(started: float, failed: bool) -> None:
    if _SWITCH.on:
        QUOTE_SERVER_SECONDS.observe(time.perf_counter() - started)
        if failed:
            QUOTE_SERVER_ERRORS.inc()


def quote_served() -> None:
    if _SWITCH.on:
        QUOTES_SERVED.inc()


def redis_error(operation: str) -> None:
    if _SWITCH.on:
        REDIS_ERRORS.labels(operation).inc()


def triggers_fired(sides: Iterable[str]) -> None:
    if _SWITCH.on:
        for side in sides:
            TRIGGERS_FIRED.labels(side).inc()


def sweep_done(started: float) -> None:
    if _SWITCH.on:
        SWEEP_SECONDS.observe(time.perf_counter() - started)


def trigger_lag(quote_fetched_ms: int) -> None:
    """Wall clock against the fetching process's: both are the machine's (or NTP-close)."""
    if _SWITCH.on:
        TRIGGER_LAG_SECONDS.observe(max(0.0, time.time() - quote_fetched_ms / 1000))


def audit_stored(count: int) -> None:
    if _SWITCH.on:
        AUDIT_STORED.inc(count)


def pending_expired(sides: Iterable[str]) -> None:
    if _SWITCH.on:
        for side in sides:
            PENDING_EXPIRED.labels(side).inc()


def idempotent_replay(command: str) -> None:
    if _SWITCH.on:
        IDEMPOTENT_REPLAYS.labels(command).inc()


class AuditBacklog(Collector):
    """The audit journal's backlog, read from Redis when Prometheus asks (one process reports it:
    it is one fact about Redis, not a sum over processes)."""

    def __init__(self, read: Callable[[], tuple[int, float | None]]) -> None:
        self.read = read  # entries waiting, and the oldest one's age in seconds (None: empty)

    def collect(self) -> Iterable[GaugeMetricFamily]:
        try:
            waiting, oldest_age_s = self.read()
        except Exception:  # Redis away: no numbers this scrape (the redis target shows why)
            return
        yield GaugeMetricFamily(
            "dts_audit_journal_entries",
            "Journal entries not yet stored in transaction_table (each holds the records of the "
            "requests appended together).",
            value=waiting,
        )
        yield GaugeMetricFamily(
            "dts_audit_journal_oldest_age_seconds",
            "Age of the oldest journal entry not yet stored (0 when none waits).",
            value=oldest_age_s or 0.0,
        )


def serve(bind: str, backlog: AuditBacklog | None = None) -> None:
    """Serves this process's metrics at http://`bind`/metrics from a thread of its own (for the
    watcher, which has no web server)."""
    host, _, port = bind.rpartition(":")
    if backlog is not None:
        REGISTRY.register(backlog)
    start_http_server(int(port), addr=host)
