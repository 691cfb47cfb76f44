#!/usr/bin/env bash
# Bundles the framework apps (bench/compare/README.md): the same update form in React 19 with
# react-hook-form and zod, and in Preact, each one minified production ES module, as a dashboard
# ships them. Installs their pinned packages (bench/compare/package-lock.json) when missing.
# Output: $CF_TARGET_DIR/compare/<react|preact>/app.js. Used by bench-widget.sh.
# `compare.sh --built` only checks that both are there (exit 1 if not), for its SKIP_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

out="$CF_TARGET_DIR/compare"
if [ "${1:-}" = --built ]; then
  for app in react preact; do [ -f "$out/$app/app.js" ] || exit 1; done
  exit 0
fi
stamp=bench/compare/node_modules/.installed
if [ ! -f "$stamp" ] || [ bench/compare/package-lock.json -nt "$stamp" ]; then
  (cd bench/compare && npm ci --no-audit --no-fund --loglevel=error)
  touch "$stamp"
fi
bundle() {
  esbuild "bench/compare/src/$1.jsx" --bundle --format=esm --minify --target=es2022 --jsx=automatic \
    --define:process.env.NODE_ENV='"production"' --log-level=warning --outfile="$out/$2/app.js" "${@:3}"
}
bundle react-rhf react
bundle preact preact --jsx-import-source=preact
