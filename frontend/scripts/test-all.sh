#!/usr/bin/env bash
# Every test of the web UI, on a fresh machine (as root, with node and npm): installs Chromium with
# apt if it is missing, `npm ci`, the type check (tsc, against the types generated from
# dts/openapi.yaml), Vitest, the production build, then a DTS stack of its own (own ports, own data
# directory, fixed quotes, a 6 s pending window) and the end-to-end run in headless Chromium
# against it, with axe-core's accessibility check of every view. The stack is always stopped.
# Prints one PASS/FAIL line per test and exits non-zero on any failure.
#
#   bash frontend/scripts/test-all.sh            (from the repository root, or from anywhere)
#
# Settings: DTS_UI_E2E_HTTP_PORT and DTS_UI_E2E_PORT_BASE for the stack's ports (default: the first
# free set from 19380/19300 on, see scripts/free-ports.mjs);
# CHROMIUM_PATH (/usr/bin/chromium); DTS_PYTHON, the Python with DTS's dependencies (default
# .venv/bin/python, made by `make deps`, else python3). The end-to-end tests rewrite frontend/screenshots/.
set -euo pipefail

FRONTEND="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(cd "$FRONTEND/.." && pwd)"
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
PENDING_TTL_S=6
STARTED=$SECONDS

log() { printf '\n==> %s\n' "$*"; }
die() { printf 'test-all: FAIL: %s\n' "$*" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/dts-ui-tests.XXXXXX")"
STACK_UP=0
if [[ -n "${DTS_PYTHON:-}" ]]; then
    PYTHON="$DTS_PYTHON"
elif [[ -x "$ROOT/.venv/bin/python" ]]; then
    PYTHON="$ROOT/.venv/bin/python"
else
    PYTHON="python3"
fi

stack() {
    DTS_DATA_DIR="$WORK/stack" DTS_HTTP_PORT="$HTTP_PORT" DTS_PORT_BASE="$PORT_BASE" \
        QUOTE_MODE=fixed DTS_PENDING_TTL_S="$PENDING_TTL_S" DTS_WATCH_INTERVAL_S=1 \
        DTS_SECRET_KEY="$SECRET_KEY" DTS_OPERATOR_TOKEN="$OPERATOR_TOKEN" \
        "$PYTHON" "$ROOT/scripts/stack.py" "$@"
}

cleanup() {
    local status=$?
    if ((STACK_UP)); then
        log "stopping the test stack"
        stack down || true
    fi
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- tools --------------------------------------------------------------------------------------
command -v node >/dev/null && command -v npm >/dev/null || die "node and npm are needed"
if [[ ! -x "$CHROMIUM_PATH" ]]; then
    CHROMIUM_PATH=/usr/bin/chromium bash "$ROOT/scripts/install-browser.sh" || die "no Chromium"
    CHROMIUM_PATH=/usr/bin/chromium
fi

cd "$FRONTEND"
log "npm ci"
npm ci --no-audit --no-fund --loglevel=error

# ---- types, component tests and build ------------------------------------------------------------
log "type check (tsc --noEmit, after generating the API's types from dts/openapi.yaml)"
TYPES=passed
npm run typecheck --silent || TYPES=failed

log "Vitest (component and unit tests)"
UNIT_OK=1
npx vitest run --reporter=verbose --reporter=json --outputFile.json="$WORK/vitest.json" || UNIT_OK=0

log "vite build"
npm run build --silent || die "the production build failed"

# ---- end-to-end against a stack of its own -------------------------------------------------------
for tool in nginx redis-server; do
    command -v "$tool" >/dev/null || [[ -x "/usr/sbin/$tool" || -x "/usr/bin/$tool" ]] ||
        die "$tool is missing: run \`make deps\` first (it installs nginx, redis-server and the virtualenv)"
done
# scripts/stack.py runs gunicorn and the database server from beside the interpreter.
"$PYTHON" -c 'import pathlib, sys; sys.exit(not (pathlib.Path(sys.executable).parent / "gunicorn").exists())' ||
    die "$PYTHON has not DTS's dependencies: run \`make deps\` (it creates .venv) or set DTS_PYTHON"
if [[ -n "${DTS_UI_E2E_HTTP_PORT:-}" && -n "${DTS_UI_E2E_PORT_BASE:-}" ]]; then
    HTTP_PORT="$DTS_UI_E2E_HTTP_PORT"
    PORT_BASE="$DTS_UI_E2E_PORT_BASE"
else
    read -r HTTP_PORT PORT_BASE < <(node scripts/free-ports.mjs) || die "no free ports for the test stack"
fi
SECRET_KEY="$(node -e "console.log(require('crypto').randomBytes(24).toString('hex'))")"
OPERATOR_TOKEN="$(node -e "console.log(require('crypto').randomBytes(24).toString('hex'))")"

log "starting a DTS stack on port $HTTP_PORT (data in $WORK/stack)"
STACK_UP=1
stack up || die "the stack did not start (its logs were in $WORK/stack/logs)"

log "end-to-end and accessibility tests in headless Chromium"
E2E_OK=1
DTS_E2E_URL="http://127.0.0.1:$HTTP_PORT" DTS_PENDING_TTL_S="$PENDING_TTL_S" \
    DTS_E2E_REDIS_PORT=$((PORT_BASE + 79)) npx vitest run --config vitest.e2e.config.ts \
    --reporter=verbose --reporter=json --outputFile.json="$WORK/e2e.json" || E2E_OK=0

# ---- results ---------------------------------------------------------------------------------------
log "results ($((SECONDS - STARTED)) s)"
REPORT_OK=1
node scripts/report.mjs --typecheck "$TYPES" --unit "$WORK/vitest.json" --e2e "$WORK/e2e.json" || REPORT_OK=0
[[ $TYPES == passed ]] && ((UNIT_OK && E2E_OK && REPORT_OK)) || exit 1
