#!/usr/bin/env bash
# Prints what issue 12's editors cost the shipped package (gzip -9, as scripts/size.sh counts):
# the package of HEAD, then the same package built without each editor in turn, and without all
# of them and their strings and CSS. Each build is made in a temporary `git worktree` of HEAD
# rewritten by scripts/lib/without-editors.mjs (which says what each letter cuts) and packed by
# scripts/pack.sh into that worktree, with a cargo target directory of its own
# ($CF_TARGET_DIR/size-editors), kept between runs: the first builds the standard library and
# the dependencies there (minutes), later ones about half a minute a build. Not this checkout's
# target directory, even where it is shared (CARGO_TARGET_DIR, `build.target-dir`): there the
# rewritten build would leave its wasm where pack.sh takes this checkout's, and cargo, finding
# this checkout's own build fresh, would not put it back. Uncommitted changes are not measured. Then what the editors' strings add to each other language's file, fetched on
# demand. A report, not a test.
set -euo pipefail
# A failure inside `$(build …)` stops the script rather than printing a size.
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
source scripts/env.sh

scratch="$(mktemp -d)"
cleanup() { git worktree remove --force "$scratch/tree" 2>/dev/null || true; rm -rf "$scratch"; git worktree prune; }
trap cleanup EXIT
git worktree add -q --detach "$scratch/tree" HEAD
ln -s "$PWD/tools/node_modules" "$scratch/tree/tools/node_modules"

# Packs the worktree rewritten without `letters` (none: HEAD itself) and prints the gzip sizes
# of its wasm and its JS.
build() {
  git -C "$scratch/tree" checkout -q -- .
  [ -z "$1" ] || node scripts/lib/without-editors.mjs "$scratch/tree" "$1"
  if ! (cd "$scratch/tree" && CARGO_TARGET_DIR="$CF_TARGET_DIR/size-editors" scripts/pack.sh >"$scratch/pack.log" 2>&1); then
    tail -30 "$scratch/pack.log" >&2
    echo "size-editors.sh: the build without '$1' failed" >&2
    exit 1
  fi
  echo "$(gzip -9c "$scratch/tree/www/package/customer_form_bg.wasm" | wc -c) $(gzip -9c "$scratch/tree/www/package/index.js" | wc -c)"
}

read -r wasm js < <(build "") || exit 1
whole=$((wasm + js))
printf '%-70s %8s (wasm %s, JS %s)\n' "the package of HEAD ($(git rev-parse --short HEAD))" "$whole" "$wasm" "$js"
# A row: the build without `letters`, against HEAD's.
row() {
  local label="$1" sizes w j
  sizes=$(build "$2")
  read -r w j <<<"$sizes"
  # A cut that changed nothing has cut nothing: its hook was not reached.
  if [ $((w + j)) -eq "$whole" ]; then
    echo "size-editors.sh: the build without '$2' is the size of HEAD's: nothing was cut" >&2
    exit 1
  fi
  printf '%-70s %+8d (wasm %+d, JS %+d)\n' "$label" "$((w + j - whole))" "$((w - wasm))" "$((j - js))"
  last=$((w + j))
}
for cut in "A the provider's lists: group select, tag suggestions, loading" \
           "B the tags' chips and combobox" \
           "C the row editors (metadata, contacts) and the read-only contacts" \
           "D the countries: picker, suggestions, same as billing" \
           "E the anonymization status, confirmation and checkboxes" \
           "SK the strings only they show (English) and their CSS"; do
  row "  without ${cut#* }" "${cut%% *}"
done
row "without all of them (ABCDESK)" ABCDESK
none=$last
# The keys of the editors' strings stay in that build (all keys are one static text,
# providers/src/text_keys.rs): their own gzip, measured alone, is added as an estimate; then
# what those strings add to each other language's file.
read -r keys < <(node scripts/lib/without-editors.mjs --keys "$scratch/tree") || exit 1
printf '%-70s %8s\n' "the keys of their strings, alone (an estimate)" "$keys"
printf '%-70s %8s (issue 12: at most 10,000)\n' "what the editors add" "$((whole - none + keys))"
echo "what their strings add to each other language (on demand):"
node scripts/lib/without-editors.mjs --languages "$scratch/tree"
