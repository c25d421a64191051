package slip39

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
)

func randInt(t testing.TB, lo, hi int) int {
	t.Helper()
	n, err := rand.Int(rand.Reader, big.NewInt(int64(hi-lo+1)))
	if err != nil {
		t.Fatal(err)
	}
	return lo + int(n.Int64())
}

func mnemonics(t testing.TB, shares []*Share) [][]byte {
	t.Helper()
	out := make([][]byte, len(shares))
	for i, s := range shares {
		m, err := s.Mnemonic()
		if err != nil {
			t.Fatal(err)
		}
		out[i] = m
	}
	return out
}

// pick returns k shares of the group chosen at random.
func pick(t testing.TB, group []*Share, k int) []*Share {
	t.Helper()
	perm := make([]*Share, len(group))
	copy(perm, group)
	for i := len(perm) - 1; i > 0; i-- {
		j := randInt(t, 0, i)
		perm[i], perm[j] = perm[j], perm[i]
	}
	return perm[:k]
}

// randomScheme draws a valid scheme with thresholds from 1 to 16.
func randomScheme(t testing.TB) Scheme {
	g := randInt(t, 1, 16)
	if randInt(t, 0, 2) == 0 {
		g = 1 // single-level schemes often
	}
	s := Scheme{GroupThreshold: randInt(t, 1, g)}
	for range g {
		n := randInt(t, 1, 16)
		th := randInt(t, 1, n)
		if th == 1 {
			n = 1
		}
		s.Groups = append(s.Groups, Group{Threshold: th, Count: n})
	}
	return s
}

func TestSplitCombineRandomSchemes(t *testing.T) {
	rounds := 40
	if testing.Short() {
		rounds = 8
	}
	// Thresholds 1 and 16 are always covered, at both levels.
	fixed := []Scheme{
		{1, []Group{{1, 1}}},
		{1, []Group{{16, 16}}},
		{1, []Group{{15, 16}}},
		{16, []Group{{1, 1}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, {2, 16}}},
		{2, []Group{{2, 3}, {1, 1}, {3, 5}}},
	}
	for i := range rounds + len(fixed) {
		var sc Scheme
		if i < len(fixed) {
			sc = fixed[i]
		} else {
			sc = randomScheme(t)
		}
		size := []int{16, 32, 20, 64}[randInt(t, 0, 3)]
		ext := randInt(t, 0, 1) == 1
		pass := []byte{}
		if randInt(t, 0, 1) == 1 {
			pass = []byte("TREZOR passphrase ~")
		}
		t.Run(fmt.Sprintf("%d/%s/%dbits/ext=%v", i, sc, 8*size, ext), func(t *testing.T) {
			secret := make([]byte, size)
			rand.Read(secret)
			set, err := Split(secret, pass, sc.GroupThreshold, sc.Groups, 0, ext, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer WipeAll(set)
			if len(set) != len(sc.Groups) {
				t.Fatalf("%d groups, want %d", len(set), len(sc.Groups))
			}
			// Any group-threshold groups, each with a random threshold-sized
			// subset of its shares, in shuffled order.
			groupOrder := pick(t, firstShares(set), sc.GroupThreshold)
			var chosen []*Share
			for _, first := range groupOrder {
				g := sc.Groups[first.GroupIndex]
				chosen = append(chosen, pick(t, set[first.GroupIndex], g.Threshold)...)
			}
			chosen = pick(t, chosen, len(chosen))
			got, err := Combine(mnemonics(t, chosen), pass)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, secret) {
				t.Fatal("combined secret differs")
			}
			// One share fewer in one group never yields the secret.
			short := removeOne(chosen, chosen[0].GroupIndex)
			if _, err := Combine(mnemonics(t, short), pass); !errors.Is(err, ErrInsufficient) {
				t.Fatalf("one share short: %v, want ErrInsufficient", err)
			}
			// Every share re-parses to the same fields.
			for _, g := range set {
				for _, s := range g {
					m, _ := s.Mnemonic()
					p, err := ParseShare(m)
					if err != nil {
						t.Fatal(err)
					}
					if p.String() != s.String() || !p.sameValue(s) {
						t.Fatalf("%v re-parses as %v", s, p)
					}
					if want := 7 + (8*size+9)/10; len(strings.Fields(string(m))) != want {
						t.Fatalf("%d words, want %d", len(strings.Fields(string(m))), want)
					}
				}
			}
		})
	}
}

func firstShares(set [][]*Share) []*Share {
	out := make([]*Share, len(set))
	for i, g := range set {
		out[i] = g[0]
	}
	return out
}

func removeOne(shares []*Share, group int) []*Share {
	var out []*Share
	removed := false
	for _, s := range shares {
		if !removed && s.GroupIndex == group {
			removed = true
			continue
		}
		out = append(out, s)
	}
	return out
}

// qualifies tells whether a subset of the scheme's shares meets the
// thresholds.
func qualifies(sc Scheme, subset []*Share) bool {
	have := make([]int, len(sc.Groups))
	for _, s := range subset {
		have[s.GroupIndex]++
	}
	complete := 0
	for i, g := range sc.Groups {
		if have[i] >= g.Threshold {
			complete++
		}
	}
	return complete >= sc.GroupThreshold
}

