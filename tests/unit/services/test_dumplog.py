"""DUMPLOG: the XML log written under the log directory, including what a dead process left in an
account's outbox; a user's own log only for an existing user."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from dts.adapters.memory import MemoryAccounts, MemoryAudit
from dts.domain.account import Side
from dts.errors import BadInput, NotFound
from dts.services import Caller, Services
from tests.unit.services.harness import WINDOW_MS, Clock, open_account, run_recorded

SCHEMA = xmlschema.XMLSchema(Path(__file__).resolve().parents[3] / "dts" / "logfile.xsd")


def written(services: Services, username: str | None, filename: str) -> tuple[str, str]:
    name, chunks = services.dumplog(username, filename)
    return name, "".join(chunks)


def cash_elements(xml: str) -> list[tuple[str | None, str | None, str | None]]:
    """(username, action, funds) of each accountTransaction, in the log's order."""
    return [
        (e.findtext("username"), e.findtext("action"), e.findtext("funds"))
        for e in ET.fromstring(xml).iter("accountTransaction")
    ]


def test_users_log_is_written_under_their_own_folder_and_returned(
    services: Services, log_dir: Path, alice: str
) -> None:
    name, xml = written(services, alice, "../../etc/alice.xml")
    assert name == "alice.xml"
    folder = log_dir / "users" / "user-alice"
    assert sorted(p.name for p in folder.iterdir()) == ["alice.xml"]  # no partial file left
    assert (folder / "alice.xml").read_text(encoding="utf-8") == xml
    SCHEMA.validate(xml)
    root = ET.fromstring(xml)
    assert [e.tag for e in root] == ["accountTransaction", "quoteServer", "accountTransaction"]
    assert cash_elements(xml) == [("alice", "add", "220.00"), ("alice", "remove", "120.00")]
    assert root.findtext("quoteServer/price") == "12.00"


def test_everyones_log_goes_under_all_with_every_users_events(
    services: Services, audit: MemoryAudit, log_dir: Path, alice: str
) -> None:
    open_account(services, audit, "bob", funds_cents=5_00, abc_shares=0)
    name, xml = written(services, None, "everyone.xml")
    assert (log_dir / "all" / name).read_text(encoding="utf-8") == xml
    SCHEMA.validate(xml)
    assert sorted(cash_elements(xml)) == [
        ("alice", "add", "220.00"),
        ("alice", "remove", "120.00"),
        ("bob", "add", "5.00"),
    ]


def test_log_includes_what_a_dead_process_left_in_an_outbox(
    services: Services, accounts: MemoryAccounts, clock: Clock, alice: str
) -> None:
    services.add(Caller(alice, 10), 5_00)  # the process dies before it records this trail
    audit = MemoryAudit()  # another process: its own audit, the same accounts
    survivor = Services(services.settings, accounts, services.quotes, audit, clock)
    _, xml = written(survivor, alice, "alice.xml")
    assert cash_elements(xml) == [("alice", "add", "5.00")]
    stored = accounts.load_stored(alice)
    assert stored is not None
    assert [r["_id"] for r in audit.stored] == [f"alice:{stored.version}:0"]
    _, again = written(survivor, alice, "alice.xml")
    assert cash_elements(again) == [("alice", "add", "5.00")]  # recorded once, not twice


def test_log_of_an_unknown_user_is_refused_and_writes_nothing(
    services: Services, log_dir: Path, alice: str
) -> None:
    with pytest.raises(NotFound) as refused:
        services.dumplog("nobody", "nobody.xml")
    assert (refused.value.code, refused.value.status) == ("UNKNOWN_USER", 404)
    assert not log_dir.exists()


@pytest.mark.parametrize("filename", ["..", "dir/", "..."])
def test_log_file_name_with_no_base_name_is_refused(
    services: Services, log_dir: Path, alice: str, filename: str
) -> None:
    with pytest.raises(BadInput) as refused:
        services.dumplog(alice, filename)
    assert refused.value.code == "BAD_FILENAME"
    assert not log_dir.exists()


def test_log_of_expiries_and_fired_triggers_validates(
    services: Services, audit: MemoryAudit, clock: Clock, alice: str
) -> None:
    steps = [
        lambda c: services.start_trade(Side.BUY, c, "ABC", 50_00),
        lambda c: services.set_amount(Side.BUY, c, "ABC", 30_00),
        lambda c: services.set_trigger(Side.BUY, c, "ABC", 12_00),  # fires at once
    ]
    for trx, step in enumerate(steps, start=10):
        run_recorded(audit, Caller(alice, trx), step)
    clock.advance(WINDOW_MS)
    run_recorded(audit, Caller(alice, 13), services.settle)
    _, xml = written(services, alice, "alice.xml")
    SCHEMA.validate(xml)
    events = ET.fromstring(xml).findall("systemEvent")
    assert [(e.findtext("command"), e.findtext("funds")) for e in events] == [
        ("SET_BUY_TRIGGER", "24.00"),
        ("BUY", "48.00"),
    ]
