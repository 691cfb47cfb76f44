#!/usr/bin/env bash
# Builds and packs the two floor apps (bench/floor/README.md) as the widget is packed: the
# release profile, wasm-bindgen, the same wasm-opt passes, the glue minified by esbuild.
# Output: $CF_TARGET_DIR/floor/<yew|wasm>/app.js and app_bg.wasm. Used by bench-widget.sh and
# size.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/lib/optimize-wasm.sh

cargo build -q --release --target wasm32-unknown-unknown -p floor-yew-app -p floor-wasm-app
for app in yew wasm; do
  out="$CF_TARGET_DIR/floor/$app"
  rm -rf "$out" && mkdir -p "$out/bindgen"
  wasm-bindgen --target web --no-typescript --out-dir "$out/bindgen" --out-name app \
    "$CF_TARGET_DIR/wasm32-unknown-unknown/release/floor_${app}_app.wasm"
  optimize_wasm "$out/bindgen/app_bg.wasm" "$out/bindgen/app.js" "$out/app_bg.wasm"
  esbuild "$out/bindgen/app.js" --format=esm --minify --target=es2022 --log-level=warning --outfile="$out/app.js"
done
