"""Request bodies, validated by pydantic into plain, trusted values.

Every field type here refuses what API.md refuses: objects or arrays where a string belongs (so
`{"$ne": null}` never reaches a query), binary-float money, more than two decimals, NaN, values out
of range. Errors come out as one `BadInput`/`OutOfRange` with a plain sentence naming the field.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError
from pydantic_core import PydanticCustomError

from dts.errors import BadInput, OutOfRange
from dts.money import MAX_AMOUNT_CENTS, MoneyFormatError, MoneyRangeError, parse_dollars

USERNAME_RE = re.compile(r"[A-Za-z0-9_.-]{1,64}")
SYMBOL_RE = re.compile(r"[A-Za-z0-9]{1,5}")  # checked before upper-casing: "ß" is not "SS"
IDEMPOTENCY_KEY_RE = re.compile(r"[A-Za-z0-9_.:-]{1,100}")


# Characters XML 1.0 cannot carry (they would make a DUMPLOG unreadable), and lone surrogates
# (they cannot be stored or hashed).
XML_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
RESERVED_USERNAMES = frozenset({"dts-watcher"})  # the trigger watcher's own name in the audit log


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError("bad_input", "must be a string ({what})", {"what": what})
    if XML_ILLEGAL_RE.search(value):
        raise PydanticCustomError("bad_input", "contains characters that are not allowed")
    return value.strip()


def _requester(value: Any) -> str:
    """Any well-formed name, the system's own included (the watcher asks for quotes too)."""
    text = _text(value, "1-64 letters, digits, '_', '.' or '-'")
    if not USERNAME_RE.fullmatch(text):
        raise PydanticCustomError("bad_input", "must be 1-64 letters, digits, '_', '.' or '-'")
    return text


def _username(value: Any) -> str:
    text = _requester(value)
    if text in RESERVED_USERNAMES:
        raise PydanticCustomError("bad_input", "is reserved for the system")
    return text


def _symbol(value: Any) -> str:
    text = _text(value, "1-5 letters or digits")
    if not SYMBOL_RE.fullmatch(text):
        raise PydanticCustomError("bad_input", "must be 1-5 letters or digits")
    return text.upper()


def _amount_cents(value: Any) -> int:
    try:
        cents = parse_dollars(value)
    except MoneyRangeError as exc:
        raise PydanticCustomError("out_of_range", "must be at most 1000000000 dollars") from exc
    except MoneyFormatError as exc:
        raise PydanticCustomError("bad_input", "{why}", {"why": str(exc)}) from exc
    if cents <= 0:
        raise PydanticCustomError("out_of_range", "must be greater than 0")
    if cents > MAX_AMOUNT_CENTS:
        raise PydanticCustomError("out_of_range", "must be at most 1000000000 dollars")
    return cents


def _positive_int(value: Any) -> int:
    if isinstance(value, bool):
        raise PydanticCustomError("bad_input", "must be a whole number")
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit()):
            raise PydanticCustomError("bad_input", "must be a whole number")
        value = Decimal(text)
    if isinstance(value, Decimal):
        if not value.is_finite() or value != value.to_integral_value():
            raise PydanticCustomError("bad_input", "must be a whole number")
    elif not isinstance(value, int):
        raise PydanticCustomError("bad_input", "must be a whole number")
    # Range first, conversion after: int(Decimal("1e999999999")) would take minutes.
    if not 1 <= value <= 2**53:
        raise PydanticCustomError("out_of_range", "must be between 1 and 2^53")
    return int(value)


def trace_number(value: Any) -> int | None:
    """The `trxNum` to number a command with, or None when the server must number it itself.

    A whole number from 1 to 2^53 (a JSON integer, an integral JSON number or a string of digits)
    is used. Anything else is dropped, never refused: the number only traces the command, so a
    client that counts from 0 (as the original system's did) or sends junk still has its command
    run; the command layer logs a `debugEvent` for a number it could not use.
    """
    if value is None:
        return None
    try:
        return _positive_int(value)
    except PydanticCustomError:
        return None


def _password(value: Any) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError("bad_input", "must be a string")
    if XML_ILLEGAL_RE.search(value):
        raise PydanticCustomError("bad_input", "contains characters that are not allowed")
    if not 8 <= len(value) <= 128:
        raise PydanticCustomError("bad_input", "must be 8 to 128 characters")
    return value


def _filename(value: Any) -> str:
    text = _text(value, "a file name")
    if not text:
        raise PydanticCustomError("bad_input", "must not be empty")
    return text


Username = Annotated[str, BeforeValidator(_username)]
Requester = Annotated[str, BeforeValidator(_requester)]
Symbol = Annotated[str, BeforeValidator(_symbol)]
AmountCents = Annotated[int, BeforeValidator(_amount_cents)]
PositiveInt = Annotated[int, BeforeValidator(_positive_int)]
TraceNumber = Annotated[int | None, BeforeValidator(trace_number)]
Password = Annotated[str, BeforeValidator(_password)]
Filename = Annotated[str, BeforeValidator(_filename)]


class Body(BaseModel):
    """Common to every command: who it is for, and its transaction number (None if unusable)."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    username: Username | None = None
    trxNum: TraceNumber = None


class AmountBody(Body):
    amount: AmountCents


class SymbolBody(Body):
    sym: Symbol


class TradeBody(Body):
    sym: Symbol
    amount: AmountCents


class RecentBody(Body):
    limit: PositiveInt | None = None


class DumplogBody(Body):
    filename: Filename


class QuoteQuery(BaseModel):
    """The quote server's own request: the symbol and the user asking."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    sym: Symbol
    user: Requester


class Credentials(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    username: Username
    password: Password


M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], body: object) -> M:
    if not isinstance(body, dict):
        raise BadInput("the request body must be a JSON object")
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        field = ".".join(str(p) for p in first["loc"]) or "body"
        if first["type"] == "missing":
            raise BadInput(f"{field} is required", "MISSING_FIELD") from None
        message = f"{field} {first['msg']}"
        if first["type"] == "out_of_range":
            raise OutOfRange(message) from None
        if first["type"] == "bad_input":
            raise BadInput(message) from None
        raise BadInput(f"{field} is not valid") from None
