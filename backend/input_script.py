"""Replays a workload file against DTS through NGINX, as the operator.

    python3 backend/input_script.py backend/commands/user1.txt
    python3 backend/input_script.py FILE --url http://localhost:8080 --concurrency 16 --json o.json

Each user's commands run in file order; different users run concurrently over keep-alive
connections; a DUMPLOG waits until every command before it has finished, and its XML is saved
locally under the name the workload gave. `--naive` sends one command at a time in file order,
each over a new connection. Ends with a summary; exits 1 on transport errors.

It runs on one thread with asyncio and a small HTTP client (backend/replay_http.py): the replay
shares the machine with the services it measures, so its own CPU per command is kept small.
It needs nothing but the standard library, so a bare `python3` runs it from any directory;
tqdm draws the progress bar where it is installed (backend/progress.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import sys
import time
from array import array
from collections import Counter, defaultdict, deque
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

# A bare `python3` runs this file, without the virtualenv where DTS is installed: it puts the
# repository on the path itself to find its sibling modules.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from backend.progress import Progress, progress_bar  # noqa: E402
from backend.replay_http import Connection, Origin, ProtocolError  # noqa: E402
from backend.workload import BadLine, Command, by_user, parse_lines, segments  # noqa: E402

DUMPLOG_TIMEOUT_S = 3600.0  # a log of millions of events takes minutes
RETRIES = 4  # after a transport failure, a 5xx or a 429: 0.2, 0.4, 0.8, 1.6 s (+ jitter)
RETRY_BASE_S = 0.2
RETRY_CAP_S = 5.0
RETRIED_CODES = {"RATE_LIMITED"}  # refusals that say "later", not "no"
PROGRESS_INTERVAL_S = 0.25  # the bar is moved in batches, not once per command
TRANSPORT_ERRORS = (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ProtocolError)


def default_url() -> str:
    port = os.environ.get("DTS_HTTP_PORT", "80")
    return "http://localhost" + ("" if port == "80" else f":{port}")


def operator_token(explicit: str | None) -> str | None:
    """--token, else DTS_OPERATOR_TOKEN, else the native stack's generated secrets file."""
    if explicit:
        return explicit
    if os.environ.get("DTS_OPERATOR_TOKEN"):
        return os.environ["DTS_OPERATOR_TOKEN"]
    stored = Path(os.environ.get("DTS_DATA_DIR") or ROOT / ".data") / "secrets.env"
    if stored.exists():
        for line in stored.read_text().splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "DTS_OPERATOR_TOKEN":
                return value.strip()
    return None


class Stats:
    """Outcomes and latencies; only the event loop's thread touches them, so no lock."""

    def __init__(self) -> None:
        self.sent = 0
        self.accepted = 0
        self.refused: Counter[str] = Counter()
        self.transport_errors: Counter[str] = Counter()
        self.retries = 0
        # Packed doubles (8 bytes each, not a 32-byte float object and its pointer): a million
        # commands' latencies and completion times would otherwise grow the replay by 64 MB.
        self.latency_ms: defaultdict[str, array[float]] = defaultdict(lambda: array("d"))
        self.finished_at: array[float] = array("d")  # perf_counter() of each completion

    def add(self, name: str, ms: float, ok: bool, code: str | None, transport: str | None) -> None:
        self.sent += 1
        self.latency_ms[name].append(ms)
        self.finished_at.append(time.perf_counter())
        if transport:
            self.transport_errors[transport] += 1
        elif ok:
            self.accepted += 1
        else:
            self.refused[code or "UNKNOWN"] += 1


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[index]


class DumpFile:
    """Where a DUMPLOG's XML goes: the base name the workload gave, opened at the first byte."""

    def __init__(self, out_dir: Path, filename: str) -> None:
        self.path = out_dir / (Path(filename.replace("\\", "/")).name or "dumplog.xml")
        self.out: IO[bytes] | None = None

    def write(self, chunk: bytes) -> None:
        if self.out is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.out = self.path.open("wb")
        self.out.write(chunk)

    def close(self, ok: bool) -> None:
        if self.out is None and ok:
            self.write(b"")
        if self.out is not None:
            self.out.close()


class FairPool:
    """Connections handed to waiters strictly in the order they asked.

    asyncio.Queue lets a task that gives a connection back take it again at once, ahead of the
    tasks already waiting; here a returned connection goes straight to the longest waiter.
    """

    def __init__(self, connections: list[Connection]) -> None:
        self.free = list(connections)
        self._waiting: deque[asyncio.Future[Connection]] = deque()

    async def take(self) -> Connection:
        while self._waiting and self._waiting[0].done():
            self._waiting.popleft()
        if self.free and not self._waiting:
            return self.free.pop()
        waiter: asyncio.Future[Connection] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        return await waiter

    def give(self, connection: Connection) -> None:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():  # a cancelled waiter no longer wants it
                waiter.set_result(connection)
                return
        self.free.append(connection)


