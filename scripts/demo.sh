#!/usr/bin/env bash
# make demo: warroom, the demo service, a real Prometheus (warroom's shipped alert
# rules, 1 s scrape and evaluation) and a real Alertmanager pointed at warroom, a
# demo on-call set-up, and what to try. Ctrl-C stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
scripts/install-system-deps.sh prometheus prometheus-alertmanager

DEMO_DIR=${DEMO_DIR:-var/demo}
WARROOM_PORT=${WARROOM_PORT:-8080}
DEMO_PORT=${DEMO_PORT:-9105}
PROM_PORT=${PROM_PORT:-9190}
AM_PORT=${AM_PORT:-9193}
PROMETHEUS=$(command -v prometheus || echo /usr/bin/prometheus)
ALERTMANAGER=$(command -v prometheus-alertmanager || command -v alertmanager || echo /usr/bin/prometheus-alertmanager)
mkdir -p "$DEMO_DIR"

export WARROOM_DATABASE_URL="sqlite:///$DEMO_DIR/warroom.db"
export WARROOM_DATA_DIR="$DEMO_DIR/var"
export WARROOM_PLAYBOOK_PROMETHEUS_URL="http://127.0.0.1:$PROM_PORT"
export WARROOM_DRILLS_DEMO_URL="http://127.0.0.1:$DEMO_PORT"
export WARROOM_OUTBOUND_ALLOW="127.0.0.0/8,::1"
export WARROOM_PUBLIC_URL="http://127.0.0.1:$WARROOM_PORT"
export WARROOM_PLAYBOOK_RECHECK_SECONDS=${WARROOM_PLAYBOOK_RECHECK_SECONDS:-5}

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "stopping the demo..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  exit 0
}
trap stop INT TERM EXIT

"$BIN/warroom" migrate >/dev/null
# The demo on-call set-up: carol facilitates, alice is on call, bob is the team lead.
webhook=$("$BIN/python" demo/setup.py)

"$BIN/python" demo/service.py --port "$DEMO_PORT" & pids+=($!)

cat > "$DEMO_DIR/prometheus.yml" <<YAML
global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: ["$PWD/rules/prometheus/websocket.yml"]
alerting: {alertmanagers: [{static_configs: [{targets: ["127.0.0.1:$AM_PORT"]}]}]}
scrape_configs:
  - job_name: websocket-service
    static_configs: [{targets: ["127.0.0.1:$DEMO_PORT"]}]
YAML
cat > "$DEMO_DIR/alertmanager.yml" <<YAML
route: {receiver: warroom, group_wait: 1s, group_interval: 5s, repeat_interval: 1h}
receivers:
  - name: warroom
    webhook_configs: [{url: "$webhook", send_resolved: true}]
YAML
"$PROMETHEUS" --config.file="$DEMO_DIR/prometheus.yml" --storage.tsdb.path="$DEMO_DIR/prometheus" \
  --web.listen-address="127.0.0.1:$PROM_PORT" --log.level=warn & pids+=($!)
"$ALERTMANAGER" --config.file="$DEMO_DIR/alertmanager.yml" --storage.path="$DEMO_DIR/alertmanager" \
  --web.listen-address="127.0.0.1:$AM_PORT" --cluster.listen-address= --log.level=warn & pids+=($!)
"$BIN/warroom" serve --port "$WARROOM_PORT" & pids+=($!)

sleep 2
cat <<TEXT

warroom demo is running:
  warroom          http://127.0.0.1:$WARROOM_PORT   (admin token in $WARROOM_DATA_DIR)
  demo service     http://127.0.0.1:$DEMO_PORT/metrics   faults: /faults
  Prometheus       http://127.0.0.1:$PROM_PORT   (warroom's rules/prometheus, 1 s intervals)
  Alertmanager     http://127.0.0.1:$AM_PORT   -> warroom's Alertmanager receiver

Try, in another terminal, after:
  export WARROOM_DATABASE_URL=$WARROOM_DATABASE_URL WARROOM_DATA_DIR=$WARROOM_DATA_DIR \\
         WARROOM_DRILLS_DEMO_URL=$WARROOM_DRILLS_DEMO_URL WARROOM_OUTBOUND_ALLOW=127.0.0.0/8
  .venv/bin/warroom drill scenarios list
  .venv/bin/warroom drill start websocket-outage --live --facilitator carol --participants alice
      the demo service goes down; after the rule's 30 s Prometheus fires WebSocketServiceDown,
      Alertmanager sends it to warroom and a [DRILL] incident opens with the seed playbook
  .venv/bin/warroom drill score DR-1
  .venv/bin/warroom drill end DR-1          (clears the fault; the gates pass again)
  curl -X POST 127.0.0.1:$DEMO_PORT/faults/latency -d '{"on": true}'   (break it by hand)

Ctrl-C stops everything.
TEXT
wait
