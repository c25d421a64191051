// Package approval reads, writes and signs approvals: small signed
// documents by which one named person says yes to one transaction, and the
// keys and signatures that admins and approvers use.
//
// An approval is a JSON document (Document) naming the PSBT's unsigned
// transaction id, the network, the outputs and the fee it approves, the
// approver's id, the request's initiator, creation and expiry times and a
// reason. Its signature is an OpenSSH signature (PROTOCOL.sshsig) over the
// document's exact bytes in the namespace "coffer-approval", in a file
// named after it with ".sig" added. Two tools make the same file:
//
//	coffer-watch approve A.json --key bob.key        (an ed25519 key: PrivateKey.Sign)
//	ssh-keygen -Y sign -f ~/.ssh/id_ed25519 -n coffer-approval A.json
//
// Admins sign policy files and resume statements the same way with the
// namespace "coffer-policy" (NamespacePolicy).
//
// Which function to call: New to write a document for a sign.Review, then
// Document.Marshal; ReadDir to read every A.json + A.json.sig pair of a
// folder (Parse for one pair from memory); ReadEmbedded, Embed and
// SetInitiator for approvals and the initiator carried inside a PSBT as
// proprietary fields; ParsePublicKey for a key in a policy ("ed25519:BASE64"
// or an OpenSSH public key line); GenerateKey and ParsePrivateKey for
// approver keys. This package does not decide whether an approval counts:
// the policy package checks the signer against the group the policy names,
// the expiry against the signer's clock and the document against the
// transaction (Document.Matches).
//
// # Security
//
// A signature is bound to its namespace, its key and the document's bytes;
// a document is bound to one transaction id and lists the outputs and fee,
// so an approval cannot be replayed for another transaction, nor pass as
// an admin's signature. Parsers bound every input (document, signature,
// key line) and refuse duplicate JSON keys and unknown fields, so a
// document has one reading. Approver private keys are ed25519 keys in
// OpenSSH's unencrypted format (written 0600 by the command); PrivateKey
// keeps its bytes unexported, never prints them and wipes them in Zero.
// Accepted key types: ed25519 and ECDSA (also their FIDO "sk" forms) and RSA
// of 3072 bits or more.
//
// # Errors
//
// Parse errors name the file (or "PSBT approval #N") and the field.
// Verify returns an error wrapping ErrBadSignature when the signature is
// not the given key's over these bytes in this namespace, saying which of
// the three failed. No error holds key material.
package approval
