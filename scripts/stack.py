"""The native DTS stack: start, check and stop every process without Docker.

    python scripts/stack.py up      # start everything in the background, return when healthy
    python scripts/stack.py down    # stop what `up` started (and nothing else)
    python scripts/stack.py run     # up, stay in the foreground, Ctrl-C stops all
                                    # (so do SIGTERM and a closed terminal, SIGHUP)
    python scripts/stack.py status  # what runs, and whether it answers

Everything lives under DTS_DATA_DIR (default .data/): the database files, logs, pid files, the
rendered NGINX config and the generated secrets. Ports: DTS_HTTP_PORT (default 80) for NGINX, the
internal ones from DTS_PORT_BASE (default 18000). Set MONGO_URI to use an existing MongoDB instead
of the bundled development database server (SecantusDB).

Replicas: DTS_REPLICAS (default 1) processes of each of the buy, sell and user services, or per
service DTS_BUY_REPLICAS, DTS_SELL_REPLICAS, DTS_USER_REPLICAS; DTS_WATCHERS watcher instances
(one leads at a time, see dts.adapters.redis.leader). Replica k (from 0) of a service listens on its
port + 20 k.

Metrics (DTS_METRICS, default on): every service and the quote server answer /metrics on their own
port, each watcher on base+5 (+20 k), and Prometheus (Debian's package) scrapes them and the Redis
and NGINX exporters, listening on 127.0.0.1:DTS_PROMETHEUS_PORT (default 9090, or base+90 when
DTS_PORT_BASE is set, so that a second stack's Prometheus does not collide with the first's). Its
configuration is generated into the data directory; its rules are deploy/prometheus/*.rules.yml.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HEALTH_TIMEOUT_S = 90.0
STOP_GRACE_S = 15.0  # from SIGTERM to SIGKILL, per process
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def say(text: str = "", *, err: bool = False) -> None:
    """Prints a line at once. Output nobody reads any more is dropped instead of raising: with
    `make run | tee`, Ctrl-C kills `tee` too, and a closed terminal fails every write, so the
    next line would otherwise end the supervisor before it had stopped what it started."""
    stream = sys.stderr if err else sys.stdout
    try:
        print(text, file=stream, flush=True)
    except (OSError, ValueError):  # EPIPE, EIO from a hung-up terminal, a closed stream
        mute(stream)


def mute(stream: TextIO | None) -> None:
    """Points the stream's descriptor at /dev/null for good: later lines, and the interpreter's
    own flush at exit, then succeed without anyone to read them."""
    try:
        fd = stream.fileno() if stream is not None else -1
    except (OSError, ValueError):
        return
    if fd < 0:
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        with contextlib.suppress(OSError):
            os.dup2(devnull, fd)
    finally:
        os.close(devnull)


class Interrupted(Exception):
    """`run` was told to stop while the stack was still starting."""


@dataclass
class StopRequest:
    signum: int = 0  # the first stop signal `run` received, 0 while none came


STOP = StopRequest()


def check_stop() -> None:
    if STOP.signum:
        raise Interrupted(signal.Signals(STOP.signum).name)


@dataclass
class Proc:
    name: str
    argv: list[str]
    health_url: str | None = None
    port: int | None = None
    env: dict[str, str] = field(default_factory=dict)
    marker: str = ""  # what its command line always shows (processes may rewrite their titles)


@dataclass
class Layout:
    data: Path
    http_port: int
    port_base: int
    mongo_uri: str | None
    db_cache_size: str
    db_sync: bool
    redis_fsync: str = "always"
    replicas: dict[str, int] = field(default_factory=dict)
    metrics: bool = True
    prometheus_port: int = 9090
    scrape_interval_s: float = 5.0

    @classmethod
    def from_env(cls) -> Layout:
        data = Path(os.environ.get("DTS_DATA_DIR") or ROOT / ".data").resolve()
        return cls(
            data=data,
            http_port=int(os.environ.get("DTS_HTTP_PORT") or 80),
            port_base=int(os.environ.get("DTS_PORT_BASE") or 18000),
            mongo_uri=os.environ.get("MONGO_URI") or None,
            # The development database's page cache (its default is 1G). It bounds the
            # server's memory while the transaction history grows past it.
            db_cache_size=os.environ.get("DTS_DB_CACHE_SIZE") or "512M",
            # Each commit reaches the disk before it is acknowledged: without it, a crash of the
            # server loses the writes of its last moments, which DTS had already confirmed.
            db_sync=(os.environ.get("DTS_DB_SYNC") or "on") != "off",
            # Redis holds the audit journal (dts.adapters.audit.journal): its append-only file is
            # written before each answer, and synced per answer ("always") or once a second
            # ("everysec", which still survives a killed Redis, not a power cut).
            redis_fsync=redis_fsync(os.environ.get("DTS_REDIS_FSYNC") or "always"),
            replicas=replica_counts(os.environ),
            metrics=(os.environ.get("DTS_METRICS") or "on").strip().lower()
            not in {"off", "0", "false"},
            prometheus_port=prometheus_port(os.environ),
            scrape_interval_s=scrape_interval_s(os.environ.get("DTS_SCRAPE_INTERVAL_S") or "5"),
        )

    def port(self, offset: int) -> int:
        return self.port_base + offset

    def count(self, name: str) -> int:
        return self.replicas.get(name, 1)

    @property
    def run_dir(self) -> Path:
        return self.data / "run"

    @property
    def log_dir(self) -> Path:
        return self.data / "logs"


# Service -> (port offset, app, health path, its replica-count variable).
SERVICES = {
    "buy": (1, "buy_service.app:create_app()", "/buy/health", "DTS_BUY_REPLICAS"),
    "sell": (2, "sell_service.app:create_app()", "/sell/health", "DTS_SELL_REPLICAS"),
    "user_utils": (3, "user_service.app:create_app()", "/user_utils/health", "DTS_USER_REPLICAS"),
}
REPLICA_PORT_STRIDE = 20  # never lands on the database (17) or Redis (79) offsets
MAX_REPLICAS = 8
# Port offsets of what only metrics need (base+5+20 k never meets a service replica's or a store's).
WATCHER_METRICS_OFFSET = 5
PROMETHEUS_OFFSET = 90  # used only when DTS_PORT_BASE is set and DTS_PROMETHEUS_PORT is not
REDIS_EXPORTER_OFFSET = 91
NGINX_EXPORTER_OFFSET = 92
NGINX_STATUS_OFFSET = 93  # NGINX's stub_status, on an internal listener of its own
MTAIL_OFFSET = 94  # mtail, counting NGINX's 429s from its log (deploy/mtail)
MTAIL_PROGRAMS = ROOT / "deploy" / "mtail"
DEFAULT_PROMETHEUS_PORT = 9090
METRICS_TOOLS = ("prometheus", "prometheus-redis-exporter", "prometheus-nginx-exporter", "mtail")
RULE_FILES = sorted((ROOT / "deploy" / "prometheus").glob("*.rules.yml"))
CONSOLES = ROOT / "deploy" / "prometheus" / "consoles"


def prometheus_port(env: os._Environ[str] | dict[str, str]) -> int:
    if env.get("DTS_PROMETHEUS_PORT"):
        return int(env["DTS_PROMETHEUS_PORT"])
    if env.get("DTS_PORT_BASE"):
        return int(env["DTS_PORT_BASE"]) + PROMETHEUS_OFFSET
    return DEFAULT_PROMETHEUS_PORT


def scrape_interval_s(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0.5 <= seconds <= 300:
        raise SystemExit(
            f"DTS_SCRAPE_INTERVAL_S must be a number of seconds from 0.5 to 300, not {text!r}"
        )
    return seconds


def redis_fsync(value: str) -> str:
    if value not in ("always", "everysec"):
        raise SystemExit(f"DTS_REDIS_FSYNC must be always or everysec, not {value!r}")
    return value


def replica_counts(env: os._Environ[str] | dict[str, str]) -> dict[str, int]:
    def count(name: str, default: int) -> int:
        text = env.get(name) or str(default)
        if not text.isdigit() or not 1 <= int(text) <= MAX_REPLICAS:
            raise SystemExit(
                f"{name} must be a whole number from 1 to {MAX_REPLICAS}, not {text!r}"
            )
        return int(text)

    everywhere = count("DTS_REPLICAS", 1)
    counts = {name: count(var, everywhere) for name, (_, _, _, var) in SERVICES.items()}
    counts["watcher"] = count("DTS_WATCHERS", 1)
    return counts


def replica_name(name: str, k: int) -> str:
    """`buy`, `buy-2`, `buy-3`...: the first keeps the plain name (and its pid file)."""
    return name if k == 0 else f"{name}-{k + 1}"


def replica_port(layout: Layout, name: str, k: int) -> int:
    return layout.port(SERVICES[name][0] + REPLICA_PORT_STRIDE * k)


def watcher_metrics_port(layout: Layout, k: int) -> int:
    return layout.port(WATCHER_METRICS_OFFSET + REPLICA_PORT_STRIDE * k)


def load_secrets(layout: Layout) -> dict[str, str]:
    """Secrets from the environment, else from the data directory, else generated once there."""
    path = layout.data / "secrets.env"
    stored: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep and not key.startswith("#"):
                stored[key.strip()] = value.strip()
    values = {}
    for key in ("DTS_SECRET_KEY", "DTS_OPERATOR_TOKEN"):
        values[key] = os.environ.get(key) or stored.get(key) or secrets.token_urlsafe(32)
    if any(stored.get(k) != v for k, v in values.items()) and not all(
        os.environ.get(k) for k in values
    ):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # never readable by others
        with os.fdopen(fd, "w") as out:
            out.write("".join(f"{k}={v}\n" for k, v in values.items()))
        path.chmod(0o600)
    return values


def render(template: str, variables: dict[str, str]) -> str:
    """${DTS_*} substitution only, like the image's envsubst: `$host` & co. stay as they are."""

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in variables:
            raise SystemExit(f"template variable {name} has no value")
        return variables[name]

    return re.sub(r"\$\{(DTS_[A-Z0-9_]+)\}", substitute, template)


