#!/usr/bin/env bash
# Sets up what is missing, then runs the demo: the sandbox on 127.0.0.1:8787 and `trunk serve`
# on http://127.0.0.1:8080. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

cargo build -p customer-form-sandbox
target/debug/sandbox --port "${SANDBOX_PORT:-8787}" &
sandbox_pid=$!
trap 'kill $sandbox_pid 2>/dev/null || true' EXIT INT TERM

echo "demo: open http://127.0.0.1:8080 once trunk has built the widget"
trunk serve
