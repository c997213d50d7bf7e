"""The replay tool's progress bar: tqdm where it is installed, a plain line where it is not.

The replay tool must run with a bare `python3` (the README's own line) on a machine that has only
the standard library, so the bar is the one thing it may lack; everything else it needs is here.
"""

from __future__ import annotations

import sys
import time
from typing import IO, Any, Protocol

try:
    from tqdm import tqdm
except ImportError:
    tqdm = None


class Progress(Protocol):
    n: int

    def update(self, n: int = 1) -> Any: ...

    def close(self) -> None: ...


class LineProgress:
    """`done/total cmd  pct  rate cmd/s  eta`, redrawn in place on a terminal; elsewhere (a file,
    a pipe) a full line at most every `every_s`, so a log does not fill with carriage returns."""

    def __init__(
        self,
        total: int,
        stream: IO[str] | None = None,
        every_s: float = 5.0,
        clock: Any = time.monotonic,
    ) -> None:
        self.n = 0
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.in_place = bool(getattr(self.stream, "isatty", lambda: False)())
        self.every_s = 0.0 if self.in_place else every_s
        self.clock = clock
        self.started = clock()
        self.shown_at: float | None = None

    def update(self, n: int = 1) -> None:
        self.n += n
        now = self.clock()
        if self.shown_at is None or now - self.shown_at >= self.every_s or self.n >= self.total:
            self._show(now)

    def close(self) -> None:
        self._show(self.clock())
        if self.in_place:
            self.stream.write("\n")
        self.stream.flush()

    def line(self, now: float) -> str:
        elapsed_s = max(now - self.started, 1e-9)
        rate = self.n / elapsed_s
        pct = 100.0 * self.n / self.total if self.total else 100.0
        eta = f"{(self.total - self.n) / rate:.0f} s left" if rate > 0 else "--"
        return f"{self.n}/{self.total} cmd  {pct:5.1f} %  {rate:.1f} cmd/s  {eta}"

    def _show(self, now: float) -> None:
        self.shown_at = now
        if self.in_place:
            self.stream.write("\r" + self.line(now))
        else:
            self.stream.write(self.line(now) + "\n")
        self.stream.flush()


class NoProgress:
    n = 0

    def update(self, n: int = 1) -> None:
        self.n += n

    def close(self) -> None:
        pass


def progress_bar(total: int, enabled: bool = True) -> Progress:
    if not enabled:
        return NoProgress()
    if tqdm is not None:
        return tqdm(total=total, unit="cmd", smoothing=0.1, dynamic_ncols=True)
    return LineProgress(total)
