# Sourced by pack.sh and floor.sh: the wasm-opt passes a shipped wasm gets.
# optimize_wasm <wasm-bindgen's .wasm> <its glue .js> <out .wasm>: writes the optimized wasm and
# rewrites the glue in place to call it by the short names (scripts/minify-names.mjs).
optimize_wasm() {
  local input="$1" glue="$2" output="$3"
  local work
  work="$(dirname "$input")"
  # The data stays in the linker's two segments: binaryen's memory packing would cut them into
  # about 190 at every run of zeros, and each cut costs a segment header of its own (its start
  # address) that gzip cannot compress, while the zeros it saves compress to almost nothing
  # (raw +1.8 kB, gzip −703 B; README, Size).
  local flags=(--skip-pass=memory-packing
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-reference-types
    --enable-sign-ext --enable-mutable-globals --enable-multivalue)
  # -Oz until it stops finding anything (a second round saved 1.1 kB gzip). Then, in a run of
  # their own (under --converge the renaming would run, and rename, again), the imports and
  # exports renamed short, one more -Oz over the short names (0.3 kB), and the custom sections
  # browsers ignore stripped.
  # A function with one caller is inlined into it only when it is small (-ocimfs 20, in both
  # runs; binaryen's default inlines it whatever its size): the form's view had grown to one
  # 54 kB function, compiled whole at its first call though most of it draws what a first load
  # never shows (a conflict, a failure). Without LTO it also saved 8.1 kB gzip; with LTO (the
  # widget's wasm since pack.sh builds the cdylib alone) 0.6 kB, and caps of 10 to 100 are within
  # 0.05 kB of it (README, Size): it is kept for the ready time.
  local inline=(--one-caller-inline-max-function-size 20)
  # Between rounds, the control flow flattened and rebuilt by binaryen's Relooper (--flatten
  # --rereloop, twice): the structure it finds is smaller than rustc's (−363 B gzip; once −252).
  local reloop=(--flatten --rereloop -Oz)
  wasm-opt -Oz "${reloop[@]}" "${reloop[@]}" --converge "${inline[@]}" "${flags[@]}" -o "$work/optimized.wasm" "$input"
  wasm-opt "${flags[@]}" --minify-imports-and-exports-and-modules -Oz "${inline[@]}" --strip-producers \
    --strip-target-features -o "$output" "$work/optimized.wasm" >"$work/minified-names.json"
  # The glue then calls the wasm by those short names (the script says why and checks the result).
  node "$(dirname "${BASH_SOURCE[0]}")/../minify-names.mjs" "$glue" "$work/minified-names.json" "$output"
}
