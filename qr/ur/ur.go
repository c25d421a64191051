package ur

import (
	"fmt"

	"github.com/coffer-custody/coffer/qr/internal/cbor"
)

// Registered types this package knows.
const (
	TypeBytes      = "bytes"       // arbitrary bytes (BCR-2020-005)
	TypeCryptoPSBT = "crypto-psbt" // PSBT, version 1 name (deprecated, most wallets still use it)
	TypePSBT       = "psbt"        // PSBT, version 2 name
)

// CBOR tags of the PSBT types, used only where a PSBT is embedded in a
// larger CBOR structure: a top-level UR is never tagged.
const (
	TagCryptoPSBT = 310
	TagPSBT       = 40310
)

// maxTypeLen bounds the type component.
const maxTypeLen = 64

// UR is a decoded Uniform Resource: its type and its CBOR message.
type UR struct {
	Type string // lower case
	CBOR []byte
}

// PayloadError reports a UR whose CBOR is not what its type requires.
type PayloadError struct {
	Type   string
	Reason string
}

func (e *PayloadError) Error() string {
	return fmt.Sprintf("ur:%s: %s", e.Type, e.Reason)
}

// validType reports whether t is a valid lower-case type: letters, digits
// and hyphens.
func validType(t string) bool {
	if t == "" || len(t) > maxTypeLen {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// New returns a UR of the given type holding message, which must be one
// well-formed CBOR item (the caller's responsibility). The type is checked
// and lower-cased.
func New(typ string, message []byte) (UR, error) {
	t := toLower(typ)
	if !validType(t) {
		return UR{}, fmt.Errorf("ur: type %q is not letters, digits and hyphens (at most %d)", typ, maxTypeLen)
	}
	if len(message) == 0 {
		return UR{}, fmt.Errorf("ur:%s: empty message", t)
	}
	return UR{Type: t, CBOR: append([]byte(nil), message...)}, nil
}

// NewBytes returns a UR of the given type whose message is the CBOR byte
// string holding payload. Use TypeBytes for arbitrary files.
func NewBytes(typ string, payload []byte) (UR, error) {
	return New(typ, cbor.AppendBytes(make([]byte, 0, len(payload)+9), payload))
}

// NewPSBT returns a PSBT UR. typ is TypeCryptoPSBT (also used when typ is
// empty) or TypePSBT. The bytes are not parsed: that is the signer's job.
func NewPSBT(psbt []byte, typ string) (UR, error) {
	switch typ {
	case "":
		typ = TypeCryptoPSBT
	case TypeCryptoPSBT, TypePSBT:
	default:
		return UR{}, fmt.Errorf("ur: %q is not a PSBT type (want %q or %q)", typ, TypeCryptoPSBT, TypePSBT)
	}
	return NewBytes(typ, psbt)
}

// Payload returns the bytes of a UR whose message is a CBOR byte string
// (types bytes, crypto-psbt, psbt and any other byte-string type). A tag
// in front of the byte string is accepted only if it is the registered tag
// of the type (310 for crypto-psbt, 40310 for psbt), though writers should
// not tag a top-level UR.
func (u UR) Payload() ([]byte, error) {
	r := cbor.NewReader(u.CBOR)
	if m, err := r.PeekMajor(); err == nil && m == cbor.MajorTag {
		tag, err := r.Tag()
		if err != nil {
			return nil, &PayloadError{Type: u.Type, Reason: err.Error()}
		}
		if want, ok := registeredTag(u.Type); !ok || tag != want {
			return nil, &PayloadError{Type: u.Type, Reason: fmt.Sprintf("CBOR tag %d is not the tag of this type", tag)}
		}
	}
	b, err := r.Bytes(len(u.CBOR))
	if err != nil {
		return nil, &PayloadError{Type: u.Type, Reason: "message is not a CBOR byte string: " + err.Error()}
	}
	if err := r.ExpectEnd(); err != nil {
		return nil, &PayloadError{Type: u.Type, Reason: err.Error()}
	}
	return append([]byte(nil), b...), nil
}

// registeredTag is the CBOR tag of the byte-string types that have one.
func registeredTag(typ string) (uint64, bool) {
	switch typ {
	case TypeCryptoPSBT:
		return TagCryptoPSBT, true
	case TypePSBT:
		return TagPSBT, true
	}
	return 0, false
}

// PSBT returns the PSBT bytes of a crypto-psbt or psbt UR.
func (u UR) PSBT() ([]byte, error) {
	if u.Type != TypeCryptoPSBT && u.Type != TypePSBT {
		return nil, &PayloadError{Type: u.Type, Reason: fmt.Sprintf("not a PSBT (want ur:%s or ur:%s)", TypeCryptoPSBT, TypePSBT)}
	}
	return u.Payload()
}

func toLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
