#!/usr/bin/env bash
# Builds the installers: a .deb and an AppImage of the desktop app, with the UI, the embedding
# model and ONNX Runtime inside, into target/release/bundle/. Installs the Tauri CLI once
# (about 15 minutes). The AppImage step
# downloads Tauri's linuxdeploy tools from GitHub, so it needs the internet; the .deb does not
# (`scripts/package.sh deb` builds only that).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build-ui.sh
command -v cargo-tauri >/dev/null 2>&1 || cargo install tauri-cli --version '^2' --locked
# The embedding model and ONNX Runtime that setup-model.sh installed go inside the package, so
# an installed AUTO answers from the FAQ with no download.
models="${AUTO_MODELS_DIR:-$HOME/.cache/auto}"
rm -rf target/bundle-models
mkdir -p target/bundle-models
cp -r "$models/onnxruntime" "$models/models" target/bundle-models/
bundles="${1:-deb,appimage}"
cd src-tauri
cargo tauri build --bundles "$bundles" --config tauri.bundle.json
ls -l ../target/release/bundle/*/
