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
# The sandbox's fake provider credentials (sandbox/README.md), held by the gateway as a real
# deployment would hold real ones: in its environment.
export PROLIFI_SECRET_KEY="${PROLIFI_SECRET_KEY:-sk_test_gateway_demo}"
export PARTNERO_API_KEY="${PARTNERO_API_KEY:-partnero_sandbox_key}"
export COUNT_CLIENT_SECRET="${COUNT_CLIENT_SECRET:-count_sandbox_secret}"
export COMMERCELAYER_CLIENT_SECRET="${COMMERCELAYER_CLIENT_SECRET:-cl_sandbox_integration_secret}"
# gateway/demo.toml keeps the Count tokens in ./target, which a CARGO_TARGET_DIR elsewhere leaves absent.
mkdir -p target
rm -f target/demo-count-tokens.sqlite

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT INT TERM
"$CF_TARGET_DIR/debug/sandbox" --port 8787 & pids+=($!)
"$CF_TARGET_DIR/debug/gateway" serve --config gateway/demo.toml & pids+=($!)

# Connect the gateway to the sandbox's Count workspace through the real OAuth flow, as an
# operator does: the one-time link `gateway count-connect-link` prints -> Count's login page
# (the sandbox approves at once) -> the gateway's callback.
for _ in $(seq 50); do curl -sf http://127.0.0.1:8788/healthz >/dev/null && break; sleep 0.2; done
link=$("$CF_TARGET_DIR/debug/gateway" count-connect-link --config gateway/demo.toml 2>/dev/null)
# The flow is finished only where it was started: curl keeps the gateway's cookie, as a browser.
jar=$(mktemp)
login=$(curl -s -c "$jar" -o /dev/null -w '%{redirect_url}' "$link")
callback=$(curl -s -o /dev/null -w '%{redirect_url}' "$login")
curl -sf -b "$jar" -o /dev/null "$callback" && echo "demo: Count workspace connected to the gateway"
rm -f "$jar"

echo "demo: open http://127.0.0.1:8080 once trunk has built the widget"
trunk serve
