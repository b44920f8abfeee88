#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL cluster on loopback.
#   pg-cluster.sh start DIR   prints the SQLAlchemy URL of a fresh database
#   pg-cluster.sh stop DIR
# The cluster lives entirely in DIR (data and socket), so nothing on the machine
# is touched and several clusters can run side by side.
set -euo pipefail
action=$1 dir=$2
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bindir" ] || { echo "PostgreSQL server binaries not found" >&2; exit 1; }

as_owner() {
  # PostgreSQL refuses to run as root: run it as the 'postgres' account then.
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case $action in
start)
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  as_owner "$bindir/initdb" -D "$dir/data" -U warroom --auth=trust -E UTF8 --no-sync >/dev/null
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
  as_owner "$bindir/createdb" -h 127.0.0.1 -p "$port" -U warroom warroom
  echo "$port" > "$dir/port"
  echo "postgresql+psycopg://warroom@127.0.0.1:$port/warroom"
  ;;
stop)
  [ -d "$dir/data" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
