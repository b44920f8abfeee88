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
.venv/bin/python -m pytest "$@"
