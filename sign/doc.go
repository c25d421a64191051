// Package sign reads, reviews and signs PSBTs for the offline signer.
//
// It is one straight line, and callers follow it in this order:
//
//	p, err := sign.Decode(data, maxSize)     // binary, base64 or hex; PSBT v0 or v2
//	review, err := sign.Analyze(p, wallets)  // what the transaction does; refusals
//	res, err := sign.Sign(p, keys, opts)     // after the policy and the officer said yes
//	out := p.Encode()                        // written back in the version it came in
//	raw, err := sign.Finalize(p)             // optional: the network transaction
//
// Decode checks the PSBT against BIP174, BIP370 and BIP371 itself, much
// more strictly than btcd's psbt package, keeps every field it read (so
// unknown and proprietary fields survive), and converts a version 2 PSBT
// to a version 0 view for signing while remembering to write it back as
// version 2. Analyze builds the Review: the one description of the
// transaction that the screen shows, the policy judges and the journal
// records. Sign signs every input that belongs to the vault and verifies
// each signature by executing the input's script before returning.
//
// # Security
//
// Paths in a PSBT are claims; scripts are the truth. Analyze re-derives
// every BIP32 path that carries the vault's fingerprint and compares the
// script, and refuses the PSBT when they differ. The amounts an input
// spends are taken from PSBT_IN_NON_WITNESS_UTXO after checking that it
// hashes to the spent txid (CVE-2020-14199); PSBT_IN_WITNESS_UTXO must
// agree with it. Private keys come from a KeySource, are used inside
// Sign only, and are zeroed after use as far as btcec allows; no error,
// String or log of this package holds key material. ECDSA signatures are
// ground to low R exactly as Bitcoin Core does; Schnorr signatures use
// BIP340 auxiliary randomness from crypto/rand.
//
// # Errors
//
// ErrNotPSBT, ErrTooLarge and *DecodeError (errors.Is ErrMalformed) come
// from Decode and mean the input is not a PSBT Coffer will read. A
// *RefusalError (errors.Is ErrRefused) from Analyze or Sign means the
// PSBT must not be signed; its Reasons say why, each with a Code. ErrVerify
// from Sign means a signature failed its script check: nothing was signed.
// Inputs and outputs are numbered from 0 in every message ("input #2").
package sign
