"""bench.run.tenths: the steadiness figure of a run, not fooled by the final DUMPLOG."""

from __future__ import annotations

from pathlib import Path

from bench.procstats import ProcessSampler, Sample, Track
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


def test_cpu_per_command_of_each_tenth_comes_from_the_samples_in_its_seconds() -> None:
    """A process that spends 1 ms per command early and 2 ms late, at 100 commands a second."""
    sampler = ProcessSampler(Path("/nonexistent"))
    track = Track("database", 1, "db")
    cpu = 0.0
    for t in range(101):
        track.samples.append(Sample(float(t), cpu, 0))
        cpu += 0.1 if t < 50 else 0.2
    sampler.tracks[1] = track
    found = sampler.cpu_by_tenth([100] * 100 + [3])
    assert found["first"]["commands"] == 1000 and found["first"]["seconds"] == [0, 10]
    assert found["first"]["cpu_ms_per_command"] == {"database": 1.0}
    assert found["last"]["cpu_ms_per_command"] == {"database": 2.0}
    assert sampler.cpu_by_tenth([100] * 5) == {}