class Replayer:
    """Replays commands; `run` returns once all are answered, with the wall time in seconds."""

    def __init__(
        self,
        url: str,
        token: str | None,
        timeout_s: float,
        naive: bool,
        out_dir: Path,
        retries: int = RETRIES,
        run_id: str | None = None,
    ) -> None:
        self.origin = Origin.parse(url)
        self.retries = retries
        # Idempotency keys are this run's id and the line number: a retry of a line is recognised
        # by the server, a second replay of the same file is not mistaken for one.
        self.run_id = run_id or secrets.token_hex(6)
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.timeout_s = timeout_s
        self.naive = naive
        self.out_dir = out_dir
        self.stats = Stats()
        self.progress: Progress | None = None  # moved every PROGRESS_INTERVAL_S
        self.started = 0.0
        self._idle: list[Connection] = []

    def run(self, commands: list[Command], concurrency: int) -> float:
        return asyncio.run(self._run(commands, concurrency))

    async def _run(self, commands: list[Command], concurrency: int) -> float:
        started = self.started = time.perf_counter()
        ticker = asyncio.create_task(self._tick()) if self.progress is not None else None
        try:
            if self.naive:  # the baseline the benchmark compares with
                one_shot = Connection(self.origin, self.headers, keep_alive=False)
                for command in commands:
                    await self.send(one_shot, command)
            else:
                for segment in segments(commands):
                    if len(segment) == 1 and segment[0].name == "DUMPLOG":
                        await self._run_users([segment], 1)
                    else:
                        await self._run_users(by_user(segment).values(), concurrency)
        finally:
            if ticker is not None:
                ticker.cancel()
            self._move_progress()
            for connection in self._idle:
                connection.close()
            self._idle.clear()
        return time.perf_counter() - started

    async def _run_users(self, queues: Iterable[list[Command]], concurrency: int) -> None:
        """Every user's commands in order, all users at once, at most `concurrency` in flight.

        One task per user, sharing `concurrency` keep-alive connections handed out first come,
        first served: users advance together as they do in the file, so the run does not end with
        a long tail of the few users a worker-per-user scheme would leave for last.
        """
        queues = list(queues)
        size = min(concurrency, len(queues))
        pool = FairPool(
            [
                self._idle.pop() if self._idle else Connection(self.origin, self.headers)
                for _ in range(size)
            ]
        )

        async def user(queue: list[Command]) -> None:
            for command in queue:
                connection = await pool.take()
                try:
                    await self.send(connection, command)
                finally:
                    pool.give(connection)

        try:
            await asyncio.gather(*(user(queue) for queue in queues))
        finally:
            self._idle.extend(pool.free)

    async def send(self, connection: Connection, command: Command) -> None:
        """One command, retried with backoff while the failure says nothing was decided.

        A transport failure or a 502/503/504 may have come after the command was applied; the
        retry carries the same Idempotency-Key, so the server answers it with the first reply
        instead of applying it again.
        """
        body = json.dumps({**command.body, "trxNum": command.trx_num}).encode()
        headers = f"Idempotency-Key: {self.run_id}:{command.line_no}\r\n"
        started = time.perf_counter()
        for attempt in range(self.retries + 1):
            ok, code, transport = await self._attempt(connection, command, body, headers)
            if (transport is None and code not in RETRIED_CODES) or attempt == self.retries:
                break
            self.stats.retries += 1
            await asyncio.sleep(
                min(RETRY_CAP_S, RETRY_BASE_S * 2**attempt) * random.uniform(1, 1.5)
            )
        self.stats.add(command.name, (time.perf_counter() - started) * 1000, ok, code, transport)

    async def _attempt(
        self, connection: Connection, command: Command, body: bytes, headers: str
    ) -> tuple[bool, str | None, str | None]:
        dump = (
            DumpFile(self.out_dir, str(command.body["filename"]))
            if command.name == "DUMPLOG"
            else None
        )
        ok, code, transport = False, None, None
        try:
            async with asyncio.timeout(
                self.timeout_s if dump is None else max(self.timeout_s, DUMPLOG_TIMEOUT_S)
            ):
                reply = await connection.post(
                    command.path, body, None if dump is None else dump.write, headers
                )
            ok = reply.status == 200
            if not ok:
                code = error_code(reply.status, reply.body)
                if reply.status >= 500:
                    transport = f"HTTP {reply.status}"
        except TRANSPORT_ERRORS as exc:
            transport = type(exc).__name__
        finally:
            if dump is not None:
                dump.close(ok)
        return ok, code, transport

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(PROGRESS_INTERVAL_S)
            self._move_progress()

    def _move_progress(self) -> None:
        if self.progress is not None and self.stats.sent > self.progress.n:
            self.progress.update(self.stats.sent - self.progress.n)


