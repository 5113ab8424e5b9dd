#!/usr/bin/env bash
# Builds one wasm of the SDK as the release ships it: `scripts/wasm-variant.sh OUT WASM [cargo args]`
# compiles the crate (in target/release-OUT), runs wasm-bindgen into build/OUT, shortens the
# import and export names, optimizes into build/WASM, and points the glue's snippet copies back at
# js/. Used by scripts/build.sh (the full and core builds) and scripts/feature-bytes.sh.
#
# The release wasm rebuilds std with panics as a bare trap (no message formatting: about 7 KB brotli
# less), and without the source locations a panic would have reported (-Zlocation-detail=none:
# about 280 B brotli on the #11 build). RUSTC_BOOTSTRAP unlocks -Z flags on the stable toolchain;
# it needs the rust-src component.
#
# --low-memory-unused: the first 1 KB of memory is never addressed (Rust puts the stack first and
# it grows down towards it), so `load(p + c)` may become `load offset=c (p)`; --converge repeats
# -Oz until it stops helping. Together about 450 B brotli (measured on the #11 build; to re-measure,
# drop them here and compare the size report).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1 wasm=$2
shift 2
# Chromium accepts these post-MVP features; never `-all` (TOOLCHAIN.md).
WASM_FEATURES="--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-reference-types --enable-mutable-globals"
RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none" \
  cargo build --quiet --release --target wasm32-unknown-unknown -p sightline "$@" \
  -Z build-std=std,panic_abort --target-dir "target/release-$out"
rm -rf "build/$out" && mkdir -p build
wasm-bindgen --target web --no-typescript --out-dir "build/$out" "target/release-$out/wasm32-unknown-unknown/release/sightline.wasm" 2>&1 \
  | grep -v 'target_features' || true
node scripts/minify-names.mjs "build/$out"
node_modules/.bin/wasm-opt -Oz --converge --low-memory-unused $WASM_FEATURES --strip-debug --strip-producers "build/$out/sightline_bg.wasm" -o "build/$wasm"
# wasm-bindgen copies the JS modules the wasm imports (js/io.js, js/hooks.js) into snippets/;
# the npm entry imports js/hooks.js too. Point the copies back at the sources so that bundles
# hold one copy of each module.
for copy in build/"$out"/snippets/*/js/*.js; do
  echo "export * from '../../../../../js/$(basename "$copy")';" > "$copy"
done
