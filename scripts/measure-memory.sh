#!/usr/bin/env bash
# Prints the desktop app's memory (PSS summed over the app and WebKit's processes) with the
# window open on the dashboard, with it closed, with the embedding model loaded and let go,
# and the headless `auto serve` beside it; see tests/desktop/measure_memory.py. Arguments go
# to that script (--samples N, --detail, --no-serve). Measures target/debug unless
# AUTO_DESKTOP_BIN / AUTO_BIN name other binaries (a release build is the seller's).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${AUTO_DESKTOP_BIN:-}" ]; then
  # shellcheck source=cargo-env.sh
  source scripts/cargo-env.sh
  cargo build -p auto-desktop -p auto-engine --bin auto-desktop --bin auto
fi
[ -f ui/dist/index.html ] || scripts/build-ui.sh
exec scripts/desktop-session.sh python3 tests/desktop/measure_memory.py "$@"
