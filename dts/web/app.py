"""The one app factory every DTS service is built with; a service names its blueprints."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

import redis
from flask import Blueprint, Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from dts import metrics
from dts.auth import Authenticator
from dts.config import Settings
from dts.domain.events import Event, EventType
from dts.errors import DtsError
from dts.web import request_ids
from dts.web.command import EXTENSION, current_command
from dts.web.json_provider import OrjsonProvider
from dts.web.metrics_endpoint import register_metrics_endpoint
from dts.web.openapi import register_openapi_routes
from dts.web.refusals import as_refusal
from dts.web.request_ids import request_id
from dts.wiring import named, wire

log = logging.getLogger(__name__)


class DtsExtension:
    """The clients of one app (one per worker process), made once, used by every request."""

    def __init__(self, settings: Settings) -> None:
        wiring = wire(settings)
        self.settings = settings
        self.db = wiring.db
        self.redis = wiring.redis
        self.services = wiring.services
        self.audit = wiring.services.audit
        self.authenticator = Authenticator(settings)

    def next_trx(self) -> int:
        """A server-assigned transaction number for commands that came without one."""
        try:
            return int(self.redis.incr("dts:trxnum"))
        except redis.RedisError:
            metrics.redis_error("trx_number")
            return int(time.time() * 1000)

    def record(self, events: Iterable[Event]) -> None:
        """Records a request's events; a failure is logged, never turned into a second error."""
        try:
            self.audit.record(events)
        except DtsError:
            log.exception("could not record audit events")

    def health(self) -> dict[str, bool]:
        checks = {"database": False, "redis": False}
        try:
            self.db.command("ping")
            checks["database"] = True
        except Exception:
            log.warning("health: database ping failed")
        try:
            checks["redis"] = bool(self.redis.ping())
        except redis.RedisError:
            metrics.redis_error("health")
            log.warning("health: redis ping failed")
        return checks


def _error_response(exc: DtsError) -> Response:
    resp = jsonify(
        {"ok": False, "error": exc.message, "code": exc.code, "request_id": request_id()}
    )
    resp.status_code = exc.status
    return resp


def _record_refusal(ext: DtsExtension, exc: DtsError, path: str) -> None:
    """The errorEvent of a request that is no command (an unknown path, a wrong method): a command
    records its own, with the rest of its trail (dts.web.command)."""
    if current_command() is not None:
        return
    ext.record(
        [
            Event(
                type=EventType.ERROR_EVENT,
                timestamp_ms=ext.services.clock_ms(),
                trx_num=ext.next_trx(),
                message=f"{exc.message}: {path}",
            )
        ]
    )


def register_error_handlers(
    app: Flask, record: Callable[[DtsError, str], None] | None = None
) -> None:
    """Every failure answers the API's JSON error shape, never HTML or a stack trace; `record`
    (the services' audit) sees each refusal first."""

    def answer(exc: BaseException) -> Response:
        err = as_refusal(exc)
        if record is not None:
            try:
                record(err, request.path)
            except Exception:
                log.exception("could not record a refusal")
        return _error_response(err)

    @app.errorhandler(DtsError)
    def on_refusal(exc: DtsError) -> Response:
        return answer(exc)

    @app.errorhandler(HTTPException)
    def on_http_error(exc: HTTPException) -> Response:
        response = answer(exc)
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(Exception)
    def on_crash(exc: Exception) -> Response:
        """A bug answers a bare 500 (the details go to the service's log); a command still leaves
        its userCommand and an errorEvent in the audit log (dts.web.command)."""
        log.exception("unhandled error")
        return answer(exc)


def create_service_app(
    name: str,
    blueprints: Iterable[Blueprint],
    health_prefixes: Iterable[str],
    config: Settings | None,
) -> Flask:
    settings = named(config or Settings.from_env(), name).validate()
    app = Flask(name)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json = OrjsonProvider(app)
    metrics.enable(settings.metrics)
    ext = DtsExtension(settings)
    app.extensions[EXTENSION] = ext
    request_ids.install(app)
    request_ids.configure_log(settings.request_log)
    register_error_handlers(app, lambda exc, path: _record_refusal(ext, exc, path))
    for blueprint in blueprints:
        app.register_blueprint(blueprint)

    def health() -> tuple[Response, int]:
        checks = ext.health()
        ok = all(checks.values())
        return jsonify({"ok": ok, "service": name, **checks}), 200 if ok else 503

    prefixes = list(health_prefixes)
    for prefix in prefixes:
        app.add_url_rule(
            f"{prefix}/health", f"health{prefix.replace('/', '_')}", health, methods=["GET"]
        )
    register_openapi_routes(app, prefixes)
    register_metrics_endpoint(app, settings.metrics)
    return app
