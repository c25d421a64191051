// Package export writes the watch-only exports of an account: pure
// functions over public data (an account xpub and its origin), each
// returning the bytes of a file another tool imports. No seed, no private
// key: where a format needs a signature (BSMS), the caller passes a Signer.
//
// Which function to call, by format (the names of coffer export --format):
//
//   - descriptor: Descriptors, the receive, change and BIP389 <0;1>
//     descriptors with key origin and checksum, one per line.
//   - core: Core, the JSON array Bitcoin Core's importdescriptors takes.
//   - bsms: BSMS, a BIP129 key record (signer, round 1), signed by the
//     account key through a Signer; BSMSRecord gives the unsigned lines,
//     EncryptBSMS the encrypted form when the coordinator set a TOKEN.
//   - generic-json: GenericJSON, the generic wallet export Coldcard defined
//     and Sparrow, Specter and Nunchuk import.
//   - electrum: Electrum, a watch-only Electrum wallet file.
//
// Multisig accounts take part through MultisigDescriptors (and Core over
// its result) once every cosigner's account is known, and through BSMS.
//
// # Security
//
// Everything written is public: xpubs, fingerprints, paths, descriptors,
// addresses. An Account holding a private extended key is refused before
// anything is serialized, so an xprv cannot leak into an export. The BSMS
// signature is made by the caller's Signer; NewMessageSigner wraps a private
// key the caller owns and wipes. BSMS encryption tokens are secrets of the
// setup session: EncryptBSMS and DecryptBSMS take them as []byte.
//
// # Errors
//
// Errors are lower case and say which input is wrong (the account's
// network, script type or path, the record line). An account whose
// network, path and key disagree is refused rather than exported.
package export
