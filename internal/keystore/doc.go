// Package keystore keeps a vault's seed encrypted at rest in keystore.json.
//
// Call [Create] once, at the key ceremony, with the [Secret] (BIP39 entropy
// and BIP39 passphrase, or a SLIP-39 master secret), the officer's
// passphrase and the clear [Meta] (network, master fingerprint, creation
// time). Call [Open] with the passphrase to get the Secret back, and
// [Secret.Wipe] it as soon as the keys are derived. [ReadMeta] reads the
// clear fields without a passphrase (coffer doctor, the vault's network).
// [ChangePassphrase] re-encrypts under a new passphrase (coffer passwd).
// Callers never see the file format or the KDF parameters.
//
// The secret is encrypted with XChaCha20-Poly1305 under a 32-byte key
// derived by Argon2id from the NFKD form of the passphrase (so "é" typed
// precomposed or decomposed is the same passphrase, as in BIP39) and a
// random 16-byte salt; each write draws a fresh salt and nonce. The format
// version, network, master fingerprint, creation time, KDF parameters, salt
// and algorithm names are in clear and are all bound to the ciphertext as
// associated data: editing any of them fails authentication.
//
// New keystores use Argon2id with 256 MiB of memory, 7 passes and 2 lanes.
// On the 2-core build machine (go1.26.8, linux/amd64) one unlock costs
// about 2.0 s of CPU time spread over both cores, that is about 1.0 s of
// waiting when the machine is otherwise idle (BenchmarkUnlock, `go test
// -bench Unlock -benchtime 3x ./internal/keystore`); with other work
// competing for the cores it took 3 to 4 s. Guessing passphrases offline
// costs an attacker the same per guess and per 256 MiB of memory.
// The parameters are stored in each file, so older keystores keep opening
// after they change, and [ChangePassphrase] moves a keystore to the current
// ones.
//
// # Security
//
// The file is written with mode 0600, atomically (a temporary file, fsync,
// rename, fsync of the folder), and [Create] never replaces an existing
// file. The plaintext and the decrypted secret live in buffers that are
// locked in memory where the OS allows and wiped after use (the returned
// Secret's bytes are such a buffer until [Secret.Wipe]); the derived key and
// a normalised copy of the passphrase are wiped after use. Two copies escape
// wiping: Argon2's 256 MiB work area and the cipher's copy of the key are
// left to the garbage collector uncleared (golang.org/x/crypto offers no way
// to clear them).
//
// Files are read with bounds before any work: at most 64 KiB, Argon2id
// memory at most 1 GiB, at most 16 passes and 16 lanes, exact salt and nonce
// lengths, a ciphertext no longer than the largest secret, strict JSON
// (unknown fields and trailing data are refused), and finally the file must
// be byte for byte the form coffer writes. A hostile keystore therefore
// cannot make coffer allocate or compute without limit.
//
// [Meta.MasterFingerprint] is what the caller stored; Open proves that the
// file is authentic for this passphrase, not that the fingerprint matches
// the seed: the caller derives the master key and compares.
//
// [TestOnlyFastKDF] switches new keystores to tiny parameters for tests. It
// is the package's one piece of global state; since the package is
// internal, only this module's code can call it and no command does.
//
// # Errors
//
// [ErrWrongPassphrase] ("wrong passphrase") when decryption fails. An AEAD
// cannot tell a wrong passphrase from a file whose clear fields or
// ciphertext were altered in a way that still parses, so this error means
// "wrong passphrase, or the keystore file was altered"; the CLI says
// "wrong passphrase for vault X" and exits 2.
//
// A *[CorruptError] for a file that is damaged, truncated, hand-edited or of
// an unsupported version; its message names the file and the problem, e.g.
// `keystore /v/keystore.json is corrupted: field "kdf.salt" is not valid
// base64`. Errors reading the file wrap the OS error ([fs.ErrNotExist] when
// there is no keystore). [Create] refuses an existing file with an error
// wrapping [fs.ErrExist]. No error ever contains a secret.
package keystore
