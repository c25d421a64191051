package slip39

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// vectorMnemonics returns the mnemonics of the vector whose description
// starts with prefix.
func vectorMnemonics(t *testing.T, prefix string) [][]byte {
	t.Helper()
	for _, v := range loadVectors(t) {
		if strings.HasPrefix(v.Description, prefix) {
			out := make([][]byte, len(v.Mnemonics))
			for i, m := range v.Mnemonics {
				out[i] = []byte(m)
			}
			return out
		}
	}
	t.Fatalf("no vector %q", prefix)
	return nil
}

func TestRecoveryStatusAndOrder(t *testing.T) {
	set, err := Split([]byte("0123456789abcdef"), nil, 2, []Group{{2, 3}, {1, 1}, {3, 5}}, 0, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer WipeAll(set)
	var r Recovery
	if st := r.Status(); st.Started || st.Complete() || st.String() != "no share given yet" {
		t.Fatalf("empty status %+v %q", st, st)
	}
	if _, err := r.Secret(nil); !errors.Is(err, ErrInsufficient) {
		t.Fatalf("empty Secret: %v", err)
	}
	steps := []struct {
		share  *Share
		status string
	}{
		{set[2][4], "2 more groups needed (2 of 3 groups): group 1 has no share yet; group 2 has no share yet; group 3 needs 2 more shares (1 of 3)"},
		{set[0][1], "2 more groups needed (2 of 3 groups): group 1 needs 1 more share (1 of 2); group 2 has no share yet; group 3 needs 2 more shares (1 of 3)"},
		{set[2][0], "2 more groups needed (2 of 3 groups): group 1 needs 1 more share (1 of 2); group 2 has no share yet; group 3 needs 1 more share (2 of 3)"},
		{set[2][2], "1 more group needed (2 of 3 groups): group 1 needs 1 more share (1 of 2); group 2 has no share yet; group 3 complete (3 of 3)"},
	}
	for i, st := range steps {
		m, _ := st.share.Mnemonic()
		if err := r.Add(m); err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
		if got := r.Status().String(); got != st.status {
			t.Fatalf("step %d status\n got %q\nwant %q", i+1, got, st.status)
		}
		if _, err := r.Secret(nil); !errors.Is(err, ErrInsufficient) {
			t.Fatalf("step %d: Secret before the thresholds: %v", i+1, err)
		}
	}
	// A fourth share of the complete group 3 is not needed.
	m, _ := set[2][1].Mnemonic()
	var nn *NotNeededError
	if err := r.Add(m); !errors.As(err, &nn) || nn.Group != 3 {
		t.Fatalf("extra share of a complete group: %v", err)
	}
	// The repeated share is named as such, even in a complete group.
	m, _ = set[2][0].Mnemonic()
	var rep *RepeatedShareError
	if err := r.Add(m); !errors.As(err, &rep) || rep.Group != 3 || rep.Member != 1 || rep.Error() != "share 1 of group 3 was already given" {
		t.Fatalf("repeated share: %v", err)
	}
	m, _ = set[1][0].Mnemonic()
	if err := r.Add(m); err != nil {
		t.Fatal(err)
	}
	st := r.Status()
	if !st.Complete() || st.GroupsComplete() != 2 || st.String() != "complete (2 of 3 groups)" {
		t.Fatalf("final status %q", st)
	}
	m, _ = set[0][0].Mnemonic()
	if err := r.Add(m); !errors.As(err, &nn) || nn.Group != 0 {
		t.Fatalf("share after completion: %v", err)
	}
	got, err := r.Secret(nil)
	if err != nil || string(got) != "0123456789abcdef" {
		t.Fatalf("Secret = %q, %v", got, err)
	}
	if s := fmt.Sprintf("%v %+v %#v %s", &r, &r, &r, &r); strings.Contains(s, "0x") || !strings.Contains(s, "complete") {
		t.Fatalf("Recovery formats as %q", s)
	}
	r.Wipe()
	if r.Status().Started {
		t.Fatal("Wipe did not reset")
	}
}

func TestRecoverySingleGroupStatus(t *testing.T) {
	ms := vectorMnemonics(t, "4. Basic sharing 2-of-3 (128 bits)")
	var r Recovery
	if err := r.Add(ms[0]); err != nil {
		t.Fatal(err)
	}
	if got := r.Status().String(); got != "1 more share needed (1 of 2 given)" {
		t.Fatalf("status %q", got)
	}
	if err := r.Add(ms[1]); err != nil {
		t.Fatal(err)
	}
	if got := r.Status().String(); got != "complete (2 of 2 shares)" {
		t.Fatalf("status %q", got)
	}
	secret, err := r.Secret([]byte("TREZOR"))
	if err != nil || fmt.Sprintf("%x", secret) != "b43ceb7e57a0ea8766221624d01b0864" {
		t.Fatalf("secret %x, %v", secret, err)
	}
}

// TestRecoveryRefusals checks each refusal's type and message with the
// vector sets, and that a refused share leaves the Recovery unchanged.
func TestRecoveryRefusals(t *testing.T) {
	tests := []struct {
		vector string
		want   error
		msg    string
	}{
		{"6. Mnemonics with different identifiers", ErrOtherSet, "belongs to another set of shares"},
		{"7. Mnemonics with different iteration exponents", ErrInconsistent, "iteration exponent"},
		{"8. Mnemonics with mismatching group thresholds", ErrInconsistent, "group threshold"},
		{"9. Mnemonics with mismatching group counts", ErrInconsistent, "group count"},
		{"11. Mnemonics with duplicate member indices", ErrInconsistent, "a different value for member"},
		{"12. Mnemonics with mismatching member thresholds", ErrInconsistent, "member threshold of group 1"},
	}
	for _, tc := range tests {
		t.Run(tc.vector, func(t *testing.T) {
			ms := vectorMnemonics(t, tc.vector)
			var r Recovery
			var err error
			for i, m := range ms {
				if err = r.Add(m); err != nil {
					if i == 0 {
						t.Fatalf("first share refused: %v", err)
					}
					break
				}
			}
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error %q, want %v containing %q", err, tc.want, tc.msg)
			}
		})
	}
	t.Run("digest", func(t *testing.T) {
		ms := vectorMnemonics(t, "13. Mnemonics giving an invalid digest")
		var r Recovery
		for _, m := range ms {
			if err := r.Add(m); err != nil {
				t.Fatal(err)
			}
		}
		got, err := r.Secret([]byte("TREZOR"))
		var de *DigestError
		if got != nil || !errors.As(err, &de) || de.Group != 1 {
			t.Fatalf("Secret = %v, %v", got, err)
		}
	})
}

