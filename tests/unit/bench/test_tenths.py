"""bench.run.tenths: the steadiness figure of a run, not fooled by the final DUMPLOG."""

from __future__ import annotations

from bench.run import tenths


def test_a_level_run_changes_by_nothing() -> None:
    assert tenths([100] * 50 + [40]) == {"first": 100.0, "last": 100.0, "change_pct": 0.0}


def test_a_slowing_run_shows_its_fall() -> None:
    result = tenths([200] * 10 + [150] * 80 + [100] * 10 + [7])
    assert result["first"] == 200.0 and result["last"] == 100.0
    assert result["change_pct"] == -50.0


def test_the_seconds_of_a_final_dumplog_alone_are_left_out() -> None:
    assert tenths([100] * 50 + [0] * 13 + [1])["change_pct"] == 0.0


def test_too_short_a_run_has_no_figure() -> None:
    assert tenths([5, 5, 5]) == {}
