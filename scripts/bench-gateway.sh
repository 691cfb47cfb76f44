#!/usr/bin/env bash
# The gateway's speed against nginx, side by side in one run: wrk (16 connections, loopback,
# release builds) reads one Prolifi customer from the same sandbox four ways, in interleaved
# rounds:
#   sandbox direct          the sandbox itself (the floor: every proxy adds to it)
#   nginx proxy_pass        Debian nginx-light, access_log off, upstream keep-alive
#   gateway (embedded)      a scoped HS256 token, the embedded store
#   gateway (PostgreSQL)    the same, on a PostgreSQL store
# and prints req/s, latency and each gateway's ratio to nginx (median of the rounds), and the
# CPU time each way's own processes spent per request (steadier than req/s on a busy machine). Installs
# nginx-light, wrk and PostgreSQL when missing. A report, not a test.
# Knobs: BENCH_SECS (per run, default 5), BENCH_ROUNDS (3), BENCH_CONNECTIONS (16),
# BENCH_THREADS (2); BENCH_POSTGRES=0 leaves PostgreSQL out; GATEWAY_BIN / SANDBOX_BIN measure
# other builds (an older gateway, say) instead of the ones built here; BASELINE_BIN adds that
# gateway binary as more ways (both stores), interleaved with the others: a before/after in one
# run, on a machine whose load changes from minute to minute.
#
# The servers are built with opt-level 3 and thin LTO, in target/bench: the workspace's release
# profile is tuned for the widget's size (opt-level "z", one codegen unit), not for a server.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/lib/postgres.sh
source scripts/lib/gateway-bench.sh

SECS=${BENCH_SECS:-5}
ROUNDS=${BENCH_ROUNDS:-3}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
THREADS=${BENCH_THREADS:-2}
WITH_POSTGRES=${BENCH_POSTGRES:-1}

bench_install
bench_build
GATEWAY_BIN=${GATEWAY_BIN:-target/bench/release/gateway}
SANDBOX_BIN=${SANDBOX_BIN:-target/bench/release/sandbox}

