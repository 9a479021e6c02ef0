#!/usr/bin/env bash
# Runs a command in a desktop of its own: a private X server (Xvfb, no window manager) and a
# D-Bus session bus, as the desktop test and the memory measurement need.
set -euo pipefail
display=":$((90 + RANDOM % 100))"
Xvfb "$display" -screen 0 1400x900x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
for _ in $(seq 50); do xdpyinfo -display "$display" >/dev/null 2>&1 && break; sleep 0.1; done
export DISPLAY="$display"
# WebKitGTK's bubblewrap sandbox cannot start as root in a container; a seller's desktop
# keeps it.
[ "$(id -u)" -ne 0 ] || export WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS=1
dbus-run-session -- "$@"
