package keygen

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
)

type diceVector struct {
	Words    int    `json:"words"`
	Rolls    string `json:"rolls"`
	SHA256   string `json:"sha256"`
	Entropy  string `json:"entropy"`
	Mnemonic string `json:"mnemonic"`
}

func diceVectors(t testing.TB) []diceVector {
	t.Helper()
	var f struct{ Vectors []diceVector }
	readJSON(t, "dice/dice-only.json", &f)
	if len(f.Vectors) != 2 {
		t.Fatalf("dice-only.json has %d vectors, want 2", len(f.Vectors))
	}
	return f.Vectors
}

func TestMinRolls(t *testing.T) {
	for words, want := range map[int]int{12: 50, 24: 99, 0: 0, 15: 0, 18: 0, 25: 0} {
		if got := MinRolls(words); got != want {
			t.Errorf("MinRolls(%d) = %d, want %d", words, got, want)
		}
	}
}

func TestDiceOnlyVectors(t *testing.T) {
	for _, v := range diceVectors(t) {
		// Spaces every five rolls and line breaks every 25, as an officer might type them.
		var spaced strings.Builder
		for i, c := range v.Rolls {
			if i > 0 && i%25 == 0 {
				spaced.WriteString("\r\n")
			} else if i > 0 && i%5 == 0 {
				spaced.WriteString(" \t")
			}
			spaced.WriteRune(c)
		}
		for name, rolls := range map[string]string{"as stored": v.Rolls, "with white space": spaced.String() + "\n"} {
			e, err := DiceOnlyEntropy([]byte(rolls), v.Words)
			if err != nil {
				t.Fatalf("%d words, %s: %v", v.Words, name, err)
			}
			if hex.EncodeToString(e) != v.Entropy {
				t.Errorf("%d words, %s: entropy %x, want %s", v.Words, name, e, v.Entropy)
			}
			m, err := MnemonicFromEntropy(e)
			if err != nil || string(m) != v.Mnemonic {
				t.Errorf("%d words, %s: mnemonic %q, %v; want %q", v.Words, name, m, err, v.Mnemonic)
			}
		}
	}
}

// recorder keeps the last n bytes that pass through it.
type recorder struct {
	r    io.Reader
	last []byte
}

func (r *recorder) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.last = append(r.last, p[:n]...)
	if len(r.last) > 32 {
		r.last = r.last[len(r.last)-32:]
	}
	return n, err
}

func TestMixedEntropy(t *testing.T) {
	for _, v := range diceVectors(t) {
		diceOnly := unhex(t, v.Entropy)
		a, err := MixedEntropy(rand.Reader, []byte(v.Rolls), v.Words)
		if err != nil {
			t.Fatal(err)
		}
		b, err := MixedEntropy(rand.Reader, []byte(v.Rolls), v.Words)
		if err != nil {
			t.Fatal(err)
		}
		if len(a) != len(diceOnly) || len(b) != len(a) {
			t.Errorf("%d words: %d and %d bytes, want %d", v.Words, len(a), len(b), len(diceOnly))
		}
		if bytes.Equal(a, b) || bytes.Equal(a, diceOnly) || bytes.Equal(b, diceOnly) {
			t.Errorf("%d words: mixed entropy repeats across runs or equals the dice-only entropy", v.Words)
		}
		ma, _ := MnemonicFromEntropy(a)
		mb, _ := MnemonicFromEntropy(b)
		if bytes.Equal(ma, mb) {
			t.Errorf("%d words: two runs gave the same words", v.Words)
		}

		// The formula: SHA-256(the 32 rng bytes read last ‖ SHA-256(rolls)).
		rec := &recorder{r: chacha(5)}
		got, err := MixedEntropy(rec, []byte(v.Rolls), v.Words)
		if err != nil {
			t.Fatal(err)
		}
		inner := unhex(t, v.SHA256)
		want := sha256.Sum256(append(bytes.Clone(rec.last), inner...))
		if !bytes.Equal(got, want[:len(got)]) {
			t.Errorf("%d words: mixed entropy %x, want %x", v.Words, got, want[:len(got)])
		}
	}
}

func TestMixedEntropyRefusesBrokenRNG(t *testing.T) {
	v := diceVectors(t)[0]
	_, err := MixedEntropy(&funcReader{f: func(int) byte { return 0 }}, []byte(v.Rolls), v.Words)
	if !errors.Is(err, ErrRNGHealth) {
		t.Errorf("error %v, want ErrRNGHealth", err)
	}
}

