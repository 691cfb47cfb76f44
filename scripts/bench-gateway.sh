#!/usr/bin/env bash
# Prints the gateway's overhead: req/s and p50/p99 latency calling the sandbox directly versus
# through the gateway, same run, loopback, release builds. A report, not a test.
# BENCH_SECS (default 5) and BENCH_CONCURRENCY (default 16) tune it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
cargo build --release -p customer-form-sandbox -p customer-form-gateway
cargo bench -p customer-form-gateway --bench forwarding
