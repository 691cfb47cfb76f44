# Sourced by scripts that need a throwaway PostgreSQL (the gateway bench): a fresh data
# directory, its own loopback port and socket directory, run as the unprivileged `postgres`
# user when the script runs as root (PostgreSQL refuses root). The caller stops it with
# `pg_stop`, typically from an EXIT trap.
#
#   pg_start <dir>   # sets PG_URL (postgres://postgres@127.0.0.1:<port>/postgres?sslmode=disable)
#   pg_stop

pg_bin() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$bin" ] && [ -x "$bin/postgres" ] && echo "$bin"
}

pg_as() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A free loopback port: one nothing answers on.
free_port() {
  local port
  while :; do
    port=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
}

pg_start() {
  PG_BIN=$(pg_bin) || { echo "PostgreSQL is not installed (scripts/setup.sh installs it)" >&2; return 1; }
  PG_DIR="$1"
  mkdir -p "$PG_DIR/data" "$PG_DIR/sockets"
  if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$PG_DIR"; fi
  pg_as env LC_ALL=C "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust --no-sync \
    -E UTF8 --locale=C >"$PG_DIR/initdb.log" 2>&1
  local port
  port=$(free_port)
  pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w \
    -o "-p $port -k $PG_DIR/sockets -c listen_addresses=127.0.0.1" start >/dev/null
  PG_URL="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
}

pg_stop() {
  if [ -n "${PG_DIR:-}" ] && [ -f "$PG_DIR/data/postmaster.pid" ]; then
    pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
}
