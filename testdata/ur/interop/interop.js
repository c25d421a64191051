// Interoperability driver for Coffer's UR tests (qr/ur/interop_test.go).
// It uses the pinned @ngraveio/bc-ur from package.json; install it with
// `npm ci --ignore-scripts` in this folder.
//
//   node interop.js decode < parts.txt
//       Feeds every line to URDecoder until it completes and prints
//       "<type> <cbor hex>", or exits 1 with the decoder's error.
//   node interop.js encode <type> <cbor hex> <maxFragmentLength> <count>
//       Prints the first <count> parts of UREncoder, one a line.
'use strict';

const { UR, UREncoder, URDecoder } = require('@ngraveio/bc-ur');

function decode(input) {
  const decoder = new URDecoder();
  for (const line of input.split('\n')) {
    const part = line.trim();
    if (part === '') continue;
    decoder.receivePart(part);
    if (decoder.isComplete()) break;
  }
  if (!decoder.isComplete()) {
    process.stderr.write(`incomplete: ${decoder.estimatedPercentComplete()}\n`);
    process.exit(1);
  }
  if (!decoder.isSuccess()) {
    process.stderr.write(`error: ${decoder.resultError()}\n`);
    process.exit(1);
  }
  const ur = decoder.resultUR();
  process.stdout.write(`${ur.type} ${ur.cbor.toString('hex')}\n`);
}

function encode(type, cborHex, maxFragmentLength, count) {
  const ur = new UR(Buffer.from(cborHex, 'hex'), type);
  const encoder = new UREncoder(ur, maxFragmentLength, 0, 10);
  const out = [];
  for (let i = 0; i < count; i++) out.push(encoder.nextPart());
  process.stdout.write(out.join('\n') + '\n');
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'decode') {
  let input = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => { input += chunk; });
  process.stdin.on('end', () => decode(input));
} else if (mode === 'encode' && args.length === 4) {
  encode(args[0], args[1], Number(args[2]), Number(args[3]));
} else {
  process.stderr.write('usage: node interop.js decode < parts | node interop.js encode <type> <cbor hex> <maxFragmentLength> <count>\n');
  process.exit(2);
}
