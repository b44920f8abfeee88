#!/usr/bin/env bash
# `make test`: installs what the suite needs, starts a throwaway PostgreSQL
# cluster on loopback (durably configured, as in production), runs ruff, mypy, the import
# contracts of pyproject.toml (lint-imports) and pytest (every database test runs on SQLite
# and on PostgreSQL), and stops what it started. Prometheus, Alertmanager, the
# SMTP server, PgBouncer and Chromium are started by the tests themselves on free ports,
# and so is the `warroom serve` that tests/api fuzzes with Schemathesis.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-system-deps.sh postgresql pgbouncer prometheus prometheus-alertmanager chromium \
  libpango-1.0-0 libpangoft2-1.0-0 poppler-utils curl

workdir=$(mktemp -d /tmp/warroom-test.XXXXXX)
chmod 755 "$workdir"
cleanup() { scripts/pg-cluster.sh stop "$workdir/pg"; rm -rf "$workdir"; }
trap cleanup EXIT

WARROOM_TEST_PG_URL=$(scripts/pg-cluster.sh start "$workdir/pg")
export WARROOM_TEST_PG_URL

.venv/bin/ruff check src tests bench
.venv/bin/mypy
.venv/bin/lint-imports
# The suite runs in parallel processes (pytest-xdist), one test file per process at a
# time so module fixtures are started once: most slow tests wait on a server or a
# browser, so even two cores finish in well under the time one process takes. Every
# process has its own databases (named after its pid) and its servers on free ports.
# WARROOM_TEST_PROCESSES overrides the count (1 runs serially); the default is the
# number of cores, at most 4, since each process may start Chromium and servers.
processes=${WARROOM_TEST_PROCESSES:-$(n=$(nproc); echo $((n < 4 ? n : 4)))}
if [ "$processes" -gt 1 ]; then
  .venv/bin/python -m pytest -n "$processes" --dist loadfile "$@"
else
  .venv/bin/python -m pytest "$@"
fi
