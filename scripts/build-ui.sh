#!/usr/bin/env bash
# Builds the Dioxus UI into ui/dist (index.html, style.css, auto_ui.js, auto_ui_bg.wasm), which
# the engine serves at /. Idempotent: installs the wasm target and the wasm-bindgen CLI of the
# version in ui/Cargo.lock when they are missing, and does nothing when ui/dist is newer than
# every UI source (the shared API types in api-types/ included). FORCE=1 rebuilds anyway.
set -euo pipefail
# The UI and the wasm-bindgen CLI are not the workspace the test scripts lint on the build
# (scripts/cargo-env.sh): build them with plain rustc.
unset RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS
root="$(cd "$(dirname "$0")/.." && pwd)"
ui="$root/ui"
dist="$ui/dist"
stamp="$dist/.built"

if [[ "${FORCE:-0}" != 1 && -f "$stamp" && -f "$dist/auto_ui_bg.wasm" ]]; then
  newer="$(find "$ui/src" "$ui/assets" "$ui/index.html" "$ui/Cargo.toml" "$ui/Cargo.lock" \
    "$root/api-types/src" "$root/api-types/Cargo.toml" -newer "$stamp" -print -quit)"
  if [[ -z "$newer" ]]; then
    echo "build-ui: ui/dist is up to date"
    exit 0
  fi
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "build-ui: adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# wasm-bindgen's CLI must match the library version exactly.
want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ui/Cargo.lock")"
have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [[ "$have" != "$want" ]]; then
  echo "build-ui: installing wasm-bindgen-cli $want (found '${have:-none}'); this takes a few minutes"
  # About 160 s on 2 cores; a lighter release profile (opt-level 1, no LTO, 16 codegen units)
  # was measured at the same time, so the default build is kept.
  cargo install wasm-bindgen-cli --version "$want"
fi

echo "build-ui: compiling the UI to WebAssembly"
CARGO_TARGET_DIR="$ui/target" cargo build --release --target wasm32-unknown-unknown \
  --manifest-path "$ui/Cargo.toml"

tmp="$ui/dist.tmp"
rm -rf "$tmp"
mkdir -p "$tmp"
wasm-bindgen --target web --no-typescript --out-dir "$tmp" --out-name auto_ui \
  "$ui/target/wasm32-unknown-unknown/release/auto_ui.wasm"
cp "$ui/index.html" "$tmp/index.html"
cp "$ui/assets/"* "$tmp/"
touch "$tmp/.built"
rm -rf "$dist"
mv "$tmp" "$dist"
echo "build-ui: ui/dist ready ($(du -sh "$dist" | cut -f1))"
