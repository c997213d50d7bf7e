"""All configuration, read from the environment in this one place.

Every setting has a safe default except the secrets: with authentication on, a service refuses to
start without a signing key and an operator token, so a forgotten variable never means an open door.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields

PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "dev"}


class ConfigError(RuntimeError):
    """Raised at start-up for a configuration that must not run."""


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc


def _switch(env: Mapping[str, str], name: str, default: bool) -> bool:
    """An on/off setting: only an explicit off turns off one that is on by default, only an
    explicit on turns on one that is off."""
    raw = env.get(name, "on" if default else "off").strip().lower()
    return raw not in {"off", "0", "false"} if default else raw in {"on", "1", "true"}


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    """One immutable object handed to every factory; tests build their own with `replace`."""

    mongo_uri: str = "mongodb://127.0.0.1:18017/?retryWrites=false"
    mongo_db: str = "dts"
    redis_url: str = "redis://127.0.0.1:18079/0"
    quote_server_url: str = "http://127.0.0.1:18004"
    server_name: str = "dts"
    auth_enabled: bool = True
    secret_key: str = field(default="", repr=False)
    operator_token: str = field(default="", repr=False)
    token_ttl_s: int = 12 * 3600
    pending_ttl_s: int = 60
    quote_ttl_s: int = 120
    quote_timeout_s: float = 5.0
    # Kept small on purpose: the whole account document is read and written by every command, and
    # the development database slows down in proportion to its size (measured: docs/decisions.md).
    recent_transactions_max: int = 20
    # Store an account's nested values as JSON strings (dts.adapters.mongo.accounts.PACKED_FIELDS):
    # only for the development database server, which deep-copies every nested value on each
    # update. DTS_PACK_LISTS, its name while it packed only the lists, is read when it is unset.
    pack_accounts: bool = False
    # Store the audit records of one user in one insert as one document (dts.adapters.audit.packed):
    # likewise only for the development database server, which pays per document and per field.
    pack_audit: bool = False
    max_body_bytes: int = 16 * 1024
    # How long a process's journal drainer lets records gather before one insert
    # (dts.adapters.audit.journal): longer makes fewer, larger inserts. Records are durable in the
    # journal before the reply either way.
    audit_linger_s: float = 0.05
    log_dir: str = ".data/logs/dumplog"
    # One JSON line per command in the service's log (dts.web.request_ids); off for measuring.
    request_log: bool = True
    watch_interval_s: float = 15.0
    hint_rebuild_s: float = 60.0
    # How long a watcher's leadership lasts unless renewed (every third of it): a dead leader's
    # successor takes over within about this long.
    leader_lease_s: float = 6.0
    instance: str = ""
    quote_mode: str = "random"
    quote_seed: int | None = None
    quote_latency_ms: int = 0
    # Fixed mode only: `SYM=cents,...` prices that replace the derived ones (tests move a price by
    # restarting the quote server with another list).
    quote_prices: str = ""
    # Prometheus metrics (dts.metrics): every process records them and serves them at /metrics;
    # off, nothing is recorded and no /metrics exists (the stack then starts no Prometheus).
    metrics: bool = True
    # Where the watcher, which has no HTTP server of its own, serves its /metrics: internal only.
    watcher_metrics_bind: str = "127.0.0.1:18005"

    def validate(self) -> Settings:
        if self.auth_enabled:
            if self.secret_key in PLACEHOLDER_SECRETS or len(self.secret_key) < 16:
                raise ConfigError("DTS_SECRET_KEY is missing or too short (16+ characters)")
            if self.operator_token in PLACEHOLDER_SECRETS or len(self.operator_token) < 16:
                raise ConfigError("DTS_OPERATOR_TOKEN is missing or too short (16+ characters)")
        if not 1 <= self.pending_ttl_s <= 3600:
            raise ConfigError("DTS_PENDING_TTL_S must be between 1 and 3600")
        if self.quote_mode not in {"random", "fixed"}:
            raise ConfigError("QUOTE_MODE must be 'random' or 'fixed'")
        if not 0 < self.watch_interval_s <= 120:
            raise ConfigError("DTS_WATCH_INTERVAL_S must be in (0, 120]")
        if not 1 <= self.hint_rebuild_s <= 3600:
            raise ConfigError("DTS_HINT_REBUILD_S must be between 1 and 3600")
        if not 0 <= self.audit_linger_s <= 1:
            raise ConfigError("DTS_AUDIT_LINGER_S must be between 0 and 1")
        if not 1 <= self.leader_lease_s <= 300:
            raise ConfigError("DTS_LEADER_LEASE_S must be between 1 and 300")
        host, _, port = self.watcher_metrics_bind.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ConfigError("DTS_WATCHER_METRICS_BIND must be host:port")
        return self

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        env = os.environ if env is None else env
        d = cls()
        values: dict[str, object] = {
            "mongo_uri": env.get("MONGO_URI") or d.mongo_uri,
            "mongo_db": env.get("DTS_MONGO_DB") or d.mongo_db,
            "redis_url": env.get("REDIS_URL") or d.redis_url,
            "quote_server_url": env.get("QUOTE_SERVER_URL") or d.quote_server_url,
            "server_name": env.get("DTS_SERVER_NAME") or d.server_name,
            "auth_enabled": _switch(env, "DTS_AUTH", True),
            "pack_accounts": _switch(
                env,
                "DTS_PACK_ACCOUNTS"
                if env.get("DTS_PACK_ACCOUNTS", "").strip()
                else "DTS_PACK_LISTS",
                False,
            ),
            "pack_audit": _switch(env, "DTS_PACK_AUDIT", False),
            "secret_key": env.get("DTS_SECRET_KEY", ""),
            "operator_token": env.get("DTS_OPERATOR_TOKEN", ""),
            "token_ttl_s": _int(env, "DTS_TOKEN_TTL_S", d.token_ttl_s),
            "pending_ttl_s": _int(env, "DTS_PENDING_TTL_S", d.pending_ttl_s),
            "quote_ttl_s": _int(env, "DTS_QUOTE_TTL_S", d.quote_ttl_s),
            "quote_timeout_s": _float(env, "DTS_QUOTE_TIMEOUT_S", d.quote_timeout_s),
            "recent_transactions_max": _int(
                env, "DTS_RECENT_TRANSACTIONS_MAX", d.recent_transactions_max
            ),
            "max_body_bytes": _int(env, "DTS_MAX_BODY_BYTES", d.max_body_bytes),
            "audit_linger_s": _float(env, "DTS_AUDIT_LINGER_S", d.audit_linger_s),
            "log_dir": env.get("DTS_LOG_DIR") or d.log_dir,
            "request_log": _switch(env, "DTS_REQUEST_LOG", True),
            "watch_interval_s": _float(env, "DTS_WATCH_INTERVAL_S", d.watch_interval_s),
            "hint_rebuild_s": _float(env, "DTS_HINT_REBUILD_S", d.hint_rebuild_s),
            "leader_lease_s": _float(env, "DTS_LEADER_LEASE_S", d.leader_lease_s),
            "instance": env.get("DTS_INSTANCE") or d.instance,
            "quote_mode": (env.get("QUOTE_MODE") or d.quote_mode).strip().lower(),
            "quote_seed": _int(env, "QUOTE_SEED", 0) if env.get("QUOTE_SEED", "").strip() else None,
            "quote_latency_ms": _int(env, "QUOTE_LATENCY_MS", d.quote_latency_ms),
            "quote_prices": env.get("QUOTE_PRICES") or d.quote_prices,
            "metrics": _switch(env, "DTS_METRICS", True),
            "watcher_metrics_bind": env.get("DTS_WATCHER_METRICS_BIND") or d.watcher_metrics_bind,
        }
        known = {f.name for f in fields(cls)}
        unknown = set(overrides) - known
        if unknown:
            raise ConfigError(f"unknown settings: {sorted(unknown)}")
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]
