#!/usr/bin/env bash
# Builds and packs the three floor apps (bench/floor/README.md) as the widget is packed: the
# release profile linked with LTO, wasm-bindgen, the same wasm-opt passes, the glue minified by
# esbuild. Output: $CF_TARGET_DIR/floor/<yew|dom|wasm>/app.js and app_bg.wasm. Used by
# bench-widget.sh and size.sh. `floor.sh --built` only checks that every file is there (exit 1
# if not), for their SKIP_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/lib/optimize-wasm.sh
source scripts/lib/release-wasm.sh

apps=(yew wasm dom)
if [ "${1:-}" = --built ]; then
  for app in "${apps[@]}"; do
    for file in app.js app_bg.wasm; do [ -f "$CF_TARGET_DIR/floor/$app/$file" ] || exit 1; done
  done
  exit 0
fi
for app in "${apps[@]}"; do
  # As pack.sh builds the widget (scripts/lib/release-wasm.sh), each app on its own.
  release_cdylib -q --lib -p "floor-$app-app" --crate-type cdylib
  out="$CF_TARGET_DIR/floor/$app"
  rm -rf "$out"
  mkdir -p "$out/bindgen"
  wasm-bindgen --target web --no-typescript --out-dir "$out/bindgen" --out-name app \
    "$RELEASE_WASM_DIR/floor_${app}_app.wasm"
  optimize_wasm "$out/bindgen/app_bg.wasm" "$out/bindgen/app.js" "$out/app_bg.wasm"
  esbuild "$out/bindgen/app.js" --format=esm --minify --target=es2022 --log-level=warning --outfile="$out/app.js"
done
