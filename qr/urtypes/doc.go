// Package urtypes reads and writes the CBOR of the registered UR types that
// carry watch-only wallet data: crypto-hdkey (BCR-2020-007, with
// crypto-keypath and crypto-coininfo) and crypto-output (BCR-2020-010, the
// output descriptor expressions sh, wsh, pk, pkh, wpkh, combo, multi,
// sortedmulti, tr and cosigner over crypto-eckey and crypto-hdkey keys)
// and crypto-account (BCR-2020-015, tag 311: a master fingerprint and the
// account of each script type, as Keystone and Passport export and Sparrow
// scans). These are what Sparrow, Keystone, Passport and SeedSigner exchange to
// set up single-signature and multisig wallets.
//
// It knows keys as bytes (33-byte compressed public keys, 32-byte chain
// codes, 4-byte fingerprints, derivation steps), not descriptor text: the
// caller maps its descriptor to an [Output], calls [Output.MarshalCBOR] and
// wraps the CBOR with ur.New as type [TypeOutput] (or [HDKey.MarshalCBOR]
// as [TypeHDKey], [Account.MarshalCBOR] as [TypeAccount]). Reading goes
// the other way with [ParseOutput], [ParseHDKey] and [ParseAccount].
//
// sh, wsh and tr may wrap a key directly ([Output].Key), as accounts
// write sh(KEY), wsh(KEY), sh(wsh(KEY)) for multisig keys and tr(KEY).
// The newer account-descriptor type (tag 40311) is a different structure
// (text descriptors) that BCR-2020-015 does not define; it is not read.
//
// # Security
//
// Only public keys pass: an hdkey marked private or master, or an eckey
// marked private, is refused when read ([ErrPrivateKey]) and cannot be
// expressed when written, so a private key never leaves or enters through
// this package. Reading is bounded (nesting depth, keys per multisig,
// derivation steps) and strict: deterministic CBOR only, map keys in
// order, no unknown fields, so what parses re-encodes to the same bytes.
//
// # Errors
//
// [ParseOutput], [ParseHDKey] and [ParseAccount] return [ErrPrivateKey] for private key
// material and a [*FormatError] naming the field for anything else that is
// not a valid structure. The Marshal methods return a [*FormatError] for a
// value that cannot be encoded (a key of the wrong length, a threshold
// above the number of keys).
package urtypes
