"""Prices the quote server invents: a fixed price per symbol, and a bounded random walk around it.

Pure code (no I/O, no Flask) so tests can import it to know what the quote server will answer.
Prices are integer cents; floats live only inside one step of the walk, in log space.
"""

from __future__ import annotations

import base64
import math
import random
import secrets
import threading
import zlib
from collections import OrderedDict

FIXED_MIN_CENTS = 500
FIXED_MAX_CENTS = 50_000
STEP_SIGMA = 0.01
"""Standard deviation of one step in log space: a typical move is about 1 %."""
_STEP_HALF_WIDTH = STEP_SIGMA * math.sqrt(3.0)
"""Steps are uniform on [-w, w] (standard deviation STEP_SIGMA): as good as Gaussian over many
steps and several times cheaper to draw."""
REVERSION = 0.005
"""Share of the distance back to the start price closed on each step.

Together with STEP_SIGMA this holds the log price within about 0.1 (one standard deviation) of its
start for ever, so millions of quotes neither drift into the clamp nor collapse to cents.
"""
MAX_TRACKED_SYMBOLS = 10_000
CRYPTOKEY_BYTES = 32


def fixed_price_cents(sym: str) -> int:
    """A price that every process and Python version derives alike from the symbol alone."""
    span = FIXED_MAX_CENTS - FIXED_MIN_CENTS + 1
    return FIXED_MIN_CENTS + zlib.crc32(sym.strip().upper().encode("utf-8")) % span


class PriceWalk:
    """One mean-reverting multiplicative random walk per symbol, safe to share between threads.

    Each symbol has its own generator, seeded from (seed, symbol), so with a seed a symbol's
    sequence does not depend on which other symbols were quoted in between. Without a seed each
    process walks differently. At most `max_symbols` walks are kept: the least recently quoted
    symbol is forgotten and, if asked for again, restarts from its fixed price.
    """

    def __init__(
        self,
        seed: int | None = None,
        min_cents: int = 100,
        max_cents: int = 100_000,
        max_symbols: int = MAX_TRACKED_SYMBOLS,
    ) -> None:
        if not 1 <= min_cents <= max_cents:
            raise ValueError("need 1 <= min_cents <= max_cents")
        if max_symbols < 1:
            raise ValueError("max_symbols must be at least 1")
        self._seed = seed
        self._min_cents = min_cents
        self._max_cents = max_cents
        self._log_min = math.log(min_cents)
        self._log_max = math.log(max_cents)
        self._max_symbols = max_symbols
        self._walks: OrderedDict[str, _SymbolWalk] = OrderedDict()
        self._lock = threading.Lock()

    def next_price_cents(self, sym: str) -> int:
        """Advance the symbol's walk one step and return its new price, within [min, max]."""
        key = sym.strip().upper()
        with self._lock:
            walk = self._walks.get(key)
            if walk is None:
                walk = self._start(key)
            else:
                self._walks.move_to_end(key)
            log_price = walk.log_price
            log_price += REVERSION * (walk.log_start - log_price) + _STEP_HALF_WIDTH * (
                2.0 * walk.rng.random() - 1.0
            )
            if log_price < self._log_min:  # clamp the state too, so it never hides beyond a bound
                log_price = self._log_min
            elif log_price > self._log_max:
                log_price = self._log_max
            walk.log_price = log_price
        # Plain comparisons, not min/max: this is the hot path of a million-step walk.
        price_cents = round(math.exp(log_price))
        if price_cents < self._min_cents:
            return self._min_cents
        if price_cents > self._max_cents:
            return self._max_cents
        return price_cents

    def _start(self, key: str) -> _SymbolWalk:
        if len(self._walks) >= self._max_symbols:
            self._walks.popitem(last=False)
        start_cents = min(max(fixed_price_cents(key), self._min_cents), self._max_cents)
        rng = random.Random() if self._seed is None else random.Random(f"{self._seed}:{key}")
        walk = _SymbolWalk(rng=rng, log_start=math.log(start_cents))
        self._walks[key] = walk
        return walk


class _SymbolWalk:
    __slots__ = ("log_price", "log_start", "rng")

    def __init__(self, rng: random.Random, log_start: float) -> None:
        self.rng = rng
        self.log_start = log_start
        self.log_price = log_start


def make_cryptokey(rng: random.Random | None = None) -> str:
    """An opaque token (URL-safe base64, no commas or whitespace) identifying one quote.

    With an rng the token is reproducible from its seed; without one it comes from `secrets`.
    """
    raw = (
        secrets.token_bytes(CRYPTOKEY_BYTES)
        if rng is None
        else rng.getrandbits(8 * CRYPTOKEY_BYTES).to_bytes(CRYPTOKEY_BYTES, "big")
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
