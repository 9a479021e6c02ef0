#!/usr/bin/env bash
# The browser extension's tests: build it, run the adapters' unit tests, and run the end-to-end
# scenario (issues #5 and #14: tests/extension/e2e.ts says what it checks) in Debian's Chromium
# against the real `auto` binary and a fixture Seller Centre answering in the shapes public code
# sees on live Seller Centre. Sets up what is missing first (idempotent). Exits non-zero on any
# failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=cargo-env.sh
source "$ROOT/scripts/cargo-env.sh"
EXT="$ROOT/extension"
E2E="$ROOT/tests/extension"
SECONDS=0
say() { printf '\n== %s (%ss)\n' "$1" "$SECONDS"; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# ---- Chromium (Debian's package) and openssl for the fixture's certificate
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ] || ! command -v openssl >/dev/null; then
  say "installing chromium and openssl (apt)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium openssl >/dev/null
fi
command -v node >/dev/null || { echo "node (>= 20.19) is required" >&2; exit 1; }

# ---- npm dependencies, only when missing or when the lock file changed
"$ROOT/scripts/npm-deps.sh" "$EXT" "$E2E"

# ---- build, typecheck, unit tests
say "typecheck the extension"
(cd "$EXT" && npx tsc --noEmit)
say "build the extension (plasmo build)"
rm -rf "$EXT/build/chrome-mv3-prod"
(cd "$EXT" && npx plasmo build 2>&1 | { grep -v '^npm warn Unknown user config' || true; })
test -f "$EXT/build/chrome-mv3-prod/manifest.json" || { echo "plasmo build made no extension" >&2; exit 1; }
say "unit tests (adapters, queue, chat matching)"
(cd "$EXT" && npx vitest run)

# ---- the auto binary
# Built unless given, never taken as left by an earlier build (same command as the test
# command's Rust stage: same features, nothing rebuilt after it).
if [ -z "${AUTO_BIN:-}" ]; then
  say "building the auto binary"
  (cd "$ROOT" && cargo build --workspace --all-targets)
fi
AUTO_BIN="${AUTO_BIN:-$ROOT/target/debug/auto}"

# ---- end to end
say "end-to-end in Chromium (screenshots in tests/extension/artifacts)"
(cd "$E2E" && AUTO_BIN="$AUTO_BIN" CHROMIUM="$CHROMIUM" EXT_DIR="$EXT/build/chrome-mv3-prod" npx tsx e2e.ts)

say "extension tests passed"
