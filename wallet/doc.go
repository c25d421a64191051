// Package wallet is Coffer's vocabulary of keys, paths, scripts and
// output descriptors, shared by the offline signer and the online
// companion. It holds no secrets of its own: private keys pass through
// only while a caller derives from them.
//
// Which function to call:
//
//   - a network name from a flag: ParseNetwork; a script type: ParseScriptType;
//     the standard account path (BIP84/49/86/48): AccountPath.
//   - a seed to a master key: MasterFromSeed; a path below it: DerivePath;
//     its fingerprint: Fingerprint. Wipe private keys with WipeKey.
//   - an xpub typed or pasted by someone: ParseExtendedKey, then
//     KeyFormat.CheckNetwork. It refuses every invalid key of BIP32 test
//     vector 5 (hdkeychain.NewKeyFromString alone accepts several) and
//     reads SLIP-132 forms (zpub, Vpub, ...), saying which script type
//     they imply. The SLIP-132 form of an xpub for display: SLIP132.
//   - a descriptor: ParseDescriptor (ParseDescriptorWithChecksum for text
//     from a person); then String for the canonical form with checksum,
//     Expand for the receive and change halves of a <0;1> descriptor,
//     Derive / ScriptPubKey / Address for one output, Branch and then
//     DeriveRange / ScriptPubKeys for many (a gap-limit scan, an address
//     list). An account's own descriptor: SingleSigDescriptor or
//     MultisigDescriptor over AccountKey values.
//   - in the signer, "is this input or output ours": MatchKeyPath turns a
//     PSBT's fingerprint+path claim into (branch, index); Derive at that
//     place gives the scripts and keys to compare with the PSBT. DeriveAt
//     does the same from a bare account key and its origin.
//
// Descriptors cover pk, pkh, wpkh, sh, wsh, multi, sortedmulti, tr(KEY)
// (key path only) and raw, with BIP389 multipath keys, as specified in
// BIP380-386 and 389. Paths print with 'h' for hardened steps.
//
// # Security
//
// Descriptors carrying private keys (WIF, xprv) are refused: Coffer never
// imports a private key through a descriptor. Error messages never repeat
// a key's text, so a private key pasted by mistake does not reach a log.
// ParseExtendedPrivateKey and base58 decoding work on []byte and wipe
// their buffers.
//
// hdkeychain.ExtendedKey does not expose its key bytes: WipeKey calls its
// Zero method, which clears the key and chain code, but copies made
// inside hdkeychain (HMAC output in NewMaster and Derive, memoized public
// keys of children) cannot be reached. Keep private extended keys
// short-lived and wipe them as soon as they are used. hdkeychain's Neuter
// shares bytes with the private key (wiping one zeroes the other): take
// public keys with wallet.Neuter, which copies. The String method
// of a private hdkeychain key prints the xprv: never format one.
//
// # Errors
//
// Errors are lower case and name the input (the key number, the path
// step, the character position in a descriptor), never its secret part.
// Branch on the sentinels with errors.Is: ErrPrivateKey, ErrWrongNetwork,
// ErrHardenedFromPublic, ErrInvalidChild (skip to the next index),
// ErrUnsupported, ErrChecksum, ErrMissingChecksum, ErrNoAddress. Detail is
// in *ExtendedKeyError (with a KeyErrorCode) and *DescriptorError (with
// the offset), reached with errors.As.
package wallet
