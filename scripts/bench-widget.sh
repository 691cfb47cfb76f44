#!/usr/bin/env bash
# Prints how the packed widget compares with a plain-JS form doing the same (same fields, same
# GET and update request, a fake API on another origin with CORS preflights), in one headless
# Chromium run with cold, interleaved loads: median ready time (navigation → the prefilled email
# is in its input) and median per-key cost (keydown → its `input` event at `window`), with the
# ratios, for the Prolifi and the Count update forms. A report, not a test.
#   BENCH_LOADS (default 15) cold loads of each page per form; BENCH_KEYS (default 20) keys a load.
#   SKIP_BUILD=1 measures the last `scripts/pack.sh` output; BENCH_PACKAGE=dir measures another.
#   BENCH_API_DELAY_MS=N holds each API reply (preflights too) N ms, as a network round trip would.
#   BENCH_PRELOAD=0 leaves out the wasm pages' preload hints (README, Embedding: "Loading it
#   sooner"), which they carry as an embedder is told to write them; BENCH_PRELOAD=widget gives
#   them to the measured widget's page only: with BENCH_AGAINST=<the same package>, what they change.
#   BENCH_AGAINST=dir puts another package (an older build) in the plain-JS form's place: a
#   before/after of two builds, interleaved in one run.
#   BENCH_PROFILE=1 prints where each load's main thread spends its time until ready, and
#   BENCH_PROFILE=keys where it spends it while the keys are typed (µs a key), by function.
#   Also loaded in every round, unless BENCH_FLOOR=0 or BENCH_AGAINST is set: the floor apps
#   (bench/floor/README.md), one input each, Yew and framework-free, making the same GET: what any
#   widget on this stack pays. SKIP_BUILD=1 builds them only if they are missing.
#   And, unless BENCH_COMPARE=0 or BENCH_AGAINST is set, the framework apps (bench/compare/README.md):
#   the same form in React 19 + react-hook-form + zod and in Preact, typed into the same way
#   (scripts/compare.sh installs their packages and bundles them; SKIP_BUILD=1: only if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
[ "${SKIP_BUILD:-0}" = 1 ] || scripts/pack.sh >/dev/null
floor=()
# Not beside BENCH_AGAINST: the floor is read against the plain-JS form.
if [ "${BENCH_FLOOR:-1}" = 1 ] && [ -z "${BENCH_AGAINST:-}" ]; then
  [ "${SKIP_BUILD:-0}" = 1 ] && scripts/floor.sh --built || scripts/floor.sh
  floor=(--floor "$CF_TARGET_DIR/floor")
fi
compare=()
if [ "${BENCH_COMPARE:-1}" = 1 ] && [ -z "${BENCH_AGAINST:-}" ]; then
  [ "${SKIP_BUILD:-0}" = 1 ] && scripts/compare.sh --built || scripts/compare.sh
  compare=(--compare "$CF_TARGET_DIR/compare")
fi
node scripts/bench-widget.mjs --loads "${BENCH_LOADS:-15}" --keys "${BENCH_KEYS:-20}" \
  --package "${BENCH_PACKAGE:-www/package}" ${BENCH_AGAINST:+--against "$BENCH_AGAINST"} "${floor[@]}" "${compare[@]}" \
  $(case "${BENCH_PRELOAD:-1}" in 1) ;; widget) echo --preload-widget-only ;; *) echo --no-preload ;; esac)