func TestCheckRolls(t *testing.T) {
	fair := func(n int) string { // 123456123456…
		return strings.Repeat("123456", n/6+1)[:n]
	}
	biased := func(n, sixes int) string { // sixes 6s, the rest spread fairly over 1-5
		return strings.Repeat("6", sixes) + strings.Repeat("12345", n)[:n-sixes]
	}
	cases := []struct {
		name  string
		rolls string
		words int
		msg   string // "" for accepted
	}{
		{"50 fair rolls", fair(50), 12, ""},
		{"99 fair rolls", fair(99), 24, ""},
		{"many rolls", fair(1000), 24, ""},
		{"white space between rolls", "1 2\t3\n4\r\n5 " + fair(60), 12, ""},
		{"15 of 50 is 30%, allowed", biased(50, 15), 12, ""},
		{"16 of 50 is too many", biased(50, 16), 12,
			"the rolls look biased: face 6 is 16 of the 50 rolls (32.0%), more than 30%"},
		{"29 of 99 allowed", biased(99, 29), 24, ""},
		{"30 of 99 is too many", biased(99, 30), 24,
			"the rolls look biased: face 6 is 30 of the 99 rolls (30.3%), more than 30%"},
		{"all ones", strings.Repeat("1", 120), 24, "the rolls look biased: face 1 is 120 of the 120 rolls (100.0%), more than 30%"},
		{"49 rolls", fair(49), 12, "49 die rolls are too few for 12 words: at least 50 are needed"},
		{"98 rolls", fair(98), 24, "98 die rolls are too few for 24 words: at least 99 are needed"},
		{"50 rolls for 24 words", fair(50), 24, "50 die rolls are too few for 24 words: at least 99 are needed"},
		{"nothing", " \n", 12, "0 die rolls are too few for 12 words: at least 50 are needed"},
		{"zero", "1230" + fair(60), 12, `roll 4 is "0": only the die faces 1 to 6 are allowed`},
		{"seven", fair(60) + "7", 12, `roll 61 is "7": only the die faces 1 to 6 are allowed`},
		{"letter after spaces", "12 3x", 12, `roll 4 is "x": only the die faces 1 to 6 are allowed`},
		{"comma", "1,2", 12, `roll 2 is ",": only the die faces 1 to 6 are allowed`},
		{"non-ASCII", "12\u00e9", 12, `roll 3 is "é": only the die faces 1 to 6 are allowed`},
		{"ideographic space", "12\u30003", 12, `roll 3 is "\u3000": only the die faces 1 to 6 are allowed`},
		{"invalid UTF-8", "1\xff", 12, `roll 2 is "\xff": only the die faces 1 to 6 are allowed`},
		{"NUL", "1\x00", 12, `roll 2 is "\x00": only the die faces 1 to 6 are allowed`},
		{"bad character before count", "x", 12, `roll 1 is "x": only the die faces 1 to 6 are allowed`},
		{"13 words", fair(99), 13, "a seed of 13 words is not offered: choose 12 or 24"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CheckRolls([]byte(c.rolls), c.words)
			if c.msg == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				for name, f := range map[string]func() ([]byte, error){
					"DiceOnlyEntropy": func() ([]byte, error) { return DiceOnlyEntropy([]byte(c.rolls), c.words) },
					"MixedEntropy":    func() ([]byte, error) { return MixedEntropy(rand.Reader, []byte(c.rolls), c.words) },
				} {
					if e, err := f(); err != nil || len(e) != c.words*4/3 {
						t.Errorf("%s: %d bytes, %v", name, len(e), err)
					}
				}
				return
			}
			if err == nil || err.Error() != c.msg {
				t.Fatalf("error %v, want %q", err, c.msg)
			}
			if _, err2 := DiceOnlyEntropy([]byte(c.rolls), c.words); err2 == nil || err2.Error() != c.msg {
				t.Errorf("DiceOnlyEntropy: error %v, want %q", err2, c.msg)
			}
			if _, err2 := MixedEntropy(rand.Reader, []byte(c.rolls), c.words); err2 == nil || err2.Error() != c.msg {
				t.Errorf("MixedEntropy: error %v, want %q", err2, c.msg)
			}
		})
	}
}

func TestCheckRollsErrorTypes(t *testing.T) {
	var re *RollError
	if err := CheckRolls([]byte("12 3x"), 12); !errors.As(err, &re) || re.Position != 4 || re.Char != `"x"` {
		t.Errorf("error %#v, want RollError at 4", err)
	}
	var few *TooFewRollsError
	if err := CheckRolls([]byte("123"), 24); !errors.As(err, &few) || *few != (TooFewRollsError{Got: 3, Need: 99, Words: 24}) {
		t.Errorf("error %#v, want TooFewRollsError{3, 99, 24}", err)
	}
	var b *BiasedRollsError
	if err := CheckRolls([]byte(strings.Repeat("2", 60)), 12); !errors.As(err, &b) || *b != (BiasedRollsError{Face: 2, Count: 60, Total: 60}) {
		t.Errorf("error %#v, want BiasedRollsError{2, 60, 60}", err)
	}
}

func TestCheckRollsDoesNotChangeRolls(t *testing.T) {
	rolls := []byte(" 12345 6\n" + strings.Repeat("123456", 10))
	before := bytes.Clone(rolls)
	if err := CheckRolls(rolls, 12); err != nil {
		t.Fatal(err)
	}
	if _, err := DiceOnlyEntropy(rolls, 12); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(rolls, before) {
		t.Error("the rolls were changed")
	}
}
