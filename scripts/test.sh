#!/usr/bin/env bash
# Sets up what is missing and runs every test: formatting and lints, then unit tests,
# integration tests over real loopback HTTP against the real `auto` binary, and the crash
# test that SIGKILLs it. One debug build serves all of them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt || true
# No OS keyring in CI: the engine falls back to its key file; say so explicitly.
export AUTO_KEY_STORE=file
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace --all-targets "$@"
