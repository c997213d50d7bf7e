"""The user-utilities service: accounts, funds, quotes, summaries, DUMPLOG, and log-in."""

from __future__ import annotations

from flask import Flask

from dts.config import Settings
from dts.web import account_routes, auth_routes
from dts.web.app import create_service_app


def create_app(config: Settings | None = None) -> Flask:
    return create_service_app(
        "user_utils", [account_routes.bp, auth_routes.bp], ["/user_utils", "/auth"], config
    )
