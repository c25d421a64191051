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

say "7. The spending policy, installed at the ceremony with its admins present"
# Each admin makes a key on their own machine; the policy lists the public halves.
for id in alice dan; do
  "$bin/coffer-watch" approver keygen --id "$id" --out "$work/$id.key" --json >"$work/$id.json"
done
pub() { sed -n 's/.*"public_key": "\(.*\)".*/\1/p' "$work/$1.json"; }
cat >"$work/policy.yaml" <<POLICY
version: 1
network: regtest
admins:
  required: 2
  keys:
    - {id: alice, key: "$(pub alice)"}
    - {id: dan,   key: "$(pub dan)"}
rules:
  - name: petty
    max_per_tx: 2btc
    velocity: {limit: 5btc, window: 24h}
    destinations: any
    max_fee_rate: 50sat/vb
POLICY
cat "$work/policy.yaml"
c policy install "$work/policy.yaml" --present alice --present dan "${unlock[@]}"
c policy show

say "8. The vault after the ceremony"
ls -l "$COFFER_VAULT"
c doctor --json | head -30 || true
# The online half: coffer-watch against a btcd regtest node on 127.0.0.1,
# the full round trip of a withdrawal. btcd is installed once (go install)
# into the cache folder the tests use.
btcd_dir="${COFFER_BTCD_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/coffer/btcd}"
if [ ! -x "$btcd_dir/btcd" ] || [ ! -x "$btcd_dir/btcctl" ]; then
  say "9. Installing btcd v0.26.2 (once) into $btcd_dir"
  mkdir -p "$btcd_dir"
  GOBIN="$btcd_dir" GOFLAGS= CGO_ENABLED=0 go install github.com/btcsuite/btcd@v0.26.2 github.com/btcsuite/btcd/cmd/btcctl@v0.26.2
fi
w() { printf '$ coffer-watch %s\n' "$*"; "$bin/coffer-watch" "$@"; }
export COFFER_WATCH_DATA="$work/watch"
node="$work/btcd"
mkdir -p "$node" "$COFFER_WATCH_DATA"
: >"$node/btcd.conf"
rpcport=$((20000 + RANDOM % 20000))
p2pport=$((rpcport + 1))
rpcpass=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
mine=$("$bin/coffer" address --script wpkh --index 0 "${unlock[@]}" | awk '{print $2}')

say "10. A btcd regtest node on 127.0.0.1:$rpcport, mining to the vault's first address $mine"
HOME="$node" "$btcd_dir/btcd" --regtest --configfile="$node/btcd.conf" --datadir="$node/data" --logdir="$node/logs" \
  --rpcuser=demo --rpcpass="$rpcpass" --rpclisten=127.0.0.1:$rpcport --listen=127.0.0.1:$p2pport \
  --rpccert="$node/rpc.cert" --rpckey="$node/rpc.key" --nodnsseed --noonion --txindex --addrindex \
  --miningaddr="$mine" >"$node/btcd.out" 2>&1 &
btcd_pid=$!
trap 'kill $btcd_pid 2>/dev/null; wait $btcd_pid 2>/dev/null; rm -rf "$work"' EXIT
ctl() { HOME="$node" "$btcd_dir/btcctl" --regtest --configfile=/dev/null --rpcuser=demo --rpcpass="$rpcpass" --rpcserver=127.0.0.1:$rpcport --rpccert="$node/rpc.cert" "$@"; }
for _ in $(seq 100); do ctl getblockcount >/dev/null 2>&1 && break; sleep 0.2; done
ctl generate 101 >/dev/null
echo "mined 101 blocks: two coinbases of 50 BTC have matured"

say "11. The node settings go into the data folder's config once"
# It holds the RPC password: readable by its owner only, or coffer-watch refuses it.
(umask 077 && cat >"$COFFER_WATCH_DATA/config") <<CFG
network = regtest
backend = btcd
node = 127.0.0.1:$rpcport
rpc-user = demo
rpc-pass = $rpcpass
rpc-cert = $node/rpc.cert
CFG
sed 's/^rpc-pass = .*/rpc-pass = (hidden)/' "$COFFER_WATCH_DATA/config"

say "12. Import the watch-only export and follow the chain"
"$bin/coffer" export --format descriptor --script wpkh --out "$work/hot.txt" "${unlock[@]}" >/dev/null
w wallet import "$work/hot.txt" --name hot
w sync
w balance

say "13. A withdrawal request: 1.5 BTC at 2 sat/vB, an unsigned PSBT for the signer"
# The payee: the regtest P2WSH address of OP_TRUE, outside every wallet.
payee=bcrt1qft5p2uhsdcdc3l2ua4ap5qqfg4pjaqlp250x7us7a8qqhrxrxfsqseac85
w send --wallet hot --to "$payee=1.5btc" --fee-rate 2 --out "$work/req.psbt" --initiator demo

say "14. Offline: coffer reviews the request, the policy allows it (rule petty), the officer signs (--yes stands for typing yes)"
c sign "$work/req.psbt" --out "$work/signed.psbt" --yes "${unlock[@]}"

say "15. Online: finalize, check every input, broadcast; the node mines it"
w finalize "$work/signed.psbt" --broadcast
ctl generate 1 >/dev/null
w sync
w balance
w requests
say "Done. The node is stopped; the temporary vault and data folder are removed."
