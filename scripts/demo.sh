#!/usr/bin/env bash
# make demo: a key ceremony in a temporary vault on regtest, with a demo
# passphrase, then every watch-only export. Nothing outside a temporary
# folder is touched, and the folder is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$PWD/bin
work=$(mktemp -d "${TMPDIR:-/tmp}/coffer-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
export COFFER_VAULT="$work/vault"
printf 'demo passphrase, never for real funds\n' >"$work/pass"
chmod 600 "$work/pass"
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
c() { printf '$ coffer %s\n' "$*"; "$bin/coffer" "$@"; }
unlock=(--passphrase-file "$work/pass" --non-interactive)

say "1. Check the workstation (a demo machine has a network, so expect a warning)"
c doctor || true

say "2. Key ceremony on regtest: system RNG mixed with 99 die rolls, 24 words"
# Demo rolls; a real ceremony takes the officers' own.
od -An -N400 -tu1 /dev/urandom | tr -s ' ' '\n' | awk 'NF && $1<252 {printf "%d", $1%6+1}' | head -c 120 >"$work/rolls"
c keygen --network regtest --words 24 --dice --dice-file "$work/rolls" --officer alice --officer bob "${unlock[@]}"

say "3. The ceremony transcript (no secret in it)"
cat "$COFFER_VAULT/ceremony.json"

say "4. Account keys"
c xpub --script wpkh "${unlock[@]}"
c xpub --script tr "${unlock[@]}"

say "5. Addresses, derived offline to confirm what the online side shows"
c address --script wpkh --index 0 "${unlock[@]}"
c address --script tr --index 0 "${unlock[@]}"

say "6. Watch-only exports for coffer-watch, Bitcoin Core, Sparrow, Electrum"
for f in descriptor core bsms generic-json electrum; do
  script=wpkh
  [ "$f" = bsms ] && script=wsh-multi
  c export --format "$f" --script "$script" "${unlock[@]}"
done

say "7. The vault after the ceremony"
ls -l "$COFFER_VAULT"
c doctor --json | head -30 || true
say "Done. The temporary vault is removed."
