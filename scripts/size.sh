#!/usr/bin/env bash
# Prints what the widget ships, as the npm package has it (wasm + one minified JS module; the
# CSS is inside the wasm), raw, gzip -9 and brotli -q 11, against the 80 kB gzip budget.
# A report, not a test. SKIP_BUILD=1 measures the last build.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
BUDGET=80000

[ "${SKIP_BUILD:-0}" = 1 ] || scripts/pack.sh >/dev/null

printf '%-28s %9s %9s %9s\n' file raw gzip brotli
total_raw=0; total_gz=0; total_br=0
for f in www/package/customer_form_bg.wasm www/package/index.js; do
  raw=$(stat -c %s "$f"); gz=$(gzip -9c "$f" | wc -c); br=$(brotli -q 11 -c "$f" | wc -c)
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz)); total_br=$((total_br + br))
  printf '%-28s %9d %9d %9d\n' "${f#www/package/}" "$raw" "$gz" "$br"
done
printf '%-28s %9d %9d %9d\n' total "$total_raw" "$total_gz" "$total_br"
printf 'budget: %d bytes gzip -> %s (%+d)\n' "$BUDGET" \
  "$([ "$total_gz" -le "$BUDGET" ] && echo within || echo OVER)" "$((total_gz - BUDGET))"
