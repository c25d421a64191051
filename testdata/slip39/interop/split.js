// Split a secret with the npm "slip39" package (a second SLIP-39
// implementation) for Coffer's interop test.
// stdin:  {"secret": hex, "passphrase": string, "groupThreshold": n,
//          "groups": [[threshold, count], ...], "iterationExponent": e,
//          "extendable": bool}
// stdout: {"groups": [[mnemonic, ...], ...]}  (group i at index i)
"use strict";
const slip39 = require("slip39");

function readStdin() {
  return require("fs").readFileSync(0, "utf8");
}

const req = JSON.parse(readStdin());
const secret = Array.from(Buffer.from(req.secret, "hex"));
const slip = slip39.fromArray(secret, {
  passphrase: req.passphrase,
  threshold: req.groupThreshold,
  groups: req.groups,
  iterationExponent: req.iterationExponent,
  extendableBackupFlag: req.extendable ? 1 : 0,
});
const groups = req.groups.map((_, i) => slip.fromPath("r/" + i).mnemonics);
process.stdout.write(JSON.stringify({ groups: groups }) + "\n");
