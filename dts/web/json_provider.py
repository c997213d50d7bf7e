"""Flask's JSON through orjson: every reply is serialized here, several times faster than the
standard library's encoder, with the same output for the values replies hold."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

import orjson
from flask import Response
from flask.json.provider import JSONProvider


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


class OrjsonProvider(JSONProvider):
    """Keys keep their order (the replies are built in the order a reader expects)."""

    mimetype = "application/json"

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return orjson.dumps(obj, default=_default).decode()

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return orjson.loads(s)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        obj = self._prepare_response_obj(args, kwargs)
        response_class = cast("type[Response]", self._app.response_class)
        return response_class(orjson.dumps(obj, default=_default), mimetype=self.mimetype)
