"""The quote server's prices: fixed per symbol, and a seeded walk that stays sensible for ever."""

from __future__ import annotations

import math
import random
import statistics
import subprocess
import sys
import threading
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from dts.price_walk import (
    FIXED_MAX_CENTS,
    FIXED_MIN_CENTS,
    PriceWalk,
    fixed_price_cents,
    make_cryptokey,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
symbols = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=5)


def test_fixed_prices_are_pinned_values_so_every_process_agrees() -> None:
    assert fixed_price_cents("ABC") == 26346
    assert fixed_price_cents("S") == 49774


def test_fixed_price_is_the_same_in_a_fresh_interpreter() -> None:
    """Guards against anything like hash(), which is salted per process."""
    code = "from dts.price_walk import fixed_price_cents as f; print(f('ABC'), f('XYZ12'))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == [str(fixed_price_cents("ABC")), str(fixed_price_cents("XYZ12"))]


@given(symbols)
def test_fixed_price_is_an_int_in_range_and_ignores_case_and_spaces(sym: str) -> None:
    price_cents = fixed_price_cents(sym)
    assert isinstance(price_cents, int)
    assert FIXED_MIN_CENTS <= price_cents <= FIXED_MAX_CENTS
    assert fixed_price_cents(f" {sym.lower()} ") == price_cents


def test_fixed_prices_differ_between_symbols() -> None:
    prices = {fixed_price_cents(sym) for sym in ("A", "B", "S", "ABC", "XYZ", "MSFT", "GOOG")}
    assert len(prices) == 7


@given(symbols, st.integers(min_value=0, max_value=2**63))
def test_same_seed_gives_the_same_sequence_per_symbol(sym: str, seed: int) -> None:
    first, second = PriceWalk(seed=seed), PriceWalk(seed=seed)
    assert [first.next_price_cents(sym) for _ in range(50)] == [
        second.next_price_cents(sym) for _ in range(50)
    ]


def test_a_symbols_sequence_does_not_depend_on_other_symbols_quoted_in_between() -> None:
    alone, mixed = PriceWalk(seed=7), PriceWalk(seed=7)
    expected = [alone.next_price_cents("ABC") for _ in range(100)]
    got = []
    for _ in range(100):
        mixed.next_price_cents("XYZ")
        got.append(mixed.next_price_cents("abc"))
    assert got == expected


def test_different_seeds_give_different_sequences() -> None:
    first, second = PriceWalk(seed=1), PriceWalk(seed=2)
    assert [first.next_price_cents("ABC") for _ in range(20)] != [
        second.next_price_cents("ABC") for _ in range(20)
    ]


def test_unseeded_walks_differ_between_instances() -> None:
    first, second = PriceWalk(), PriceWalk()
    assert [first.next_price_cents("ABC") for _ in range(20)] != [
        second.next_price_cents("ABC") for _ in range(20)
    ]


def test_walk_starts_next_to_the_fixed_price() -> None:
    start_cents = fixed_price_cents("ABC")
    first_cents = PriceWalk(seed=3).next_price_cents("ABC")
    assert abs(first_cents - start_cents) <= 0.02 * start_cents


@given(symbols, st.integers(min_value=0, max_value=1000))
def test_walk_prices_are_ints_within_the_bounds(sym: str, seed: int) -> None:
    walk = PriceWalk(seed=seed, min_cents=100, max_cents=100_000)
    for _ in range(200):
        price_cents = walk.next_price_cents(sym)
        assert type(price_cents) is int
        assert 100 <= price_cents <= 100_000


def test_narrow_bounds_clamp_every_price() -> None:
    walk = PriceWalk(seed=5, min_cents=1, max_cents=3)
    assert {walk.next_price_cents("ABC") for _ in range(1000)} <= {1, 2, 3}


def test_million_steps_stay_near_the_start_and_never_reach_the_clamp() -> None:
    """The old system's walk drifted to cents; this one must hover around its start for ever."""
    sym = "S"  # the highest fixed price of the common symbols: closest to the upper bound
    start_cents = fixed_price_cents(sym)
    walk = PriceWalk(seed=11, min_cents=100, max_cents=100_000)
    step = walk.next_price_cents
    prices = [step(sym) for _ in range(1_000_000)]

    assert 100 < min(prices) <= max(prices) < 100_000
    assert start_cents / 3 < min(prices) <= max(prices) < start_cents * 3
    tail = prices[-100_000:]
    assert 0.8 * start_cents < statistics.median(tail) < 1.25 * start_cents
    log_spread = statistics.pstdev(math.log(p) for p in prices[::100])
    assert 0.03 < log_spread < 0.3  # it does move, but only so far


def test_forgotten_symbols_restart_from_their_seeded_beginning() -> None:
    walk = PriceWalk(seed=9, max_symbols=2)
    first = [walk.next_price_cents("ABC") for _ in range(5)]
    walk.next_price_cents("X")
    walk.next_price_cents("Y")  # evicts ABC, the least recently quoted
    assert [walk.next_price_cents("ABC") for _ in range(5)] == first


def test_concurrent_callers_see_exactly_the_single_threaded_sequence() -> None:
    """The lock makes each step atomic: no step is lost or repeated under threads."""
    threads_n, calls_n = 8, 5_000
    expected_walk = PriceWalk(seed=21)
    expected = sorted(expected_walk.next_price_cents("ABC") for _ in range(threads_n * calls_n))
    shared = PriceWalk(seed=21)
    results: list[list[int]] = [[] for _ in range(threads_n)]

    def call(out: list[int]) -> None:
        out.extend(shared.next_price_cents("ABC") for _ in range(calls_n))

    workers = [threading.Thread(target=call, args=(out,)) for out in results]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(p for out in results for p in out) == expected
    assert shared.next_price_cents("ABC") == expected_walk.next_price_cents("ABC")


def test_cryptokeys_are_unique_tokens_without_commas_or_whitespace() -> None:
    keys = {make_cryptokey() for _ in range(1000)}
    assert len(keys) == 1000
    for key in keys:
        assert len(key) >= 40
        assert "," not in key and not any(ch.isspace() for ch in key)
        assert key.isascii()


def test_cryptokey_from_a_seeded_rng_is_reproducible() -> None:
    assert make_cryptokey(random.Random(4)) == make_cryptokey(random.Random(4))
    assert make_cryptokey(random.Random(4)) != make_cryptokey(random.Random(5))
