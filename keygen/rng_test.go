package keygen

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	mrand "math/rand/v2"
	"strings"
	"testing"
)

// funcReader serves bytes from f(i) for the i-th byte ever read.
type funcReader struct {
	f func(i int) byte
	n int
}

func (r *funcReader) Read(p []byte) (int, error) {
	for k := range p {
		p[k] = r.f(r.n)
		r.n++
	}
	return len(p), nil
}

// blockReader returns the same block on every Read, whatever its size.
type blockReader struct{ block []byte }

func (r blockReader) Read(p []byte) (int, error) { return copy(p, r.block), nil }

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("device gone") }

func chacha(seed byte) io.Reader { return mrand.NewChaCha8([32]byte{seed}) }

func TestCheckRNGRefuses(t *testing.T) {
	randomBlock := make([]byte, 32)
	if _, err := io.ReadFull(chacha(7), randomBlock); err != nil {
		t.Fatal(err)
	}
	pattern := func(period int) func(int) byte {
		p := make([]byte, period)
		if _, err := io.ReadFull(chacha(9), p); err != nil {
			t.Fatal(err)
		}
		return func(i int) byte { return p[i%period] }
	}
	noise := make([]byte, healthBytes)
	if _, err := io.ReadFull(chacha(8), noise); err != nil {
		t.Fatal(err)
	}
	random := mrand.New(mrand.NewChaCha8([32]byte{3}))
	cases := []struct {
		name string
		r    io.Reader
		msg  string
	}{
		{"all zero", &funcReader{f: func(int) byte { return 0 }}, "all 4096 bytes read are the same byte"},
		{"constant 0xaa", &funcReader{f: func(int) byte { return 0xaa }}, "all 4096 bytes read are the same byte"},
		{"same 32-byte block every read", blockReader{randomBlock}, "the output repeats every 32 bytes"},
		{"block 41 equal to block 1", &funcReader{f: func(i int) byte {
			i %= healthBytes
			if i >= 40*32 && i < 41*32 {
				i -= 40 * 32
			}
			return noise[i]
		}}, "reads 1 and 41 returned the same 32 bytes"},
		{"period 7", &funcReader{f: pattern(7)}, "the output repeats every 7 bytes"},
		{"period 100", &funcReader{f: pattern(100)}, "the output repeats every 100 bytes"},
		{"period 2000", &funcReader{f: pattern(2000)}, "the output repeats every 2000 bytes"},
		{"byte counter", &funcReader{f: func(i int) byte { return byte(i) }}, "the output repeats every 256 bytes"},
		{"32-bit counter", &funcReader{f: func(i int) byte { return byte((i / 4) >> (8 * (i % 4))) }},
			"of 32768 bits are ones"},
		{"top bit never set", &funcReader{f: func(int) byte { return byte(random.IntN(128)) }},
			"of 32768 bits are ones"},
		{"16 values only", &funcReader{f: func(int) byte { return []byte("0123456789abcdef")[random.IntN(16)] }},
			"of 32768 bits are ones"},
		{"balanced bits, few values", &funcReader{f: func(int) byte { return []byte{0x0f, 0xf0, 0x33, 0xcc, 0x55, 0xaa}[random.IntN(6)] }},
			"the byte values are far from uniform"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CheckRNG(c.r)
			if !errors.Is(err, ErrRNGHealth) {
				t.Fatalf("error %v, want ErrRNGHealth", err)
			}
			if !strings.HasPrefix(err.Error(), "the random generator failed its health test: ") || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q, want it to contain %q", err, c.msg)
			}
			if _, err := Entropy(c.r, 24); !errors.Is(err, ErrRNGHealth) {
				t.Errorf("Entropy: error %v, want ErrRNGHealth", err)
			}
		})
	}
}

func TestCheckRNGReadErrors(t *testing.T) {
	cases := []struct {
		name string
		r    io.Reader
		msg  string
	}{
		{"failing", errReader{}, "reading 32 bytes (read 1 of 128) from the random generator: device gone"},
		{"short", io.LimitReader(rand.Reader, 100), "reading 32 bytes (read 4 of 128) from the random generator: unexpected EOF"},
		{"empty", bytes.NewReader(nil), "reading 32 bytes (read 1 of 128) from the random generator: EOF"},
	}
	for _, c := range cases {
		err := CheckRNG(c.r)
		if err == nil || err.Error() != c.msg || errors.Is(err, ErrRNGHealth) {
			t.Errorf("%s: error %v, want %q (not ErrRNGHealth)", c.name, err, c.msg)
		}
	}
}

func TestCheckRNGAcceptsGoodGenerators(t *testing.T) {
	// Each run would fail a good generator with probability below 1e-16.
	for i := range 20 {
		if err := CheckRNG(rand.Reader); err != nil {
			t.Fatalf("crypto/rand run %d: %v", i, err)
		}
	}
	for seed := range 200 {
		if err := CheckRNG(chacha(byte(seed))); err != nil {
			t.Fatalf("ChaCha8 seed %d: %v", seed, err)
		}
	}
}

func TestEntropy(t *testing.T) {
	for words, n := range map[int]int{12: 16, 24: 32} {
		a, err := Entropy(rand.Reader, words)
		if err != nil || len(a) != n {
			t.Fatalf("%d words: %d bytes, %v; want %d", words, len(a), err, n)
		}
		b, err := Entropy(rand.Reader, words)
		if err != nil || bytes.Equal(a, b) {
			t.Errorf("%d words: two draws are equal (%v)", words, err)
		}
	}
	for _, words := range []int{0, 11, 15, 18, 21, 25, -12} {
		_, err := Entropy(rand.Reader, words)
		want := "seed of " // "a seed of N words is not offered: choose 12 or 24"
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasSuffix(err.Error(), "is not offered: choose 12 or 24") {
			t.Errorf("%d words: error %v", words, err)
		}
	}
	if _, err := Entropy(io.LimitReader(chacha(2), healthBytes), 24); err == nil {
		// 4096 bytes pass the health test, then the reader ends: the entropy read must fail.
		t.Error("Entropy from an exhausted reader succeeded")
	}
}
