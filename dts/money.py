"""Dollars on the wire, integer cents inside: the only place the two meet."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

MAX_AMOUNT_CENTS = 1_000_000_000 * 100
MAX_MAGNITUDE_DIGITS = 15  # 10^15 dollars: far beyond any limit, small enough to convert cheaply
# Plain ASCII decimals only: Decimal() alone would also take "1_000", "1e3" or Arabic-Indic digits.
DECIMAL_TEXT_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


class MoneyFormatError(ValueError):
    """A value that is not an exact dollar amount with at most two decimals."""


class MoneyRangeError(MoneyFormatError):
    """An exact amount, but of a size no account could hold."""


def parse_dollars(value: object) -> int:
    """Exact cents from a JSON number (parsed as Decimal) or a decimal string.

    Binary floats are refused rather than rounded: a float here means the JSON was parsed without
    `parse_float=Decimal`, and silently rounding would hide that.
    """
    if isinstance(value, bool) or value is None:
        raise MoneyFormatError("must be a number of dollars")
    if isinstance(value, int):
        dec = Decimal(value)
    elif isinstance(value, Decimal):
        dec = value
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > 32 or not DECIMAL_TEXT_RE.fullmatch(text):
            raise MoneyFormatError("must be a number of dollars")
        try:
            dec = Decimal(text)
        except InvalidOperation as exc:
            raise MoneyFormatError("must be a number of dollars") from exc
    else:
        raise MoneyFormatError("must be a number of dollars")
    if not dec.is_finite():
        raise MoneyFormatError("must be a finite number")
    return exact_cents(dec)


def exact_cents(dec: Decimal) -> int:
    """Cents from the decimal's own digits: no context arithmetic, so nothing is ever rounded
    (28-digit contexts would round "0.10000000000000000000000000001" to 10 cents)."""
    if dec.is_zero():
        return 0
    if dec.adjusted() > MAX_MAGNITUDE_DIGITS:
        raise MoneyRangeError("is far too large")
    sign, digits, exponent = dec.as_tuple()
    assert isinstance(exponent, int)
    shift = exponent + 2
    if shift >= 0:
        cents = int("".join(map(str, digits))) * 10**shift
    else:
        fraction = digits[shift:] if -shift <= len(digits) else digits
        if any(fraction):
            raise MoneyFormatError("must have at most 2 decimals")
        whole = digits[:shift] if -shift <= len(digits) else ()
        cents = int("".join(map(str, whole)) or "0")
    return -cents if sign else cents


def format_cents(cents: int) -> str:
    """`12345` -> `"123.45"`; negative values keep their sign (never needed for balances)."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}.{frac:02d}"
