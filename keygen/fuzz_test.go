package keygen

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParseMnemonic(f *testing.F) {
	for _, v := range englishVectors(f) {
		f.Add([]byte(v.Mnemonic))
		f.Add([]byte(strings.ReplaceAll(v.Mnemonic, " ", " \t\u3000")))
		f.Add([]byte(strings.ToUpper(v.Mnemonic)))
		w := strings.Fields(v.Mnemonic)
		f.Add([]byte(strings.Join(w[1:], " ")))
		f.Add([]byte(strings.Join(append(w[1:], w[0]), " ")))
	}
	for _, v := range japaneseVectors(f) {
		f.Add([]byte(v.Mnemonic))
	}
	f.Add([]byte("abandn abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"))
	f.Add([]byte("\xff\xfe\u0301 ａｂａｎｄｏｎ"))

	f.Fuzz(func(t *testing.T, m []byte) {
		before := bytes.Clone(m)
		c := Canonical(m)
		if utf8.Valid(m) && !bytes.Equal(Canonical(c), c) {
			t.Fatalf("Canonical is not idempotent on %q", m)
		}
		e, err := ParseMnemonic(m)
		if !bytes.Equal(m, before) {
			t.Fatal("ParseMnemonic changed its input")
		}
		if err != nil {
			var uw *UnknownWordError
			var wc *WordCountError
			if !errors.As(err, &uw) && !errors.As(err, &wc) && !errors.Is(err, ErrChecksum) && len(m) <= maxMnemonicBytes {
				t.Fatalf("unexpected error %v", err)
			}
			if uw != nil && (uw.Position < 1 || len(uw.Suggestions) > maxSuggested) {
				t.Fatalf("bad UnknownWordError %+v", uw)
			}
			return
		}
		// What parses re-encodes to the canonical form.
		again, err := MnemonicFromEntropy(e)
		if err != nil {
			t.Fatalf("MnemonicFromEntropy of parsed entropy %x: %v", e, err)
		}
		if !bytes.Equal(again, c) {
			t.Fatalf("re-encoded %q, canonical form %q", again, c)
		}
	})
}

func FuzzCheckRolls(f *testing.F) {
	for _, v := range diceVectors(f) {
		f.Add([]byte(v.Rolls), v.Words)
	}
	f.Add([]byte("12 3x"), 12)
	f.Add([]byte(strings.Repeat("6", 99)), 24)
	f.Fuzz(func(t *testing.T, rolls []byte, words int) {
		err := CheckRolls(rolls, words)
		e, err2 := DiceOnlyEntropy(rolls, words)
		if (err == nil) != (err2 == nil) {
			t.Fatalf("CheckRolls %v but DiceOnlyEntropy %v", err, err2)
		}
		if err == nil && (len(e) != words*4/3 || (words != 12 && words != 24)) {
			t.Fatalf("%d words: %d bytes of entropy", words, len(e))
		}
	})
}