// TestEverySubset enumerates every subset of the shares of small schemes:
// the qualified ones restore the secret through a Recovery, every other one
// fails with ErrInsufficient and yields nothing.
func TestEverySubset(t *testing.T) {
	schemes := []Scheme{
		{1, []Group{{2, 3}}},
		{1, []Group{{3, 5}}},
		{1, []Group{{4, 4}}},
		{2, []Group{{2, 3}, {1, 1}, {3, 5}}},
		{3, []Group{{1, 1}, {2, 2}, {2, 3}}},
	}
	for _, sc := range schemes {
		t.Run(sc.String(), func(t *testing.T) {
			secret := make([]byte, 16)
			rand.Read(secret)
			set, err := Split(secret, nil, sc.GroupThreshold, sc.Groups, 0, true, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer WipeAll(set)
			var all []*Share
			for _, g := range set {
				all = append(all, g...)
			}
			ms := mnemonics(t, all)
			below, above := 0, 0
			for mask := range 1 << len(all) {
				var subset []*Share
				var r Recovery
				for i := range all {
					if mask>>i&1 == 0 {
						continue
					}
					subset = append(subset, all[i])
					if err := r.Add(ms[i]); err != nil && !errors.Is(err, ErrNotNeeded) {
						t.Fatalf("subset %b: %v", mask, err)
					}
				}
				got, err := r.Secret(nil)
				if qualifies(sc, subset) {
					above++
					if !r.Status().Complete() || err != nil {
						t.Fatalf("qualified subset %b: %v", mask, err)
					}
					if !bytes.Equal(got, secret) {
						t.Fatalf("qualified subset %b restores another secret", mask)
					}
				} else {
					below++
					if got != nil || !errors.Is(err, ErrInsufficient) {
						t.Fatalf("subset %b below the threshold: secret %v, error %v", mask, got != nil, err)
					}
				}
				r.Wipe()
			}
			t.Logf("%d subsets below the thresholds, %d qualified", below, above)
		})
	}
}

func TestSplitRejects(t *testing.T) {
	s16 := make([]byte, 16)
	tests := []struct {
		name    string
		secret  []byte
		pass    []byte
		gt      int
		groups  []Group
		exp     int
		want    error
		message string
	}{
		{"short secret", make([]byte, 14), nil, 1, []Group{{2, 3}}, 0, ErrScheme, "master secret of 112 bits"},
		{"odd secret", make([]byte, 17), nil, 1, []Group{{2, 3}}, 0, ErrScheme, "even number of bytes"},
		{"long secret", make([]byte, 66), nil, 1, []Group{{2, 3}}, 0, ErrScheme, "128 to 512 bits"},
		{"no groups", s16, nil, 1, nil, 0, ErrScheme, "no groups"},
		{"17 groups", s16, nil, 1, make([]Group, 17), 0, ErrScheme, "17 groups"},
		{"group threshold 0", s16, nil, 0, []Group{{2, 3}}, 0, ErrScheme, "group threshold 0"},
		{"group threshold above groups", s16, nil, 2, []Group{{2, 3}}, 0, ErrScheme, "group threshold 2 is outside 1..1"},
		{"member threshold above count", s16, nil, 1, []Group{{4, 3}}, 0, ErrScheme, "threshold 4 is outside 1..3"},
		{"17 members", s16, nil, 1, []Group{{2, 17}}, 0, ErrScheme, "17 shares"},
		{"1-of-N", s16, nil, 1, []Group{{1, 3}}, 0, ErrScheme, "1-of-3"},
		{"1-of-N in group 2", s16, nil, 1, []Group{{1, 1}, {1, 2}}, 0, ErrScheme, "group 2: 1-of-2"},
		{"iteration exponent 16", s16, nil, 1, []Group{{2, 3}}, 16, ErrScheme, "iteration exponent 16"},
		{"negative exponent", s16, nil, 1, []Group{{2, 3}}, -1, ErrScheme, "iteration exponent -1"},
		{"non-ASCII passphrase", s16, []byte("caf\xc3\xa9"), 1, []Group{{2, 3}}, 0, ErrPassphrase, "printable ASCII"},
		{"control byte passphrase", s16, []byte("a\nb"), 1, []Group{{2, 3}}, 0, ErrPassphrase, "printable ASCII"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			set, err := Split(tc.secret, tc.pass, tc.gt, tc.groups, tc.exp, true, nil)
			if set != nil || !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.message) {
				t.Fatalf("Split = %v, %v; want %v containing %q", set, err, tc.want, tc.message)
			}
		})
	}
}

type failingReader struct{ after int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.after <= 0 {
		return 0, errors.New("entropy source broke")
	}
	n := min(len(p), f.after)
	clear(p[:n])
	f.after -= n
	return n, nil
}

func TestSplitRandomnessFailure(t *testing.T) {
	for _, after := range []int{0, 2, 2 + 12, 2 + 12 + 16} {
		set, err := Split(make([]byte, 16), nil, 2, []Group{{3, 3}, {2, 2}}, 0, true, &failingReader{after: after})
		if set != nil || err == nil || !strings.Contains(err.Error(), "reading randomness") {
			t.Fatalf("after %d bytes: %v, %v", after, set, err)
		}
	}
}

func TestIterationExponentAndNonExtendable(t *testing.T) {
	secret := []byte("ABCDEFGHIJKLMNOP")
	set, err := Split(secret, []byte("TREZOR"), 1, []Group{{2, 3}}, 1, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer WipeAll(set)
	s := set[0][2]
	if s.IterationExponent != 1 || s.Extendable || s.MemberIndex != 2 || s.MemberThreshold != 2 {
		t.Fatalf("share fields %v", s)
	}
	got, err := Combine(mnemonics(t, []*Share{set[0][2], set[0][0]}), []byte("TREZOR"))
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("Combine = %x, %v", got, err)
	}
	// A wrong passphrase is not detected: it restores another secret.
	other, err := Combine(mnemonics(t, set[0][:2]), []byte("TREZOR2"))
	if err != nil || bytes.Equal(other, secret) {
		t.Fatalf("wrong passphrase: %x, %v", other, err)
	}
}
