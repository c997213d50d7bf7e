#!/usr/bin/env bash
# Installs the Debian packages the native stack needs (nginx, redis-server, and for its metrics
# Prometheus with its Redis and NGINX exporters, and mtail for NGINX's 429s; make test uses
# Prometheus's promtool), only if missing.
# Needs root (or sudo) the first time; afterwards it only checks.
set -euo pipefail

need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || need+=(redis-server)
for tool in prometheus prometheus-redis-exporter prometheus-nginx-exporter mtail; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/bin/$tool" ] || need+=("$tool")
done
python3 -c "import venv, ensurepip" >/dev/null 2>&1 || need+=(python3-venv)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install as root: apt-get install ${need[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "installing ${need[*]} from Debian packages"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# The packages start system-wide services on install; DTS runs its own, so stop those again.
for svc in nginx redis-server prometheus prometheus-redis-exporter prometheus-nginx-exporter mtail; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    $sudo systemctl stop "$svc" || true
  fi
  $sudo service "$svc" stop >/dev/null 2>&1 || true
done
