"""Prometheus's view of a benchmark run beside the replay tool's (bench/prometheus_view)."""

from __future__ import annotations

from bench.prometheus_view import agreement, markdown, since

MEASURED = {"throughput_per_s": 400.0, "latency_ms": {"p99": 100.0}}


def seen(throughput: float, p99: float | None) -> dict[str, object]:
    return {"url": "u", "commands": 1, "throughput_per_s": throughput, "p50_ms": 1.0, "p99_ms": p99}


def test_views_within_five_per_cent_agree() -> None:
    assert agreement(MEASURED, seen(400.0, 95.0)) == {
        "throughput_off_pct": 0.0,
        "p99_off_pct": -5.0,
        "agree": True,
    }


def test_a_p99_or_a_count_further_apart_disagrees() -> None:
    assert agreement(MEASURED, seen(400.0, 94.9))["agree"] is False
    assert agreement(MEASURED, seen(379.0, 100.0))["agree"] is False


def test_no_p99_from_prometheus_is_no_agreement() -> None:
    agreed = agreement(MEASURED, seen(400.0, None))
    assert agreed["p99_off_pct"] is None and agreed["agree"] is False
    assert "p99 unknown" in "\n".join(markdown(seen(400.0, None), agreed))


def test_the_report_says_whether_they_agree() -> None:
    text = "\n".join(markdown(seen(400.0, 120.0), agreement(MEASURED, seen(400.0, 120.0))))
    assert "p99 +20.0 %" in text and "NOT within 5 %" in text


def test_a_running_stack_has_its_count_before_the_run_taken_off_and_a_fresh_one_not() -> None:
    """A fresh stack's counters began at zero; subtracting the value before the run would take
    off what a stack stopped minutes before on the same ports had counted."""
    assert "offset 120s" in since("dts_commands_total", 120, fresh=False)
    assert since("dts_commands_total", 120, fresh=True) == "sum (dts_commands_total)"
    assert since("dts_command_seconds_bucket", 120, fresh=True) == (
        "sum by (le) (dts_command_seconds_bucket)"
    )
