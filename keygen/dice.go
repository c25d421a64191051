package keygen

import (
	"crypto/sha256"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/coffer-custody/coffer/internal/secret"
)

// MinRolls returns the fewest die rolls accepted for a seed of words words:
// 50 for 12 (50·log2 6 ≈ 129 bits ≥ 128) and 99 for 24 (≈ 255.9 bits, the
// count Coldcard asks for). It returns 0 for other word counts.
func MinRolls(words int) int {
	switch words {
	case 12:
		return 50
	case 24:
		return 99
	}
	return 0
}

// maxFaceShare is the share of the rolls above which one face makes a roll
// string look biased: 3/10.
const maxFaceNum, maxFaceDen = 3, 10

// RollError is returned for a character in a roll string that is neither a
// die face 1 to 6 nor white space.
type RollError struct {
	Position int    // 1-based position among the rolls (white space not counted)
	Char     string // the character, quoted as Go would quote it
}

func (e *RollError) Error() string {
	return fmt.Sprintf("roll %d is %s: only the die faces 1 to 6 are allowed", e.Position, e.Char)
}

// TooFewRollsError is returned when a roll string is shorter than MinRolls.
type TooFewRollsError struct {
	Got, Need, Words int
}

func (e *TooFewRollsError) Error() string {
	return fmt.Sprintf("%d die rolls are too few for %d words: at least %d are needed", e.Got, e.Words, e.Need)
}

// BiasedRollsError is returned when one face makes up more than 30% of the
// rolls (a fair die gives each face 1/6, about 17%).
type BiasedRollsError struct {
	Face         int // 1 to 6
	Count, Total int // rolls showing Face, and all rolls
}

func (e *BiasedRollsError) Error() string {
	return fmt.Sprintf("the rolls look biased: face %d is %d of the %d rolls (%.1f%%), more than 30%%",
		e.Face, e.Count, e.Total, 100*float64(e.Count)/float64(e.Total))
}

// isRollSpace reports the white space allowed between rolls: ASCII space,
// tab, new line, carriage return, vertical tab and form feed.
func isRollSpace(c byte) bool {
	return c == ' ' || ('\t' <= c && c <= '\r')
}

// CheckRolls checks a roll string typed by the officer for a seed of words
// words (12 or 24). Rolls are the characters 1 to 6; ASCII white space
// between them (spaces, tabs, new lines) is allowed and ignored, and
// positions count rolls only, so "12 3x" reports roll 4. It returns
// *RollError for the first other character, *TooFewRollsError below
// MinRolls, and *BiasedRollsError when one face is more than 30% of the
// rolls. A fair die is refused as biased now and then with the minimum count
// (about 3% of 50-roll strings, 0.3% of 99-roll ones); rolling again, or
// more, is the remedy. The rolls are not changed or kept.
func CheckRolls(rolls []byte, words int) error {
	clean, err := cleanRolls(rolls, words)
	secret.Wipe(clean)
	return err
}

// cleanRolls checks rolls like CheckRolls and returns them without white
// space, in a new slice the caller wipes.
func cleanRolls(rolls []byte, words int) ([]byte, error) {
	if _, err := entropyLen(words); err != nil {
		return nil, err
	}
	n := 0
	for i := 0; i < len(rolls); {
		c := rolls[i]
		switch {
		case isRollSpace(c):
			i++
		case '1' <= c && c <= '6':
			n++
			i++
		default:
			_, size := utf8.DecodeRune(rolls[i:])
			return nil, &RollError{Position: n + 1, Char: strconv.Quote(string(rolls[i : i+size]))}
		}
	}
	if need := MinRolls(words); n < need {
		return nil, &TooFewRollsError{Got: n, Need: need, Words: words}
	}
	clean := make([]byte, 0, n)
	var count [7]int
	for _, c := range rolls {
		if !isRollSpace(c) {
			clean = append(clean, c)
			count[c-'0']++
		}
	}
	for face := 1; face <= 6; face++ {
		if count[face]*maxFaceDen > n*maxFaceNum {
			secret.Wipe(clean)
			return nil, &BiasedRollsError{Face: face, Count: count[face], Total: n}
		}
	}
	clear(count[:])
	return clean, nil
}

// MixedEntropy returns the entropy of a new seed that mixes die rolls with
// the system generator: SHA-256(32 bytes from rng ‖ SHA-256(rolls)), its
// first 16 bytes for 12 words or all 32 for 24. The rolls are hashed as the
// ASCII digits without white space. It checks the rolls with CheckRolls and
// rng with CheckRNG first. The result is secret only if the rolls or the
// generator are; the caller wipes it.
func MixedEntropy(rng io.Reader, rolls []byte, words int) ([]byte, error) {
	clean, err := cleanRolls(rolls, words)
	if err != nil {
		return nil, err
	}
	defer secret.Wipe(clean)
	if err := CheckRNG(rng); err != nil {
		return nil, err
	}

	var buf [64]byte // rng bytes ‖ SHA-256(rolls)
	defer secret.Wipe(buf[:])
	if _, err := io.ReadFull(rng, buf[:32]); err != nil {
		return nil, fmt.Errorf("reading 32 bytes from the random generator: %w", err)
	}
	h := sha256.Sum256(clean)
	copy(buf[32:], h[:])
	secret.Wipe(h[:])
	sum := sha256.Sum256(buf[:])
	defer secret.Wipe(sum[:])

	n, _ := entropyLen(words)
	e := make([]byte, n)
	copy(e, sum[:n])
	return e, nil
}

// DiceOnlyEntropy returns the entropy of a new seed from die rolls alone:
// SHA-256 of the rolls as an ASCII string of digits (white space removed),
// its first 16 bytes for 12 words or all 32 for 24. This is the method
// Coldcard documents, so an auditor can recompute it with
// `tr -d '[:space:]' < rolls | sha256sum` and any BIP39 tool. No machine
// randomness is included: the caller must warn the officer. It checks the
// rolls with CheckRolls first; the caller wipes the result.
func DiceOnlyEntropy(rolls []byte, words int) ([]byte, error) {
	clean, err := cleanRolls(rolls, words)
	if err != nil {
		return nil, err
	}
	defer secret.Wipe(clean)
	sum := sha256.Sum256(clean)
	defer secret.Wipe(sum[:])

	n, _ := entropyLen(words)
	e := make([]byte, n)
	copy(e, sum[:n])
	return e, nil
}
