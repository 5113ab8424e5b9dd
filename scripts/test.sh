#!/usr/bin/env bash
# Runs every test: native unit tests, browser tests (wasm-bindgen-test in headless Chromium) and
# end-to-end tests (Playwright + Chromium against the real dev collector). `scripts/test.sh native|wasm|e2e`
# runs one kind. Expects `make build collector` to have run (the Makefile sees to it).
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
# The test runner would pick geckodriver first if one is on PATH (TOOLCHAIN.md): name Chromium's.
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
# geckodriver lives off PATH (scripts/setup.sh): only the Firefox runs name it
GECKODRIVER=${GECKODRIVER:-$HOME/.sightline-tools/bin/geckodriver}
# The browser suite runs in one page for about 15 s; the runner's default limit is 20 s, which a busy
# machine overruns ("Failed to detect test as having been run").
export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-120}
# ports: free ones unless given (SIGHTLINE_WASM_TEST_PORT), so a second run or another server on
# the machine never collides
WASM_TEST_PORT=${SIGHTLINE_WASM_TEST_PORT:-0}
COLLECTOR=target/release/sightline-collector

run_native() {
  echo "== lints (the library's no-panic lints, for the wasm target and natively)"
  cargo clippy -q -p sightline -p sightline-core --target wasm32-unknown-unknown -- -D warnings
  cargo clippy -q -p sightline -p sightline-core --target wasm32-unknown-unknown --no-default-features -- -D warnings
  cargo clippy -q -p sightline-core --all-targets --features serde -- -D warnings
  cargo clippy -q -p sightline-core --all-targets --no-default-features --features serde -- -D warnings
  echo "== native tests (full build, then core build)"
  cargo test -p sightline-core --features serde
  cargo test -p sightline-core --no-default-features --features serde
  node --test tests/js/
  cargo test -p sightline --lib
  cargo test -p sightline-collector
}

run_wasm() {
  echo "== browser tests (wasm-bindgen-test, headless Chromium)"
  local db; db=$(mktemp -d)
  "$COLLECTOR" --port "$WASM_TEST_PORT" --db "$db/events.sqlite" --root . >"$db/log" 2>&1 &
  local pid=$!
  # EXIT, not RETURN: with `set -e` a failing test ends the script before the function returns
  trap "kill $pid 2>/dev/null; rm -rf '$db'" EXIT
  for _ in $(seq 100); do grep -q listening "$db/log" && break; sleep 0.05; done
  grep -q listening "$db/log" || { cat "$db/log"; echo "collector did not start on port $WASM_TEST_PORT"; return 1; }
  WASM_TEST_PORT=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$db/log" | head -1)
  export SIGHTLINE_TEST_COLLECTOR="http://127.0.0.1:$WASM_TEST_PORT"
  # Chromium reaches the test runner's page server through scripts/runner-proxy.mjs, one connection
  # per request (that server can leave a keep-alive connection unread: see the script); the
  # collector is reached directly. A page that still does not load is given up after 60 s, not
  # chromedriver's 300.
  node scripts/runner-proxy.mjs 0 >"$db/proxy.log" 2>&1 &
  local proxy=$!
  trap "kill $pid $proxy 2>/dev/null; rm -rf '$db'" EXIT
  for _ in $(seq 100); do grep -q listening "$db/proxy.log" && break; sleep 0.05; done
  local proxy_port; proxy_port=$(sed -n 's/^proxy listening on \([0-9]*\)$/\1/p' "$db/proxy.log")
  [ -n "$proxy_port" ] || { cat "$db/proxy.log"; echo "the runner proxy did not start"; return 1; }
  cat >"$db/webdriver.json" <<JSON
{
  "timeouts": { "pageLoad": 60000 },
  "goog:chromeOptions": {
    "args": ["--proxy-server=http://127.0.0.1:$proxy_port", "--proxy-bypass-list=<-loopback>;127.0.0.1:$WASM_TEST_PORT"]
  }
}
JSON
  export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$db/webdriver.json"
  cargo test -p sightline --target wasm32-unknown-unknown --test browser
  echo "== browser tests of the core build (what it has), headless Chromium"
  cargo test -p sightline --target wasm32-unknown-unknown --test browser --no-default-features
  # the same tests through wasm-pack, as contributors run them (DESIGN.md §1); it finds the
  # pinned wasm-bindgen on PATH, so it downloads nothing
  wasm-pack test --headless --chrome --test browser
  # the same browser tests in Firefox and in WebKit (the runner picks GECKODRIVER, then SAFARIDRIVER,
  # before CHROMEDRIVER; WebKitGTK needs a display: Xvfb)
  echo "== browser tests in Firefox (firefox-esr, geckodriver)"
  env -u WASM_BINDGEN_TEST_WEBDRIVER_JSON GECKODRIVER="$GECKODRIVER" cargo test -p sightline --target wasm32-unknown-unknown --test browser
  echo "== browser tests in WebKit (WebKitGTK, WebKitWebDriver, Xvfb)"
  env -u WASM_BINDGEN_TEST_WEBDRIVER_JSON SAFARIDRIVER=/usr/bin/WebKitWebDriver xvfb-run -a cargo test -p sightline --target wasm32-unknown-unknown --test browser
}

run_e2e() {
  echo "== end-to-end tests (playwright-core + Chromium + dev collector)"
  node --test --test-concurrency=1 tests/e2e/*.test.mjs
  # the suites whose features the core build has, again against it (tests/e2e/harness.mjs serves
  # its files for the full build's; tests of full-only features skip themselves). Not here: the user
  # experience, alerts, OTLP and dashboard suites (full only), sessions (its tests count page views
  # and clicks), and the package and app suites, which load each build by name already.
  echo "== end-to-end tests of the core build"
  SIGHTLINE_E2E_BUILD=core node --test --test-concurrency=1 \
    tests/e2e/{vitals,network,delivery,privacy,hostile,degraded,shutdown,script-tag,features}.test.mjs
  echo "== end-to-end flows in Firefox and WebKit (WebDriver + dev collector)"
  ENGINE=firefox GECKODRIVER="$GECKODRIVER" node --test --test-concurrency=1 tests/engines/*.test.mjs
  ENGINE=webkit xvfb-run -a node --test --test-concurrency=1 tests/engines/*.test.mjs
}

case "$what" in
  native) run_native ;;
  wasm) run_wasm ;;
  e2e) run_e2e ;;
  all) run_native; run_wasm; run_e2e ;;
  *) echo "usage: $0 [native|wasm|e2e|all]"; exit 2 ;;
esac
