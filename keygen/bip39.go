package keygen

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"

	"github.com/coffer-custody/coffer/internal/secret"
)

// maxMnemonicBytes bounds what ParseMnemonic reads. The longest English
// mnemonic is 24 words of 8 letters and 23 spaces (215 bytes); the bound
// leaves room for generous white space.
const maxMnemonicBytes = 4096

// ErrChecksum means that every word is in the list but the checksum that the
// last word carries does not match the others: a word is wrong, or two words
// are swapped. Branch on it with errors.Is.
var ErrChecksum = errors.New("the checksum does not match: a word is wrong or the words are out of order")

// UnknownWordError is returned by ParseMnemonic for a word that is not in the
// BIP39 English list. Its message names the position only: the mistyped word
// and the suggestions are near-copies of a secret word, so they are in fields
// (and Hint) for the officer's screen, never in Error.
type UnknownWordError struct {
	Position    int      // 1-based position of the word in the mnemonic
	Suggestions []string // closest list words, best first; may be empty
}

func (e *UnknownWordError) Error() string {
	return fmt.Sprintf("word %d is not in the BIP39 English list", e.Position)
}

// Hint returns the line to show the officer after the error, such as
// `did you mean "abandon"?`, or "" when no list word is close.
func (e *UnknownWordError) Hint() string {
	if len(e.Suggestions) == 0 {
		return ""
	}
	q := make([]string, len(e.Suggestions))
	for i, s := range e.Suggestions {
		q[i] = `"` + s + `"`
	}
	return "did you mean " + strings.Join(q, " or ") + "?"
}

// WordCountError is returned by ParseMnemonic when the number of words is not
// one that BIP39 defines (12, 15, 18, 21 or 24).
type WordCountError struct {
	Count int // words found after splitting on white space
}

func (e *WordCountError) Error() string {
	return fmt.Sprintf("the mnemonic has %d words; BIP39 mnemonics have 12, 15, 18, 21 or 24", e.Count)
}

// EntropyLengthError is returned by MnemonicFromEntropy for an entropy whose
// length BIP39 does not define (16, 20, 24, 28 or 32 bytes).
type EntropyLengthError struct {
	Length int // bytes given
}

func (e *EntropyLengthError) Error() string {
	return fmt.Sprintf("entropy is %d bytes; BIP39 needs 16, 20, 24, 28 or 32", e.Length)
}

func validEntropyLength(n int) bool { return n >= 16 && n <= 32 && n%4 == 0 }

// MnemonicFromEntropy returns the BIP39 English mnemonic of entropy: its
// words separated by single ASCII spaces. entropy must be 16, 20, 24, 28 or
// 32 bytes (12 to 24 words). The result is a new slice the caller wipes.
func MnemonicFromEntropy(entropy []byte) ([]byte, error) {
	if !validEntropyLength(len(entropy)) {
		return nil, &EntropyLengthError{Length: len(entropy)}
	}
	// entropy ‖ first len/4 bits of its SHA-256, read 11 bits at a time.
	var buf [33]byte
	defer secret.Wipe(buf[:])
	copy(buf[:], entropy)
	sum := sha256.Sum256(entropy)
	buf[len(entropy)] = sum[0] // the checksum is at most 8 bits
	secret.Wipe(sum[:])

	words := len(entropy) * 8 * 3 / 32 // (ENT + ENT/32) / 11
	var idx [24]int
	defer clear(idx[:])
	for w := range words {
		idx[w] = bitsAt(buf[:], w*bitsPerWord, bitsPerWord)
	}

	list := english()
	n := words - 1 // spaces
	for _, i := range idx[:words] {
		n += len(list[i])
	}
	out := make([]byte, 0, n) // exact size: append never moves the secret
	for w, i := range idx[:words] {
		if w > 0 {
			out = append(out, ' ')
		}
		out = append(out, list[i]...)
	}
	return out, nil
}

// bitsAt reads n ≤ 11 bits of b starting at bit off, most significant first.
func bitsAt(b []byte, off, n int) int {
	v := 0
	for i := off; i < off+n; i++ {
		v = v<<1 | int(b[i/8]>>(7-i%8)&1)
	}
	return v
}

// ParseMnemonic checks a BIP39 English mnemonic and returns its entropy (16
// to 32 bytes). It first brings m to its Canonical form, so words typed with
// extra spaces, tabs, new lines or full-width letters are accepted; upper case
// is not, since BIP39 hashes the words as written. It returns *UnknownWordError for the first word not in the
// list, *WordCountError for a count other than 12, 15, 18, 21 or 24, and
// ErrChecksum when the checksum does not match. m is not changed; the caller
// wipes it and the entropy.
func ParseMnemonic(m []byte) ([]byte, error) {
	if len(m) > maxMnemonicBytes {
		return nil, fmt.Errorf("the mnemonic is %d bytes long; at most %d are read", len(m), maxMnemonicBytes)
	}
	c := Canonical(m)
	defer secret.Wipe(c)

	list := english()
	var idx [24]int
	defer clear(idx[:])
	count := 0
	var err error
	forEachWord(c, func(w []byte) {
		count++
		if err != nil {
			return
		}
		i, ok := list.index(w)
		if !ok {
			err = &UnknownWordError{Position: count, Suggestions: list.suggest(w)}
			return
		}
		if count <= len(idx) {
			idx[count-1] = i
		}
	})
	if err != nil {
		return nil, err
	}
	if count < 12 || count > 24 || count%3 != 0 {
		return nil, &WordCountError{Count: count}
	}

	// Pack the 11-bit indexes: ENT bits of entropy, then ENT/32 checksum bits.
	var buf [33]byte
	defer secret.Wipe(buf[:])
	for w, i := range idx[:count] {
		for b := range bitsPerWord {
			if i>>(bitsPerWord-1-b)&1 == 1 {
				bit := w*bitsPerWord + b
				buf[bit/8] |= 1 << (7 - bit%8)
			}
		}
	}
	entLen := count * 4 / 3 // bytes: ENT = count*11*32/33 bits
	csBits := entLen / 4
	sum := sha256.Sum256(buf[:entLen])
	defer secret.Wipe(sum[:])
	want := int(sum[0] >> (8 - csBits))
	if bitsAt(buf[:], entLen*8, csBits) != want {
		return nil, ErrChecksum
	}
	entropy := make([]byte, entLen)
	copy(entropy, buf[:entLen])
	return entropy, nil
}
