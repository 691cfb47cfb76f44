#!/usr/bin/env bash
# Builds the npm package from the release widget and packs it: www/customer-form-<version>.tgz.
# Output layout (www/package/): index.js (entry + wasm-bindgen glue + element, one minified ES
# module), index.d.ts, customer_form_bg.wasm (wasm-opt -Oz, imports and exports renamed short),
# customer-form.<lang>.json (the non-English strings, fetched beside the .wasm on demand),
# README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

# The cdylib alone, linked with LTO, std compiled with it (scripts/lib/release-wasm.sh says why).
source scripts/lib/release-wasm.sh
release_cdylib --lib --crate-type cdylib
rm -rf www/pkg www/package
wasm-bindgen --target web --no-typescript --out-dir www/pkg "$RELEASE_WASM_DIR/customer_form.wasm"
# Which std it was built with, for the package test's ceiling (not part of the package).
echo "$RELEASE_WASM_STD" > www/pkg/std-build
# The entry imports the element from the same file the glue does (its folder name carries a
# hash), so the bundle holds one copy of it.
snippets=(www/pkg/snippets/*/src/element.js)
if [ ${#snippets[@]} -ne 1 ] || [ ! -f "${snippets[0]}" ]; then
  echo "pack.sh: expected one element.js snippet in www/pkg/snippets, found: ${snippets[*]}" >&2
  exit 1
fi
printf "export * from './%s';\n" "${snippets[0]#www/pkg/}" > www/pkg/element.js
mkdir -p www/package
source scripts/lib/optimize-wasm.sh
optimize_wasm www/pkg/customer_form_bg.wasm www/pkg/customer_form.js www/package/customer_form_bg.wasm
# One ES module: the entry, the glue and the element snippet. `new URL(…, import.meta.url)`
# stays as written, so bundlers (Vite, webpack 5) and plain servers find the wasm beside it.
# ES2022 keeps the element's private fields as they are (lowering them cost 300 B gzip); every
# browser that runs the wasm (reference types, multi-value: Safari 15+) has them.
esbuild www/src/index.js --bundle --format=esm --minify --target=es2022 --log-level=warning \
  --outfile=www/package/index.js
cp www/src/index.d.ts www/package/index.d.ts
cp src/i18n/customer-form.*.json www/package/
cp www/package.json www/package/package.json
cp www/README.md www/package/README.md
(cd www && npm pack ./package --silent --pack-destination . >/dev/null)
ls -1 www/*.tgz
