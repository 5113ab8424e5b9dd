#!/usr/bin/env bash
# What each feature of the full build adds to the core build's wasm: the core wasm is built once
# with each feature alone, as the release build makes it (scripts/wasm-variant.sh), and the brotli bytes
# are compared. About a minute per feature; `make size` runs it after the size report.
set -euo pipefail
cd "$(dirname "$0")/.."
measure() {
  scripts/wasm-variant.sh features features.wasm --no-default-features "$@" >&2
  brotli -q 11 -c build/features.wasm | wc -c
}
core=$(measure)
echo "wasm, brotli: core build $core B; each feature alone on top of it:"
for f in ux health alerts otlp; do
  with=$(measure --features "$f")
  printf '  %-7s +%s B\n' "$f" $((with - core))
done
