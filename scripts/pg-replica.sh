#!/usr/bin/env bash
# A durable primary and a synchronous streaming replica on loopback, for
# failover drills and tests.
#   pg-replica.sh start DIR     prints the multi-host SQLAlchemy URL of both
#   pg-replica.sh kill DIR      stops the primary at once (immediate stop: no
#                               checkpoint, connections cut, as a crash would)
#   pg-replica.sh promote DIR   promotes the replica to a writable primary
#   pg-replica.sh stop DIR      stops both and removes DIR
# DIR/primary and DIR/replica are pg-cluster.sh clusters. The replica is a
# pg_basebackup -R copy streaming under application_name=replica, and the
# primary names it in synchronous_standby_names, so a commit answered by the
# primary is on the replica too: promoting it loses nothing that was answered.
set -euo pipefail
action=$1 dir=$2
here=$(cd "$(dirname "$0")" && pwd)
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bindir" ] || { echo "PostgreSQL server binaries not found" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

sql() {  # sql PORT STATEMENT
  as_owner "$bindir/psql" -h 127.0.0.1 -p "$1" -U warroom -d warroom -XAtq -c "$2"
}

case $action in
start)
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
  "$here/pg-cluster.sh" start "$dir/primary" durable >/dev/null
  primary=$(cat "$dir/primary/port")
  mkdir -p "$dir/replica"
  [ "$(id -u)" -eq 0 ] && chown postgres "$dir/replica"
  as_owner "$bindir/pg_basebackup" -h 127.0.0.1 -p "$primary" -U warroom \
    -D "$dir/replica/data" -R -X stream --checkpoint=fast
  echo "primary_conninfo = 'host=127.0.0.1 port=$primary user=warroom application_name=replica'" |
    as_owner tee -a "$dir/replica/data/postgresql.auto.conf" >/dev/null
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' \
    > "$dir/replica/port"
  echo durable > "$dir/replica/mode"
  "$here/pg-cluster.sh" restart "$dir/replica"
  # only now the commits wait for the replica: it is there to confirm them
  sql "$primary" "ALTER SYSTEM SET synchronous_standby_names = 'replica'" >/dev/null
  sql "$primary" "SELECT pg_reload_conf()" >/dev/null
  for _ in $(seq 100); do
    [ "$(sql "$primary" "SELECT sync_state FROM pg_stat_replication
                         WHERE application_name = 'replica'")" = sync ] && break
    sleep 0.1
  done
  replica=$(cat "$dir/replica/port")
  echo "postgresql+psycopg://warroom@/warroom?host=127.0.0.1,127.0.0.1&port=$primary,$replica&target_session_attrs=read-write"
  ;;
kill)
  as_owner "$bindir/pg_ctl" -D "$dir/primary/data" -m immediate stop >/dev/null
  ;;
promote)
  as_owner "$bindir/pg_ctl" -D "$dir/replica/data" -w promote >/dev/null
  ;;
stop)
  "$here/pg-cluster.sh" stop "$dir/replica"
  "$here/pg-cluster.sh" stop "$dir/primary"
  rm -rf "$dir"
  ;;
*) echo "usage: $0 start DIR | kill DIR | promote DIR | stop DIR" >&2; exit 2 ;;
esac
