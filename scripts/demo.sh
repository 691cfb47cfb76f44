#!/usr/bin/env bash
# Sets up what is missing, then runs the demo: the sandbox (127.0.0.1:8787), the gateway in
# front of it (127.0.0.1:8788) and `trunk serve` on http://127.0.0.1:8080. Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

cargo build -p customer-form-sandbox -p customer-form-gateway
# Demo-only secrets: a fresh token key per run, and the sandbox's fake Prolifi key.
export GATEWAY_TOKEN_KEY="${GATEWAY_TOKEN_KEY:-$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')}"
export PROLIFI_SECRET_KEY="${PROLIFI_SECRET_KEY:-sk_test_gateway_demo}"

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT INT TERM
target/debug/sandbox --port 8787 & pids+=($!)
target/debug/gateway serve --config gateway/demo.toml & pids+=($!)

echo "demo: open http://127.0.0.1:8080 once trunk has built the widget"
trunk serve
