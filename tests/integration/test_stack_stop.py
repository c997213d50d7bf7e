"""`stack.py run` stops every process it started, however it is told to stop and wherever its
output goes.

`make run 2>&1 | tee run.log` and Ctrl-C: the terminal sends SIGINT to the whole foreground process
group, so `tee` dies with the supervisor's pipe reader, and the supervisor's next line of output
meets a closed pipe. A closed terminal sends SIGHUP and fails every write; a process manager sends
SIGTERM to the supervisor or to the whole group. Each way, every process of the stack must be gone
within a bounded time.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from tests.integration.harness import ROOT

HTTP_PORT = int(os.environ.get("DTS_TEST_STOP_HTTP_PORT", "17480"))
PORT_BASE = int(os.environ.get("DTS_TEST_STOP_PORT_BASE", "17500"))
START_WITHIN_S = 120.0
STOP_WITHIN_S = 45.0  # the stack stops in a few seconds; each process has 15 s before SIGKILL
READY_LINE = b"press Ctrl-C to stop"


def _stat(pid: str) -> tuple[str, int, int] | None:
    """(state, process group, session) of a process, None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return fields[0], int(fields[2]), int(fields[3])


def leftovers(data_dir: Path, sessions: set[int]) -> list[str]:
    """Every live process of the stack: in a session it started (its children each lead one, and
    their workers stay in it), or showing its data directory in its command line or environment
    (the supervisor, the shell and `tee` around it, anything started later)."""
    marker = str(data_dir).encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        stat = _stat(proc.name)
        if stat is None or stat[0] in {"Z", "X"}:
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
            environ = (proc / "environ").read_bytes()
        except OSError:
            continue
        if (
            stat[1] in sessions
            or stat[2] in sessions
            or marker in cmdline
            or b"DTS_DATA_DIR=" + marker + b"\0" in environ
        ):
            shown = cmdline.replace(b"\0", b" ").decode(errors="replace")
            found.append(f"{proc.name}: {shown}")
    return found


