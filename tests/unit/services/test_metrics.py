"""What the services count (dts.metrics): a retry answered from its first reply, and each pending
trade that expired, once, when the write that settles it lands."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prometheus_client import REGISTRY

from dts import metrics
from dts.adapters.memory import MemoryAccounts, MemoryAudit
from dts.domain.account import Side
from dts.services import Caller, Services
from tests.unit.services.harness import WINDOW_MS, Clock, run_recorded


def count(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture(autouse=True)
def metrics_on() -> Iterator[None]:
    was = metrics.enabled()
    metrics.enable(True)
    yield
    metrics.enable(was)


def test_a_retry_answered_from_its_first_reply_is_counted_once(
    services: Services, audit: MemoryAudit, alice: str
) -> None:
    before = count("dts_idempotent_replays_total", command="ADD")
    run_recorded(audit, Caller(alice, 10, key="add-1"), lambda c: services.add(c, 1_00))
    assert count("dts_idempotent_replays_total", command="ADD") == before
    run_recorded(audit, Caller(alice, 10, key="add-1"), lambda c: services.add(c, 1_00))
    assert count("dts_idempotent_replays_total", command="ADD") == before + 1


@pytest.mark.parametrize("side", list(Side))
def test_an_expired_pending_trade_is_counted_when_settled(
    services: Services,
    accounts: MemoryAccounts,
    audit: MemoryAudit,
    clock: Clock,
    alice: str,
    side: Side,
) -> None:
    before = count("dts_pending_expired_total", side=side.value)
    run_recorded(audit, Caller(alice, 10), lambda c: services.start_trade(side, c, "ABC", 24_00))
    clock.advance(WINDOW_MS + 1)
    run_recorded(audit, Caller(alice, 11), lambda c: services.summary(c))
    run_recorded(audit, Caller(alice, 12), lambda c: services.summary(c))
    assert count("dts_pending_expired_total", side=side.value) == before + 1
