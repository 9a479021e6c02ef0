#!/usr/bin/env bash
# The desktop app under a private X server (Xvfb) and D-Bus session: window shows the
# dashboard, tray exported, notification on a paid order, single instance, clean quit.
# Builds target/debug/auto-desktop and target/debug/auto; expects the UI in ui/dist
# (scripts/build-ui.sh, run when it is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=cargo-env.sh
source scripts/cargo-env.sh
# Always built, so that a binary left by an earlier build is never what is tested (a stale
# auto-desktop once made a schema the current auto refused). The same command as the test
# command's Rust stage resolves the same features, so after it this only links the app.
cargo build --workspace --all-targets
[ -f ui/dist/index.html ] || scripts/build-ui.sh

display=":$((90 + RANDOM % 100))"
Xvfb "$display" -screen 0 1400x900x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
for _ in $(seq 50); do xdpyinfo -display "$display" >/dev/null 2>&1 && break; sleep 0.1; done
export DISPLAY="$display"
# WebKitGTK's bubblewrap sandbox cannot start as root in a container; a seller's desktop
# keeps it.
[ "$(id -u)" -ne 0 ] || export WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS=1
dbus-run-session -- python3 tests/desktop/test_desktop.py
