# Sourced by the other scripts: the pinned tools first on PATH (npm binaryen's wasm-opt must win
# over Debian's, which cannot read wasm-bindgen 0.2.130 output).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
