"""Builds the clients and services of one process from its settings (services and watcher alike)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import redis
from pymongo.database import Database

from dts.adapters.audit.log import AuditLog
from dts.adapters.audit.outbox import RecordedIds
from dts.adapters.mongo.accounts import AccountStore, connect, ensure_indexes
from dts.adapters.redis.quotes import QuoteCache, QuoteServerClient
from dts.adapters.redis.watch_hints import WatchHints
from dts.config import Settings
from dts.errors import DtsError
from dts.services import Services

log = logging.getLogger(__name__)


@dataclass
class Wiring:
    settings: Settings
    db: Database
    redis: redis.Redis
    services: Services


def named(settings: Settings, server_name: str) -> Settings:
    """Uses the process's own name in audit records unless DTS_SERVER_NAME says otherwise."""
    if settings.server_name == Settings().server_name:
        return replace(settings, server_name=server_name)
    return settings


def wire(settings: Settings) -> Wiring:
    """Clients are made here, never at import time: each gunicorn worker gets its own pools."""
    db = connect(settings.mongo_uri, settings.mongo_db)
    client = redis.Redis.from_url(
        settings.redis_url, socket_timeout=5, socket_connect_timeout=3, health_check_interval=30
    )
    recorded = RecordedIds()  # what the audit log has stored, so accounts carry the rest
    services = Services(
        settings=settings,
        accounts=AccountStore(
            db,
            settings.recent_transactions_max,
            WatchHints(client),
            recorded=recorded,
            pack_nested=settings.pack_accounts,
        ),
        quotes=QuoteCache(
            client,
            QuoteServerClient(settings.quote_server_url, settings.quote_timeout_s),
            ttl_s=settings.quote_ttl_s,
            wait_s=settings.quote_timeout_s,
        ),
        audit=AuditLog(
            db,
            settings.server_name,
            stream_db=connect(settings.mongo_uri, settings.mongo_db, socket_timeout_ms=None),
            recorded=recorded,
            journal_redis=client,
            poll_s=settings.audit_linger_s,
            pack_records=settings.pack_audit,
        ),
    )
    try:
        ensure_indexes(db)
    except DtsError:
        log.warning("database unreachable at start-up; indexes are ensured on the next start")
    return Wiring(settings, db, client, services)
