// Package sign reads, reviews and signs PSBTs for the offline signer.
//
// It is one straight line, and callers follow it in this order:
//
//	p, err := sign.Decode(data, maxSize)      // binary, base64 or hex; PSBT v0 or v2
//	review, err := sign.Analyze(p, wallets)   // what the transaction does; refusals
//	res, err := sign.Sign(p, keys, opts)      // after the policy and the officer said yes
//	out := p.Encode()                         // written back in the version it came in
//	raw, err := sign.Finalize(p)              // optional: the network transaction
//
// Decode checks the PSBT against BIP174, BIP370 and BIP371 itself, much
// more strictly than btcd's psbt package, keeps every field it read (so
// unknown and proprietary fields survive and a PSBT that is not signed
// re-encodes to the same bytes), and builds a version 0 view in btcd's
// psbt types for signing, assembling a version 2 PSBT's transaction as
// BIP370 says. Analyze builds the Review: the one description of the
// transaction that the screen shows, the policy judges and the journal
// records. Wallets tells Analyze the vault's fingerprint, single-key
// accounts and registered multisig wallets, as output descriptors. Sign
// signs every input that belongs to the vault with keys from a KeySource
// (HDKeys over the master key) and checks each signature by executing the
// input's script before anything is written into the PSBT.
//
// # Security
//
// Paths in a PSBT are claims; scripts are the truth. Analyze re-derives
// every BIP32 path that carries the vault's fingerprint through the
// account or registered wallet it belongs to and refuses the PSBT when
// the script differs; a multisig input or change that no registered
// wallet derives is refused. What an input spends is taken from
// PSBT_IN_NON_WITNESS_UTXO after checking that it hashes to the spent
// txid (CVE-2020-14199); PSBT_IN_WITNESS_UTXO must agree with it, and
// only a taproot input may rely on the witness UTXO alone. Sign repeats
// the checks that concern the inputs it signs, so a caller that skipped
// Analyze still cannot be made to sign a fee lie. Only SIGHASH_ALL (and
// DEFAULT for taproot) is signed unless Options.AllowSighash says more.
//
// Private keys come from the KeySource, live in scalars inside Sign only
// and are zeroed after use as far as btcec allows (TweakTaprootPrivKey
// takes its key by value, leaving a copy to the garbage collector). A
// worker holds the keys of at most 16 inputs at a time: their ECDSA
// signatures are made together, the nonce points of a grinding round
// sharing one constant-time field inversion, and the keys are zeroed as
// soon as those signatures exist. No
// error, String or log of this package holds key material. ECDSA
// signatures are ground to low R exactly as Bitcoin Core does (so they
// equal Core's byte for byte and are at most 71 bytes with the sighash
// byte); Schnorr signatures use BIP340 auxiliary randomness from
// crypto/rand.
//
// # Errors
//
// ErrNotPSBT, ErrTooLarge and *DecodeError (errors.Is ErrMalformed) come
// from Decode and mean the input is not a PSBT Coffer will read; a
// DecodeError names the map (global, input #i, output #i) and the field.
// A *RefusalError (errors.Is ErrRefused) from Analyze or Sign means the
// PSBT must not be signed; its Reasons say why, each with a Code, and
// Analyze returns the Review alongside it. Codes for which
// Code.PolicyMayAllow is true (a fee above 10%, a sighash type other than
// ALL) may be lifted by a signed policy. ErrNotOurInput: nothing to sign.
// An *InputError wrapping ErrVerify from Sign means a signature failed
// its check and nothing was written; from Finalize, ErrIncomplete means
// signatures are missing. Inputs and outputs are numbered from 0 in every
// message ("input #2").
package sign
