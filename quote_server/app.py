"""The internal quote server: stands in for the course's legacy quote service.

Only the services call it (NGINX never routes here); it needs neither MongoDB nor Redis. In `fixed`
mode every symbol always costs `fixed_price_cents(sym)`, so tests know the prices; in `random` mode
each process walks its own prices, reproducibly when `QUOTE_SEED` is set.
"""

from __future__ import annotations

import re
import time
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from dts.config import ConfigError, Settings
from dts.price_walk import PriceWalk, fixed_price_cents, make_cryptokey

SERVICE_NAME = "quote_server"
SYMBOL_RE = re.compile(r"[A-Za-z0-9]{1,5}")
USERNAME_RE = re.compile(r"[A-Za-z0-9_.-]{1,64}")

bp = Blueprint("quote_server", __name__)


class BadInput(ValueError):
    """A request field that fails validation; answered as 400 BAD_INPUT."""


def create_app(config: Settings | None = None) -> Flask:
    """Build the quote server from `config` (the environment when None)."""
    settings = Settings.from_env() if config is None else config
    if settings.quote_mode not in {"random", "fixed"}:
        raise ConfigError("QUOTE_MODE must be 'random' or 'fixed'")
    if settings.quote_latency_ms < 0:
        raise ConfigError("QUOTE_LATENCY_MS must not be negative")
    app = Flask(__name__)
    app.config["DTS_SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.extensions["price_walk"] = PriceWalk(seed=settings.quote_seed)
    app.register_blueprint(bp)
    register_error_handlers(app)
    return app


def register_error_handlers(app: Flask) -> None:
    """Every failure answers JSON in the API's error shape: never an HTML page or a stack trace."""

    @app.errorhandler(BadInput)
    def bad_input(exc: BadInput) -> ResponseReturnValue:
        return _error(400, "BAD_INPUT", str(exc))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        status = exc.code or 500
        code = (exc.name or "error").upper().replace(" ", "_")
        response = _error(status, code, exc.description or exc.name)
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception) -> ResponseReturnValue:
        app.logger.exception("unhandled error in quote server")
        return _error(500, "INTERNAL", "internal error in the quote server")


def _error(status: int, code: str, message: str) -> Response:
    response = jsonify({"ok": False, "error": message, "code": code})
    response.status_code = status
    return response


@bp.get("/health")
@bp.get("/quote_server/health")
def health() -> ResponseReturnValue:
    settings: Settings = current_app.config["DTS_SETTINGS"]
    return {"ok": True, "service": SERVICE_NAME, "mode": settings.quote_mode}


@bp.route("/quote", methods=["GET", "POST"])
def quote() -> ResponseReturnValue:
    """Answer one quote, after the configured latency, as the legacy server would."""
    settings: Settings = current_app.config["DTS_SETTINGS"]
    fields = _request_fields()
    sym = _parse_symbol(fields.get("sym"))
    user = _parse_username(fields.get("user"))
    if settings.quote_latency_ms > 0:
        time.sleep(settings.quote_latency_ms / 1000)
    if settings.quote_mode == "fixed":
        price_cents = fixed_price_cents(sym)
    else:
        walk: PriceWalk = current_app.extensions["price_walk"]
        price_cents = walk.next_price_cents(sym)
    return {
        "sym": sym,
        "user": user,
        "price_cents": price_cents,
        "price": f"{price_cents // 100}.{price_cents % 100:02d}",
        "timestamp": time.time_ns() // 1_000_000,
        "cryptokey": make_cryptokey(),
    }


def _request_fields() -> dict[str, Any]:
    if request.method == "GET":
        return request.args.to_dict()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadInput("request body must be a JSON object with sym and user")
    return body


def _parse_symbol(raw: object) -> str:
    if not isinstance(raw, str):
        raise BadInput("sym is required and must be a string")
    sym = raw.strip()
    if not SYMBOL_RE.fullmatch(sym):
        raise BadInput("sym must be 1 to 5 letters or digits")
    return sym.upper()


def _parse_username(raw: object) -> str:
    if not isinstance(raw, str):
        raise BadInput("user is required and must be a string")
    user = raw.strip()
    if not USERNAME_RE.fullmatch(user):
        raise BadInput("user must be 1 to 64 characters of letters, digits, '_', '.' or '-'")
    return user
