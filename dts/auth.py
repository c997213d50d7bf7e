"""Who is asking, and for whom they may act.

Users carry a signed JWT naming them; the operator (the replay tool, administrators) carries the
`DTS_OPERATOR_TOKEN` and may act for anyone. A body `username` that differs from the token's user
is refused: nobody acts as somebody else.
"""

from __future__ import annotations

import hmac
import logging
import time
from dataclasses import dataclass

import jwt
from werkzeug.security import check_password_hash, generate_password_hash

from dts.config import Settings
from dts.cooperative import off_the_loop
from dts.errors import BadInput, Forbidden, Unauthorized

log = logging.getLogger(__name__)

_ALGORITHM = "HS256"
# A real hash to compare against when the user is unknown, so a login costs the same either way.
_DUMMY_HASH = generate_password_hash("not-a-password-of-anyone")


@dataclass(frozen=True)
class Identity:
    username: str | None
    operator: bool = False


OPERATOR = Identity(username=None, operator=True)


def hash_password(password: str) -> str:
    return off_the_loop(generate_password_hash, password)


def password_matches(stored_hash: str | None, password: str) -> bool:
    if stored_hash is None:
        off_the_loop(check_password_hash, _DUMMY_HASH, password)
        return False
    return off_the_loop(check_password_hash, stored_hash, password)


class Authenticator:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        if not settings.auth_enabled:
            log.warning(
                "AUTHENTICATION IS OFF (DTS_AUTH=off): every caller may act for every user. "
                "Only for trusted benchmark runs."
            )

    def issue_token(self, username: str) -> str:
        now = int(time.time())
        claims = {"sub": username, "iat": now, "exp": now + self.settings.token_ttl_s}
        return jwt.encode(claims, self.settings.secret_key, algorithm=_ALGORITHM)

    def identify(self, authorization: str | None) -> Identity:
        if not self.settings.auth_enabled:
            return OPERATOR
        if not authorization:
            raise Unauthorized("missing credentials: send Authorization: Bearer <token>")
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("credentials must be a bearer token")
        if hmac.compare_digest(token.encode(), self.settings.operator_token.encode()):
            return OPERATOR
        try:
            claims = jwt.decode(
                token,
                self.settings.secret_key,
                algorithms=[_ALGORITHM],
                options={"require": ["sub", "exp"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("the token has expired, log in again", "TOKEN_EXPIRED") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized("the token is not valid") from exc
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise Unauthorized("the token is not valid")
        return Identity(username=subject)


def acting_user(identity: Identity, requested: str | None) -> str:
    """The user a command acts for: the token's own user, or anyone for the operator."""
    if identity.operator:
        if requested is None:
            raise BadInput("username is required", "MISSING_FIELD")
        return requested
    if requested is not None and requested != identity.username:
        raise Forbidden("you may act only for your own account")
    assert identity.username is not None
    return identity.username
