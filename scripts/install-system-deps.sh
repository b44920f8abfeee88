#!/usr/bin/env bash
# Installs the Debian packages named on the command line that are not present yet.
# Tests and benchmarks talk to real servers (PostgreSQL, Prometheus, Alertmanager,
# PgBouncer, Chromium, nginx, wrk); this is how a fresh machine gets them.
set -euo pipefail

declare -A probe=(
  [postgresql]="ls /usr/lib/postgresql/*/bin/initdb"
  [prometheus]="command -v prometheus"
  [prometheus-alertmanager]="command -v prometheus-alertmanager || command -v alertmanager"
  [chromium]="test -x /usr/bin/chromium"
  [wrk]="command -v wrk"
  [nginx]="command -v nginx"
  [pgbouncer]="test -x /usr/sbin/pgbouncer || command -v pgbouncer"
)

missing=()
for pkg in "$@"; do
  check=${probe[$pkg]:-"dpkg -s $pkg"}
  if ! bash -c "$check" >/dev/null 2>&1; then missing+=("$pkg"); fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
