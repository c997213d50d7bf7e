"""How scripts/stack.py stops processes and prints while it does (no servers: small processes).

The whole stack's Ctrl-C, SIGTERM and SIGHUP are tested in tests/integration/test_stack_stop.py.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("dts_stack_stopping", ROOT / "scripts" / "stack.py")
assert _spec and _spec.loader
stack = importlib.util.module_from_spec(_spec)
sys.modules["dts_stack_stopping"] = stack
_spec.loader.exec_module(stack)

# A process group like a gunicorn master's: a leader and a child it forked, both deaf to SIGTERM.
DEAF = """
import os, signal, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
child = os.fork()
if child == 0:
    time.sleep(120)
    os._exit(0)
print(child, flush=True)
time.sleep(120)
"""


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return True
    return state in {"Z", "X"}


def test_a_process_group_that_ignores_sigterm_is_killed_after_the_grace_period() -> None:
    leader = subprocess.Popen(
        [sys.executable, "-c", DEAF], stdout=subprocess.PIPE, start_new_session=True
    )
    try:
        assert leader.stdout is not None
        worker = int(leader.stdout.readline())
        started = time.monotonic()
        stack.stop_pid(leader.pid, timeout_s=0.5)
        took = time.monotonic() - started
        assert 0.5 <= took < 5, took
        deadline = time.monotonic() + 5
        while not (_gone(leader.pid) and _gone(worker)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _gone(leader.pid) and _gone(worker)
    finally:
        if leader.poll() is None:
            os.killpg(leader.pid, signal.SIGKILL)
            leader.wait()


def test_printing_into_a_pipe_nobody_reads_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader died, as `tee` does with the same Ctrl-C
    out = open(write_end, "w")  # noqa: SIM115 - closed below
    try:
        monkeypatch.setattr(sys, "stdout", out)
        stack.say("stopping DTS")  # EPIPE: dropped, and the descriptor now leads to /dev/null
        stack.say("  nginx: stopped")
        out.flush()
    finally:
        monkeypatch.undo()
        out.close()


def test_the_stop_request_interrupts_a_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stack, "STOP", stack.StopRequest())
    stack.check_stop()  # no signal yet: nothing happens
    stack.STOP.signum = signal.SIGINT
    with pytest.raises(stack.Interrupted, match="SIGINT"):
        stack.check_stop()
