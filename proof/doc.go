// Package proof signs and verifies messages that prove control of a
// Bitcoin address: BIP-322 generic signed messages and the legacy "Bitcoin
// Signed Message" compact signatures. Auditors use them as key health
// checks: the custodian signs the auditor's challenge with the key of an
// address, and anyone verifies the proof without a secret.
//
// To sign, call Sign(key, addr, message, opts) with the private key that
// controls addr (for a P2TR address the BIP86 internal key; Sign applies
// the tweak). To verify, call Verify(addr, message, signature), or
// VerifyString with an address as text (ParseAddress finds its network):
// the format is read from the signature itself.
//
// An address of several keys (a P2WSH or P2SH-P2WSH multisig) is proven
// with a full proof that the signers make together, like a transaction:
// ToSignPSBT builds BIP-322's to_sign as a PSBT with the witness script and
// every cosigner's key origin; each signer checks with CheckToSign that the
// PSBT's transaction is to_sign for the address and the message it was
// shown (so a challenge can never be swapped for a payment), adds its
// signature as a PSBT signer does, and the last finalizes it; EncodeFull
// writes the signed to_sign as the proof, which Verify checks.
//
// # Formats
//
// BIP-322 (Version 2.0.0) signs a virtual transaction, to_sign, that spends
// the output of another, to_spend, whose input commits to the message's
// tagged hash (MessageHash) and whose output pays the address's script.
// A proof is valid when btcd's script engine accepts to_sign.
//
//   - simple ("smp" prefix): the base64 of to_sign's witness stack, for
//     native segwit addresses (P2WPKH, P2TR key path; P2WSH made elsewhere).
//   - full ("ful" prefix): the base64 of the whole signed to_sign
//     transaction, for every address; Sign uses it for P2SH-P2WPKH and
//     P2PKH, which need a scriptSig.
//   - legacy: a 65-byte compact ECDSA signature over
//     SHA256d("\x18Bitcoin Signed Message:\n" || varint(len) || message),
//     base64. Its first byte says how to recover the key and, after BIP137,
//     which address type it claims: 27-30 P2PKH uncompressed, 31-34 P2PKH
//     compressed, 35-38 P2SH-P2WPKH, 39-42 P2WPKH. Sign writes those headers;
//     Verify also accepts 31-34 for a segwit address (Electrum's
//     convention). There is no legacy format for P2TR.
//
// A signature without a BIP-322 prefix is read the way verifiers written
// before BIP-322 1.0.0 write it: 65 bytes with a valid header is legacy,
// else a witness stack (simple), else a transaction (full).
// SignOptions.NoPrefix writes such signatures for those verifiers.
//
// # Security
//
// A proof shows only that whoever made it could sign for the address when
// it was made; it says nothing about funds (no proof of funds, "pof", is
// made or accepted here: that needs the UTXO set). Verify runs the
// required rules of BIP-322 (consensus flags with LOW_S, STRICTENC,
// NULLFAIL, MINIMALDATA, CLEANSTACK, MINIMALIF, CONST_SCRIPTCODE), then the
// upgradeable ones (btcd's standard flags, to_sign version 0 or 2). It
// checks that every ECDSA signature it can recognise (a strict DER push)
// and a taproot key-path signature use SIGHASH_ALL (or DEFAULT); a
// signature inside a taproot script path is left to the engine.
//
// Sign checks that the key controls the address before it signs, and
// verifies what it made with Verify before returning it. ECDSA signatures
// are RFC6979 (deterministic); BIP340 signatures take 32 bytes of
// auxiliary randomness from SignOptions.Rand, or btcec's deterministic
// nonce when it is nil. Sign never keeps the key; the tweaked taproot key
// it makes is zeroed before it returns. Messages are not secret.
//
// # Errors
//
// Verify returns an error wrapping one of: ErrMalformed (the signature or
// address cannot be decoded), ErrInvalid (it decodes but does not prove
// the message for the address: BIP-322's "invalid"), ErrInconclusive (it
// passes the consensus and required rules but not the upgradeable ones:
// BIP-322's "inconclusive"), ErrUnsupported (a proof of funds). Sign
// returns ErrUnsupported for an address type or format it cannot sign, and
// ErrWrongKey when the key does not control the address (ToSignPSBT: when
// the witness script or a cosigner's key is not the address's). CheckToSign
// returns an error wrapping ErrInvalid naming what differs. Messages name
// the part at fault (witness item #, the header byte), never a key.
package proof
