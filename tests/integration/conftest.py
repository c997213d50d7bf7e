"""The shared test stack (NGINX, gunicorn services, Redis, the database server), started once per
session, and the clients and users tests get from it.

Each test makes its own users (`new_user`), so no test depends on another's leftovers. What tests
import (the client, the ports, `logged`, `summary`) is in harness.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pymongo
import pymongo.database
import pytest
import redis

from tests.integration.harness import (
    HTTP_PORT,
    OPERATOR_TOKEN,
    PENDING_TTL_S,
    PORT_BASE,
    ROOT,
    SECRET_KEY,
    Client,
    Stack,
    stack_env,
)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir = Path(tmp_path_factory.mktemp("stack"))
    env = stack_env(data_dir)
    script = [sys.executable, str(ROOT / "scripts" / "stack.py")]
    up = subprocess.run([*script, "up"], env=env, cwd=ROOT, capture_output=True, text=True)
    if up.returncode != 0:
        subprocess.run([*script, "down"], env=env, cwd=ROOT, check=False)
        pytest.fail(f"the stack did not start:\n{up.stdout}\n{up.stderr}")
    try:
        yield Stack(
            url=f"http://127.0.0.1:{HTTP_PORT}",
            operator_token=OPERATOR_TOKEN,
            secret_key=SECRET_KEY,
            mongo_uri=f"mongodb://127.0.0.1:{PORT_BASE + 17}/?retryWrites=false",
            data_dir=data_dir,
            pending_ttl_s=PENDING_TTL_S,
        )
    finally:
        subprocess.run([*script, "down"], env=env, cwd=ROOT, check=False, capture_output=True)
        if os.environ.get("DTS_TEST_KEEP_DATA") != "1":
            shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def operator(stack: Stack) -> Client:
    return Client(stack.url, stack.operator_token)


@pytest.fixture
def new_user(operator: Client) -> Callable[..., str]:
    """Creates a fresh account (by the operator's ADD) and returns its username."""

    def make(funds: str | None = "10000.00", prefix: str = "u") -> str:
        username = f"{prefix}{uuid.uuid4().hex[:12]}"
        if funds is not None:
            operator.ok("/user_utils/add", {"username": username, "amount": funds})
        return username

    return make


@pytest.fixture(scope="session")
def db(stack: Stack) -> Iterator[pymongo.database.Database]:
    client: pymongo.MongoClient = pymongo.MongoClient(stack.mongo_uri)
    yield client["dts"]
    client.close()


@pytest.fixture
def cache(stack: Stack) -> redis.Redis:
    """The stack's Redis: its quote cache, its watch hints."""
    return redis.Redis(host="127.0.0.1", port=PORT_BASE + 79)