tmp=$(mktemp -d)
chmod 755 "$tmp"
pids=()
cleanup() {
  # `start` runs in a command substitution (a subshell): its servers' pids are in a file.
  kill "${pids[@]}" $(cat "$tmp/pids" 2>/dev/null) 2>/dev/null || true
  kill "$(cat "$tmp/nginx/nginx.pid" 2>/dev/null)" 2>/dev/null || true
  pg_stop
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

sandbox=$(bench_start sandbox "$SANDBOX_BIN" --port 0)
bench_sandbox_settings
bench_gateway_config >"$tmp/embedded.toml"
bench_gateway_config postgres >"$tmp/postgres.toml"
embedded=$(bench_start gateway-embedded "$GATEWAY_BIN" serve --config "$tmp/embedded.toml")
if [ "$WITH_POSTGRES" != 0 ]; then
  pg_start "$tmp/postgres"
  export BENCH_STORE_URL=$PG_URL
  postgres=$(bench_start gateway-postgres "$GATEWAY_BIN" serve --config "$tmp/postgres.toml")
fi
BASELINE_BIN=${BASELINE_BIN:-}
if [ -n "$BASELINE_BIN" ]; then
  base_embedded=$(bench_start baseline-embedded "$BASELINE_BIN" serve --config "$tmp/embedded.toml")
  if [ "$WITH_POSTGRES" != 0 ]; then
    base_postgres=$(bench_start baseline-postgres "$BASELINE_BIN" serve --config "$tmp/postgres.toml")
  fi
fi
token=$("$GATEWAY_BIN" mint --config "$tmp/embedded.toml" --sub bench --provider prolifi \
  --ops read --customer cus_1001 --ttl 900)

mkdir -p "$tmp/nginx"
chmod 777 "$tmp/nginx"
nginx_port=$(free_port)
bench_nginx_config "$nginx_port" >"$tmp/nginx/nginx.conf"
/usr/sbin/nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -g 'daemon off;' 2>"$tmp/nginx/stderr" &
pids+=($!)
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$nginx_port/_health" && break; sleep 0.1; done

nginx_pid=$!
names=("sandbox direct" "nginx proxy_pass" "gateway (embedded)")
# Whose CPU time each way's "CPU µs/req" counts: the proxy's own processes (nginx's master and
# workers; a gateway; for the sandbox itself, the sandbox). PostgreSQL's own processes are not
# counted.
procs=("sandbox" "nginx" "gateway-embedded")
urls=("$sandbox/prolifi/api/v1/public/customers/cus_1001"
      "http://127.0.0.1:$nginx_port/prolifi/api/v1/public/customers/cus_1001"
      "$embedded/prolifi/customers/cus_1001")
auths=("$BENCH_UPSTREAM_KEY" "$BENCH_UPSTREAM_KEY" "$token")
if [ "$WITH_POSTGRES" != 0 ]; then
  names+=("gateway (PostgreSQL)")
  procs+=("gateway-postgres")
  urls+=("$postgres/prolifi/customers/cus_1001")
  auths+=("$token")
fi
if [ -n "$BASELINE_BIN" ]; then
  names+=("baseline (embedded)")
  procs+=("baseline-embedded")
  urls+=("$base_embedded/prolifi/customers/cus_1001")
  auths+=("$token")
  if [ "$WITH_POSTGRES" != 0 ]; then
    names+=("baseline (PostgreSQL)")
    procs+=("baseline-postgres")
    urls+=("$base_postgres/prolifi/customers/cus_1001")
    auths+=("$token")
  fi
fi

# Every way must answer 200 before anything is measured.
for i in "${!urls[@]}"; do
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${auths[$i]}" "${urls[$i]}")
  [ "$status" = 200 ] || { echo "bench: ${names[$i]} answered $status" >&2; exit 1; }
done

# The CPU time (user + system, clock ticks) used so far by a way's processes: a steadier
# figure than req/s on a machine whose load changes (its share of the cores does not matter).
cpu_ticks() {
  local pid
  if [ "$1" = nginx ]; then pid="$nginx_pid $(pgrep -P "$nginx_pid" | tr '\n' ' ')"; else pid=$(cat "$tmp/$1.pid"); fi
  # shellcheck disable=SC2086
  cat $(printf '/proc/%s/stat ' $pid) 2>/dev/null | awk '{ t += $14 + $15 } END { print t + 0 }'
}
HZ=$(getconf CLK_TCK)

# wrk's figures as "req/s avg_ms p50_ms p99_ms non2xx cpu_us_per_request".
measure() {
  local before after
  before=$(cpu_ticks "$4")
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$2" --latency -H "Authorization: Bearer $3" "$1" >"$tmp/wrk.out"
  after=$(cpu_ticks "$4")
  awk -v ticks=$((after - before)) -v hz="$HZ" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /^    Latency/ { avg = ms($2) }
    /^     50%/ { p50 = ms($2) }
    /^     99%/ { p99 = ms($2) }
    /Non-2xx/ { bad = $NF }
    / requests in / { total = $1 }
    /^Requests\/sec/ { rps = $2 }
    END { printf "%s %.3f %.3f %.3f %d %.1f\n", rps, avg, p50, p99, bad, total ? ticks * 1e6 / hz / total : 0 }' "$tmp/wrk.out"
}

echo "gateway bench: wrk -t$THREADS -c$CONNECTIONS, ${SECS}s per run, $ROUNDS interleaved rounds, loopback, release builds; $(nproc) cores"
declare -A results
for i in "${!urls[@]}"; do measure "${urls[$i]}" 1s "${auths[$i]}" "${procs[$i]}" >/dev/null; done   # warm-up
for round in $(seq "$ROUNDS"); do
  for i in "${!urls[@]}"; do
    figures=$(measure "${urls[$i]}" "${SECS}s" "${auths[$i]}" "${procs[$i]}")
    results[$i]+="$figures"$'\n'
    printf '  round %d  %-22s %s\n' "$round" "${names[$i]}" "$figures"
  done
done

# The median round (by req/s) of each way, and the median CPU time per request.
median() { printf '%s' "${results[$1]}" | sort -n -k1,1 | awk '{ lines[NR] = $0 } END { print lines[int((NR + 1) / 2)] }'; }
median_cpu() { printf '%s' "${results[$1]}" | awk '{ print $6 }' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
nginx_rps=$(median 1 | awk '{print $1}')
nginx_cpu=$(median_cpu 1)
echo
printf '%-22s %9s %8s %8s %8s %7s %13s %9s %12s\n' way "req/s" "avg ms" "p50 ms" "p99 ms" non-2xx "nginx req/s ÷" "CPU µs/req" "÷ nginx CPU"
for i in "${!urls[@]}"; do
  read -r rps avg p50 p99 bad _ <<<"$(median "$i")"
  cpu=$(median_cpu "$i")
  ratio=$(awk -v n="$nginx_rps" -v r="$rps" 'BEGIN { printf "%.2f×", n / r }')
  cpu_ratio=$(awk -v n="$nginx_cpu" -v c="$cpu" 'BEGIN { printf "%.2f×", (n > 0 ? c / n : 0) }')
  printf '%-22s %9.0f %8.3f %8.3f %8.3f %7d %13s %9.1f %12s\n' "${names[$i]}" "$rps" "$avg" "$p50" "$p99" "$bad" "$ratio" "$cpu" "$cpu_ratio"
done
echo "(nginx req/s ÷: how many times slower than nginx, 1.00× = as fast; CPU µs/req: the way's own"
echo " processes' user + system time per request, PostgreSQL's not counted; ÷ nginx CPU: that"
echo " against nginx's, steadier than req/s when other work shares the cores)"