func TestParseShareErrors(t *testing.T) {
	valid := string(vectorMnemonics(t, "1. Valid mnemonic without sharing (128 bits)")[0])
	words := strings.Fields(valid)
	replace := func(i int, w string) string {
		c := append([]string(nil), words...)
		c[i] = w
		return strings.Join(c, " ")
	}
	tests := []struct {
		name string
		in   string
		want error
		msg  string
	}{
		{"mistyped word", replace(6, "lenght"), ErrUnknownWord, "word 7 is not in the SLIP-39 word list"},
		{"word not in list", replace(0, "zzzzzz"), ErrUnknownWord, "word 1 is not in the SLIP-39 word list"},
		{"non-ASCII word", replace(3, "acad\xc3\xa9mic"), ErrUnknownWord, "word 4"},
		{"swapped words", replace(5, words[6]), ErrChecksum, "share of 20 words"},
		{"word missing", strings.Join(words[1:], " "), ErrFormat, "19 words, a share has at least 20"},
		{"empty", "", ErrFormat, "0 words"},
		{"bad length", valid + " academic", ErrFormat, "21 words is not a possible share size"},
		{"too many words", strings.Repeat("academic ", 60), ErrFormat, "more than 59 words"},
		{"too long input", strings.Repeat(" ", 2000), ErrFormat, "too long"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseShare([]byte(tc.in))
			if s != nil || !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("ParseShare = %v, %v; want %v containing %q", s, err, tc.want, tc.msg)
			}
			// No word of the input ever appears in a message.
			for _, w := range strings.Fields(tc.in) {
				if len(w) > 3 && strings.Contains(err.Error(), w) {
					t.Fatalf("message %q contains the word %q", err, w)
				}
			}
		})
	}
	var we *WordError
	_, err := ParseShare([]byte(replace(6, "lenght")))
	if !errors.As(err, &we) || we.Position != 7 || len(we.Suggestions) != 1 || we.Suggestions[0] != "length" {
		t.Fatalf("suggestions for %q: %+v", "lenght", we)
	}
	_, err = ParseShare([]byte(replace(6, "lengthy")))
	if !errors.As(err, &we) || we.Suggestions[0] != "length" {
		t.Fatalf("suggestions for %q: %+v", "lengthy", we)
	}
}

