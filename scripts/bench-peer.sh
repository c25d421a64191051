#!/usr/bin/env bash
# scripts/bench-peer.sh: Coffer's signing pipeline against bitcoinjs-lib 6
# on the same PSBT, in one run (issue 3). Prints both figures and the ratio.
#
#   scripts/bench-peer.sh            # 5 runs each side
#   RUNS=10 scripts/bench-peer.sh
#
# 1. `go test -run '^TestWriteBenchPSBT$' ./sign -args -bench-out DIR` writes
#    the PSBT BenchmarkPipeline signs (1,000 P2WPKH inputs, non_witness_utxo
#    on each, built deterministically) and its test master key into a
#    temporary folder.
# 2. Coffer: BenchmarkPipeline (decode, review, sign, script-check every
#    input with txscript, serialize) and BenchmarkSign/p2wpkh/1000 (decode,
#    sign, script-check, serialize).
# 3. bitcoinjs-lib: testdata/bench/bitcoinjs/bench.js (parse, HD-sign every
#    input, serialize) on the same file and key; `npm ci` first if its
#    node_modules is missing (needs the npm registry once).
#
# The machine has other work on it too: the load average is printed before
# each side. Wall times count the other processes' turns; both sides also
# give the CPU time of their process per run (Go: cpu-ms/op, both cores
# added up). The figures are medians of RUNS runs.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
case $runs in '' | *[!0-9]* | 0)
	echo "bench-peer: RUNS=\"$runs\" is not a positive whole number" >&2
	exit 2
	;;
esac
js=testdata/bench/bitcoinjs
work=$(mktemp -d "${TMPDIR:-/tmp}/coffer-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime; }

echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | sort -u | head -1)"
echo "go:      $(go version)"
echo "node:    $(node --version)"
echo

go test -run '^TestWriteBenchPSBT$' -count=1 ./sign -args -bench-out "$work" >"$work/write.txt" ||
	{ cat "$work/write.txt"; exit 1; }
if [ ! -d "$js/node_modules" ]; then
	(cd "$js" && npm ci --no-audit --no-fund >/dev/null)
fi

echo "== Coffer (load average $(load))"
# Two patterns: in one, BenchmarkPipeline (no sub-benchmarks) would match
# only partly and go unreported.
for pat in '^BenchmarkPipeline$' '^BenchmarkSign$/^p2wpkh$/^1000$'; do
	go test -run '^$' -bench "$pat" -benchtime 1x -count "$runs" ./sign
done | tee "$work/go.txt" | grep '^Benchmark'
echo
echo "== bitcoinjs-lib (load average $(load))"
node "$js/bench.js" "$work/p2wpkh-1000.psbt" "$work/master.tprv" "$runs" | tee "$work/js.txt"
echo

# The median of numbers, one a line.
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) printf "%.1f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# The median wall and CPU time of a benchmark's runs, in ms.
goms() { awk -v name="$1" '$1 ~ "^"name"(-[0-9]+)?$" { print $3 / 1e6 }' "$work/go.txt" | median; }
gocpu() { awk -v name="$1" '$1 ~ "^"name"(-[0-9]+)?$" { for (i = 1; i < NF; i++) if ($(i+1) == "cpu-ms/op") print $i }' "$work/go.txt" | median; }
pipe=$(goms BenchmarkPipeline)
sign=$(goms BenchmarkSign/p2wpkh/1000)
peer=$(sed -n 's/.*; median \([0-9.]*\) ms.*/\1/p' "$work/js.txt")
peercpu=$(sed -n 's/.* median CPU \([0-9.]*\) ms.*/\1/p' "$work/js.txt")
if [ -z "$pipe" ] || [ -z "$sign" ] || [ -z "$peer" ]; then
	echo "bench-peer: a figure is missing (pipeline \"$pipe\", sign \"$sign\", bitcoinjs \"$peer\")" >&2
	exit 1
fi
echo "== 1,000-input P2WPKH PSBT with non_witness_utxo"
awk -v pipe="$pipe" -v pcpu="$(gocpu BenchmarkPipeline)" -v sign="$sign" -v scpu="$(gocpu BenchmarkSign/p2wpkh/1000)" \
	-v peer="$peer" -v peercpu="$peercpu" 'BEGIN {
	printf "%-66s %9s %9s\n", "medians of '"$runs"' runs", "wall ms", "CPU ms"
	printf "%-66s %9.1f %9.1f\n", "coffer pipeline (decode, review, sign, script-check, serialize)", pipe, pcpu
	printf "%-66s %9.1f %9.1f\n", "coffer sign (decode, sign, script-check, serialize)", sign, scpu
	printf "%-66s %9.1f %9.1f\n", "bitcoinjs-lib (parse, HD sign, serialize)", peer, peercpu
	printf "bitcoinjs-lib / coffer pipeline: %.1fx wall, %.1fx CPU (target: 10x; pipeline under 150 ms)\n", peer / pipe, peercpu / pcpu
	printf "bitcoinjs-lib / coffer sign:     %.1fx wall, %.1fx CPU\n", peer / sign, peercpu / scpu
}'
