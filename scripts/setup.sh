#!/usr/bin/env bash
# Installs everything a fresh machine lacks, idempotently; quick when all is there already.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' Cargo.toml)
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"

need_apt=""
# three engines: Chromium, Firefox (ESR) and WebKit (WebKitGTK's MiniBrowser and WebDriver, under Xvfb)
for pair in chromium:/usr/bin/chromium chromium-driver:/usr/bin/chromedriver brotli:/usr/bin/brotli \
            firefox-esr:/usr/bin/firefox-esr webkit2gtk-driver:/usr/bin/WebKitWebDriver xvfb:/usr/bin/xvfb-run xauth:/usr/bin/xauth; do
  [ -x "${pair#*:}" ] || need_apt="$need_apt ${pair%%:*}"
done
if [ -n "$need_apt" ]; then
  echo "setup: installing Debian packages:$need_apt"
  pkgs=$need_apt
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $pkgs >/dev/null
fi

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  echo "setup: adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
  echo "setup: adding the rust-src component (the release wasm rebuilds std, see build.sh)"
  rustup component add rust-src
fi

if ! rustup component list --installed 2>/dev/null | grep -q '^clippy'; then
  echo "setup: adding clippy (make test holds the library to its no-panic lints)"
  rustup component add clippy
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  echo "setup: installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
  # no --locked: it pins a dependency version the registry does not serve here (TOOLCHAIN.md)
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if ! command -v wasm-pack >/dev/null 2>&1; then
  echo "setup: installing wasm-pack (a few minutes, once; contributors run the browser tests with it too)"
  cargo install wasm-pack --locked
fi

# geckodriver drives Firefox; kept off PATH, where the wasm-bindgen test runner would pick it over
# chromedriver (TOOLCHAIN.md): scripts/test.sh names it
GECKODRIVER_VERSION=0.37.1
if [ "$("$HOME/.sightline-tools/bin/geckodriver" --version 2>/dev/null | awk 'NR==1{print $2}')" != "$GECKODRIVER_VERSION" ]; then
  echo "setup: installing geckodriver $GECKODRIVER_VERSION (about 3 minutes, once)"
  cargo install geckodriver --version "$GECKODRIVER_VERSION" --root "$HOME/.sightline-tools"
fi

if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/esbuild ] || [ ! -d node_modules/playwright-core ] \
   || [ ! -x node_modules/.bin/tsc ] || [ ! -d node_modules/uplot ] || [ ! -d node_modules/selenium-webdriver ] \
   || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm tools (binaryen, esbuild, playwright-core, selenium-webdriver, typescript, web-vitals, uplot)"
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "setup: ok"
