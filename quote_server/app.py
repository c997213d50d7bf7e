"""The internal quote server: stands in for the course's legacy quote service.

Only the services call it (NGINX never routes here); it needs neither MongoDB nor Redis. In `fixed`
mode every symbol always costs `fixed_price_cents(sym)`, so tests know the prices; in `random` mode
each process walks its own prices, reproducibly when `QUOTE_SEED` is set.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Flask, current_app, request
from flask.typing import ResponseReturnValue

from dts import metrics
from dts.config import ConfigError, Settings
from dts.errors import BadInput
from dts.money import format_cents
from dts.price_walk import PriceWalk, fixed_price_cents, make_cryptokey
from dts.validation import QuoteQuery, parse
from dts.web import request_ids
from dts.web.app import register_error_handlers
from dts.web.metrics_endpoint import register_metrics_endpoint

SERVICE_NAME = "quote_server"

bp = Blueprint("quote_server", __name__)


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
    app.extensions["fixed_prices"] = fixed_prices(settings.quote_prices)
    app.register_blueprint(bp)
    register_error_handlers(app)
    request_ids.install(app)
    metrics.enable(settings.metrics)
    register_metrics_endpoint(app, settings.metrics)
    return app


def fixed_prices(text: str) -> dict[str, int]:
    """QUOTE_PRICES, `SYM=cents,SYM=cents`: the fixed mode's prices that differ from the rule."""
    prices: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        sym, _, cents = item.partition("=")
        if not sym.strip() or not cents.strip().isdigit() or int(cents) < 1:
            raise ConfigError(f"QUOTE_PRICES: {item!r} is not SYM=cents (a positive whole number)")
        prices[sym.strip().upper()] = int(cents)
    return prices


@bp.get("/health")
@bp.get("/quote_server/health")
def health() -> ResponseReturnValue:
    settings: Settings = current_app.config["DTS_SETTINGS"]
    return {"ok": True, "service": SERVICE_NAME, "mode": settings.quote_mode}


@bp.route("/quote", methods=["GET", "POST"])
def quote() -> ResponseReturnValue:
    """Answer one quote, after the configured latency, as the legacy server would."""
    settings: Settings = current_app.config["DTS_SETTINGS"]
    query = parse(QuoteQuery, _request_fields())
    if settings.quote_latency_ms > 0:
        time.sleep(settings.quote_latency_ms / 1000)
    if settings.quote_mode == "fixed":
        price_cents = current_app.extensions["fixed_prices"].get(query.sym) or fixed_price_cents(
            query.sym
        )
    else:
        walk: PriceWalk = current_app.extensions["price_walk"]
        price_cents = walk.next_price_cents(query.sym)
    metrics.quote_served()
    return {
        "sym": query.sym,
        "user": query.user,
        "price_cents": price_cents,
        "price": format_cents(price_cents),
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
