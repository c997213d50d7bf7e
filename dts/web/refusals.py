"""Any failure of a request as the one error value the API answers with (dts.errors.DtsError)."""

from __future__ import annotations

from flask import current_app
from werkzeug.exceptions import HTTPException

from dts.errors import DtsError, Internal, TooLarge

_MESSAGES = {404: "no such endpoint", 405: "method not allowed"}


def as_refusal(exc: BaseException) -> DtsError:
    """A DtsError as it is; an HTTP error as its status says; anything else is a bug, whose
    details go to the service's log and never into a reply or the audit log."""
    if isinstance(exc, DtsError):
        return exc
    if isinstance(exc, HTTPException):
        status = exc.code or 500
        if status == 413:
            limit = current_app.config.get("MAX_CONTENT_LENGTH")
            return TooLarge(f"request body too large (limit {limit} bytes)")
        err = DtsError(_MESSAGES.get(status, exc.name.lower()), exc.name.upper().replace(" ", "_"))
        err.status = status
        return err
    return Internal("internal error")