def error_code(status: int, body: bytes) -> str:
    try:
        return str(json.loads(body).get("code") or f"HTTP_{status}")
    except (ValueError, AttributeError):
        return f"HTTP_{status}"


def summary(stats: Stats, wall_s: float, bad_lines: int) -> dict[str, Any]:
    per_command = {}
    for name, values in sorted(stats.latency_ms.items()):
        ordered = sorted(values)
        per_command[name] = {
            "count": len(ordered),
            "p50_ms": round(percentile(ordered, 0.50), 2),
            "p95_ms": round(percentile(ordered, 0.95), 2),
            "p99_ms": round(percentile(ordered, 0.99), 2),
        }
    everything = sorted(v for values in stats.latency_ms.values() for v in values)
    return {
        "sent": stats.sent,
        "accepted": stats.accepted,
        "refused": dict(stats.refused.most_common()),
        "transport_errors": dict(stats.transport_errors),
        "retries": stats.retries,
        "malformed_lines": bad_lines,
        "wall_s": round(wall_s, 3),
        "throughput_per_s": round(stats.sent / wall_s, 1) if wall_s > 0 else 0.0,
        "latency_ms": {
            "p50": round(percentile(everything, 0.50), 2),
            "p95": round(percentile(everything, 0.95), 2),
            "p99": round(percentile(everything, 0.99), 2),
        },
        "per_command": per_command,
    }


def print_summary(result: dict[str, Any], out: Any = sys.stdout) -> None:
    lat = result["latency_ms"]
    print(
        f"sent {result['sent']}  accepted {result['accepted']}  "
        f"refused {sum(result['refused'].values())}  "
        f"transport errors {sum(result['transport_errors'].values())}  "
        f"retries {result.get('retries', 0)}  "
        f"malformed lines {result['malformed_lines']}",
        file=out,
    )
    print(
        f"wall {result['wall_s']:.2f} s  throughput {result['throughput_per_s']:.1f} cmd/s  "
        f"latency p50 {lat['p50']:.1f} ms  p95 {lat['p95']:.1f} ms  p99 {lat['p99']:.1f} ms",
        file=out,
    )
    if result["refused"]:
        print("refused: " + ", ".join(f"{k} {v}" for k, v in result["refused"].items()), file=out)
    if result["transport_errors"]:
        print(
            "transport errors: "
            + ", ".join(f"{k} {v}" for k, v in result["transport_errors"].items()),
            file=out,
        )
    print(f"{'command':18} {'count':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}", file=out)
    for name, row in result["per_command"].items():
        print(
            f"{name:18} {row['count']:8d} {row['p50_ms']:8.1f} {row['p95_ms']:8.1f} "
            f"{row['p99_ms']:8.1f}",
            file=out,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workload", type=Path, help="a workload file: [n] CMD,userid[,args]")
    parser.add_argument("--url", default=default_url(), help="DTS through NGINX")
    parser.add_argument("--concurrency", type=int, default=16, help="users replayed at once")
    parser.add_argument("--token", help="operator token (default: DTS_OPERATOR_TOKEN or .data)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument(
        "--retries",
        type=int,
        default=RETRIES,
        help="retries of a command after a transport failure, 5xx or 429 (same Idempotency-Key)",
    )
    parser.add_argument(
        "--naive",
        action="store_true",
        help="one command at a time in file order, a new connection per request",
    )
    parser.add_argument("--json", type=Path, help="also write the summary as JSON here")
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=Path.cwd(),
        help="where DUMPLOG files are saved (default: here)",
    )
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)

    commands: list[Command] = []
    bad = 0
    with args.workload.open(encoding="utf-8", errors="replace", newline=None) as lines:
        for item in parse_lines(lines):
            if isinstance(item, BadLine):
                bad += 1
                print(
                    f"{args.workload}:{item.line_no}: skipped: {item.reason}: {item.text!r}",
                    file=sys.stderr,
                )
            else:
                commands.append(item)
    token = operator_token(args.token)
    if token is None:
        print(
            "warning: no operator token (--token, DTS_OPERATOR_TOKEN or .data/secrets.env); "
            "commands will be refused unless authentication is off",
            file=sys.stderr,
        )
    try:
        replayer = Replayer(
            args.url, token, args.timeout, args.naive, args.out_dir, retries=args.retries
        )
    except ValueError as exc:
        parser.error(str(exc))
    replayer.progress = progress_bar(len(commands), enabled=not args.no_progress)
    try:
        wall_s = replayer.run(commands, max(1, args.concurrency))
    finally:
        replayer.progress.close()
    result = summary(replayer.stats, wall_s, bad)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    try:
        print_summary(result)
        sys.stdout.flush()
    except BrokenPipeError:  # piped into `head`: the reader has seen enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 1 if result["transport_errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