def recorded_pids(data_dir: Path) -> set[int]:
    """The pids `up` wrote: each process it started leads its own session and process group."""
    pids = set()
    for path in (data_dir / "run").glob("*.pid"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            pids.add(int(path.read_text().split()[0]))
    return pids


def supervisor_pid(data_dir: Path) -> int:
    """The `stack.py run` process itself (not the shell whose command line also shows it)."""
    for line in leftovers(data_dir, set()):
        pid, _, cmdline = line.partition(": ")
        if cmdline.startswith(f"{sys.executable} scripts/stack.py run"):
            return int(pid)
    raise AssertionError("no `stack.py run` process found")


class Run:
    """`stack.py run` in a session of its own, as `make run` in a terminal starts it."""

    def __init__(self, data_dir: Path, terminal: bool) -> None:
        self.data_dir = data_dir
        self.log = data_dir.parent / f"{data_dir.name}-run.log"
        self.master: int | None = None
        self.seen = b""
        env = {
            **os.environ,
            "DTS_DATA_DIR": str(data_dir),
            "DTS_HTTP_PORT": str(HTTP_PORT),
            "DTS_PORT_BASE": str(PORT_BASE),
            "DTS_WORKERS": "1",
            "DTS_THREADS": "2",
            "PYTHONUNBUFFERED": "1",
        }
        command = f"{sys.executable} scripts/stack.py run"
        if terminal:
            # Output to a terminal that is the session's controlling terminal: closing its other
            # end is what closing the terminal window does.
            self.master, slave = pty.openpty()
            self.shell = subprocess.Popen(
                ["bash", "-c", command],
                cwd=ROOT,
                env=env,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                start_new_session=True,
                preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
            )
            os.close(slave)
        else:
            self.shell = subprocess.Popen(
                ["bash", "-c", f"{command} 2>&1 | tee {self.log}"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.group = self.shell.pid

    def output(self) -> bytes:
        if self.master is None:
            return self.log.read_bytes() if self.log.exists() else b""
        while select.select([self.master], [], [], 0)[0]:
            try:
                chunk = os.read(self.master, 4096)
            except OSError:
                break
            if not chunk:
                break
            self.seen += chunk
        return self.seen

    def wait_until(self, ready: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + START_WITHIN_S
        while not ready():
            assert self.shell.poll() is None, f"the stack exited:\n{self.output().decode()}"
            assert time.monotonic() < deadline, f"no {what}:\n{self.output().decode()}"
            time.sleep(0.2)

    def healthy(self) -> bool:
        try:
            url = f"http://127.0.0.1:{HTTP_PORT}/user_utils/health"
            return requests.get(url, timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def close_terminal(self) -> None:
        assert self.master is not None
        os.close(self.master)
        self.master = None

    def kill_all(self, sessions: set[int]) -> None:
        for group in {self.group, *sessions}:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, signal.SIGKILL)
        if self.master is not None:
            os.close(self.master)
            self.master = None
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.shell.wait(timeout=5)


def ctrl_c(run: Run) -> None:
    os.killpg(run.group, signal.SIGINT)


def sigterm_to_the_supervisor(run: Run) -> None:
    os.kill(supervisor_pid(run.data_dir), signal.SIGTERM)


def sigterm_to_the_group(run: Run) -> None:
    os.killpg(run.group, signal.SIGTERM)


def sighup_to_the_group(run: Run) -> None:
    os.killpg(run.group, signal.SIGHUP)


def close_the_terminal(run: Run) -> None:
    run.close_terminal()


@pytest.mark.parametrize(
    ("terminal", "stop", "when"),
    [
        pytest.param(False, ctrl_c, "running", id="ctrl-c-through-tee"),
        pytest.param(False, ctrl_c, "starting", id="ctrl-c-through-tee-while-starting"),
        pytest.param(False, sigterm_to_the_supervisor, "running", id="sigterm-to-supervisor"),
        pytest.param(False, sigterm_to_the_group, "running", id="sigterm-to-group-through-tee"),
        pytest.param(False, sighup_to_the_group, "running", id="sighup-to-group-through-tee"),
        pytest.param(True, close_the_terminal, "running", id="closed-terminal"),
    ],
)
def test_run_stops_every_process_it_started(
    tmp_path: Path, terminal: bool, stop: Callable[[Run], None], when: str
) -> None:
    data_dir = tmp_path / "stack"
    run = Run(data_dir, terminal)
    sessions: set[int] = set()
    try:
        if when == "starting":
            # The database and Redis are up, the services not yet.
            run.wait_until(lambda: (data_dir / "run" / "redis.pid").exists(), "Redis started")
            sessions = recorded_pids(data_dir)
        else:
            run.wait_until(run.healthy, "health answer through NGINX")
            run.wait_until(lambda: READY_LINE in run.output(), "'press Ctrl-C' line")
            sessions = recorded_pids(data_dir)
            assert len(sessions) >= 8, sessions
            assert len(leftovers(data_dir, sessions)) >= 10  # the check sees what it looks for
        stop(run)
        deadline = time.monotonic() + STOP_WITHIN_S
        left = leftovers(data_dir, sessions)
        while left and time.monotonic() < deadline:
            run.output()  # a terminal left open keeps being read, as a terminal would
            run.shell.poll()
            time.sleep(0.25)
            sessions |= recorded_pids(data_dir)
            left = leftovers(data_dir, sessions)
        assert left == [], (
            f"still running {STOP_WITHIN_S:.0f} s after {stop.__name__}:\n" + "\n".join(left)
        )
        with contextlib.suppress(requests.RequestException):
            requests.get(f"http://127.0.0.1:{HTTP_PORT}/user_utils/health", timeout=2)
            pytest.fail("NGINX still answers")
    finally:
        run.kill_all(sessions | recorded_pids(data_dir))
