package keygen

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/bits"

	"github.com/coffer-custody/coffer/internal/secret"
)

// ErrRNGHealth means the random generator failed the health test of
// CheckRNG: its output is constant, repeats, or is far from uniform. The key
// ceremony must stop. Branch on it with errors.Is; the message says which
// test failed.
var ErrRNGHealth = errors.New("the random generator failed its health test")

const (
	healthBlock  = 32  // bytes per read
	healthBlocks = 128 // reads: 4096 bytes, 32768 bits in all
	healthBytes  = healthBlock * healthBlocks
	healthBits   = healthBytes * 8

	// A good generator gives healthBits/2 ones, give or take sqrt(healthBits)/2
	// ≈ 90.5 (one standard deviation). 905 is ten of them: a good generator
	// goes past it with probability below 1e-22.
	maxMonobitDeviation = 905

	// Pearson's chi-square over the 256 byte values has 255 degrees of
	// freedom (mean 255, standard deviation 22.6). A good generator exceeds
	// 500 with probability about 1e-17 (Wilson–Hilferty), while a generator
	// that never sets the top bit, or draws from a few values, scores in the
	// thousands.
	maxChiSquare = 500
)

// CheckRNG reads 4096 bytes from r in 32-byte reads and refuses a generator
// that is obviously broken: one whose output is constant, in which two reads
// are equal, which repeats with any period up to 2048 bytes, whose share of
// one bits is more than ten standard deviations from half, or whose byte
// values fail a chi-square test set far in the tail. A good generator fails
// with probability below 1e-16, so a failure is never a fluke. It cannot
// prove that a generator is good: a predictable one passes. The bytes read
// are wiped and not used.
//
// Errors wrap ErrRNGHealth, or say that r could not be read.
func CheckRNG(r io.Reader) error {
	sample := make([]byte, healthBytes)
	defer secret.Wipe(sample)
	for i := range healthBlocks {
		if _, err := io.ReadFull(r, sample[i*healthBlock:(i+1)*healthBlock]); err != nil {
			return fmt.Errorf("reading 32 bytes (read %d of %d) from the random generator: %w", i+1, healthBlocks, err)
		}
	}
	return checkSample(sample)
}

func checkSample(s []byte) error {
	if bytes.Count(s, s[:1]) == len(s) {
		return fmt.Errorf("%w: all %d bytes read are the same byte", ErrRNGHealth, len(s))
	}
	for p := 1; p <= len(s)/2; p++ {
		if bytes.Equal(s[:len(s)-p], s[p:]) {
			return fmt.Errorf("%w: the output repeats every %d bytes", ErrRNGHealth, p)
		}
	}
	for i := 0; i < len(s); i += healthBlock {
		for j := i + healthBlock; j < len(s); j += healthBlock {
			if bytes.Equal(s[i:i+healthBlock], s[j:j+healthBlock]) {
				return fmt.Errorf("%w: reads %d and %d returned the same 32 bytes", ErrRNGHealth, i/healthBlock+1, j/healthBlock+1)
			}
		}
	}

	ones := 0
	var freq [256]int
	for _, b := range s {
		ones += bits.OnesCount8(b)
		freq[b]++
	}
	if d := ones - healthBits/2; d > maxMonobitDeviation || -d > maxMonobitDeviation {
		return fmt.Errorf("%w: %d of %d bits are ones; a good generator stays within %d of half",
			ErrRNGHealth, ones, healthBits, maxMonobitDeviation)
	}
	// chi² = Σ (f - E)² / E with E = len/256 = 16; kept in integers: 256·Σ(f-E)²/len.
	const expected = healthBytes / 256
	sq := 0
	for _, f := range freq {
		sq += (f - expected) * (f - expected)
	}
	if chi := sq / expected; chi > maxChiSquare {
		return fmt.Errorf("%w: the byte values are far from uniform (chi-square %d over 256 values, limit %d)",
			ErrRNGHealth, chi, maxChiSquare)
	}
	return nil
}

// entropyLen returns the entropy bytes for a word count the ceremony offers.
func entropyLen(words int) (int, error) {
	switch words {
	case 12:
		return 16, nil
	case 24:
		return 32, nil
	}
	return 0, fmt.Errorf("a seed of %d words is not offered: choose 12 or 24", words)
}

// Entropy runs CheckRNG on rng, then reads the entropy of a new seed from it:
// 16 bytes for 12 words, 32 bytes for 24 (other counts are refused). Pass
// crypto/rand.Reader. The caller wipes the result.
func Entropy(rng io.Reader, words int) ([]byte, error) {
	n, err := entropyLen(words)
	if err != nil {
		return nil, err
	}
	if err := CheckRNG(rng); err != nil {
		return nil, err
	}
	e := make([]byte, n)
	if _, err := io.ReadFull(rng, e); err != nil {
		secret.Wipe(e)
		return nil, fmt.Errorf("reading %d bytes of entropy from the random generator: %w", n, err)
	}
	return e, nil
}
