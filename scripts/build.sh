#!/usr/bin/env bash
# Builds pkg/ (the npm package) and dist/ (the script-tag files), then prints and checks sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=node_modules/.bin
# Chromium accepts these post-MVP features; never `-all` (TOOLCHAIN.md).
WASM_FEATURES="--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-reference-types --enable-mutable-globals"

# The release wasm rebuilds std with panics as a bare trap (no message formatting: about 7 KB brotli
# less), and without the source locations a panic would have reported (-Zlocation-detail=none:
# about 280 B brotli on the #11 build). RUSTC_BOOTSTRAP unlocks -Z flags on the stable toolchain;
# it needs the rust-src component.
RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none" \
  cargo build --quiet --release --target wasm32-unknown-unknown -p sightline \
  -Z build-std=std,panic_abort --target-dir target/release-wasm
rm -rf build/wb && mkdir -p build
wasm-bindgen --target web --no-typescript --out-dir build/wb target/release-wasm/wasm32-unknown-unknown/release/sightline.wasm 2>&1 \
  | grep -v 'target_features' || true
node scripts/minify-names.mjs build/wb
# --low-memory-unused: the first 1 KB of memory is never addressed (Rust puts the stack first and
# it grows down towards it), so `load(p + c)` may become `load offset=c (p)`; --converge repeats
# -Oz until it stops helping. Together about 450 B brotli (measured on the #11 build; to re-measure,
# drop them here and compare the size report).
$BIN/wasm-opt -Oz --converge --low-memory-unused $WASM_FEATURES --strip-debug --strip-producers build/wb/sightline_bg.wasm -o build/sightline_bg.wasm

# wasm-bindgen copies the JS modules the wasm imports (js/io.js, js/hooks.js) into snippets/;
# the npm entry imports js/hooks.js too. Point the copies back at the sources so that bundles
# hold one copy of each module.
for copy in build/wb/snippets/*/js/*.js; do
  echo "export * from '../../../../../js/$(basename "$copy")';" > "$copy"
done

rm -rf pkg dist && mkdir -p pkg dist
ESB="$BIN/esbuild --bundle --target=es2020 --log-level=warning --legal-comments=none --log-override:duplicate-object-key=silent"
# npm: readable ESM (the app's bundler minifies); the wasm URL stays a literal `new URL(..., import.meta.url)`
$ESB js/index.js --format=esm --outfile=pkg/index.js
# script tag: one classic script, minified
$ESB js/script.js --format=iife --minify --log-override:empty-import-meta=silent --outfile=dist/sightline.js
# own keys only in esbuild's namespace helper (a polluted Object.prototype must not break the import)
node scripts/harden-bundle.mjs pkg/index.js dist/sightline.js
$BIN/esbuild js/loader.js --minify --target=es2017 --log-level=warning --outfile=dist/loader.min.js
cp build/sightline_bg.wasm pkg/
cp build/sightline_bg.wasm dist/
cp js/index.d.ts pkg/index.d.ts
node scripts/package.mjs

# The npm example app installs the package just built (file:../../pkg) and bundles it with Vite.
(
  cd examples/npm-app
  if [ ! -d node_modules/vite ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
  fi
  node_modules/.bin/vite build >/dev/null
)

node scripts/size.mjs
