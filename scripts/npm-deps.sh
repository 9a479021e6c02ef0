#!/usr/bin/env bash
# Installs the npm packages of the given folders (default: every folder of this repository
# the tests need), each only when its node_modules is missing or older than its lock file.
# One place for the test scripts (test-ui.sh, test-extension.sh) and for the test command,
# which runs it beside the Rust build: it needs the network and the disk, hardly the CPU.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
(($#)) || set -- "$root/tests/ui" "$root/extension" "$root/tests/extension"
command -v npm >/dev/null || { echo "npm-deps: npm is missing (scripts/setup.sh installs it)" >&2; exit 1; }
for dir in "$@"; do
  stamp="$dir/node_modules/.package-lock.sha256"
  want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  if [[ ! -d "$dir/node_modules" || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
    echo "npm-deps: npm ci in ${dir#"$root"/}"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" >"$stamp"
  fi
done
