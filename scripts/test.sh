#!/usr/bin/env bash
# Sets up what is missing, then runs every test: formatting and lints, native unit and
# integration tests, component tests in headless Chromium, and the end-to-end suite (the
# trunk-built demo + the sandbox, driven by playwright-core).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "format"
cargo fmt --all -- --check

step "lints (native and wasm)"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p customer-form --target wasm32-unknown-unknown --all-targets --features panic-probe -- -D warnings
# As the npm package builds it (scripts/pack.sh): without the default `define-export` feature.
cargo clippy -p customer-form --target wasm32-unknown-unknown --lib --no-default-features -- -D warnings
cargo clippy -p customer-form-dom --target wasm32-unknown-unknown --all-targets -- -D warnings
cargo clippy -p floor-yew-app -p floor-dom-app -p floor-wasm-app --target wasm32-unknown-unknown -- -D warnings

step "native tests (contracts, form state, sandbox)"
cargo test --workspace

step "component tests in headless Chromium"
cargo test -p customer-form-dom --target wasm32-unknown-unknown --test browser
cargo test -p customer-form --target wasm32-unknown-unknown --test component
cargo test -p customer-form --target wasm32-unknown-unknown --features panic-probe --test panic

step "the npm package: packed, installed in the Vite apps (TypeScript, React, Vue, CSP page), type-checked, built"
# First as a machine without rust-src packs it (the prebuilt std): that fallback must still
# build (its names differ: scripts/unslot-closure-shims.mjs once failed on them, unnoticed).
# The package test's ceiling for it is checked where it is the build; here, its size is printed.
CF_PREBUILT_STD=1 scripts/pack.sh
echo "prebuilt-std package, gzip -9: $(( $(gzip -9c www/package/customer_form_bg.wasm | wc -c) + $(gzip -9c www/package/index.js | wc -c) )) B"
scripts/pack.sh
# rust-src is there, so the package must have been built with it: a fallback here means the
# detection in scripts/lib/release-wasm.sh broke, which the size ceiling alone would let by.
if [ "${CF_PREBUILT_STD:-0}" != 1 ] && rustup component list --installed | grep -qx rust-src \
  && [ "$(cat www/pkg/std-build)" != source ]; then
  echo "test.sh: rust-src is installed, yet the package was built with the prebuilt std" >&2
  exit 1
fi
# The same build with `panicProbe()` exported, for tests/e2e/trap.test.mjs (not packed).
PACK_PROBE=1 scripts/pack.sh >/dev/null
(
  cd tests/vite-app
  npm install --no-audit --no-fund --silent
  npm install --no-audit --no-fund --silent --no-save ../../www/customer-form-*.tgz
  npx tsc --noEmit
  npx vite build --logLevel warn
)

step "end-to-end tests in headless Chromium"
cargo build -p customer-form-sandbox -p customer-form-gateway
trunk build
node --test --test-concurrency=1 tests/e2e/

step "all tests passed"
