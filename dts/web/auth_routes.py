"""Register and log in: a password for a bearer token.

These are not trading commands (the audit log's command list has no name for them), so they are
not recorded as `userCommand`s; a refused one is still recorded as an `errorEvent`.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from dts.auth import hash_password, password_matches
from dts.errors import Refused, Unauthorized
from dts.validation import Credentials, parse
from dts.web.command import EXTENSION, read_json_body

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.post("/register")
def register() -> Response:
    creds = parse(Credentials, read_json_body())
    ext = current_app.extensions[EXTENSION]
    if not ext.services.accounts.create(creds.username, hash_password(creds.password)):
        raise Refused(f"the username {creds.username} is taken", "USERNAME_TAKEN")
    token = ext.authenticator.issue_token(creds.username)
    return jsonify(
        {
            "ok": True,
            "message": f"welcome, {creds.username}",
            "username": creds.username,
            "token": token,
        }
    )


@bp.post("/login")
def login() -> Response:
    creds = parse(Credentials, read_json_body())
    ext = current_app.extensions[EXTENSION]
    if not password_matches(ext.services.accounts.password_hash(creds.username), creds.password):
        raise Unauthorized("wrong username or password", "BAD_CREDENTIALS")
    token = ext.authenticator.issue_token(creds.username)
    return jsonify(
        {
            "ok": True,
            "message": f"welcome back, {creds.username}",
            "username": creds.username,
            "token": token,
        }
    )
