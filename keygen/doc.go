// Package keygen makes and reads the seed of a key ceremony: it tests the
// random generator, turns generator output or die rolls into entropy, and
// converts entropy to and from a BIP39 English mnemonic and a BIP39 seed.
// SLIP-39 shares are in keygen/slip39; the encrypted keystore and BIP32 keys
// live elsewhere.
//
// To make a seed, pick one source of entropy:
//
//   - Entropy(crypto/rand.Reader, words): the system generator alone;
//   - MixedEntropy(crypto/rand.Reader, rolls, words): the officer's die rolls
//     mixed with the generator, SHA-256(32 generator bytes ‖ SHA-256(rolls));
//   - DiceOnlyEntropy(rolls, words): SHA-256 of the rolls alone, as Coldcard
//     documents it, so that an auditor can recompute it with sha256sum. The
//     caller must warn that no machine randomness is included.
//
// words is 12 (16 bytes of entropy) or 24 (32 bytes). Rolls are the digits 1
// to 6; ASCII white space between them is ignored and is not hashed.
// CheckRolls and MinRolls let a prompt check rolls before asking for more.
// Then MnemonicFromEntropy gives the words to show the officer, and
// Seed(mnemonic, passphrase) the 64-byte BIP39 seed.
//
// To restore, call ParseMnemonic on what the officer typed: it checks the
// words against the English list and the checksum and returns the entropy;
// then Seed. Canonical gives the form of a mnemonic that BIP39 hashes.
//
// # Security
//
// Entropy and MixedEntropy run CheckRNG on the generator before they read
// from it, and refuse one whose output is constant, repeats or is far from
// uniform; the test cannot tell a good generator from a predictable one.
//
// Entropy, mnemonics, rolls, passphrases and seeds are handled as []byte and
// never converted to string; every function returns them in new slices and
// wipes its own working copies (with internal/secret). The caller wipes the
// arguments and results with secret.Wipe. For that reason the seed is
// derived by a PBKDF2-HMAC-SHA512 written here: crypto/pbkdf2 and
// golang.org/x/crypto/pbkdf2 copy the password into a string. Mnemonics and
// passphrases are normalised to NFKD as BIP39 requires (go-bip39's NewSeed
// does not); the mnemonic is re-spaced, the passphrase is not. The English
// word list is embedded from bitcoin/bips and cannot be changed at run time.
//
// # Errors
//
// Errors never contain a secret: not a word of the mnemonic (a mistyped word
// is named by its position; UnknownWordError carries suggested list words for
// the screen, through Hint), not a roll, not a generator byte.
//
//   - ErrRNGHealth (errors.Is): the generator failed CheckRNG; stop the ceremony.
//   - ErrChecksum (errors.Is): every word is in the list but the checksum fails.
//   - *UnknownWordError, *WordCountError: a word not in the English list, or a
//     word count other than 12, 15, 18, 21 or 24.
//   - *RollError, *TooFewRollsError, *BiasedRollsError: a character other
//     than 1-6, fewer than MinRolls rolls, or one face above 30% of the rolls.
//   - *EntropyLengthError: MnemonicFromEntropy given other than 16, 20, 24,
//     28 or 32 bytes.
//
// Other errors (a word count other than 12 or 24 for a new seed, a generator
// that cannot be read, an over-long mnemonic) are plain and need no branch.
package keygen
