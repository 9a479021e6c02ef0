#!/usr/bin/env bash
# Installs what AUTO needs beyond cargo, idempotently: the C toolchain and the D-Bus headers
# the OS-keyring support links against, unzip and pip for the model, the libraries the desktop
# app (Tauri: WebKitGTK 4.1, GTK 3, the tray's appindicator) builds against, Chromium, Xvfb and
# the X tools the browser and desktop tests use, then the embedding model itself
# (scripts/setup-model.sh). Safe to run again; it does nothing when all is there.
set -euo pipefail

packages=(build-essential pkg-config libdbus-1-dev unzip
  libssl-dev libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev libayatana-appindicator3-dev
  librsvg2-dev libxdo-dev patchelf file
  chromium xvfb x11-utils xdotool imagemagick dbus libglib2.0-bin)
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
python3 -m pip --version >/dev/null 2>&1 || packages+=(python3-pip)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo is missing; install Rust from your package manager or rustup first" >&2
  exit 1
fi

"$(dirname "$0")/setup-model.sh"
