#!/usr/bin/env bash
# Build the page and the Node package, then run the Node test and the browser test.
# Installs what is missing first, and only that (safe to run again): the wasm32 target,
# wasm-bindgen-cli at exactly the version in web/Cargo.lock, Debian's chromium, and the
# npm packages of web/package-lock.json.
set -euo pipefail
cd "$(dirname "$0")"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$have" != "$want" ]; then
  cargo install wasm-bindgen-cli --version "$want"
fi

if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y chromium
fi

if [ ! -d node_modules/puppeteer-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

# The glue crate is its own workspace: the root's fmt and clippy do not see it.
cargo fmt --check
cargo clippy --locked --target wasm32-unknown-unknown -- -D warnings

# The CLI, whose copies the tests compare with.
(cd .. && cargo build --release --locked)
./build.sh

node --test test/node.test.mjs test/browser.test.mjs
