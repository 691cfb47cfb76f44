#!/usr/bin/env bash
# Prints what the widget ships (wasm + JS glue + element snippet; the CSS is inside the wasm),
# raw, gzip -9 and brotli -q 11, against the 80 kB gzip budget. A report, not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
BUDGET=80000

[ "${SKIP_BUILD:-0}" = 1 ] || trunk build >/dev/null 2>&1 || trunk build

mapfile -t files < <(ls dist/*_bg.wasm; ls dist/customer-form-*.js; find dist/snippets -name '*.js' | sort)
printf '%-58s %9s %9s %9s\n' file raw gzip brotli
total_raw=0; total_gz=0; total_br=0
for f in "${files[@]}"; do
  raw=$(stat -c %s "$f"); gz=$(gzip -9c "$f" | wc -c); br=$(brotli -q 11 -c "$f" | wc -c)
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz)); total_br=$((total_br + br))
  printf '%-58s %9d %9d %9d\n' "${f#dist/}" "$raw" "$gz" "$br"
done
printf '%-58s %9d %9d %9d\n' total "$total_raw" "$total_gz" "$total_br"
printf 'budget: %d bytes gzip -> %s (%+d)\n' "$BUDGET" \
  "$([ "$total_gz" -le "$BUDGET" ] && echo within || echo OVER)" "$((total_gz - BUDGET))"
