"""Workload files: `[n] CMD,userid[,arg...]` lines into commands, and commands into API requests.

Real files are untidy: trailing spaces, CRLF endings, blank lines, DUMPLOG with only a file name.
Parsing never stops at a bad line; it reports the line number and goes on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

LINE_RE = re.compile(r"^\[\s*(\d+)\s*\]\s*([A-Za-z_]+)\s*(?:,(.*))?$")

# command -> (path, names of its arguments after the user id)
ROUTES: dict[str, tuple[str, tuple[str, ...]]] = {
    "ADD": ("/user_utils/add", ("amount",)),
    "QUOTE": ("/user_utils/quote", ("sym",)),
    "BUY": ("/buy/buy", ("sym", "amount")),
    "COMMIT_BUY": ("/buy/commit_buy", ()),
    "CANCEL_BUY": ("/buy/cancel_buy", ()),
    "SELL": ("/sell/sell", ("sym", "amount")),
    "COMMIT_SELL": ("/sell/commit_sell", ()),
    "CANCEL_SELL": ("/sell/cancel_sell", ()),
    "SET_BUY_AMOUNT": ("/buy/set_buy_amount", ("sym", "amount")),
    "SET_BUY_TRIGGER": ("/buy/set_buy_trigger", ("sym", "amount")),
    "CANCEL_SET_BUY": ("/buy/cancel_set_buy", ("sym",)),
    "SET_SELL_AMOUNT": ("/sell/set_sell_amount", ("sym", "amount")),
    "SET_SELL_TRIGGER": ("/sell/set_sell_trigger", ("sym", "amount")),
    "CANCEL_SET_SELL": ("/sell/cancel_set_sell", ("sym",)),
    "DISPLAY_SUMMARY": ("/user_utils/display_summary", ()),
    "DUMPLOG": ("/user_utils/dumplog", ("filename",)),
}


@dataclass(frozen=True)
class Command:
    line_no: int
    trx_num: int
    name: str
    user: str | None
    body: dict[str, object] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return ROUTES[self.name][0]


@dataclass(frozen=True)
class BadLine:
    line_no: int
    text: str
    reason: str


def parse_line(line_no: int, raw: str) -> Command | BadLine | None:
    """One line: a command, a bad line with its reason, or None for a blank line."""
    text = raw.strip().strip("\ufeff")
    if not text:
        return None
    match = LINE_RE.match(text)
    if not match:
        return BadLine(line_no, text, "not of the form [n] COMMAND,args")
    trx_num, name = int(match.group(1)), match.group(2).upper()
    args = [a.strip() for a in (match.group(3) or "").split(",")] if match.group(3) else []
    if name not in ROUTES:
        return BadLine(line_no, text, f"unknown command {name}")
    wanted = ROUTES[name][1]
    if name == "DUMPLOG":
        if len(args) == 1:
            return Command(line_no, trx_num, name, None, {"filename": args[0]})
        if len(args) == 2:
            return Command(
                line_no, trx_num, name, args[0], {"username": args[0], "filename": args[1]}
            )
        return BadLine(line_no, text, "DUMPLOG takes a file name, or a user and a file name")
    if len(args) != 1 + len(wanted) or not args[0]:
        return BadLine(line_no, text, f"{name} takes a user id and {len(wanted)} more value(s)")
    body: dict[str, object] = {"username": args[0]}
    body.update(zip(wanted, args[1:], strict=True))
    return Command(line_no, trx_num, name, args[0], body)


def parse_lines(lines: Iterable[str]) -> Iterator[Command | BadLine]:
    for line_no, raw in enumerate(lines, start=1):
        parsed = parse_line(line_no, raw)
        if parsed is not None:
            yield parsed


def segments(commands: Iterable[Command]) -> Iterator[list[Command]]:
    """Splits at each DUMPLOG: a DUMPLOG runs alone, after everything before it has finished."""
    current: list[Command] = []
    for command in commands:
        if command.name == "DUMPLOG":
            if current:
                yield current
            yield [command]
            current = []
        else:
            current.append(command)
    if current:
        yield current


def by_user(commands: Iterable[Command]) -> dict[str, list[Command]]:
    """Each user's commands in file order: one user's commands never overtake each other."""
    queues: dict[str, list[Command]] = {}
    for command in commands:
        queues.setdefault(command.user or "", []).append(command)
    return queues
