#!/usr/bin/env bash
# Builds the installers: a .deb and an AppImage of the desktop app, with the UI inside, into
# target/release/bundle/. Installs the Tauri CLI once (about 15 minutes). The AppImage step
# downloads Tauri's linuxdeploy tools from GitHub, so it needs the internet; the .deb does not
# (`scripts/package.sh deb` builds only that).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build-ui.sh
command -v cargo-tauri >/dev/null 2>&1 || cargo install tauri-cli --version '^2' --locked
bundles="${1:-deb,appimage}"
cd src-tauri
cargo tauri build --bundles "$bundles" --config tauri.bundle.json
ls -l ../target/release/bundle/*/
