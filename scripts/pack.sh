#!/usr/bin/env bash
# Builds the npm package from the release widget and packs it: www/customer-form-<version>.tgz
# (PACK_PROBE=1: a test build instead, below).
# Output layout (www/package/): index.js (entry + wasm-bindgen glue + element, one minified ES
# module), index.d.ts, react.d.ts (React's JSX types, for TSX), customer_form_bg.wasm (wasm-opt
# -Oz, imports and exports renamed short), customer-form.<lang>.json (the non-English strings,
# fetched beside the .wasm on demand), README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

# PACK_PROBE=1: the same build with the `panic-probe` feature (`panicProbe()` exported, which
# makes the wasm panic on purpose), in $CF_TARGET_DIR/probe/{pkg,package}, not packed: for
# tests/e2e/trap.test.mjs alone, never shipped.
if [ "${PACK_PROBE:-0}" = 1 ]; then
  work="$CF_TARGET_DIR/probe"
  features=(--features panic-probe)
  rm -rf "$work"
  mkdir -p "$work/src"
  cp www/src/index.js "$work/src/index.js"
  printf "export * from './index.js';\nexport { panicProbe } from '../pkg/customer_form.js';\n" >"$work/src/probe.js"
  entry="$work/src/probe.js"
else
  work=www
  features=()
  entry=www/src/index.js
fi

# The cdylib alone, linked with LTO, std compiled with it (scripts/lib/release-wasm.sh says why).
source scripts/lib/release-wasm.sh
# Without the wasm's own `defineCustomerForm` export: the entry defines the element (Cargo.toml).
release_cdylib --lib --crate-type cdylib --no-default-features "${features[@]}"
rm -rf "$work/pkg" "$work/package"
wasm-bindgen --target web --no-typescript --out-dir "$work/pkg" "$RELEASE_WASM_DIR/customer_form.wasm"
# The glue calls the wasm through src/trap.js's guard, which notices a trap (a panic).
node scripts/guard-traps.mjs "$work/pkg/customer_form.js"
# Its one English warning in fewer words.
node scripts/shorten-glue-warning.mjs "$work/pkg/customer_form.js"
# The closure invoke shims nothing calls leave the function table, so wasm-opt removes them.
node scripts/unslot-closure-shims.mjs "$work/pkg/customer_form.js" "$work/pkg/customer_form_bg.wasm"
# Which std it was built with, for the package test's ceiling (not part of the package).
echo "$RELEASE_WASM_STD" > "$work/pkg/std-build"
# The entry imports the element from the same file the glue does (its folder name carries a
# hash), so the bundle holds one copy of it.
snippets=("$work/pkg/snippets"/*/src/element.js)
if [ ${#snippets[@]} -ne 1 ] || [ ! -f "${snippets[0]}" ]; then
  echo "pack.sh: expected one element.js snippet in $work/pkg/snippets, found: ${snippets[*]}" >&2
  exit 1
fi
printf "export * from './%s';\n" "${snippets[0]#"$work"/pkg/}" > "$work/pkg/element.js"
mkdir -p "$work/package"
source scripts/lib/optimize-wasm.sh
optimize_wasm "$work/pkg/customer_form_bg.wasm" "$work/pkg/customer_form.js" "$work/package/customer_form_bg.wasm"
# One ES module: the entry, the glue and the element snippet. `new URL(…, import.meta.url)`
# stays as written, so bundlers (Vite, webpack 5) and plain servers find the wasm beside it.
# ES2022 keeps the element's private fields as they are (lowering them cost 300 B gzip); every
# browser that runs the wasm (reference types, multi-value: Safari 15+) has them.
esbuild "$entry" --bundle --format=esm --minify --target=es2022 --log-level=warning \
  --outfile="$work/package/index.js"
# terser's compressor on esbuild's output finds what esbuild leaves (inlined constants, merged
# declarations, shorter conditionals): −329 B gzip of JS (README, Size). Only safe transforms:
# no `unsafe*` options (the glue relies on `arguments` and `this`). `new URL(…, import.meta.url)`
# stays as it is, which bundlers look for.
terser "$work/package/index.js" --module --ecma 2022 --compress passes=2 --mangle \
  --output "$work/package/index.js"
# V8's explicit compile hint (Chrome 136+), which must open the file: compile every function of
# the module as it is loaded, on a background thread, rather than each on the main thread at its
# first call. Nearly all of them run before the form is ready (traced: 125 of the module's lazy
# compiles on the main thread before the email shows, 4–7 ms; 5 with the hint). Other engines
# read a comment; a bundler that rebuilds the module drops it. README, Speed ("V8's compile hint").
{ printf '//# allFunctionsCalledOnLoad\n'; cat "$work/package/index.js"; } > "$work/package/index.js.hinted"
mv "$work/package/index.js.hinted" "$work/package/index.js"
# The rest makes the npm package, which the probe is not.
[ "$work" = www ] || exit 0
cp www/src/index.d.ts www/src/react.d.ts www/package/
cp src/i18n/customer-form.*.json www/package/
cp www/package.json www/package/package.json
cp www/README.md www/package/README.md
(cd www && npm pack ./package --silent --pack-destination . >/dev/null)
ls -1 www/*.tgz
