#!/usr/bin/env bash
# Sets up what is missing, builds AUTO and runs it: `scripts/run.sh [serve options]`,
# e.g. `scripts/run.sh --port 47821`. Data lives in the platform's app data folder unless
# --data-dir or AUTO_DATA_DIR says otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --release -p auto-engine --bin auto
exec target/release/auto serve "$@"
