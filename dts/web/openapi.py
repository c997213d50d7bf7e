"""The OpenAPI description of the DTS API (dts/openapi.yaml), served as JSON by every service.

The YAML in the repository is the one source; each service reads it once at start-up, so a broken
document stops the service from starting instead of failing the first client that asks for it.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from flask import Flask, Response

SPEC_PATH = Path(__file__).resolve().parents[1] / "openapi.yaml"


@cache
def openapi_spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as source:
        spec = yaml.load(source, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(spec, dict) or "openapi" not in spec:
        raise ValueError(f"{SPEC_PATH} is not an OpenAPI document")
    return spec


@cache
def openapi_json() -> bytes:
    return json.dumps(openapi_spec(), ensure_ascii=False).encode()


def register_openapi_routes(app: Flask, prefixes: list[str]) -> None:
    """`GET <prefix>/openapi.json` under each of the service's prefixes (NGINX routes them all)."""
    document = openapi_json()

    def serve() -> Response:
        return Response(document, mimetype="application/json")

    for prefix in prefixes:
        app.add_url_rule(
            f"{prefix}/openapi.json", f"openapi{prefix.replace('/', '_')}", serve, methods=["GET"]
        )
