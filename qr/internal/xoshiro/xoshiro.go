// Package xoshiro is the Xoshiro256** generator as BCR-2020-005 seeds it:
// the 256-bit state is SHA-256 of the seed bytes, read as four big-endian
// 64-bit words. It is deterministic and not cryptographic; the fountain
// code uses it so that sender and receiver choose the same fragments.
package xoshiro

import (
	"crypto/sha256"
	"encoding/binary"
	"math/bits"
)

// Rand is one generator.
type Rand struct {
	s [4]uint64
}

// New seeds a generator with SHA-256(seed).
func New(seed []byte) *Rand {
	h := sha256.Sum256(seed)
	var x Rand
	for i := range x.s {
		x.s[i] = binary.BigEndian.Uint64(h[i*8:])
	}
	return &x
}

// Next returns the next 64-bit output.
func (x *Rand) Next() uint64 {
	s := &x.s
	result := bits.RotateLeft64(s[1]*5, 7) * 9
	t := s[1] << 17
	s[2] ^= s[0]
	s[3] ^= s[1]
	s[1] ^= s[2]
	s[0] ^= s[3]
	s[2] ^= t
	s[3] = bits.RotateLeft64(s[3], 45)
	return result
}

// NextDouble is Next() / 2^64, the conversion to float64 rounding to
// nearest as in the reference; it can return exactly 1.0.
func (x *Rand) NextDouble() float64 {
	return float64(x.Next()) / 18446744073709551616.0
}

// NextInt returns an integer in [low, high] the way the reference computes
// it. The reference can overshoot high by one when NextDouble returns 1.0
// (about once in 2^54 draws); here the result is clamped to high.
func (x *Rand) NextInt(low, high uint64) uint64 {
	v := uint64(x.NextDouble()*float64(high-low+1)) + low
	if v > high {
		v = high
	}
	return v
}

// NextByte returns NextInt(0, 255).
func (x *Rand) NextByte() byte { return byte(x.NextInt(0, 255)) }

// NextData returns n bytes from NextByte.
func (x *Rand) NextData(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = x.NextByte()
	}
	return b
}
