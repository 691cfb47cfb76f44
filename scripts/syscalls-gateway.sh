#!/usr/bin/env bash
# System calls per request, the kernel side of scripts/bench-gateway.sh's CPU time (which
# callgrind does not see): `strace -c -f` attached to the gateway (embedded store) and to a
# one-process nginx proxy_pass during a `wrk -t1 -c4` run (SYSCALLS_SECS, default 5) of the same
# Prolifi read, each call's count ÷ requests. GATEWAY_BIN measures another build. Installs
# strace, wrk and nginx-light when missing. A report, not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/lib/postgres.sh
source scripts/lib/gateway-bench.sh

SECS=${SYSCALLS_SECS:-5}
export BENCH_POSTGRES=0
bench_install strace
bench_build
GATEWAY_BIN=${GATEWAY_BIN:-target/bench/release/gateway}
SANDBOX_BIN=target/bench/release/sandbox

tmp=$(mktemp -d)
chmod 755 "$tmp"
cleanup() {
  kill $(cat "$tmp/pids" 2>/dev/null) 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# Prints each system call's count per request of process $2 while wrk reads $1.
per_request() {
  local url=$1 pid=$2 auth=$3 name=$4 tracer requests
  for _ in 1 2 3 4 5; do curl -s -o /dev/null -H "Authorization: Bearer $auth" "$url"; done
  strace -c -f -p "$pid" -o "$tmp/$name.strace" 2>/dev/null &
  tracer=$!
  sleep 0.5
  wrk -t1 -c4 -d"${SECS}s" -H "Authorization: Bearer $auth" "$url" >"$tmp/$name.wrk"
  kill -INT "$tracer"
  wait "$tracer" || true
  grep -q Non-2xx "$tmp/$name.wrk" && { echo "syscalls: non-2xx answers from $url" >&2; exit 1; }
  requests=$(awk '/ requests in / { print $1 }' "$tmp/$name.wrk")
  echo "$name ($requests requests): calls per request (errors per request)"
  # strace -c rows: % time, seconds, usecs/call, calls, [errors,] syscall.
  awk -v r="$requests" '$1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" {
      errors = (NF == 6) ? $5 : 0
      printf "  %-14s %6.2f (%.4f)\n", $NF, $4 / r, errors / r
      calls += $4
    }
    END { printf "  %-14s %6.2f\n", "total", calls / r }' "$tmp/$name.strace"
}

sandbox=$(bench_start sandbox "$SANDBOX_BIN" --port 0)
bench_sandbox_settings
bench_gateway_config >"$tmp/embedded.toml"
token=$("$GATEWAY_BIN" mint --config "$tmp/embedded.toml" --sub bench --provider prolifi \
  --ops read --customer cus_1001 --ttl 900)
gateway=$(bench_start gateway "$GATEWAY_BIN" serve --config "$tmp/embedded.toml")
per_request "$gateway/prolifi/customers/cus_1001" "$(cat "$tmp/gateway.pid")" "$token" \
  "gateway (embedded)"

mkdir -p "$tmp/nginx"
chmod 777 "$tmp/nginx"
nginx_port=$(free_port)
bench_nginx_config "$nginx_port" single >"$tmp/nginx/nginx.conf"
/usr/sbin/nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" >"$tmp/nginx.out" 2>&1 &
nginx_pid=$!
echo "$nginx_pid" >>"$tmp/pids"
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$nginx_port/_health" && break; sleep 0.2; done
per_request "http://127.0.0.1:$nginx_port/prolifi/api/v1/public/customers/cus_1001" "$nginx_pid" \
  "$BENCH_PROLIFI_KEY" "nginx proxy_pass"
