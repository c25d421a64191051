package slip39

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// FuzzParseShare feeds outside input to ParseShare: it never panics, every
// failure unwraps to a sentinel, and what parses re-encodes to a share that
// parses to itself (the canonical form is stable).
func FuzzParseShare(f *testing.F) {
	for _, v := range loadVectors(f) {
		for _, m := range v.Mnemonics {
			f.Add([]byte(m))
			w := strings.Fields(m)
			f.Add([]byte(strings.Join(w[:len(w)-1], " ")))
			f.Add([]byte(strings.ToUpper(m)))
		}
	}
	f.Add([]byte(""))
	f.Add([]byte("academic"))
	sentinels := []error{ErrUnknownWord, ErrChecksum, ErrFormat}
	f.Fuzz(func(t *testing.T, in []byte) {
		s, err := ParseShare(in)
		if err != nil {
			known := false
			for _, e := range sentinels {
				known = known || errors.Is(err, e)
			}
			if !known || s != nil {
				t.Fatalf("ParseShare: %v (share %v)", err, s)
			}
			return
		}
		m, err := s.Mnemonic()
		if err != nil {
			t.Fatalf("parsed share does not encode: %v", err)
		}
		if got := strings.Join(strings.Fields(strings.ToLower(string(in))), " "); got != string(m) {
			t.Fatalf("canonical form %q re-encodes as %q", got, m)
		}
		again, err := ParseShare(m)
		if err != nil || again.String() != s.String() || !again.sameValue(s) {
			t.Fatalf("re-parse: %v, %v", again, err)
		}
		m2, _ := again.Mnemonic()
		if !bytes.Equal(m, m2) {
			t.Fatal("encoding is not stable")
		}
	})
}
