"""The watchers' leader lease on the real Redis: one holder at a time, handed on when it lapses or
is given up, never taken over while it is renewed."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
import redis

from dts.adapters.redis.leader import Lease, instance_id
from tests.integration.harness import PORT_BASE, Stack


@pytest.fixture
def client(stack: Stack) -> Iterator[redis.Redis]:
    c = redis.Redis(port=PORT_BASE + 79)
    yield c
    c.close()


@pytest.fixture
def key() -> str:
    return f"test:leader:{uuid.uuid4().hex}"


def test_one_instance_leads_and_the_other_waits(client: redis.Redis, key: str) -> None:
    first, second = (Lease(client, instance_id(n), 5.0, key) for n in ("a", "b"))
    assert first.hold() and not second.hold()
    assert first.hold() and not second.hold()  # renewing is not losing it
    assert first.leader() == first.holder == second.leader()


def test_a_lapsed_lease_passes_to_the_next_instance(client: redis.Redis, key: str) -> None:
    dead, heir = Lease(client, "dead", 0.3, key), Lease(client, "heir", 0.3, key)
    assert dead.hold()
    time.sleep(0.5)  # the leader stopped renewing
    assert heir.hold() and heir.leader() == "heir"
    assert not dead.hold()  # the old leader, back, finds it taken and stands by


def test_a_released_lease_is_free_at_once_and_only_its_holder_can_release_it(
    client: redis.Redis, key: str
) -> None:
    leader, other = Lease(client, "one", 30.0, key), Lease(client, "two", 30.0, key)
    assert leader.hold()
    other.release()  # not its lease: nothing happens
    assert leader.leader() == "one"
    leader.release()
    assert not leader.held and other.hold()


def test_renewing_keeps_the_lease_alive_past_its_first_term(client: redis.Redis, key: str) -> None:
    leader, other = Lease(client, "one", 0.6, key), Lease(client, "two", 0.6, key)
    assert leader.hold()
    for _ in range(6):  # 1.2 s in all, twice the lease, renewed every third of it
        time.sleep(leader.renew_every_s)
        assert leader.hold()
        assert not other.hold()


def test_without_redis_nobody_leads() -> None:
    unreachable = redis.Redis(port=1, socket_connect_timeout=0.2)
    lease = Lease(unreachable, "x", 5.0, "k")
    assert not lease.hold() and not lease.held
