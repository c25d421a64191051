'use strict';
// The peer of Coffer's signing benchmark (scripts/bench-peer.sh runs both).
//
//   node bench.js PSBT_FILE TPRV_FILE [RUNS]
//
// Each run does what a bitcoinjs-lib 6 signer does with a PSBT: parse it,
// sign every input with the HD master key (Psbt.signAllInputsHD: it
// derives each input's BIP32 path from the master and checks the public
// key), and serialize the result. The PSBT and the key are the ones
// Coffer's BenchmarkPipeline uses, written by
// `go test -run '^TestWriteBenchPSBT$' ./sign -args -bench-out DIR`
// (1,000 P2WPKH inputs with non_witness_utxo, testnet, a test key).
//
// Outside the timed part, the first result is checked: every input has
// one partial signature, and every signature verifies (ecpair).
// The time of each run is printed in ms, with the CPU time the process
// used (on a shared machine the wall time also counts other processes'
// turns), then a summary line that the script parses.

const fs = require('fs');
const { performance } = require('perf_hooks');
const bitcoin = require('bitcoinjs-lib');
const { BIP32Factory } = require('bip32');
const { ECPairFactory } = require('ecpair');
const ecc = require('tiny-secp256k1');

function main() {
  const [psbtFile, tprvFile, runsArg] = process.argv.slice(2);
  if (!psbtFile || !tprvFile) {
    console.error('usage: node bench.js PSBT_FILE TPRV_FILE [RUNS]');
    process.exit(2);
  }
  const runs = runsArg === undefined ? 5 : Number(runsArg);
  if (!Number.isInteger(runs) || runs < 1) {
    console.error(`bench.js: runs "${runsArg}" is not a positive whole number`);
    process.exit(2);
  }
  const network = bitcoin.networks.testnet;
  const raw = fs.readFileSync(psbtFile);
  const root = BIP32Factory(ecc).fromBase58(fs.readFileSync(tprvFile, 'ascii').trim(), network);
  const ECPair = ECPairFactory(ecc);

  const times = [];
  const cpus = [];
  let first;
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const psbt = bitcoin.Psbt.fromBuffer(raw, { network });
    psbt.signAllInputsHD(root);
    const out = psbt.toBuffer();
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    const cpu = (c.user + c.system) / 1000;
    times.push(ms);
    cpus.push(cpu);
    console.log(`run ${r + 1}: ${ms.toFixed(1)} ms (${cpu.toFixed(1)} ms CPU)`);
    if (r === 0) first = out;
  }

  // Check the first result (not timed).
  const signed = bitcoin.Psbt.fromBuffer(first, { network });
  const n = signed.data.inputs.length;
  signed.data.inputs.forEach((input, i) => {
    if (!input.partialSig || input.partialSig.length !== 1) {
      throw new Error(`input #${i} was not signed`);
    }
  });
  const ok = signed.validateSignaturesOfAllInputs((pubkey, hash, signature) =>
    ECPair.fromPublicKey(pubkey).verify(hash, signature),
  );
  if (!ok) {
    throw new Error('a signature does not verify');
  }

  const sorted = [...times].sort((a, b) => a - b);
  const version = require('bitcoinjs-lib/package.json').version;
  console.log(
    `bitcoinjs-lib ${version}: ${n} inputs signed and verified; ` +
      `median ${median(times).toFixed(1)} ms, min ${sorted[0].toFixed(1)} ms, ` +
      `max ${sorted[sorted.length - 1].toFixed(1)} ms, median CPU ${median(cpus).toFixed(1)} ms ` +
      `over ${runs} runs (node ${process.version})`,
  );
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

main();
