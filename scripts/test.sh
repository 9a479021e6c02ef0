#!/usr/bin/env bash
# Sets up what is missing and runs every test:
#   1. formatting and lints (engine, desktop app, UI);
#   2. the Rust tests: unit tests, integration tests over real loopback HTTP against the real
#      `auto` binary, the crash test that SIGKILLs it, the desktop app's unit tests;
#   3. the UI in Debian's Chromium against `auto serve` (scripts/test-ui.sh);
#   4. the extension: unit tests on the fixtures and the end-to-end run in Chromium with the
#      extension loaded against fixture Seller Centre pages (scripts/test-extension.sh);
#   5. the desktop app under Xvfb (scripts/test-desktop.sh).
# One debug build of the workspace serves all of them.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS=0
stage() { printf '\n==== %s (%ss)\n' "$1" "$SECONDS"; }
scripts/setup.sh
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt || true
# No OS keyring in CI: the engine falls back to its key file; say so explicitly.
export AUTO_KEY_STORE=file

stage "formatting and lints"
cargo fmt --all -- --check
cargo fmt --manifest-path ui/Cargo.toml -- --check
cargo clippy --workspace --all-targets -- -D warnings

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
stage "all tests passed"
