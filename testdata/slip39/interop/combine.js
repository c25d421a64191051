// Combine SLIP-39 share mnemonics with the npm "slip39" package (a second
// SLIP-39 implementation) for Coffer's interop test.
// stdin:  {"mnemonics": [mnemonic, ...], "passphrase": string}
// stdout: the master secret in hex and a newline
"use strict";
const slip39 = require("slip39");

const req = JSON.parse(require("fs").readFileSync(0, "utf8"));
const secret = slip39.recoverSecret(req.mnemonics, req.passphrase);
process.stdout.write(Buffer.from(secret).toString("hex") + "\n");
