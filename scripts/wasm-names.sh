#!/usr/bin/env bash
# Builds the release wasm with symbol names kept (for `twiggy`), into build/named.wasm.
set -euo pipefail
cd "$(dirname "$0")/.."
RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none" CARGO_PROFILE_RELEASE_STRIP=false \
  cargo build --quiet --release --target wasm32-unknown-unknown -p sightline -Z build-std=std,panic_abort --target-dir target/release-wasm-named
wasm-bindgen --target web --no-typescript --keep-debug --out-dir build/named target/release-wasm-named/wasm32-unknown-unknown/release/sightline.wasm
node_modules/.bin/wasm-opt -Oz --converge --low-memory-unused --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-reference-types --enable-mutable-globals --strip-dwarf -g build/named/sightline_bg.wasm -o build/named.wasm
echo "build/named.wasm: try 'twiggy top build/named.wasm' or 'twiggy dominators build/named.wasm'"
