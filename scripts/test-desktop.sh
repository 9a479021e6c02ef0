#!/usr/bin/env bash
# The desktop app under a private X server (Xvfb) and D-Bus session: window shows the
# dashboard, tray exported, start at login (hidden), closing the window ends WebKit while the
# tray and notifications go on, Open AUTO signs in again, single instance, clean quit, --hidden.
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

exec scripts/desktop-session.sh python3 tests/desktop/test_desktop.py
