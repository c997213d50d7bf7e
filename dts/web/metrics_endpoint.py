"""`GET /metrics` on a service's own port: every worker's numbers in Prometheus's text format.

The path lies outside every prefix NGINX routes (`/buy/`, `/sell/`, `/user_utils/`, `/auth/`), and
the public server answers `/metrics` itself with a 404: only what reaches a service's internal port
(Prometheus) can read it.
"""

from __future__ import annotations

import os

from flask import Flask, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"


def register_metrics_endpoint(app: Flask, enabled: bool) -> None:
    """Without metrics (DTS_METRICS=off) there is no such route: a 404 like any unknown path."""
    if not enabled:
        return

    def metrics() -> Response:
        registry = REGISTRY
        if os.environ.get(MULTIPROC_DIR):
            # Made per scrape, as the client library requires: it reads every worker's file.
            registry = CollectorRegistry()
            MultiProcessCollector(registry)
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)

    app.add_url_rule("/metrics", "metrics", metrics, methods=["GET"])
