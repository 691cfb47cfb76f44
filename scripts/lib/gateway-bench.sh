# What scripts/bench-gateway.sh and scripts/callgrind-gateway.sh share: the tools they install,
# the build they measure, starting servers, the gateway's config and nginx's. Sourced after
# scripts/env.sh and scripts/lib/postgres.sh; the caller sets `tmp` (a scratch directory)
# before `bench_start`, `sandbox` before `bench_gateway_config` / `bench_nginx_config`.

BENCH_UPSTREAM_KEY=sk_test_bench_upstream
export BENCH_TOKEN_KEY=bench-token-key-0123456789abcdef0123456789 BENCH_PROLIFI_KEY=$BENCH_UPSTREAM_KEY

# Installs what is missing of: wrk, nginx, PostgreSQL (unless BENCH_POSTGRES=0), and the tools
# named (each a Debian package of the same name, e.g. valgrind).
bench_install() {
  local missing=() tool
  for tool in wrk "$@"; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
  [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
  [ "${BENCH_POSTGRES:-1}" = 0 ] || pg_bin >/dev/null || missing+=(postgresql)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "bench: installing ${missing[*]}"
    local sudo=()
    [ "$(id -u)" = 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# The servers with opt-level 3 and thin LTO, in target/bench: the workspace's release profile is
# tuned for the widget's size (opt-level "z", one codegen unit), not for a server. Line tables
# let callgrind name functions; they do not change the code.
bench_build() {
  CARGO_PROFILE_RELEASE_OPT_LEVEL=3 CARGO_PROFILE_RELEASE_LTO=thin \
  CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_PANIC=unwind \
  CARGO_PROFILE_RELEASE_DEBUG=line-tables-only \
    cargo build --release --target-dir target/bench -p customer-form-sandbox -p customer-form-gateway
}

# Starts a binary that prints `… listening on http://…` and echoes that URL; its pid goes to
# `$tmp/pids` (this runs in a command substitution, a subshell) and `$tmp/<name>.pid`.
bench_start() {
  local name=$1; shift
  "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
  echo $! >>"$tmp/pids"
  echo $! >"$tmp/$name.pid"
  for _ in $(seq 600); do
    if grep -q 'listening on' "$tmp/$name.out" 2>/dev/null; then
      sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$tmp/$name.out" | head -n 1
      return
    fi
    sleep 0.1
  done
  echo "bench: $name did not start:" >&2; cat "$tmp/$name.err" >&2; exit 1
}

# Prolifi's documented limit (1000/min per key) would turn the run into 429s; keep-alive on, as
# a real API has it (the sandbox closes every connection by default, for its browser tests).
bench_sandbox_settings() {
  curl -sf -o /dev/null -X POST "$sandbox/_config" -H 'content-type: application/json' \
    -d '{"prolifi":{"rate_limit_per_minute":1000000000},"keep_alive":true}'
}

# The gateway's config for the read (`postgres` as $1: on the store at BENCH_STORE_URL), with
# limits no run reaches.
bench_gateway_config() {
  cat <<TOML
listen = "127.0.0.1:0"
[tokens]
hs256_key = { env = "BENCH_TOKEN_KEY" }
[limits]
per_token_per_minute = 1000000000
per_ip_per_minute = 1000000000
$(grep -qa per_sub_per_minute "$GATEWAY_BIN" && echo 'per_sub_per_minute = 1000000000')
[providers.prolifi]
base = "$sandbox/prolifi/api/v1/public"
secret_key = { env = "BENCH_PROLIFI_KEY" }
TOML
  if [ -n "${1:-}" ]; then printf '[store]\nurl = { env = "BENCH_STORE_URL" }\n'; fi
}

# nginx proxy_pass to the sandbox on port $1, access log off, upstream keep-alive; `single` as
# $2: one process (no master), for callgrind.
bench_nginx_config() {
  if [ "${2:-}" = single ]; then
    printf 'master_process off;\ndaemon off;\nworker_processes 1;\n'
  else
    printf 'worker_processes auto;\n'
  fi
  cat <<NGINX
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
    listen 127.0.0.1:$1;
    location / {
      proxy_pass http://sandbox;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
NGINX
}
