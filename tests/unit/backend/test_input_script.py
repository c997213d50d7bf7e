"""The replay tool and its HTTP client against a small fake DTS on localhost (no real stack)."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from backend.input_script import Replayer
from backend.replay_http import Connection, Origin
from backend.workload import Command, parse_lines

ROOT = Path(__file__).resolve().parents[3]
DUMP_CHUNKS = [b"<?xml version='1.0'?>\n<log>\n", b"<userCommand/>\n" * 500, b"</log>\n"]


@dataclass
class Seen:
    connection: int  # the client's port: one per TCP connection
    path: str
    body: dict
    auth: str | None
    key: str | None = None


@dataclass
class FakeDTS:
    url: str
    seen: list[Seen] = field(default_factory=list)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ThreadingHTTPServer

    def log_message(self, *args: object) -> None:
        pass

    def setup(self) -> None:
        super().setup()  # headers and body go out in two writes: no Nagle delay between them
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.seen.append(  # type: ignore[attr-defined]
            Seen(
                self.client_address[1],
                self.path,
                body,
                self.headers.get("Authorization"),
                self.headers.get("Idempotency-Key"),
            )
        )
        user = body.get("username", "")
        tries = sum(s.body.get("username") == user for s in self.server.seen)  # type: ignore[attr-defined]
        if user.startswith("flaky") and tries == 1:  # the first attempt dies without an answer
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if user.startswith("busy") and tries <= 2:
            self.reply(503, {"ok": False, "error": "later", "code": "UNAVAILABLE"})
            return
        if self.path == "/user_utils/dumplog":
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for chunk in DUMP_CHUNKS:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
            return
        if user.startswith("refused"):
            self.reply(409, {"ok": False, "error": "no", "code": "INSUFFICIENT_FUNDS"})
        elif user.startswith("broken"):
            self.reply(502, None)
        else:
            self.reply(200, {"ok": True})
        if user.startswith("hangup"):  # closes without saying so, as an idle timeout does
            self.close_connection = True

    def reply(self, status: int, payload: dict | None) -> None:
        raw = b"<html>bad gateway</html>" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture
def fake_dts() -> Iterator[FakeDTS]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake = FakeDTS(f"http://127.0.0.1:{server.server_address[1]}")
    server.seen = fake.seen  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


def workload(text: str) -> list[Command]:
    return [c for c in parse_lines(text.splitlines()) if isinstance(c, Command)]


def interleaved(users: list[str], steps: int) -> list[Command]:
    lines, n = [], 0
    for step in range(steps):
        for user in users:
            n += 1
            lines.append(f"[{n}] ADD,{user},{step + 1}.00")
    return workload("\n".join(lines))


USERS = [f"u{i}" for i in range(8)]


def replay_six_steps(fake_dts: FakeDTS, tmp_path: Path, concurrency: int) -> Replayer:
    """Eight users, six ADDs each, interleaved as a workload file has them."""
    replayer = Replayer(fake_dts.url, "op-token", 5.0, False, tmp_path)
    replayer.run(interleaved(USERS, 6), concurrency=concurrency)
    return replayer


def test_each_users_commands_arrive_in_order_over_a_few_reused_connections(
    fake_dts: FakeDTS, tmp_path: Path
) -> None:
    users = USERS
    replayer = replay_six_steps(fake_dts, tmp_path, concurrency=3)
    assert replayer.stats.sent == replayer.stats.accepted == 48
    for user in users:
        amounts = [s.body["amount"] for s in fake_dts.seen if s.body["username"] == user]
        assert amounts == [f"{step}.00" for step in range(1, 7)]
    assert len({s.connection for s in fake_dts.seen}) <= 3
    assert {s.auth for s in fake_dts.seen} == {"Bearer op-token"}


class SchedulingOnly(Replayer):
    """A replayer whose `send` only records, so what is tested is the order of sending alone.

    Over a real server the arrival order also depends on how threads get the interpreter lock
    (the fake server shares this process), which once made a fair schedule look unfair.
    """

    def __init__(self) -> None:
        super().__init__("http://127.0.0.1:9", None, 5.0, False, Path("."))
        self.order: list[tuple[str, int]] = []
        self.in_flight = self.most_in_flight = 0

    async def send(self, connection: Connection, command: Command) -> None:
        self.order.append((command.body["username"], int(float(command.body["amount"]))))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        for _ in range(3):  # every answer takes the same few turns of the event loop
            await asyncio.sleep(0)
        self.in_flight -= 1


def test_users_advance_together_instead_of_a_few_at_a_time() -> None:
    # A run that served a few users to the end before starting others would finish with a long,
    # slow tail of the last ones; every user must be under way within the first round.
    replayer = SchedulingOnly()
    replayer.run(interleaved(USERS, 6), concurrency=2)
    assert replayer.most_in_flight == 2 and len(replayer.order) == 48
    step_at = [step for _, step in replayer.order]
    for step in range(1, 6):
        last_of_step = max(i for i, s in enumerate(step_at) if s == step)
        first_two_ahead = min((i for i, s in enumerate(step_at) if s == step + 2), default=48)
        assert last_of_step < first_two_ahead  # nobody two steps ahead of anyone
    for user in USERS:
        assert [s for u, s in replayer.order if u == user] == list(range(1, 7))


def test_naive_mode_sends_in_file_order_over_a_new_connection_each(
    fake_dts: FakeDTS, tmp_path: Path
) -> None:
    commands = interleaved(["a", "b", "c"], 3)
    replayer = Replayer(fake_dts.url, "t", 5.0, True, tmp_path)
    replayer.run(commands, concurrency=32)
    assert [s.body["trxNum"] for s in fake_dts.seen] == [c.trx_num for c in commands]
    assert len({s.connection for s in fake_dts.seen}) == len(commands)


def test_dumplog_waits_for_every_earlier_command_and_streams_to_its_file(
    fake_dts: FakeDTS, tmp_path: Path
) -> None:
    before = "\n".join(f"[{i}] ADD,u{i % 5},1.00" for i in range(1, 21))
    commands = workload(f"{before}\n[21] DUMPLOG,./logs/../testLOG\n[22] QUOTE,u1,ABC\n")
    Replayer(fake_dts.url, "t", 5.0, False, tmp_path).run(commands, concurrency=4)
    paths = [s.path for s in fake_dts.seen]
    assert paths.index("/user_utils/dumplog") == 20 and paths[-1] == "/user_utils/quote"
    assert (tmp_path / "testLOG").read_bytes() == b"".join(DUMP_CHUNKS)


def test_refusals_count_by_code_and_server_errors_as_transport_errors(
    fake_dts: FakeDTS, tmp_path: Path
) -> None:
    commands = workload("[1] ADD,ok1,1.00\n[2] BUY,refused1,ABC,5.00\n[3] ADD,broken1,1.00\n")
    replayer = Replayer(fake_dts.url, "t", 5.0, False, tmp_path, retries=0)
    replayer.run(commands, concurrency=2)
    assert replayer.stats.accepted == 1
    assert dict(replayer.stats.refused) == {"INSUFFICIENT_FUNDS": 1}
    assert dict(replayer.stats.transport_errors) == {"HTTP 502": 1}


def test_a_failed_attempt_is_retried_under_the_same_key_until_it_is_answered(
    fake_dts: FakeDTS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("backend.input_script.RETRY_BASE_S", 0.01)
    commands = workload("[1] ADD,flaky1,1.00\n[2] ADD,busy1,2.00\n[3] ADD,broken1,3.00\n")
    replayer = Replayer(fake_dts.url, "t", 5.0, False, tmp_path, retries=3, run_id="run7")
    replayer.run(commands, concurrency=3)
    keys = {
        user: [s.key for s in fake_dts.seen if s.body["username"] == user]
        for user in ("flaky1", "busy1", "broken1")
    }
    assert keys == {"flaky1": ["run7:1"] * 2, "busy1": ["run7:2"] * 3, "broken1": ["run7:3"] * 4}
    assert replayer.stats.accepted == 2 and replayer.stats.retries == 1 + 2 + 3
    assert dict(replayer.stats.transport_errors) == {"HTTP 502": 1}


def test_two_replays_of_one_file_use_different_keys(fake_dts: FakeDTS, tmp_path: Path) -> None:
    for _ in range(2):
        Replayer(fake_dts.url, "t", 5.0, False, tmp_path).run(workload("[1] ADD,a,1.00"), 1)
    first, second = (s.key for s in fake_dts.seen)
    assert first and second and first != second and first.endswith(":1")


def test_a_connection_the_server_closed_while_idle_is_reopened(fake_dts: FakeDTS) -> None:
    async def two_posts() -> list[int]:
        connection = Connection(Origin.parse(fake_dts.url), {})
        first = await connection.post("/user_utils/add", b'{"username": "hangup"}')
        for _ in range(250):  # wait, idle, until the server's close has reached this side
            if connection._reader is None or connection._reader.at_eof():
                break
            await asyncio.sleep(0.02)
        second = await connection.post("/user_utils/add", b'{"username": "x"}')
        connection.close()
        return [first.status, second.status]

    assert asyncio.run(two_posts()) == [200, 200]
    assert len({s.connection for s in fake_dts.seen}) == 2


def test_progress_moves_in_batches_up_to_the_total(fake_dts: FakeDTS, tmp_path: Path) -> None:
    class Bar:
        n = 0
        calls = 0

        def update(self, step: int) -> None:
            self.n += step
            self.calls += 1

    replayer = Replayer(fake_dts.url, "t", 5.0, False, tmp_path)
    replayer.progress = bar = Bar()
    replayer.run(interleaved([f"u{i}" for i in range(4)], 25), concurrency=4)
    assert bar.n == 100 and bar.calls < 100


def replay_cli(url: str, tmp_path: Path, text: str, *extra: str) -> subprocess.Popen:
    path = tmp_path / "w.txt"
    path.write_text(text)
    argv = [sys.executable, str(ROOT / "backend/input_script.py"), str(path), "--url", url]
    return subprocess.Popen(
        [*argv, "--token", "t", "--no-progress", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_reader_that_stops_early_ends_the_replay_quietly(
    fake_dts: FakeDTS, tmp_path: Path
) -> None:
    proc = replay_cli(
        fake_dts.url,
        tmp_path,
        "[1] ADD,a,1.00\nnot a command\n",
        "--json",
        str(tmp_path / "r.json"),
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # as `| head -0` does, before the summary is printed
    errors = proc.stderr.read()
    assert proc.wait(timeout=60) == 0, errors
    assert "Traceback" not in errors and "BrokenPipe" not in errors
    assert "w.txt:2: skipped" in errors
    assert json.loads((tmp_path / "r.json").read_text())["accepted"] == 1


def test_transport_errors_and_a_bad_url_fail_the_replay(tmp_path: Path) -> None:
    refused = replay_cli(
        "http://127.0.0.1:9", tmp_path, "[1] ADD,a,1.00\n", "--timeout", "2", "--retries", "1"
    )
    out, _ = refused.communicate(timeout=60)
    assert refused.returncode == 1 and "transport errors 1" in out
    bad_url = replay_cli("ftp://nowhere", tmp_path, "[1] ADD,a,1.00\n")
    _, errors = bad_url.communicate(timeout=60)
    assert bad_url.returncode == 2 and "not an http(s) URL" in errors
