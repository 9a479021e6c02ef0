#!/usr/bin/env bash
# Sets up what is missing, builds AUTO and runs it.
#   scripts/run.sh                 on a machine with a display: the desktop app (window + tray)
#   scripts/run.sh serve [opts]    headless: `auto serve` (e.g. --port 47821); it prints a
#                                  one-time sign-in link to open the UI in a browser
# With no display, the headless server starts either way. Data lives in the platform's app
# data folder unless --data-dir or AUTO_DATA_DIR says otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build-ui.sh
if [ "${1:-}" != "serve" ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  cargo build --release -p auto-desktop
  exec target/release/auto-desktop
fi
[ "${1:-}" = "serve" ] && shift
cargo build --release -p auto-engine --bin auto
exec target/release/auto serve "$@"
