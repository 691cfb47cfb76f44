#!/usr/bin/env bash
# Userspace instructions per request, the steady figure behind scripts/bench-gateway.sh (req/s
# and CPU time move with whatever else runs on the machine; instructions do not): one Prolifi
# read with a scoped HS256 token through the gateway (embedded store, and PostgreSQL unless
# BENCH_POSTGRES=0), and the same read through nginx proxy_pass (one worker), each under
# valgrind's callgrind. Counters are zeroed after a warm-up, a `wrk -t1 -c4` run is made
# (CALLGRIND_SECS, default 20), and the total is divided by the requests wrk made.
# GATEWAY_BIN measures another build (an older gateway, say). Installs valgrind, wrk,
# nginx-light and PostgreSQL when missing. A report, not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/lib/postgres.sh

SECS=${CALLGRIND_SECS:-20}
WITH_POSTGRES=${BENCH_POSTGRES:-1}
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
command -v valgrind >/dev/null 2>&1 || missing+=(valgrind)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)
[ "$WITH_POSTGRES" = 0 ] || pg_bin >/dev/null || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  echo "callgrind: installing ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The bench profile of scripts/bench-gateway.sh, with line tables so callgrind names functions.
CARGO_PROFILE_RELEASE_OPT_LEVEL=3 CARGO_PROFILE_RELEASE_LTO=thin \
CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_PANIC=unwind \
CARGO_PROFILE_RELEASE_DEBUG=line-tables-only \
  cargo build --release --target-dir target/bench -p customer-form-sandbox -p customer-form-gateway
GATEWAY_BIN=${GATEWAY_BIN:-target/bench/release/gateway}
SANDBOX_BIN=target/bench/release/sandbox

tmp=$(mktemp -d)
chmod 755 "$tmp"
cleanup() {
  kill $(cat "$tmp/pids" 2>/dev/null) 2>/dev/null || true
  pg_stop
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# Starts a binary that prints `… listening on http://…` and echoes that URL.
start() {
  local name=$1; shift
  "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
  echo $! >>"$tmp/pids"
  for _ in $(seq 600); do
    if grep -q 'listening on' "$tmp/$name.out" 2>/dev/null; then
      sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$tmp/$name.out" | head -n 1
      return
    fi
    sleep 0.1
  done
  echo "callgrind: $name did not start:" >&2; cat "$tmp/$name.err" >&2; exit 1
}

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

sandbox=$(start sandbox "$SANDBOX_BIN" --port 0)
curl -sf -o /dev/null -X POST "$sandbox/_config" -H 'content-type: application/json' \
  -d '{"prolifi":{"rate_limit_per_minute":1000000000},"keep_alive":true}'
export BENCH_TOKEN_KEY=bench-token-key-0123456789abcdef0123456789 BENCH_PROLIFI_KEY=sk_test_bench_upstream
gateway_config() {
  cat <<TOML
listen = "127.0.0.1:0"
[tokens]
hs256_key = { env = "BENCH_TOKEN_KEY" }
[limits]
per_token_per_minute = 1000000000
per_ip_per_minute = 1000000000
per_sub_per_minute = 1000000000
[providers.prolifi]
base = "$sandbox/prolifi/api/v1/public"
secret_key = { env = "BENCH_PROLIFI_KEY" }
TOML
  if [ -n "${1:-}" ]; then printf '[store]\nurl = { env = "BENCH_STORE_URL" }\n'; fi
}
gateway_config >"$tmp/embedded.toml"
token=$("$GATEWAY_BIN" mint --config "$tmp/embedded.toml" --sub bench --provider prolifi \
  --ops read --customer cus_1001 --ttl 900)

printf '%-22s %14s %9s\n' way "instr/request" requests
gateway=$(start gateway-embedded valgrind --tool=callgrind --callgrind-out-file="$tmp/embedded.cg.%p" \
  "$GATEWAY_BIN" serve --config "$tmp/embedded.toml")
read -r instructions requests <<<"$(per_request "$gateway/prolifi/customers/cus_1001" "$tmp/embedded.cg" "$token")"
printf '%-22s %14s %9s\n' "gateway (embedded)" "$instructions" "$requests"
kill "$(tail -n 1 "$tmp/pids")"   # so the next way's zero and dump reach only its own process

if [ "$WITH_POSTGRES" != 0 ]; then
  pg_start "$tmp/postgres"
  export BENCH_STORE_URL=$PG_URL
  gateway_config postgres >"$tmp/postgres.toml"
  gateway=$(start gateway-postgres valgrind --tool=callgrind --callgrind-out-file="$tmp/postgres.cg.%p" \
    "$GATEWAY_BIN" serve --config "$tmp/postgres.toml")
  read -r instructions requests <<<"$(per_request "$gateway/prolifi/customers/cus_1001" "$tmp/postgres.cg" "$token")"
  printf '%-22s %14s %9s\n' "gateway (PostgreSQL)" "$instructions" "$requests"
  kill "$(tail -n 1 "$tmp/pids")"
fi

mkdir -p "$tmp/nginx"
chmod 777 "$tmp/nginx"
nginx_port=$(free_port)
cat >"$tmp/nginx/nginx.conf" <<NGINX
master_process off;
daemon off;
worker_processes 1;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
$( [ "$(id -u)" = 0 ] && echo 'user nobody nogroup;' )
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  upstream sandbox { server 127.0.0.1:${sandbox##*:}; keepalive 64; }
  server {
    listen 127.0.0.1:$nginx_port;
    location / {
      proxy_pass http://sandbox;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
NGINX
valgrind --tool=callgrind --callgrind-out-file="$tmp/nginx.cg.%p" \
  /usr/sbin/nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" >"$tmp/nginx.out" 2>&1 &
echo $! >>"$tmp/pids"
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$nginx_port/_health" && break; sleep 0.2; done
read -r instructions requests <<<"$(per_request "http://127.0.0.1:$nginx_port/prolifi/api/v1/public/customers/cus_1001" "$tmp/nginx.cg" "$BENCH_PROLIFI_KEY")"
printf '%-22s %14s %9s\n' "nginx proxy_pass" "$instructions" "$requests"
