"""What the command decorator and the refusal handler use of DtsExtension, in memory."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from types import SimpleNamespace

from dts.auth import OPERATOR
from dts.domain.events import Event, EventType

NOW_MS = 1_700_000_000_000
FIRST_SERVER_TRX = 5000


class FakeExtension:
    """What the decorator and the refusal handler use of DtsExtension, in memory."""

    def __init__(self) -> None:
        self.recorded: list[Event] = []
        self.numbers = itertools.count(FIRST_SERVER_TRX)
        self.services = SimpleNamespace(clock_ms=lambda: NOW_MS)
        self.authenticator = SimpleNamespace(identify=lambda header: OPERATOR)

    def next_trx(self) -> int:
        return next(self.numbers)

    def record(self, events: Iterable[Event]) -> None:
        self.recorded.extend(events)

    def of(self, kind: EventType) -> list[Event]:
        return [e for e in self.recorded if e.type is kind]
