"""The replay tool against the real stack: per-user order, concurrency, the DUMPLOG barrier."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from backend.input_script import Replayer
from backend.replay_compare import compare_accounts, renamed
from backend.workload import Command, parse_lines
from tests.integration.harness import ROOT, Client, Stack, replay_tool, summary


def workload_commands(text: str) -> list[Command]:
    return [c for c in parse_lines(text.splitlines()) if isinstance(c, Command)]


def run_replay(stack: Stack, workload: Path, tmp_path: Path, *extra: str) -> tuple[int, dict, str]:
    return replay_tool(stack.url, stack.operator_token, workload, tmp_path, *extra)


def test_users_run_concurrently_but_each_users_commands_stay_in_order(
    stack: Stack, operator: Client, tmp_path: Path, new_user
) -> None:
    users = [new_user(None, prefix="r") for _ in range(12)]
    lines, n = [], 0
    # Interleaved: every user's BUY must precede its COMMIT_BUY, or the commit is refused.
    for step in (
        "ADD,{u},1000.00",
        "BUY,{u},ABC,500.00",
        "COMMIT_BUY,{u}",
        "SELL,{u},ABC,263.46",
        "COMMIT_SELL,{u}",
    ):
        for u in users:
            n += 1
            lines.append(f"[{n}] {step.format(u=u)} ")
    workload = tmp_path / "order.txt"
    workload.write_text("\r\n".join(lines) + "\r\n")
    code, result, output = run_replay(stack, workload, tmp_path, "--concurrency", "8")
    assert code == 0, output
    assert result["sent"] == 60 and result["accepted"] == 60, result
    for u in users:
        assert summary(operator, u)["funds"] == "1000.00"


def test_dumplog_waits_for_every_earlier_command_and_is_saved_locally(
    stack: Stack, tmp_path: Path, new_user
) -> None:
    users = [new_user(None, prefix="d") for _ in range(6)]
    lines = [f"[{i + 1}] ADD,{u},1.00" for i, u in enumerate(users * 5)]
    lines.append(f"[{len(lines) + 1}] DUMPLOG,./nested/../replayLOG.xml")
    lines.append("this line is malformed")
    workload = tmp_path / "dump.txt"
    workload.write_text("\n".join(lines) + "\n")
    code, result, output = run_replay(stack, workload, tmp_path, "--concurrency", "6")
    assert code == 0, output
    assert result["malformed_lines"] == 1 and "dump.txt:32" in output
    dump = (tmp_path / "dumps" / "replayLOG.xml").read_text()
    for u in users:
        assert dump.count(f"<command>ADD</command><username>{u}</username>") == 5


def system_pythons() -> list[str]:
    """The interpreter the virtualenv was made from (its `python` is a link to it: the case that
    once made the tool refuse to start) and Debian's own, if that is another one."""
    found = [os.path.realpath(sys.executable)]
    if os.access("/usr/bin/python3", os.X_OK):
        found.append(os.path.realpath("/usr/bin/python3"))
    return sorted(set(found))


@pytest.mark.parametrize("python", system_pythons())
@pytest.mark.parametrize(
    ("how", "cwd", "script"),
    [
        # -S: no site-packages at all, as on a machine with only the standard library
        ("stdlib only, from another directory", None, str(ROOT / "backend" / "input_script.py")),
        # the original system's README: cd backend && python3 input_script.py ./commands/...
        ("plain, from backend/", ROOT / "backend", "input_script.py"),
    ],
)
def test_the_readme_command_runs_with_the_system_python3(
    stack: Stack,
    operator: Client,
    tmp_path: Path,
    new_user,
    python: str,
    how: str,
    cwd: Path | None,
    script: str,
) -> None:
    users = [new_user(None, prefix="p") for _ in range(3)]
    lines = [f"ADD,{u},25.00" for u in users] + [f"QUOTE,{u},ABC" for u in users]
    workload = tmp_path / "w.txt"
    workload.write_text("".join(f"[{i + 1}] {x}\n" for i, x in enumerate(lines)))
    isolated = ["-S"] if cwd is None else []
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DTS_HTTP_PORT": stack.url.rsplit(":", 1)[1],
        "DTS_OPERATOR_TOKEN": stack.operator_token,
    }
    proc = subprocess.run(
        [python, *isolated, script, str(workload)],
        cwd=cwd or tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "accepted 6" in proc.stdout, proc.stdout
    assert "6/6 cmd  100.0 %" in proc.stderr, proc.stderr  # the progress line without tqdm
    for u in users:
        assert summary(operator, u)["funds"] == "25.00"


def test_transport_errors_make_the_replay_fail(tmp_path: Path) -> None:
    workload = tmp_path / "w.txt"
    workload.write_text("[1] ADD,u,1.00\n")
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "backend" / "input_script.py"),
            str(workload),
            "--url",
            "http://127.0.0.1:9",
            "--token",
            "x" * 20,
            "--no-progress",
            "--timeout",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "transport errors 1" in proc.stdout


def test_verification_finds_equal_accounts_equal_and_a_difference_different(
    stack: Stack, operator: Client, tmp_path: Path, new_user
) -> None:
    users = [new_user(None, prefix="v") for _ in range(4)]
    steps = (
        "ADD,{u},1000.00",
        "BUY,{u},ABC,600.00",
        "COMMIT_BUY,{u}",
        "SET_BUY_AMOUNT,{u},XYZ,100.00",
        "SET_BUY_TRIGGER,{u},XYZ,1.00",
        "SET_SELL_AMOUNT,{u},ABC,300.00",
        "SET_SELL_TRIGGER,{u},ABC,290.00",
        "SELL,{u},ABC,263.46",
        "BUY,{u},ABC,263.46",  # left pending: folded back, whether it expired yet or not
    )
    lines = [step.format(u=u) for u in users for step in steps]  # BUY right before COMMIT
    commands = workload_commands("\n".join(f"[{i + 1}] {x}" for i, x in enumerate(lines)))
    concurrent = Replayer(stack.url, stack.operator_token, 30.0, False, tmp_path)
    concurrent.run(renamed(commands, "c"), concurrency=4)
    sequential = Replayer(stack.url, stack.operator_token, 30.0, True, tmp_path)
    sequential.run(renamed(commands, "s"), concurrency=1)
    assert concurrent.stats.accepted == sequential.stats.accepted == len(commands)

    result = compare_accounts(stack.url, stack.operator_token, users, "c", "s")
    assert result["users_compared"] == 4 and result["users_mismatched"] == 0, result

    operator.ok("/user_utils/add", {"username": users[0] + "s", "amount": "0.01"})
    result = compare_accounts(stack.url, stack.operator_token, users, "c", "s")
    assert result["users_mismatched"] == 1
    assert result["mismatches"][0]["field"] == "funds_cents"
