package keystore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/coffer-custody/coffer/internal/secret"
)

// Kinds of secret a keystore holds.
const (
	KindBIP39  = "bip39"  // Entropy is BIP39 entropy (16, 20, 24, 28 or 32 bytes)
	KindSLIP39 = "slip39" // Entropy is the SLIP-39 master secret (16 to 32 bytes, even)
)

// MaxPassphraseLen bounds the BIP39 passphrase kept in a keystore, in bytes.
const MaxPassphraseLen = 1024

// Secret is what a keystore encrypts: the seed material and, for BIP39, the
// optional BIP39 passphrase (the "25th word"). Wipe it as soon as the keys
// are derived. Its String and Format redact, so a stray %v prints no secret.
//
// For KindSLIP39, Entropy is the master secret, which is the BIP32 seed
// itself; the SLIP-39 passphrase only protects the shares, so
// BIP39Passphrase must be empty.
type Secret struct {
	Kind            string
	Entropy         []byte
	BIP39Passphrase []byte

	buf *secret.Buffer // backing memory when the Secret comes from Open
}

// Wipe zeroes the entropy and the passphrase and releases locked memory.
// It is safe to call more than once and on a nil *Secret.
func (s *Secret) Wipe() {
	if s == nil {
		return
	}
	secret.Wipe(s.Entropy)
	secret.Wipe(s.BIP39Passphrase)
	s.Entropy, s.BIP39Passphrase = nil, nil
	s.buf.Destroy()
	s.buf = nil
}

// String returns the kind and [REDACTED], never the secret.
func (s Secret) String() string { return "keystore.Secret{" + s.Kind + " " + secret.Redacted + "}" }

// GoString is like String, for %#v.
func (s Secret) GoString() string { return s.String() }

// Format prints String for every verb.
func (s Secret) Format(f fmt.State, _ rune) { io.WriteString(f, s.String()) }

// check validates a secret before it is sealed or after it is opened.
func (s *Secret) check() error {
	if s == nil {
		return errors.New("no secret given")
	}
	n := len(s.Entropy)
	switch s.Kind {
	case KindBIP39:
		if n != 16 && n != 20 && n != 24 && n != 28 && n != 32 {
			return fmt.Errorf("bip39 entropy is %d bytes, want 16, 20, 24, 28 or 32", n)
		}
	case KindSLIP39:
		if n < 16 || n > 32 || n%2 != 0 {
			return fmt.Errorf("slip39 master secret is %d bytes, want an even number from 16 to 32", n)
		}
		if len(s.BIP39Passphrase) != 0 {
			return errors.New("a slip39 secret takes no BIP39 passphrase (the SLIP-39 passphrase protects the shares, not the master secret)")
		}
	default:
		return fmt.Errorf("secret kind %q is not %q or %q", s.Kind, KindBIP39, KindSLIP39)
	}
	if len(s.BIP39Passphrase) > MaxPassphraseLen {
		return fmt.Errorf("the BIP39 passphrase is %d bytes, longer than %d", len(s.BIP39Passphrase), MaxPassphraseLen)
	}
	return nil
}

// The plaintext sealed in a keystore, version 1:
//
//	1 byte   plaintext version (1)
//	1 byte   kind (1 bip39, 2 slip39)
//	2 bytes  entropy length, big endian
//	n bytes  entropy
//	2 bytes  passphrase length, big endian
//	m bytes  passphrase
const (
	plainVersion  = 1
	kindCodeBIP39 = 1
	kindCodeSLIP  = 2
	plainOverhead = 1 + 1 + 2 + 2
	minPlainLen   = plainOverhead + 16
	maxPlainLen   = plainOverhead + 32 + MaxPassphraseLen
)

// plaintextLen is the size of s's plaintext.
func plaintextLen(s *Secret) int {
	return plainOverhead + len(s.Entropy) + len(s.BIP39Passphrase)
}

// encodePlaintext writes s into dst, which is plaintextLen(s) bytes long.
// s has been checked.
func encodePlaintext(dst []byte, s *Secret) {
	dst[0] = plainVersion
	dst[1] = kindCodeBIP39
	if s.Kind == KindSLIP39 {
		dst[1] = kindCodeSLIP
	}
	binary.BigEndian.PutUint16(dst[2:], uint16(len(s.Entropy)))
	n := copy(dst[4:], s.Entropy)
	binary.BigEndian.PutUint16(dst[4+n:], uint16(len(s.BIP39Passphrase)))
	copy(dst[6+n:], s.BIP39Passphrase)
}

// decodePlaintext parses the plaintext held in buf into a Secret whose
// slices point into buf (no copy); the Secret owns buf from then on. On
// error the caller still owns and destroys buf.
func decodePlaintext(buf *secret.Buffer) (*Secret, error) {
	p := buf.Bytes()
	if len(p) < plainOverhead {
		return nil, errors.New("the decrypted content is too short")
	}
	if p[0] != plainVersion {
		return nil, fmt.Errorf("the decrypted content has version %d, not %d", p[0], plainVersion)
	}
	s := &Secret{}
	switch p[1] {
	case kindCodeBIP39:
		s.Kind = KindBIP39
	case kindCodeSLIP:
		s.Kind = KindSLIP39
	default:
		return nil, fmt.Errorf("the decrypted content has unknown kind %d", p[1])
	}
	n := int(binary.BigEndian.Uint16(p[2:]))
	if 4+n+2 > len(p) {
		return nil, errors.New("the decrypted content is too short for its entropy")
	}
	m := int(binary.BigEndian.Uint16(p[4+n:]))
	if 6+n+m != len(p) {
		return nil, errors.New("the decrypted content has the wrong length")
	}
	s.Entropy = p[4 : 4+n : 4+n]
	if m > 0 {
		s.BIP39Passphrase = p[6+n : 6+n+m : 6+n+m]
	}
	if err := s.check(); err != nil {
		return nil, fmt.Errorf("the decrypted content is not valid: %w", err)
	}
	s.buf = buf
	return s, nil
}
