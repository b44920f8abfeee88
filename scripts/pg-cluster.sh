#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL cluster on loopback.
#   pg-cluster.sh start DIR [durable|fast]   prints the SQLAlchemy URL of a fresh database
#   pg-cluster.sh crash DIR                  SIGKILLs the server and all its processes
#   pg-cluster.sh restart DIR                starts DIR's cluster again (after a crash:
#                                            crash recovery replays the WAL)
#   pg-cluster.sh stop DIR
# The cluster lives entirely in DIR (data and socket), so nothing on the machine
# is touched and several clusters can run side by side.
#
# durable (the default) runs as production should: fsync, synchronous_commit
# and full_page_writes on, so a commit that answered is on disk. fast turns all
# three off: quicker, but a crash can lose commits that were already answered.
set -euo pipefail
action=$1 dir=$2
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bindir" ] || { echo "PostgreSQL server binaries not found" >&2; exit 1; }

as_owner() {
  # PostgreSQL refuses to run as root: run it as the 'postgres' account then.
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

server_options() {
  local port=$1 mode=$2 sync=on
  [ "$mode" = fast ] && sync=off
  echo "-h 127.0.0.1 -p $port -k $dir -c fsync=$sync -c synchronous_commit=$sync" \
       "-c full_page_writes=$sync -c max_connections=200"
}

run_server() {
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "$(server_options "$(cat "$dir/port")" "$(cat "$dir/mode")")" start >/dev/null
}

case $action in
start)
  mode=${3:-durable}
  case $mode in durable|fast) ;; *) echo "mode must be durable or fast" >&2; exit 2 ;; esac
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  echo "$port" > "$dir/port"
  echo "$mode" > "$dir/mode"
  # initdb's own final sync is only worth its time when the cluster is durable
  sync_flag=
  [ "$mode" = fast ] && sync_flag=--no-sync
  as_owner "$bindir/initdb" -D "$dir/data" -U warroom --auth=trust -E UTF8 $sync_flag >/dev/null
  run_server
  as_owner "$bindir/createdb" -h 127.0.0.1 -p "$port" -U warroom warroom
  echo "postgresql+psycopg://warroom@127.0.0.1:$port/warroom"
  ;;
crash)
  # Every server process at once, as a crash (or the OOM killer) would leave it.
  pid=$(head -n 1 "$dir/data/postmaster.pid")
  children=$(ps -o pid= --ppid "$pid" || true)
  kill -KILL "$pid" $children 2>/dev/null || true
  for _ in $(seq 100); do
    alive=0
    for p in $pid $children; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && break
    sleep 0.1
  done
  ;;
restart)
  run_server
  ;;
stop)
  [ -d "$dir/data" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
*) echo "usage: $0 start DIR [durable|fast] | crash DIR | restart DIR | stop DIR" >&2; exit 2 ;;
esac
