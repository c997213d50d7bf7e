"""The buy service: BUY, COMMIT_BUY, CANCEL_BUY and the automatic buy orders."""

from __future__ import annotations

from flask import Flask

from dts.config import Settings
from dts.domain.account import Side
from dts.web.app import create_service_app
from dts.web.trade_routes import trade_blueprint


def create_app(config: Settings | None = None) -> Flask:
    return create_service_app("buy", [trade_blueprint(Side.BUY)], ["/buy"], config)
