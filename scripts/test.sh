#!/usr/bin/env bash
# Sets up what is missing and runs every test (unit, integration over real loopback HTTP,
# crash tests with SIGKILL). One debug build serves all of them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# No OS keyring in CI: the engine falls back to its key file; say so explicitly.
export AUTO_KEY_STORE=file
cargo test --workspace --all-targets "$@"
