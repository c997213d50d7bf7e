"""`stack.py up` starts everything healthy and `down` leaves no process of it behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import requests

from tests.integration.harness import ROOT

HTTP_PORT = int(os.environ.get("DTS_TEST_LIFECYCLE_HTTP_PORT", "18480"))
PORT_BASE = int(os.environ.get("DTS_TEST_LIFECYCLE_PORT_BASE", "18400"))


def processes_of(data_dir: Path) -> list[str]:
    """Every live process started for this data directory: by command line or environment."""
    marker = str(data_dir).encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or proc.name == str(os.getpid()):
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
            environ = (proc / "environ").read_bytes()
        except OSError:
            continue
        if marker in cmdline or b"DTS_DATA_DIR=" + marker + b"\0" in environ:
            found.append(proc.name + ": " + cmdline.replace(b"\0", b" ").decode(errors="replace"))
    return found


def test_up_serves_through_nginx_and_down_leaves_nothing_behind(tmp_path: Path) -> None:
    data = tmp_path / "lifecycle"
    env = {
        **os.environ,
        "DTS_DATA_DIR": str(data),
        "DTS_HTTP_PORT": str(HTTP_PORT),
        "DTS_PORT_BASE": str(PORT_BASE),
        "DTS_WORKERS": "1",
        "DTS_THREADS": "2",
    }
    script = [sys.executable, str(ROOT / "scripts" / "stack.py")]
    try:
        up = subprocess.run([*script, "up"], env=env, cwd=ROOT, capture_output=True, text=True)
        assert up.returncode == 0, up.stdout + up.stderr
        assert len(processes_of(data)) >= 8  # the check below can see what it looks for
        for path in ("/buy/health", "/sell/health", "/user_utils/health"):
            assert requests.get(f"http://127.0.0.1:{HTTP_PORT}{path}", timeout=5).status_code == 200
        secrets = (data / "secrets.env").read_text()
        assert "DTS_OPERATOR_TOKEN=" in secrets
        assert oct((data / "secrets.env").stat().st_mode & 0o777) == "0o600"
        # The quote server is internal: NGINX has no route to it.
        resp = requests.get(f"http://127.0.0.1:{HTTP_PORT}/quote?sym=ABC&user=x", timeout=5)
        assert "cryptokey" not in resp.text
    finally:
        down = subprocess.run([*script, "down"], env=env, cwd=ROOT, capture_output=True, text=True)
    assert down.returncode == 0, down.stderr
    assert processes_of(data) == []
