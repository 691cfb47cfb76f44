#!/usr/bin/env bash
# Prints what the widget ships, as the npm package has it, raw, gzip -9 and brotli -q 11: what
# an English page fetches (the wasm and one minified JS module, which holds the CSS),
# against the budget, and what each other language adds (its JSON file, fetched only by a page
# in that language), then the floor: the same for an app with one input, with Yew, with the
# widget's own virtual DOM (dom/) and with neither (bench/floor/README.md). A report, not a test. SKIP_BUILD=1 measures the last build (and builds
# the floor apps only if they are missing).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
TARGET=100000   # this step's ceiling, gzip bytes
GOAL=80000

[ "${SKIP_BUILD:-0}" = 1 ] || scripts/pack.sh >/dev/null

row() { printf '%-28s %9s %9s %9s\n' "$@"; }
sizes() { echo "$(stat -c %s "$1") $(gzip -9c "$1" | wc -c) $(brotli -q 11 -c "$1" | wc -c)"; }

row file raw gzip brotli
total_raw=0; total_gz=0; total_br=0
for f in www/package/customer_form_bg.wasm www/package/index.js; do
  read -r raw gz br < <(sizes "$f")
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz)); total_br=$((total_br + br))
  row "${f#www/package/}" "$raw" "$gz" "$br"
done
row "shipped (English page)" "$total_raw" "$total_gz" "$total_br"
printf 'target: %d bytes gzip -> %s (%+d); goal %d (%+d)\n' "$TARGET" \
  "$([ "$total_gz" -le "$TARGET" ] && echo within || echo OVER)" "$((total_gz - TARGET))" \
  "$GOAL" "$((total_gz - GOAL))"
echo "each other language, fetched on demand by a page in it:"
for f in www/package/customer-form.*.json; do
  read -r raw gz br < <(sizes "$f")
  row "  ${f#www/package/}" "+$raw" "+$gz" "+$br"
done
# What any widget on this stack ships before a field of its own (bench/floor/README.md): one
# input drawn by a Yew app, by an app on dom/, and by a wasm app without a framework, packed as
# the widget is.
[ "${SKIP_BUILD:-0}" = 1 ] && scripts/floor.sh --built || scripts/floor.sh
echo "the floor, an app with one input packed the same way (.wasm + JS):"
for app in yew dom wasm; do
  read -r wraw wgz wbr < <(sizes "$CF_TARGET_DIR/floor/$app/app_bg.wasm")
  read -r jraw jgz jbr < <(sizes "$CF_TARGET_DIR/floor/$app/app.js")
  row "  $app app" "$((wraw + jraw))" "$((wgz + jgz))" "$((wbr + jbr))"
done