NGINX_LIMITS = {
    # Far above what one machine's replay sends (a few hundred commands/s), far below a flood.
    "DTS_RATE_LIMIT": "2000r/s",
    "DTS_RATE_BURST": "4000",
    "DTS_CONN_LIMIT": "256",
    "DTS_LOGIN_RATE_LIMIT": "5r/s",
    "DTS_LOGIN_RATE_BURST": "20",
    "DTS_CORS_ORIGIN": "",
}


def nginx_limits() -> dict[str, str]:
    """NGINX's per-client limits and allowed origin, from the environment (docs/operations.md)."""
    return {name: os.environ.get(name, default) for name, default in NGINX_LIMITS.items()}


def upstream_servers(layout: Layout, name: str) -> str:
    """The template's `server ${DTS_..._UPSTREAM};` line, made into one line per replica."""
    addresses = [f"127.0.0.1:{replica_port(layout, name, k)}" for k in range(layout.count(name))]
    return ";\n    server ".join(addresses)


def nginx_config(layout: Layout) -> Path:
    conf_dir = layout.data / "nginx"
    for sub in ("conf.d", "tmp"):
        (conf_dir / sub).mkdir(parents=True, exist_ok=True)
    ui_root = ROOT / "frontend" / "dist"
    if not (ui_root / "index.html").exists():
        ui_root = ROOT / "nginx" / "html"
    site = render(
        (ROOT / "nginx" / "templates" / "dts.conf.template").read_text(),
        {
            "DTS_BUY_UPSTREAM": upstream_servers(layout, "buy"),
            "DTS_SELL_UPSTREAM": upstream_servers(layout, "sell"),
            "DTS_USER_UPSTREAM": upstream_servers(layout, "user_utils"),
            "DTS_NGINX_LISTEN": str(layout.http_port),
            "DTS_UI_ROOT": str(ui_root),
            "DTS_RATE_LIMITED_LOG": str(rate_limited_log(layout) if layout.metrics else os.devnull),
            **nginx_limits(),
        },
    )
    (conf_dir / "conf.d" / "dts.conf").write_text(site)
    if layout.metrics:  # there before mtail starts to follow it
        rate_limited_log(layout).parent.mkdir(parents=True, exist_ok=True)
        rate_limited_log(layout).touch()
    status = conf_dir / "conf.d" / "status.conf"
    status.unlink(missing_ok=True)
    if layout.metrics:
        status.write_text(
            render(
                (ROOT / "nginx" / "templates" / "status.conf.template").read_text(),
                {"DTS_NGINX_STATUS_LISTEN": f"127.0.0.1:{layout.port(NGINX_STATUS_OFFSET)}"},
            )
        )
    main = render(
        (ROOT / "nginx" / "nginx.native.conf.template").read_text(),
        {"DTS_NGINX_DIR": str(conf_dir), "DTS_LOG_DIR": str(layout.log_dir)},
    )
    path = conf_dir / "nginx.conf"
    path.write_text(main)
    return path


