# Sourced by the other scripts: the pinned tools first on PATH (npm binaryen's wasm-opt must win
# over Debian's, which cannot read wasm-bindgen 0.2.130 output).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
# Where cargo puts what it builds: CARGO_TARGET_DIR, a `build.target-dir` setting, or ./target.
# Scripts and the e2e harness read builds from here, never from a fixed `target/`.
CF_TARGET_DIR="$(cargo metadata --format-version 1 --no-deps --manifest-path "$ROOT/Cargo.toml" 2>/dev/null \
  | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
if [ -z "$CF_TARGET_DIR" ]; then
  CF_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
  case "$CF_TARGET_DIR" in /*) ;; *) CF_TARGET_DIR="$ROOT/$CF_TARGET_DIR" ;; esac
fi
export CF_TARGET_DIR
