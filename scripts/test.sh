#!/usr/bin/env bash
# Sets up what is missing and runs every test:
#   1. formatting (engine, desktop app, UI);
#   2. one build of the workspace that is also its lint: clippy's driver compiles the
#      workspace's own crates (RUSTC_WORKSPACE_WRAPPER), so lints and tests share one
#      compilation instead of `cargo clippy` checking every dependency a second time;
#   3. the Rust tests: unit tests, integration tests over real loopback HTTP against the real
#      `auto` binary, the crash test that SIGKILLs it, the desktop app's unit tests;
#   4. the UI in Debian's Chromium against `auto serve` (scripts/test-ui.sh);
#   5. the extension: unit tests on the fixtures and the end-to-end run in Chromium with the
#      extension loaded against fixture Seller Centre pages (scripts/test-extension.sh);
#   6. the desktop app under Xvfb (scripts/test-desktop.sh).
# One debug build of the workspace serves all of them. At the end (or at a failure) it prints
# how long each stage took.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS=0
stage_names=()
stage_starts=()
stage() {
  stage_names+=("$1")
  stage_starts+=("$SECONDS")
  printf '\n==== %s (%ss)\n' "$1" "$SECONDS"
}
timings() {
  local rc=$?
  ((${#stage_names[@]})) || return 0
  printf '\n==== stage times%s\n' "$([ $rc -eq 0 ] || echo " (stopped: exit $rc)")"
  local i end
  for i in "${!stage_names[@]}"; do
    end="${stage_starts[$((i + 1))]:-$SECONDS}"
    printf '%6ss  %s\n' "$((end - stage_starts[i]))" "${stage_names[$i]}"
  done
  printf '%6ss  total\n' "$SECONDS"
}
trap timings EXIT

stage "set-up (system packages, embedding model)"
scripts/setup.sh
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt || true
# No OS keyring in CI: the engine falls back to its key file; say so explicitly.
export AUTO_KEY_STORE=file
# Lints ride on the build (see 2. above); every cargo call below and in the test scripts
# builds the same way, so they all reuse the one build.
source scripts/cargo-env.sh

stage "formatting"
cargo fmt --all -- --check
cargo fmt --manifest-path ui/Cargo.toml -- --check

stage "Rust build and lints"
# The browser tests' npm packages come over the network and hardly need the CPU: they install
# beside the Rust build instead of after it (their output is shown when the build is done).
npm_log="$(mktemp)"
scripts/npm-deps.sh >"$npm_log" 2>&1 &
npm_pid=$!
cargo test --workspace --all-targets --no-run "$@"
npm_rc=0
wait "$npm_pid" || npm_rc=$?
cat "$npm_log"
rm -f "$npm_log"
((npm_rc == 0)) || { echo "npm install failed (exit $npm_rc)" >&2; exit "$npm_rc"; }

stage "Rust tests"
cargo test --workspace --all-targets "$@"

stage "UI build"
scripts/build-ui.sh
stage "UI in Chromium"
scripts/test-ui.sh
stage "extension"
scripts/test-extension.sh
stage "desktop app under Xvfb"
scripts/test-desktop.sh
printf '\n==== all tests passed\n'
