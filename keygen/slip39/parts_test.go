package slip39

import (
	"bytes"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestWordlistMatchesTestdata(t *testing.T) {
	want, err := os.ReadFile(filepath.Join(testdataDir, "wordlist.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if wordlistText != string(want) {
		t.Fatal("keygen/slip39/wordlist.txt differs from testdata/slip39/wordlist.txt")
	}
	tab, err := loadWords()
	if err != nil {
		t.Fatal(err)
	}
	prefixes := map[string]bool{}
	for i, w := range tab.words {
		if prefixes[w[:4]] {
			t.Fatalf("word %d %q repeats a 4-letter prefix", i, w)
		}
		prefixes[w[:4]] = true
		if got, ok := tab.index([]byte(w)); !ok || got != i {
			t.Fatalf("index(%q) = %d, %v; want %d", w, got, ok, i)
		}
	}
	for _, w := range []string{"", "aca", "academix", "zzzzzzz", "ACADEMIC"} {
		if _, ok := tab.index([]byte(w)); ok {
			t.Fatalf("index(%q) found a word", w)
		}
	}
}

func TestSuggest(t *testing.T) {
	tab, err := loadWords()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		typed string
		want  string // must be among the suggestions; "" means none
	}{
		{"academix", "academic"}, // same 4-letter prefix
		{"acad", "academic"},
		{"shadwo", "shadow"},     // transposition
		{"pistl", "pistol"},      // deletion
		{"wildlyfe", "wildlife"}, // prefix
		{"adeqate", "adequate"},
		{"qqqqqqqqqqqqqqqqqqqqqqqq", ""},
	}
	for _, tc := range tests {
		got := tab.suggest([]byte(tc.typed))
		if tc.want == "" {
			if len(got) != 0 {
				t.Errorf("suggest(%q) = %v, want none", tc.typed, got)
			}
			continue
		}
		if !slices.Contains(got, tc.want) || len(got) > maxSuggestions {
			t.Errorf("suggest(%q) = %v, want %q among at most %d", tc.typed, got, tc.want, maxSuggestions)
		}
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "abc", 0}, {"abc", "acb", 1}, {"abc", "ab", 1},
		{"ab", "abc", 1}, {"abc", "xbc", 1}, {"kitten", "sitting", 3}, {"", "four", 4},
	}
	for _, tc := range tests {
		if got := editDistance([]byte(tc.a), tc.b); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// slowMul is the schoolbook carry-less product reduced by the Rijndael
// polynomial 0x11b, as a reference for gfMul.
func slowMul(a, b byte) byte {
	var p uint16
	for i := range 8 {
		if b>>i&1 == 1 {
			p ^= uint16(a) << i
		}
	}
	for i := 15; i >= 8; i-- {
		if p>>i&1 == 1 {
			p ^= 0x11b << (i - 8)
		}
	}
	return byte(p)
}

func TestGF256(t *testing.T) {
	// FIPS-197 section 4.2 example: {57}·{83} = {c1}, {57}·{13} = {fe}.
	if gfMul(0x57, 0x83) != 0xc1 || gfMul(0x57, 0x13) != 0xfe {
		t.Fatal("gfMul disagrees with FIPS-197 4.2")
	}
	for a := range 256 {
		for b := range 256 {
			if got, want := gfMul(byte(a), byte(b)), slowMul(byte(a), byte(b)); got != want {
				t.Fatalf("gfMul(%#x, %#x) = %#x, want %#x", a, b, got, want)
			}
		}
		if a != 0 && gfMul(byte(a), gfInv(byte(a))) != 1 {
			t.Fatalf("gfInv(%#x) is not an inverse", a)
		}
	}
	if gfInv(0) != 0 {
		t.Fatal("gfInv(0) != 0")
	}
}

func TestInterpolate(t *testing.T) {
	// f(x) = 7 + 3x + 5x² per byte; three points determine it.
	f := func(x byte) byte { return 7 ^ gfMul(3, x) ^ gfMul(5, gfMul(x, x)) }
	pts := []point{{1, []byte{f(1)}}, {9, []byte{f(9)}}, {200, []byte{f(200)}}}
	for _, x := range []byte{0, 1, 9, 77, 254, 255} {
		if got := interpolate(x, pts); got[0] != f(x) {
			t.Fatalf("interpolate(%d) = %#x, want %#x", x, got[0], f(x))
		}
	}
}

func TestPBKDF2(t *testing.T) {
	tests := []struct {
		password, salt string
		iter, keyLen   int
	}{
		{"password", "salt", 1, 32},
		{"password", "salt", 2, 20},
		{"password", "salt", 4096, 32},
		{"passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 40},
		{"\x00TREZOR", "shamir\x12\x34abcdefgh", 2500, 8},
		{"", "", 3, 70},
	}
	for _, tc := range tests {
		want, err := pbkdf2.Key(sha256.New, tc.password, []byte(tc.salt), tc.iter, tc.keyLen)
		if err != nil {
			t.Fatal(err)
		}
		got := pbkdf2SHA256([]byte(tc.password), []byte(tc.salt), tc.iter, tc.keyLen)
		if !bytes.Equal(got, want) {
			t.Errorf("pbkdf2SHA256(%q, %q, %d, %d) differs from crypto/pbkdf2", tc.password, tc.salt, tc.iter, tc.keyLen)
		}
	}
	// RFC 7914 section 11 PBKDF2-HMAC-SHA256 vector.
	got := pbkdf2SHA256([]byte("passwd"), []byte("salt"), 1, 64)
	const want = "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"
	if hexs(got) != want {
		t.Fatalf("RFC 7914 vector: got %s", hexs(got))
	}
}

func hexs(b []byte) string {
	const digits = "0123456789abcdef"
	var sb strings.Builder
	for _, c := range b {
		sb.WriteByte(digits[c>>4])
		sb.WriteByte(digits[c&15])
	}
	return sb.String()
}

func TestFeistelInverts(t *testing.T) {
	for _, n := range []int{16, 32, 64} {
		for _, ext := range []bool{false, true} {
			ms := make([]byte, n)
			rand.Read(ms)
			ems := encrypt(ms, []byte("TREZOR"), 0, 1234, ext)
			if bytes.Equal(ems, ms) {
				t.Fatal("encryption is the identity")
			}
			if got := decrypt(ems, []byte("TREZOR"), 0, 1234, ext); !bytes.Equal(got, ms) {
				t.Fatalf("n=%d ext=%v: decrypt(encrypt(ms)) != ms", n, ext)
			}
			if got := decrypt(ems, []byte("TREZOS"), 0, 1234, ext); bytes.Equal(got, ms) {
				t.Fatal("another passphrase decrypts to the same secret")
			}
			// The identifier is salt only when the extendable flag is clear.
			other := encrypt(ms, []byte("TREZOR"), 0, 4321, ext)
			if bytes.Equal(other, ems) != ext {
				t.Fatalf("ext=%v: identifier used as salt = %v", ext, !bytes.Equal(other, ems))
			}
		}
	}
}

func TestChecksumDetectsWordErrors(t *testing.T) {
	for _, ext := range []bool{false, true} {
		set, err := Split(bytes.Repeat([]byte{0xa5}, 16), nil, 1, []Group{{1, 1}}, 0, ext, nil)
		if err != nil {
			t.Fatal(err)
		}
		idx := set[0][0].wordIndices()
		if !rs1024Verify(ext, idx) {
			t.Fatal("fresh share fails its checksum")
		}
		if rs1024Verify(!ext, idx) {
			t.Fatal("checksum verifies under the other customization string")
		}
		// Every single-word change is detected (RS1024 detects up to 3).
		for pos := range idx {
			for _, delta := range []int{1, 2, 512, 1023} {
				bad := slices.Clone(idx)
				bad[pos] ^= delta
				if rs1024Verify(ext, bad) {
					t.Fatalf("change of word %d by %d not detected", pos+1, delta)
				}
			}
		}
		WipeAll(set)
	}
}