def processes(layout: Layout) -> list[Proc]:
    procs: list[Proc] = []
    mongo_uri = layout.mongo_uri
    if mongo_uri is None:
        port = layout.port(17)
        (layout.data / "db").mkdir(parents=True, exist_ok=True)
        procs.append(
            Proc(
                "database",
                [
                    str(BIN / "secantusd-py"),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--storage-path",
                    str(layout.data / "db"),
                    # No replica-set oplog: DTS uses neither change streams nor transactions,
                    # and the oplog costs every write an extra encode and table write.
                    "--standalone",
                    "--cache-size",
                    layout.db_cache_size,
                    *(["--sync-on-commit"] if layout.db_sync else []),
                ],
                port=port,
            )
        )
        mongo_uri = f"mongodb://127.0.0.1:{port}/?retryWrites=false"
    redis_port = layout.port(79)
    (layout.data / "redis").mkdir(parents=True, exist_ok=True)
    procs.append(
        Proc(
            "redis",
            [
                shutil.which("redis-server") or "/usr/bin/redis-server",
                "--port",
                str(redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                layout.redis_fsync,
                "--dir",
                str(layout.data / "redis"),
                "--protected-mode",
                "yes",
            ],
            port=redis_port,
        )
    )
    common = {
        "MONGO_URI": mongo_uri,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "QUOTE_SERVER_URL": f"http://127.0.0.1:{layout.port(4)}",
        "DTS_LOG_DIR": str(layout.data / "dumplog"),
        # The bundled development server is faster with the account's nested values and the
        # audit records packed; a real MongoDB (MONGO_URI) keeps arrays, sub-documents and one
        # document per record unless DTS_PACK_ACCOUNTS / DTS_PACK_AUDIT say otherwise
        # (DTS_PACK_LISTS is DTS_PACK_ACCOUNTS's earlier name).
        "DTS_PACK_ACCOUNTS": os.environ.get("DTS_PACK_ACCOUNTS")
        or os.environ.get("DTS_PACK_LISTS")
        or ("off" if layout.mongo_uri else "on"),
        "DTS_PACK_AUDIT": os.environ.get("DTS_PACK_AUDIT") or ("off" if layout.mongo_uri else "on"),
        **load_secrets(layout),
    }
    procs.append(
        gunicorn(layout, "quote_server", layout.port(4), "quote_server.app:create_app()", "/health")
    )
    procs[-1].env.update(common)
    for name, (_, app, health, _) in SERVICES.items():
        for k in range(layout.count(name)):
            proc = gunicorn(
                layout, replica_name(name, k), replica_port(layout, name, k), app, health
            )
            proc.env.update(common)
            procs.append(proc)
    for k in range(layout.count("watcher")):
        name = replica_name("watcher", k)
        watcher = Proc(
            name,
            [sys.executable, "-m", "dts.watcher"],
            env={**common, "DTS_INSTANCE": name},
            marker="dts.watcher",  # what every instance's command line shows
        )
        if layout.metrics:
            watcher.port = watcher_metrics_port(layout, k)
            watcher.health_url = f"http://127.0.0.1:{watcher.port}/metrics"
            watcher.env["DTS_WATCHER_METRICS_BIND"] = f"127.0.0.1:{watcher.port}"
        procs.append(watcher)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    procs.append(
        Proc(
            "nginx",
            [nginx, "-p", str(layout.data / "nginx"), "-c", str(nginx_config(layout))],
            health_url=f"http://127.0.0.1:{layout.http_port}/user_utils/health",
            port=layout.http_port,
            marker=str(layout.data / "nginx"),
        )
    )
    if layout.metrics:
        procs += metrics_processes(layout, redis_port)
    return procs


def metrics_processes(layout: Layout, redis_port: int) -> list[Proc]:
    """The two exporters (Debian's) and Prometheus itself, after NGINX: its exporter reads NGINX's
    stub_status from the start."""
    redis_exporter = layout.port(REDIS_EXPORTER_OFFSET)
    nginx_exporter = layout.port(NGINX_EXPORTER_OFFSET)
    config = prometheus_config(layout)
    return [
        Proc(
            "redis_exporter",
            [
                tool_path("prometheus-redis-exporter"),
                "-redis.addr",
                f"redis://127.0.0.1:{redis_port}",
                "-web.listen-address",
                f"127.0.0.1:{redis_exporter}",
            ],
            port=redis_exporter,
        ),
        Proc(
            "nginx_exporter",
            [
                tool_path("prometheus-nginx-exporter"),
                "-nginx.scrape-uri",
                f"http://127.0.0.1:{layout.port(NGINX_STATUS_OFFSET)}/stub_status",
                "-nginx.retries",
                "10",
                "-web.listen-address",
                f"127.0.0.1:{nginx_exporter}",
            ],
            port=nginx_exporter,
        ),
        Proc(
            "mtail",
            [
                tool_path("mtail"),
                "--progs",
                str(MTAIL_PROGRAMS),
                "--logs",
                str(rate_limited_log(layout)),
                "--address",
                "127.0.0.1",
                "--port",
                str(layout.port(MTAIL_OFFSET)),
                "--logtostderr",
            ],
            health_url=f"http://127.0.0.1:{layout.port(MTAIL_OFFSET)}/metrics",
            port=layout.port(MTAIL_OFFSET),
        ),
        Proc(
            "prometheus",
            [
                tool_path("prometheus"),
                f"--config.file={config}",
                f"--storage.tsdb.path={layout.data / 'prometheus' / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{layout.prometheus_port}",
                "--storage.tsdb.retention.time=15d",
                # The live page, /consoles/dts.html, and the template it uses.
                f"--web.console.templates={CONSOLES}",
                f"--web.console.libraries={CONSOLES}",
            ],
            health_url=f"http://127.0.0.1:{layout.prometheus_port}/-/ready",
            port=layout.prometheus_port,
            marker=str(config),
        ),
    ]


def rate_limited_log(layout: Layout) -> Path:
    """NGINX's one line per 429, which mtail counts (nginx/templates/dts.conf.template)."""
    return layout.log_dir / "nginx-rate-limited.log"


def tool_path(name: str) -> str:
    return shutil.which(name) or f"/usr/bin/{name}"


def scrape_targets(layout: Layout) -> dict[str, list[str]]:
    """Prometheus's jobs and their addresses: every replica of every process that has metrics."""
    targets = {
        name: [f"127.0.0.1:{replica_port(layout, name, k)}" for k in range(layout.count(name))]
        for name in SERVICES
    }
    targets["quote_server"] = [f"127.0.0.1:{layout.port(4)}"]
    targets["watcher"] = [
        f"127.0.0.1:{watcher_metrics_port(layout, k)}" for k in range(layout.count("watcher"))
    ]
    targets["redis"] = [f"127.0.0.1:{layout.port(REDIS_EXPORTER_OFFSET)}"]
    targets["nginx"] = [f"127.0.0.1:{layout.port(NGINX_EXPORTER_OFFSET)}"]
    targets["mtail"] = [f"127.0.0.1:{layout.port(MTAIL_OFFSET)}"]
    targets["prometheus"] = [f"127.0.0.1:{layout.prometheus_port}"]
    return targets


def prometheus_config(layout: Layout) -> Path:
    """prometheus.yml in the data directory (JSON, which is YAML), rules from the checkout."""
    directory = layout.data / "prometheus"
    directory.mkdir(parents=True, exist_ok=True)
    interval = f"{layout.scrape_interval_s:g}s"
    config = {
        "global": {"scrape_interval": interval, "evaluation_interval": interval},
        "rule_files": [str(path) for path in RULE_FILES],
        "scrape_configs": [
            {"job_name": job, "static_configs": [{"targets": addresses}]}
            for job, addresses in scrape_targets(layout).items()
        ],
    }
    path = directory / "prometheus.yml"
    path.write_text(json.dumps(config, indent=2) + "\n")
    return path


def gunicorn(layout: Layout, name: str, port: int, app: str, health: str) -> Proc:
    proc = Proc(
        name,
        [
            str(BIN / "gunicorn"),
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            app,
        ],
        health_url=f"http://127.0.0.1:{port}{health}",
        port=port,
        env={"DTS_BIND": f"127.0.0.1:{port}"},
    )
    if layout.metrics:
        # Its own directory for the workers' metric files (gunicorn.conf.py empties it at start).
        proc.env["PROMETHEUS_MULTIPROC_DIR"] = str(layout.data / "metrics" / name)
    return proc


def pid_file(layout: Layout, name: str) -> Path:
    return layout.run_dir / f"{name}.pid"


def running_pid(layout: Layout, name: str) -> int | None:
    """The pid `up` recorded for `name`, if that process still runs and is still the one we started
    (its command line still shows the marker recorded with it, so a recycled pid is never hit)."""
    try:
        pid_text, _, marker = pid_file(layout, name).read_text().partition(" ")
        pid = int(pid_text)
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except (OSError, ValueError):
        return None
    return pid if marker.strip().encode() in cmdline else None


def marker(proc: Proc) -> str:
    return proc.marker or (str(proc.port) if proc.port else proc.name)


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def answers(proc: Proc) -> bool:
    if proc.health_url:
        try:
            with urllib.request.urlopen(proc.health_url, timeout=2) as resp:
                return resp.status == 200
        except OSError:
            return False
    if proc.port:
        return not port_free(proc.port)
    return True


PORT_VARIABLES = {"nginx": "DTS_HTTP_PORT", "prometheus": "DTS_PROMETHEUS_PORT"}


def start(layout: Layout, proc: Proc) -> subprocess.Popen[bytes] | None:
    if running_pid(layout, proc.name):
        say(f"  {proc.name}: already running")
        return None
    if proc.port and not port_free(proc.port):
        raise SystemExit(
            f"port {proc.port} for {proc.name} is taken by another program; stop it or set "
            f"{PORT_VARIABLES.get(proc.name, 'DTS_PORT_BASE')}"
        )
    log = open(layout.log_dir / f"{proc.name}.log", "ab")  # noqa: SIM115 - handed to the child
    env = {**os.environ, **proc.env, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    if "PROMETHEUS_MULTIPROC_DIR" not in proc.env:  # only gunicorn's workers share their metrics
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    child = subprocess.Popen(
        proc.argv,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    pid_file(layout, proc.name).write_text(f"{child.pid} {marker(proc)}")
    say(f"  {proc.name}: started (pid {child.pid})")
    return child


def wait_healthy(
    layout: Layout, procs: list[Proc], children: dict[str, subprocess.Popen[bytes]]
) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    for proc in procs:
        while not answers(proc):
            check_stop()
            child = children.get(proc.name)
            if child is not None and child.poll() is not None:
                raise RuntimeError(
                    f"{proc.name} exited; see {layout.log_dir / (proc.name + '.log')}"
                )
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{proc.name} did not become healthy in {HEALTH_TIMEOUT_S:.0f} s"
                )
            time.sleep(0.2)


def check_system_tools(layout: Layout) -> None:
    missing = [
        tool
        for tool in ("nginx", "redis-server", *(METRICS_TOOLS if layout.metrics else ()))
        if not shutil.which(tool)
        and not Path(f"/usr/sbin/{tool}").exists()
        and not Path(f"/usr/bin/{tool}").exists()
    ]
    if missing:
        raise SystemExit(
            f"missing {', '.join(missing)}: run `make deps` (installs them with apt)"
            + (", or set DTS_METRICS=off" if set(missing) <= set(METRICS_TOOLS) else "")
        )


def up(layout: Layout, children: dict[str, subprocess.Popen[bytes]] | None = None) -> None:
    """Starts what is not running yet and waits until all of it answers; `children` receives the
    processes it started. A stop signal to `run` meanwhile raises Interrupted (`run` stops all)."""
    check_system_tools(layout)
    for sub in (layout.run_dir, layout.log_dir, layout.data / "dumplog"):
        sub.mkdir(parents=True, exist_ok=True)
    procs = processes(layout)
    say(f"starting DTS (data in {layout.data})")
    if children is None:
        children = {}
    try:
        for proc in procs:
            check_stop()
            child = start(layout, proc)
            if child is not None:
                children[proc.name] = child
            if proc.name in {"database", "redis"}:
                wait_healthy(layout, [proc], children)
        wait_healthy(layout, procs, children)
    except (RuntimeError, SystemExit) as exc:
        say(f"start-up failed: {exc}", err=True)
        for proc in procs:
            tail = layout.log_dir / f"{proc.name}.log"
            child = children.get(proc.name)
            if tail.exists() and child is not None and child.poll() is not None:
                say(f"--- last lines of {tail}", err=True)
                say("\n".join(tail.read_text(errors="replace").splitlines()[-15:]), err=True)
        down(layout)
        raise SystemExit(1) from None
    port = "" if layout.http_port == 80 else f":{layout.http_port}"
    say(f"DTS is up: http://localhost{port}/")


def alive(pid: int) -> bool:
    """True while `pid` runs; a zombie waiting for its (possibly slow) reaper counts as gone."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] not in {"Z", "X"}


def stop_pid(pid: int, timeout_s: float = STOP_GRACE_S) -> None:
    """SIGTERM to the process group (a gunicorn master stops its workers), SIGKILL if it lingers."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


STOP_ORDER = [
    "prometheus",
    "mtail",
    "nginx_exporter",
    "redis_exporter",
    "nginx",
    "watcher",
    "user_utils",
    "sell",
    "buy",
    "quote_server",
    "redis",
    "database",
]


def down(layout: Layout) -> None:
    """Stops everything `up` recorded, replicas included, front door first and the stores last."""
    recorded = {p.stem for p in layout.run_dir.glob("*.pid")} if layout.run_dir.exists() else set()
    names = sorted(
        recorded | set(STOP_ORDER),
        key=lambda n: (
            STOP_ORDER.index(n.rsplit("-", 1)[0])
            if n.rsplit("-", 1)[0] in STOP_ORDER
            else len(STOP_ORDER),
            n,
        ),
    )
    for name in names:
        pid = running_pid(layout, name)
        if pid is not None:
            stop_pid(pid)
            say(f"  {name}: stopped")
        pid_file(layout, name).unlink(missing_ok=True)


def status(layout: Layout) -> int:
    healthy = True
    for proc in processes(layout):
        pid = running_pid(layout, proc.name)
        ok = pid is not None and answers(proc)
        healthy &= ok
        state = "healthy" if ok else ("running, not answering" if pid else "stopped")
        say(f"  {proc.name:13} {state}")
    return 0 if healthy else 1


def run(layout: Layout) -> None:
    """`up`, then wait in the foreground until Ctrl-C (SIGINT), SIGTERM or SIGHUP (the terminal
    closed), and stop everything. The signals only set STOP: the shutdown itself runs in the main
    line, from a `finally`, so neither a second signal nor a failed write can cut it short. The
    children lead sessions of their own, so Ctrl-C reaches only this process, which stops them in
    order (stop_pid: SIGTERM to each process group, SIGKILL after STOP_GRACE_S)."""

    def on_signal(signum: int, _frame: object) -> None:
        STOP.signum = STOP.signum or signum

    for signum in STOP_SIGNALS:
        signal.signal(signum, on_signal)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)  # a closed pipe is an error to drop, not death
    children: dict[str, subprocess.Popen[bytes]] = {}
    started = False
    try:
        up(layout, children)
        started = True
        say("press Ctrl-C to stop")
        while not STOP.signum:
            time.sleep(0.2)
    except Interrupted:
        pass
    finally:
        if started or STOP.signum:
            why = f" ({signal.Signals(STOP.signum).name})" if STOP.signum else ""
            say(f"\nstopping DTS{why}")
        down(layout)
        # What this process started itself but no pid file led `down` to (a file removed, or a
        # process that no longer shows its marker): it is still our unreaped child, so its pid
        # is still its own.
        for name, child in children.items():
            if child.poll() is None:
                stop_pid(child.pid)
                say(f"  {name}: stopped")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["up", "down", "run", "status"])
    args = parser.parse_args()
    layout = Layout.from_env()
    if args.action == "up":
        up(layout)
    elif args.action == "down":
        down(layout)
    elif args.action == "run":
        run(layout)
    else:
        raise SystemExit(status(layout))


if __name__ == "__main__":
    main()
