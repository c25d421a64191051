// Package slip39 implements SLIP-0039, Shamir's secret-sharing for mnemonic
// codes, written from the specification (satoshilabs/slips slip-0039.md):
// a master secret is encrypted with a passphrase and split into word
// shares so that a threshold of them, or a threshold of groups of them,
// restores it, on Coffer or on any SLIP-39 wallet.
//
// To back up a secret, call Split with a scheme (read the CLI's --shares
// flag with ParseScheme and --groups with ParseGroups) and write each
// share down with Share.Mnemonic. To restore, feed shares one at a time,
// in any order, to a Recovery: Add checks each one as it is given and
// Status says which groups still need how many shares; Secret yields the
// master secret once every threshold is met. Combine does the same for a
// list of mnemonics at once. ParseShare decodes a single share.
//
// The parts, each in its own file: the word list (wordlist.go, embedded),
// the RS1024 checksum (rs1024.go), GF(256) arithmetic and interpolation
// (gf256.go), SplitSecret and RecoverSecret with the digest share at x=254
// and the secret at x=255 (shamir.go), the four-round Feistel encryption
// with PBKDF2-HMAC-SHA256 (cipher.go), the share format (share.go), Split
// (split.go), Recovery (recovery.go) and Combine (combine.go).
//
// # Security
//
// Master secrets, passphrases, share values and mnemonics are []byte,
// never string; Split, Combine and Recovery wipe their intermediate
// values, and Share.Wipe, WipeAll and Recovery.Wipe wipe what the caller
// holds. Share and Recovery redact in String and Format. Errors never
// contain a word of a share: a *WordError names the word's position and
// carries suggestions as a field, for the officer's screen only.
//
// GF(256) multiplication and inversion run in constant time. PBKDF2 is
// implemented here because crypto/pbkdf2 takes the password as a string;
// the key copies inside crypto/hmac's state cannot be wiped from Go.
// ParseShare bounds its input (59 words, 512-bit secrets) before any work;
// the iteration exponent read from a share (0..15) is honoured as SLIP-39
// requires, so a share may ask for up to 2^15 times the base PBKDF2 work.
//
// Fewer shares than the thresholds never yield a secret: Secret and
// Combine fail with ErrInsufficient. SLIP-39 has no passphrase check:
// every passphrase decrypts to some secret, so a mistyped passphrase
// restores another wallet. New sets should be extendable (ext = 1); both
// flags are read. Split takes its randomness from crypto/rand unless a
// reader is given (tests only).
//
// # Errors
//
// Callers branch with errors.Is on the sentinels and read the detail from
// the typed errors with errors.As:
//
//   - ErrUnknownWord (*WordError): a word not in the list, with suggestions.
//   - ErrChecksum: the RS1024 checksum fails; a word is mistyped or missing.
//   - ErrFormat (*FormatError): word count, padding or field values are wrong.
//   - ErrOtherSet (*OtherSetError): another identifier, another set of shares.
//   - ErrRepeated (*RepeatedShareError): the same share given twice.
//   - ErrInconsistent (*MismatchError): same set, contradicting parameters.
//   - ErrNotNeeded (*NotNeededError): the group or the set is already complete.
//   - ErrInsufficient (*InsufficientError): thresholds not met, with the Status.
//   - ErrDigest (*DigestError): the shares do not recombine; one is damaged
//     or forged.
//   - ErrPassphrase: the passphrase is not printable ASCII.
//   - ErrScheme (*SchemeError): an invalid scheme or Split argument.
//
// Messages are lower case and count groups and shares from 1.
package slip39
