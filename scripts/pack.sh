#!/usr/bin/env bash
# Builds the npm package from the release widget and packs it: www/customer-form-<version>.tgz.
# Output layout (www/package/): index.js (entry + wasm-bindgen glue + element, one minified ES
# module), index.d.ts, customer_form_bg.wasm (wasm-opt -Oz, imports and exports renamed short),
# customer-form.<lang>.json (the non-English strings, fetched beside the .wasm on demand),
# README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

cargo build --release --target wasm32-unknown-unknown --lib
rm -rf www/pkg www/package
wasm-bindgen --target web --no-typescript --out-dir www/pkg "$CF_TARGET_DIR/wasm32-unknown-unknown/release/customer_form.wasm"
# The entry imports the element from the same file the glue does (its folder name carries a
# hash), so the bundle holds one copy of it.
snippets=(www/pkg/snippets/*/src/element.js)
if [ ${#snippets[@]} -ne 1 ] || [ ! -f "${snippets[0]}" ]; then
  echo "pack.sh: expected one element.js snippet in www/pkg/snippets, found: ${snippets[*]}" >&2
  exit 1
fi
printf "export * from './%s';\n" "${snippets[0]#www/pkg/}" > www/pkg/element.js
mkdir -p www/package
features=(--enable-bulk-memory --enable-nontrapping-float-to-int --enable-reference-types
  --enable-sign-ext --enable-mutable-globals --enable-multivalue)
# -Oz until it stops finding anything (a second round saved 1.1 kB gzip). Then, in a run of
# their own (under --converge the renaming would run, and rename, again), the imports and
# exports renamed short, one more -Oz over the short names (0.3 kB), and the custom sections
# browsers ignore stripped.
# A function with one caller is inlined into it only when it is small (-ocimfs 20, in both
# runs; binaryen's default inlines it whatever its size): the form's view had grown to one
# 54 kB function, compiled whole at its first call though most of it draws what a first load
# never shows (a conflict, a failure). Bodies kept apart also repeat each other more, and gzip
# finds that: −8.1 kB gzip (raw +5 kB); 10 and 30 measured −8.0 and −7.5 kB, 200 −1.7 kB.
inline=(--one-caller-inline-max-function-size 20)
wasm-opt -Oz --converge "${inline[@]}" "${features[@]}" -o www/pkg/optimized.wasm www/pkg/customer_form_bg.wasm
wasm-opt "${features[@]}" --minify-imports-and-exports-and-modules -Oz "${inline[@]}" --strip-producers \
  --strip-target-features -o www/package/customer_form_bg.wasm www/pkg/optimized.wasm \
  >www/pkg/minified-names.json
# The glue then calls the wasm by those short names (the script says why and checks the result).
node scripts/minify-names.mjs www/pkg/customer_form.js www/pkg/minified-names.json www/package/customer_form_bg.wasm
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
