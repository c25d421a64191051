#!/usr/bin/env bash
# Installs what the interop tests need, from the project's own files:
#   - npm modules pinned in testdata/**/interop/package-lock.json (npm ci);
#   - Debian packages (as root; skipped with a note otherwise).
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

debs=()
need_deb() { command -v "$1" >/dev/null 2>&1 || debs+=("$2"); }
need_deb node nodejs
need_deb npm npm
need_deb zbarimg zbar-tools
need_deb electrum electrum
need_deb ssh-keygen openssh-client
if [ "${#debs[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${debs[@]}" >/dev/null
  else
    echo "install-deps: not root; install these Debian packages yourself: ${debs[*]}" >&2
  fi
fi

for lock in $(git ls-files '*interop/package-lock.json' 2>/dev/null || find testdata -path '*interop/package-lock.json'); do
  dir=$(dirname "$lock")
  if [ ! -d "$dir/node_modules" ] || [ "$lock" -nt "$dir/node_modules" ]; then
    echo "install-deps: npm ci in $dir"
    (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  fi
done
