#!/usr/bin/env bash
# What each feature of the full build adds to the core build's wasm: the core wasm is built once
# with each feature alone, as the release build makes it (scripts/build.sh), and the brotli bytes
# are compared. About a minute per feature; `make size` runs it after the size report.
set -euo pipefail
cd "$(dirname "$0")/.."
WASM_FEATURES="--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-reference-types --enable-mutable-globals"
measure() {
  RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none" \
    cargo build --quiet --release --target wasm32-unknown-unknown -p sightline --no-default-features "$@" \
    -Z build-std=std,panic_abort --target-dir target/release-features
  local dir; dir=$(mktemp -d)
  wasm-bindgen --target web --no-typescript --out-dir "$dir" target/release-features/wasm32-unknown-unknown/release/sightline.wasm 2>&1 | grep -v target_features || true
  node scripts/minify-names.mjs "$dir"
  node_modules/.bin/wasm-opt -Oz --converge --low-memory-unused $WASM_FEATURES --strip-debug --strip-producers "$dir/sightline_bg.wasm" -o "$dir/o.wasm"
  brotli -q 11 -c "$dir/o.wasm" | wc -c
  rm -rf "$dir"
}
core=$(measure)
echo "wasm, brotli: core build $core B; each feature alone on top of it:"
for f in ux health alerts otlp; do
  with=$(measure --features "$f")
  printf '  %-7s +%s B\n' "$f" $((with - core))
done
