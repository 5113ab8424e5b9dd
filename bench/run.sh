#!/usr/bin/env bash
# `make bench`: runs the shared peer benchmark (../shared/bench/peers) with Sightline added as a
# peer, in a copy under build/bench so the shared folder stays untouched. Extra arguments go to
# the harness, e.g. `make bench ARGS="--peers sightline,sentry --errors 1000 --reps 3"`.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=${PEERS_HARNESS:-../shared/bench/peers}
[ -f "$SRC/run.mjs" ] || { echo "bench: no harness at $SRC"; exit 1; }
DEST=build/bench
mkdir -p "$DEST"
# copy the harness (not its node_modules or old results), then our peer with the built package
tar -C "$SRC" --exclude=node_modules --exclude=results -cf - . | tar -C "$DEST" -xf -
rm -rf "$DEST/sdks/sightline" && cp -r bench/sightline "$DEST/sdks/sightline"
cp -r pkg "$DEST/sdks/sightline/pkg"
cd "$DEST"
if [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
exec node run.mjs "$@"
