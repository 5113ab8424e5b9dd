#!/usr/bin/env bash
# Starts the dev collector serving the example pages and its dashboard, with the freshly built SDK.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${1:-8080}
URL="http://127.0.0.1:$PORT"
cat <<MSG

Sightline demo
  dashboard (errors as they arrive):  $URL/
  script-tag example (inline loader): $URL/examples/script-tag/
  npm example (Vite bundle):          $URL/examples/npm-app/dist/
  single-page app (history routes):   $URL/examples/spa/
  stored events as JSON:              $URL/api/events?channel=errors  (also metrics, events)
Events are kept in sightline-dev.sqlite. Press Ctrl-C to stop.

MSG
exec target/release/sightline-collector --port "$PORT" --db sightline-dev.sqlite --root .
