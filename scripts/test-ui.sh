#!/usr/bin/env bash
# Browser tests of the UI: Debian's Chromium (headless, playwright-core) against a real
# `auto serve` on a fresh data dir. Idempotent set-up: Chromium from apt when missing, npm ci
# when tests/ui's modules are missing or its lock file changed (scripts/npm-deps.sh), the UI build
# (scripts/build-ui.sh), the `auto` binary when missing (AUTO_BIN overrides it). Screenshots
# land in tests/ui/artifacts/. Exits non-zero when a test fails.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# shellcheck source=cargo-env.sh
source "$root/scripts/cargo-env.sh"

if ! test -x /usr/bin/chromium; then
  echo "test-ui: installing Debian's chromium"
  sudo_cmd=""
  [[ "$(id -u)" != 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq chromium
fi

tests="$root/tests/ui"
"$root/scripts/npm-deps.sh" "$tests"

"$root/scripts/build-ui.sh"

# Built unless given, never taken as left by an earlier build (same command as the test
# command's Rust stage: same features, nothing rebuilt after it).
if [[ -z "${AUTO_BIN:-}" ]]; then
  echo "test-ui: building the auto binary"
  cargo build --workspace --all-targets
fi

echo "test-ui: running the browser tests"
node "$tests/run.mjs"
