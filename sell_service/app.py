"""The sell service: SELL, COMMIT_SELL, CANCEL_SELL and the automatic sell orders."""

from __future__ import annotations

from flask import Flask

from dts.config import Settings
from dts.domain.account import Side
from dts.web.app import create_service_app
from dts.web.trade_routes import trade_blueprint


def create_app(config: Settings | None = None) -> Flask:
    return create_service_app("sell", [trade_blueprint(Side.SELL)], ["/sell"], config)
