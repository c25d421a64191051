package keygen

import (
	"crypto/sha512"
	"encoding/binary"

	"github.com/coffer-custody/coffer/internal/secret"
)

const (
	seedRounds = 2048 // BIP39 PBKDF2 iterations
	seedLen    = 64   // bytes of a BIP39 seed
)

// Seed derives the 64-byte BIP39 seed of a mnemonic and a passphrase (empty
// for none): PBKDF2-HMAC-SHA512 with 2048 rounds over the Canonical mnemonic,
// salted with "mnemonic" followed by the NFKD form of the passphrase. The
// passphrase keeps its spaces; only the mnemonic is re-spaced. Seed does not
// check the words, so it serves other BIP39 lists too (call ParseMnemonic
// first for English). Neither argument is changed; the caller wipes them and
// the seed.
func Seed(mnemonic, passphrase []byte) []byte {
	m := Canonical(mnemonic)
	defer secret.Wipe(m)
	p := nfkd(passphrase)
	defer secret.Wipe(p)

	salt := make([]byte, 0, len("mnemonic")+len(p))
	salt = append(append(salt, "mnemonic"...), p...)
	defer secret.Wipe(salt)
	return pbkdf2SHA512(m, salt, seedRounds)
}

// pbkdf2SHA512 is PBKDF2 (RFC 8018) with HMAC-SHA512 for a 64-byte key, one
// block. It is written out rather than taken from a library because both
// crypto/pbkdf2 and golang.org/x/crypto/pbkdf2 (a wrapper of it) convert the
// password to a string, a copy that can never be wiped; here every buffer
// that holds the password or a value derived from it is ours to wipe. The
// tests check it against the BIP39 vectors and crypto/pbkdf2.
func pbkdf2SHA512(password, salt []byte, rounds int) []byte {
	const block = sha512.BlockSize
	var key [block]byte // the HMAC key: the password, or its hash if longer
	var ipad, opad [block]byte
	var u [sha512.Size]byte
	defer func() { secret.Wipe(key[:]); secret.Wipe(ipad[:]); secret.Wipe(opad[:]); secret.Wipe(u[:]) }()

	if len(password) > block {
		k := sha512.Sum512(password)
		copy(key[:], k[:])
		secret.Wipe(k[:])
	} else {
		copy(key[:], password)
	}
	for i := range key {
		ipad[i] = key[i] ^ 0x36
		opad[i] = key[i] ^ 0x5c
	}
	h := sha512.New()
	mac := func(msg ...[]byte) { // u = HMAC(key, msg...)
		h.Reset()
		h.Write(ipad[:])
		for _, m := range msg {
			h.Write(m)
		}
		h.Sum(u[:0])
		h.Reset()
		h.Write(opad[:])
		h.Write(u[:])
		h.Sum(u[:0])
		h.Reset()
	}

	var one [4]byte
	binary.BigEndian.PutUint32(one[:], 1) // block index: one block of 64 bytes
	mac(salt, one[:])
	t := make([]byte, seedLen)
	copy(t, u[:])
	for range rounds - 1 {
		mac(u[:])
		for i := range t {
			t[i] ^= u[i]
		}
	}
	return t
}
