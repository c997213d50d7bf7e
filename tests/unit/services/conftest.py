"""One process's services over the in-memory fakes (dts.adapters.memory), on a hand-moved clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from dts.adapters.memory import FixedQuotes, MemoryAccounts, MemoryAudit
from dts.config import Settings
from dts.services import Services
from tests.unit.services.harness import ALICE, PRICES, Clock, open_account


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def accounts() -> MemoryAccounts:
    return MemoryAccounts()


@pytest.fixture
def audit(accounts: MemoryAccounts) -> MemoryAudit:
    """Shares the accounts' record of what this process has seen recorded, as dts.wiring does."""
    return MemoryAudit(recorded=accounts.recorded)


@pytest.fixture
def quotes(clock: Clock) -> FixedQuotes:
    return FixedQuotes(clock, prices=PRICES)


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    return tmp_path / "dumplog"


@pytest.fixture
def settings(log_dir: Path) -> Settings:
    return Settings(log_dir=str(log_dir))


@pytest.fixture
def services(
    settings: Settings,
    accounts: MemoryAccounts,
    quotes: FixedQuotes,
    audit: MemoryAudit,
    clock: Clock,
) -> Services:
    return Services(
        settings=settings, accounts=accounts, quotes=quotes, audit=audit, clock_ms=clock
    )


@pytest.fixture
def alice(services: Services, audit: MemoryAudit, quotes: FixedQuotes) -> str:
    """A user with 100.00 of funds and 10 ABC (bought at 12.00), its history recorded and no
    quote cached: the next command on a symbol fetches it."""
    open_account(services, audit, ALICE)
    quotes.expire_quotes()
    return ALICE