func TestParseShareCanonicalises(t *testing.T) {
	valid := vectorMnemonics(t, "1. Valid mnemonic without sharing (128 bits)")[0]
	messy := "  " + strings.ToUpper(strings.Join(strings.Fields(string(valid)), " \t\n ")) + "\r\n"
	s, err := ParseShare([]byte(messy))
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.Mnemonic()
	if err != nil || !bytes.Equal(m, valid) {
		t.Fatalf("Mnemonic = %q, %v", m, err)
	}
	if s.Identifier != 7945 || s.Extendable || s.IterationExponent != 0 || s.GroupThreshold != 1 || s.GroupCount != 1 ||
		s.MemberThreshold != 1 || s.SecretBits() != 128 {
		t.Fatalf("fields %v", s)
	}
}

func TestShareRedacts(t *testing.T) {
	ms := vectorMnemonics(t, "20. Valid mnemonic without sharing (256 bits)")
	s, err := ParseShare(ms[0])
	if err != nil {
		t.Fatal(err)
	}
	value := fmt.Sprintf("%x", s.value)
	out := fmt.Sprintf("%v|%+v|%#v|%s|%x|%q|%v", s, s, s, s, s, s, *s)
	if strings.Contains(out, value) || strings.Contains(out, value[:8]) {
		t.Fatalf("formatting shows the value: %s", out)
	}
	for _, w := range strings.Fields(string(ms[0]))[4:] {
		if strings.Contains(out, w) {
			t.Fatalf("formatting shows a word %q: %s", w, out)
		}
	}
	s.Wipe()
	if _, err := s.Mnemonic(); !errors.Is(err, ErrFormat) {
		t.Fatalf("Mnemonic after Wipe: %v", err)
	}
	var r Recovery
	if err := r.AddShare(s); !errors.Is(err, ErrFormat) {
		t.Fatalf("AddShare of a wiped share: %v", err)
	}
}

func TestCombineStrictCounts(t *testing.T) {
	set, err := Split([]byte("0123456789abcdef"), nil, 2, []Group{{1, 1}, {2, 2}, {1, 1}}, 0, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer WipeAll(set)
	// Groups 1 and 3 complete plus one share of group 2: SLIP-39 requires
	// exactly the group threshold of groups.
	ms := mnemonics(t, []*Share{set[0][0], set[1][0], set[2][0]})
	var nn *NotNeededError
	if _, err := Combine(ms, nil); !errors.As(err, &nn) || nn.Group != 2 || !nn.Incomplete {
		t.Fatalf("Combine with an extra partial group: %v", err)
	}
	if _, err := Combine(nil, nil); !errors.Is(err, ErrInsufficient) {
		t.Fatalf("Combine of nothing: %v", err)
	}
	ms = mnemonics(t, []*Share{set[0][0], set[2][0]})
	if _, err := Combine(ms, []byte("\x7f")); !errors.Is(err, ErrPassphrase) {
		t.Fatalf("Combine with a DEL in the passphrase: %v", err)
	}
	ms = append(ms, ms[0])
	if _, err := Combine(ms, nil); !errors.Is(err, ErrRepeated) || !strings.HasPrefix(err.Error(), "share 3: ") {
		t.Fatalf("Combine with a repeated share: %v", err)
	}
}
