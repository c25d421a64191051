package slip39

import (
	"bytes"
	"testing"
)

// Split and Combine of a 256-bit master secret, 3 of 5 shares, iteration
// exponent 0 (10000 PBKDF2-HMAC-SHA256 iterations in all, which dominate).
func BenchmarkSplit256(b *testing.B) {
	secret := bytes.Repeat([]byte{0x42}, 32)
	for b.Loop() {
		set, err := Split(secret, []byte("TREZOR"), 1, []Group{{3, 5}}, 0, true, nil)
		if err != nil {
			b.Fatal(err)
		}
		WipeAll(set)
	}
}

func BenchmarkCombine256(b *testing.B) {
	secret := bytes.Repeat([]byte{0x42}, 32)
	set, err := Split(secret, []byte("TREZOR"), 1, []Group{{3, 5}}, 0, true, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer WipeAll(set)
	ms := mnemonics(b, set[0][:3])
	for b.Loop() {
		got, err := Combine(ms, []byte("TREZOR"))
		if err != nil || !bytes.Equal(got, secret) {
			b.Fatal(err)
		}
	}
}
