#!/usr/bin/env bash
# Debian's Chromium, for the tests that look at a page: the operator's live page
# (tests/integration/test_metrics.py) and the web UI's (frontend/scripts/test-all.sh). Nothing to do
# when it is there.
set -euo pipefail
CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
[[ -x "$CHROMIUM_PATH" ]] && exit 0
if [[ $(id -u) -ne 0 ]]; then
    echo "Chromium is missing at $CHROMIUM_PATH: install it (sudo apt-get install chromium)" >&2
    exit 1
fi
echo "installing Chromium (apt)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
