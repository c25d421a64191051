package keystore

import (
	"sync/atomic"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"

	"github.com/coffer-custody/coffer/internal/secret"
)

// kdfParams are the Argon2id parameters stored in a keystore.
type kdfParams struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// The parameters of every new keystore; doc.go gives the measurement behind
// them and a test holds the two in step.
const (
	prodMemoryKiB = 256 * 1024
	prodTime      = 7
	prodThreads   = 2
)

// The parameters TestOnlyFastKDF switches to: well under a millisecond.
const (
	fastMemoryKiB = 64
	fastTime      = 1
	fastThreads   = 1
)

func productionKDF() kdfParams {
	return kdfParams{MemoryKiB: prodMemoryKiB, Time: prodTime, Threads: prodThreads}
}

// Bounds on parameters read from a file, so that a hostile or damaged
// keystore cannot make us allocate or compute without limit: at most 1 GiB
// and 16 passes (a few tens of seconds here).
const (
	maxMemoryKiB = 1 << 20
	maxTime      = 16
	maxThreads   = 16
)

const (
	saltLen = 16
	keyLen  = 32
)

// fastKDFForTests is the one piece of package state: see TestOnlyFastKDF.
var fastKDFForTests atomic.Bool

// TestOnlyFastKDF makes every keystore created or re-encrypted afterwards in
// this process use tiny Argon2id parameters (64 KiB, one pass), so that tests
// run fast. It cannot be undone. Call it from TestMain only.
//
// Users cannot reach it: the package is internal, so only code in this module
// can call it, and no command, flag or environment variable does. Keystores
// made this way open normally (their parameters are in the file) but offer
// no resistance to passphrase guessing.
func TestOnlyFastKDF() { fastKDFForTests.Store(true) }

// newParams returns the parameters for a new keystore.
func newParams() kdfParams {
	if fastKDFForTests.Load() {
		return kdfParams{MemoryKiB: fastMemoryKiB, Time: fastTime, Threads: fastThreads}
	}
	return productionKDF()
}

// deriveKey runs Argon2id over the NFKD form of passphrase. The caller
// wipes the key.
func deriveKey(passphrase, salt []byte, p kdfParams) []byte {
	pass := passphrase
	if !norm.NFKD.IsNormal(pass) {
		pass = norm.NFKD.Append(make([]byte, 0, 4*len(passphrase)+16), passphrase...)
		defer secret.Wipe(pass)
	}
	return argon2.IDKey(pass, salt, p.Time, p.MemoryKiB, p.Threads, keyLen)
}
