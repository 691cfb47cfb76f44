#!/usr/bin/env bash
# Userspace instructions per request, the steady figure behind scripts/bench-gateway.sh (req/s
# and CPU time move with whatever else runs on the machine; instructions do not): one Prolifi
# read with a scoped HS256 token through the gateway (embedded store, and PostgreSQL unless
# BENCH_POSTGRES=0), and the same read through nginx proxy_pass (one worker), each under
# valgrind's callgrind. Counters are zeroed after a warm-up, a `wrk -t1 -c4` run is made
# (CALLGRIND_SECS, default 20), and the total is divided by the requests wrk made.
# GATEWAY_BIN measures another build (an older gateway, say); CALLGRIND_KEEP=<dir> keeps the
# callgrind output files there (for callgrind_annotate). Installs valgrind, wrk,
# nginx-light and PostgreSQL when missing. A report, not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/lib/postgres.sh
source scripts/lib/gateway-bench.sh

SECS=${CALLGRIND_SECS:-20}
WITH_POSTGRES=${BENCH_POSTGRES:-1}
bench_install valgrind
# The build scripts/bench-gateway.sh measures (target/bench).
bench_build
GATEWAY_BIN=${GATEWAY_BIN:-target/bench/release/gateway}
SANDBOX_BIN=target/bench/release/sandbox

tmp=$(mktemp -d)
chmod 755 "$tmp"
cleanup() {
  if [ -n "${CALLGRIND_KEEP:-}" ]; then mkdir -p "$CALLGRIND_KEEP" && cp "$tmp"/*.cg.* "$CALLGRIND_KEEP"/ 2>/dev/null || true; fi
  kill $(cat "$tmp/pids" 2>/dev/null) 2>/dev/null || true
  pg_stop
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# Instructions per request of the process under callgrind whose output goes to $2.
per_request() {
  local url=$1 out=$2 auth=$3
  for _ in 1 2 3 4 5; do curl -s -o /dev/null -H "Authorization: Bearer $auth" "$url"; done
  callgrind_control -z >/dev/null 2>&1
  wrk -t1 -c4 -d"${SECS}s" -H "Authorization: Bearer $auth" "$url" >"$tmp/wrk.out"
  callgrind_control -d >/dev/null 2>&1
  local requests total
  requests=$(awk '/ requests in / { print $1 }' "$tmp/wrk.out")
  grep -q Non-2xx "$tmp/wrk.out" && { echo "callgrind: non-2xx answers from $url" >&2; exit 1; }
  for _ in $(seq 50); do ls "$out".*.1 >/dev/null 2>&1 && break; sleep 0.1; done
  total=$(awk '/^summary:/ { print $2 }' "$out".*.1)
  echo "$((total / requests)) $requests"
}

sandbox=$(bench_start sandbox "$SANDBOX_BIN" --port 0)
bench_sandbox_settings
bench_gateway_config >"$tmp/embedded.toml"
token=$("$GATEWAY_BIN" mint --config "$tmp/embedded.toml" --sub bench --provider prolifi \
  --ops read --customer cus_1001 --ttl 900)

printf '%-22s %14s %9s\n' way "instr/request" requests
gateway=$(bench_start gateway-embedded valgrind --tool=callgrind --callgrind-out-file="$tmp/embedded.cg.%p" \
  "$GATEWAY_BIN" serve --config "$tmp/embedded.toml")
read -r instructions requests <<<"$(per_request "$gateway/prolifi/customers/cus_1001" "$tmp/embedded.cg" "$token")"
printf '%-22s %14s %9s\n' "gateway (embedded)" "$instructions" "$requests"
kill "$(tail -n 1 "$tmp/pids")"   # so the next way's zero and dump reach only its own process

if [ "$WITH_POSTGRES" != 0 ]; then
  pg_start "$tmp/postgres"
  export BENCH_STORE_URL=$PG_URL
  bench_gateway_config postgres >"$tmp/postgres.toml"
  gateway=$(bench_start gateway-postgres valgrind --tool=callgrind --callgrind-out-file="$tmp/postgres.cg.%p" \
    "$GATEWAY_BIN" serve --config "$tmp/postgres.toml")
  read -r instructions requests <<<"$(per_request "$gateway/prolifi/customers/cus_1001" "$tmp/postgres.cg" "$token")"
  printf '%-22s %14s %9s\n' "gateway (PostgreSQL)" "$instructions" "$requests"
  kill "$(tail -n 1 "$tmp/pids")"
fi

mkdir -p "$tmp/nginx"
chmod 777 "$tmp/nginx"
nginx_port=$(free_port)
bench_nginx_config "$nginx_port" single >"$tmp/nginx/nginx.conf"
valgrind --tool=callgrind --callgrind-out-file="$tmp/nginx.cg.%p" \
  /usr/sbin/nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" >"$tmp/nginx.out" 2>&1 &
echo $! >>"$tmp/pids"
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$nginx_port/_health" && break; sleep 0.2; done
read -r instructions requests <<<"$(per_request "http://127.0.0.1:$nginx_port/prolifi/api/v1/public/customers/cus_1001" "$tmp/nginx.cg" "$BENCH_PROLIFI_KEY")"
printf '%-22s %14s %9s\n' "nginx proxy_pass" "$instructions" "$requests"
