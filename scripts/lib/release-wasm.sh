# Sourced by pack.sh and floor.sh: how a shipped wasm is compiled.
# release_cdylib <cargo rustc arguments…>: builds one crate's cdylib for wasm32 with the release
# profile, linked with LTO, and sets RELEASE_WASM_DIR to the folder its .wasm lands in.
#
# The standard library is compiled from source with the crate when rust-src is installed
# (scripts/setup.sh adds it): rustup's prebuilt std for wasm32 is optimized for speed (opt-level
# 3) and keeps every panic's location and `Debug` code, which a size-optimized LTO build of our
# own code cannot take out. Built with `-Zbuild-std` and `optimize_for_size`, with panic locations
# and `Debug` formatting compiled out (`-Zlocation-detail=none -Zfmt-debug=none`; no shipped code
# formats with `{:?}`), the widget's wasm is 4.0 kB gzip smaller; with a panic that aborts at
# once (`-Cpanic=immediate-abort`: no hook, no message formatted) 2.6 kB more (README, Size). A
# panic then traps without running Rust's hook, so the glue notices it instead (src/trap.js,
# scripts/guard-traps.mjs). These are unstable flags, taken on the stable toolchain by
# RUSTC_BOOTSTRAP=1 for this build alone. The build goes to a target folder of its own
# ($CF_TARGET_DIR/std-from-source): its flags differ from every other build's, which would
# otherwise rebuild each other's dependencies each time.
#
# Without rust-src (a machine that cannot reach rustup's server), or with CF_PREBUILT_STD=1, it
# falls back, loudly, to the prebuilt std; RELEASE_WASM_STD says which ("source" or
# "prebuilt"), and pack.sh records it for tests/e2e/package.test.mjs, whose ceiling depends on
# it, and for scripts/test.sh, which fails a fallback on a machine that has rust-src.
#
# The stack is 512 KiB, not rustc's 1 MiB. The linker puts it first, below the data, so that an
# overflow runs past address 0 and traps rather than overwriting data; the data therefore starts
# where the stack ends, and at 1 MiB every address of a literal or a static the code names is a
# 4-byte number in the wasm (signed LEB128 holds up to 2^20 - 1 in 3 bytes): below it, 3 bytes.
# Wasm −1.7 kB raw, −0.2 kB gzip (README, Size). The deepest recursion, the JSON parser's, is
# bounded at 128 levels; tests/e2e/package.test.mjs checks the data stays below 1 MiB.
release_cdylib() {
  local sysroot link=(-C link-arg=-zstack-size=524288)
  sysroot="$(rustc --print sysroot)"
  # `cargo rustc --crate-type cdylib`, not `cargo build`: the crate has two types (cdylib for
  # the package, rlib for Rust apps), rustc cannot run LTO when it builds an rlib too, and cargo
  # then silently builds both without it (rust-lang/cargo#9672): building the cdylib alone saved
  # 11.4 kB gzip. `-C lto=fat` said again makes a build that would skip LTO fail instead ("lto can
  # only be run for executables, cdylibs and static library outputs").
  if [ "${CF_PREBUILT_STD:-0}" != 1 ] && [ -f "$sysroot/lib/rustlib/src/rust/library/Cargo.lock" ]; then
    RELEASE_WASM_STD=source
    RELEASE_WASM_DIR="$CF_TARGET_DIR/std-from-source/wasm32-unknown-unknown/release"
    RUSTC_BOOTSTRAP=1 RUSTFLAGS="${RUSTFLAGS:-} -Zlocation-detail=none -Zfmt-debug=none -Zunstable-options -Cpanic=immediate-abort" \
      cargo rustc --release --target wasm32-unknown-unknown --target-dir "$CF_TARGET_DIR/std-from-source" \
      -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size "$@" -- -C lto=fat "${link[@]}"
  else
    echo "release-wasm.sh: no rust-src (rustup component add rust-src), or CF_PREBUILT_STD=1: building with" \
      "the prebuilt standard library, about 6 kB gzip larger" >&2
    RELEASE_WASM_STD=prebuilt
    RELEASE_WASM_DIR="$CF_TARGET_DIR/wasm32-unknown-unknown/release"
    cargo rustc --release --target wasm32-unknown-unknown "$@" -- -C lto=fat "${link[@]}"
  fi
}
