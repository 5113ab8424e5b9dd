#!/usr/bin/env bash
# Builds pkg/ (the npm package) and dist/ (the script-tag files), then prints and checks sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=node_modules/.bin
# Two builds (DESIGN §5): full (the crate's default features) in build/wb, and core
# (--no-default-features: no user experience, health checks, alerts or OTLP) in build/wb-core.
scripts/wasm-variant.sh wb sightline_bg.wasm
scripts/wasm-variant.sh wb-core sightline-core_bg.wasm --no-default-features

rm -rf pkg dist && mkdir -p pkg dist
ESB="$BIN/esbuild --bundle --target=es2020 --log-level=warning --legal-comments=none --log-override:duplicate-object-key=silent"
# js/core.js imports the glue as `sightline-glue`: each build bundles its own; SIGHTLINE_CORE drops
# the full build's methods from the core build's bundle (they become documented no-ops)
FULL="--alias:sightline-glue=./build/wb/sightline.js --define:SIGHTLINE_CORE=false"
CORE="--alias:sightline-glue=./build/wb-core/sightline.js --define:SIGHTLINE_CORE=true"
# npm: readable ESM (the app's bundler minifies); the wasm URL stays a literal `new URL(..., import.meta.url)`
$ESB js/index.js --format=esm $FULL --outfile=pkg/index.js
$ESB js/index-core.js --format=esm $CORE --outfile=pkg/core.js
# script tag: one classic script, minified
$ESB js/script.js --format=iife --minify --log-override:empty-import-meta=silent $FULL --define:SIGHTLINE_WASM='"sightline_bg.wasm"' --outfile=dist/sightline.js
$ESB js/script.js --format=iife --minify --log-override:empty-import-meta=silent $CORE --define:SIGHTLINE_WASM='"sightline-core_bg.wasm"' --outfile=dist/sightline-core.js
# own keys only in esbuild's namespace helper (a polluted Object.prototype must not break the import)
node scripts/harden-bundle.mjs pkg/index.js pkg/core.js dist/sightline.js dist/sightline-core.js
$BIN/esbuild js/loader.js --minify --target=es2017 --log-level=warning --outfile=dist/loader.min.js
cp build/sightline_bg.wasm build/sightline-core_bg.wasm pkg/
cp build/sightline_bg.wasm build/sightline-core_bg.wasm dist/
cp js/index.d.ts pkg/index.d.ts
cp js/core.d.ts pkg/core.d.ts
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
