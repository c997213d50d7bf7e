"""The benchmark's verification: how many accounts it compares, and how its report reads."""

from __future__ import annotations

import pytest

from backend.replay_compare import differences
from bench.run import verification_markdown, verify_count
from tests.unit.backend.summaries import summary


def test_verify_takes_a_count_capped_at_the_workload_or_all() -> None:
    assert verify_count(None, 10) is None
    assert verify_count("all", 10) == 10
    assert verify_count("4", 10) == 4 and verify_count("40", 10) == 10
    for bad in ("0", "-3", "some"):
        with pytest.raises(ValueError):
            verify_count(bad, 10)


def test_the_report_says_when_expiries_rather_than_concurrency_may_explain_a_difference() -> None:
    result = differences(["u"], {"u": summary()}, {"u": summary(funds="1.00")})
    verification = {
        "what": "the measured run against the naive run",
        "quote_mode": "fixed",
        "pending_ttl_s": 60,
        "expired_refusals": {"concurrent": 0, "sequential": 3},
        **result,
    }
    text = "\n".join(verification_markdown(verification))
    assert "1 users compared, 0 identical, 1 different" in text
    assert "| u | funds_cents | 70000 | 100 |" in text
    assert "DTS_PENDING_TTL_S=3600" in text
