#!/usr/bin/env bash
# Installs whatever this machine lacks to build, demo and test customer-form; skips what is there.
# Safe to run any number of times. Needs the package registries (crates.io, npm, Debian).
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14   # 0.22.x needs rustc >= 1.96.1
WB_VERSION=$(awk '$0=="name = \"wasm-bindgen\""{getline; gsub(/"/,"",$3); print $3; exit}' Cargo.lock)

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

packages=()
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
command -v chromedriver >/dev/null 2>&1 || packages+=(chromium-driver)
command -v brotli >/dev/null 2>&1 || packages+=(brotli)
# The gateway's replicas test runs two gateways on a PostgreSQL it starts itself.
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || packages+=(postgresql)
if [ ${#packages[@]} -gt 0 ]; then
  say "installing Debian packages: ${packages[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${packages[@]}" >/dev/null
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The package's wasm is built with the standard library compiled from source
# (scripts/lib/release-wasm.sh): 4 kB gzip smaller. Without it, pack.sh falls back to the
# prebuilt one and says so.
if ! rustup component list --installed | grep -qx rust-src; then
  say "adding the rust-src component"
  rustup component add rust-src || say "rust-src could not be added: the package will be built with the prebuilt std"
fi

# The CLI must equal the wasm-bindgen crate in Cargo.lock. Not --locked: its lock pins a
# webpki-roots release the registry here does not have.
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WB_VERSION" ]; then
  say "installing wasm-bindgen-cli $WB_VERSION (about 4 minutes)"
  cargo install wasm-bindgen-cli --version "$WB_VERSION" --force
fi

if [ "${WITH_TRUNK:-1}" = 1 ] && [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (about 9 minutes)"
  cargo install trunk --version "$TRUNK_VERSION" --locked --force
fi

# wasm-opt (binaryen 132), playwright-core and axe, pinned by tools/package-lock.json.
stamp=tools/node_modules/.installed
if [ ! -f "$stamp" ] || [ tools/package-lock.json -nt "$stamp" ]; then
  say "installing pinned npm tools"
  (cd tools && npm ci --no-audit --no-fund --silent)
  touch "$stamp"
fi
