"""One kind of error value for the whole system, mapped to HTTP in one place (dts.web.refusals).

The domain raises these; adapters translate library failures into them; nothing else reaches a
client, so a response never carries a stack trace or a Python repr.
"""

from __future__ import annotations


class DtsError(Exception):
    status = 400
    code = "BAD_INPUT"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class BadInput(DtsError):
    status = 400
    code = "BAD_INPUT"


class OutOfRange(DtsError):
    status = 422
    code = "OUT_OF_RANGE"


class Unauthorized(DtsError):
    status = 401
    code = "UNAUTHORIZED"


class Forbidden(DtsError):
    status = 403
    code = "FORBIDDEN"


class NotFound(DtsError):
    status = 404
    code = "NOT_FOUND"


class Refused(DtsError):
    """A rule of the trade says no (insufficient funds, nothing to commit, expired ...)."""

    status = 409
    code = "REFUSED"


class Conflict(DtsError):
    """The request contradicts an earlier one (an idempotency key reused for another command)."""

    status = 422
    code = "CONFLICT"


class TooLarge(DtsError):
    status = 413
    code = "BODY_TOO_LARGE"


class Unavailable(DtsError):
    """A dependency (database, Redis, quote server) is down; the command changed nothing."""

    status = 503
    code = "UNAVAILABLE"


class Internal(DtsError):
    """A bug: the reply says only this, the service's log says the rest."""

    status = 500
    code = "INTERNAL"
