"""Checks a replayed workload's DUMPLOG against the workload, the replay summary and the accounts.

    python backend/input_script.py backend/commands/user10.txt --json r.json --out-dir out
    python bench/check_dumplog.py backend/commands/user10.txt r.json out/testLOG

Validates the XML against dts/logfile.xsd, then: one userCommand per command sent, one errorEvent
per refusal, and per user the cash events summing to the user's cash now (each account's
DISPLAY_SUMMARY is asked first, so expiries settled since the dump are counted by a second,
per-user DUMPLOG). Use on a stack that ran only this workload.
"""

from __future__ import annotations

import argparse
import json
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import requests
import xmlschema

from backend.input_script import default_url, operator_token
from backend.workload import BadLine, parse_lines

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workload", type=Path)
    parser.add_argument("summary", type=Path, help="the replay's --json output")
    parser.add_argument("dump", type=Path, help="the DUMPLOG file the replay saved")
    parser.add_argument("--url", default=default_url())
    args = parser.parse_args(argv)

    commands = [c for c in parse_lines(args.workload.open()) if not isinstance(c, BadLine)]
    summary = json.loads(args.summary.read_text())
    xmlschema.XMLSchema(ROOT / "dts" / "logfile.xsd").validate(args.dump)
    print(f"{args.dump}: valid against logfile.xsd")

    counts: dict[str, int] = {}
    for _, element in ET.iterparse(args.dump):
        counts[element.tag] = counts.get(element.tag, 0) + 1
        element.clear()
    refused = sum(summary["refused"].values())
    checks = {
        "userCommand == commands sent": (counts.get("userCommand", 0), len(commands)),
        "errorEvent == refusals": (counts.get("errorEvent", 0), refused),
    }
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {operator_token(None)}"
    users = sorted({c.user for c in commands if c.user})
    mismatched = 0
    for user in users:
        funds = session.post(
            args.url + "/user_utils/display_summary", json={"username": user}, timeout=30
        ).json()["funds"]
        dump = session.post(
            args.url + "/user_utils/dumplog",
            json={"username": user, "filename": "check.xml"},
            timeout=600,
        )
        cash = Decimal(0)
        for element in ET.fromstring(dump.content):
            if element.tag == "accountTransaction":
                sign = 1 if element.findtext("action") == "add" else -1
                cash += sign * Decimal(element.findtext("funds") or "0")
        if Decimal(funds) != cash:
            mismatched += 1
            print(f"  {user}: cash {funds}, cash events sum to {cash}")
    checks["users whose cash events sum to their cash"] = (len(users) - mismatched, len(users))
    ok = True
    for name, (got, want) in checks.items():
        ok &= got == want
        print(f"{'ok  ' if got == want else 'FAIL'} {name}: {got} / {want}")
    print(f"event counts: {counts}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
