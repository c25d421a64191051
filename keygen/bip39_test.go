package keygen

import (
	"bytes"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/tyler-smith/go-bip39/wordlists"
	"golang.org/x/text/unicode/norm"
)

func TestEnglishVectors(t *testing.T) {
	for i, v := range englishVectors(t) {
		entropy := unhex(t, v.Entropy)

		m, err := MnemonicFromEntropy(entropy)
		if err != nil {
			t.Fatalf("vector %d: MnemonicFromEntropy: %v", i, err)
		}
		if string(m) != v.Mnemonic {
			t.Errorf("vector %d: MnemonicFromEntropy = %q, want %q", i, m, v.Mnemonic)
		}

		got, err := ParseMnemonic([]byte(v.Mnemonic))
		if err != nil {
			t.Fatalf("vector %d: ParseMnemonic: %v", i, err)
		}
		if !bytes.Equal(got, entropy) {
			t.Errorf("vector %d: ParseMnemonic = %x, want %s", i, got, v.Entropy)
		}

		seed := Seed([]byte(v.Mnemonic), []byte("TREZOR"))
		if hex.EncodeToString(seed) != v.Seed {
			t.Errorf("vector %d: Seed = %x, want %s", i, seed, v.Seed)
		}
		checkXprv(t, i, seed, v.Xprv)
	}
}

func checkXprv(t *testing.T, i int, seed []byte, want string) {
	t.Helper()
	k, err := hdkeychain.NewMaster(seed, &chaincfg.MainNetParams)
	if err != nil {
		t.Fatalf("vector %d: NewMaster: %v", i, err)
	}
	if got := k.String(); got != want {
		t.Errorf("vector %d: master key = %s, want %s", i, got, want)
	}
}

func TestJapaneseVectors(t *testing.T) {
	for i, v := range japaneseVectors(t) {
		want := v.Seed
		// As published: NFC-ish input with ideographic spaces (U+3000).
		if got := hex.EncodeToString(Seed([]byte(v.Mnemonic), []byte(v.Passphrase))); got != want {
			t.Errorf("vector %d: Seed = %s, want %s", i, got, want)
		}
		checkXprv(t, i, Seed([]byte(v.Mnemonic), []byte(v.Passphrase)), v.Xprv)

		// The same words typed in NFC, in NFKD, or with ASCII spaces give the same seed.
		variants := map[string][2]string{
			"NFC":          {norm.NFC.String(v.Mnemonic), norm.NFC.String(v.Passphrase)},
			"NFKD":         {norm.NFKD.String(v.Mnemonic), norm.NFKD.String(v.Passphrase)},
			"ASCII spaces": {strings.ReplaceAll(v.Mnemonic, "\u3000", " "), v.Passphrase},
			"mixed spaces": {strings.ReplaceAll(v.Mnemonic, "\u3000", " \t\u3000 "), v.Passphrase},
		}
		for name, in := range variants {
			if got := hex.EncodeToString(Seed([]byte(in[0]), []byte(in[1]))); got != want {
				t.Errorf("vector %d, %s: Seed = %s, want %s", i, name, got, want)
			}
		}
	}
}

func TestSeedCanonicalSpacing(t *testing.T) {
	v := englishVectors(t)[3]
	words := strings.Fields(v.Mnemonic)
	fullwidth := func(s string) string { // ASCII letters to U+FF41…, which NFKD maps back
		return strings.Map(func(r rune) rune { return r - 'a' + 'ａ' }, s)
	}
	cases := map[string]string{
		"as published":        v.Mnemonic,
		"double spaces":       strings.Join(words, "  "),
		"tabs":                strings.Join(words, "\t"),
		"new lines":           strings.Join(words, "\n") + "\n",
		"CR LF and padding":   "  " + strings.Join(words, "\r\n") + " \r\n",
		"ideographic space":   strings.Join(words, "\u3000"),
		"no-break space":      strings.Join(words, "\u00a0"),
		"NFC":                 norm.NFC.String(v.Mnemonic),
		"full-width letters":  fullwidth(words[0]) + " " + strings.Join(words[1:], " "),
		"one word per line ✓": strings.Join(words, " \n "),
	}
	for name, m := range cases {
		if got := hex.EncodeToString(Seed([]byte(m), []byte("TREZOR"))); got != v.Seed {
			t.Errorf("%s: Seed = %s, want %s", name, got, v.Seed)
		}
		if got := string(Canonical([]byte(m))); got != v.Mnemonic {
			t.Errorf("%s: Canonical = %q, want %q", name, got, v.Mnemonic)
		}
		if e, err := ParseMnemonic([]byte(m)); err != nil || hex.EncodeToString(e) != v.Entropy {
			t.Errorf("%s: ParseMnemonic = %x, %v; want %s", name, e, err, v.Entropy)
		}
	}

	// The passphrase is NFKD-normalised but keeps its spaces: each of these
	// is another wallet.
	seen := map[string]bool{v.Seed: true}
	for _, p := range []string{"TREZOR ", " TREZOR", "TRE  ZOR", "trezor", ""} {
		s := hex.EncodeToString(Seed([]byte(v.Mnemonic), []byte(p)))
		if seen[s] {
			t.Errorf("passphrase %q gives a seed already seen", p)
		}
		seen[s] = true
	}
	// …while NFC and NFKD of one passphrase are one wallet.
	a := Seed([]byte(v.Mnemonic), []byte(norm.NFC.String("Café")))
	b := Seed([]byte(v.Mnemonic), []byte(norm.NFKD.String("Café")))
	if !bytes.Equal(a, b) {
		t.Error("NFC and NFKD forms of a passphrase give different seeds")
	}
}

func TestSeedDoesNotChangeItsArguments(t *testing.T) {
	m := []byte("  ＡＢＣ\tdef  ")
	p := []byte("ｐａｓｓ ")
	m0, p0 := slices.Clone(m), slices.Clone(p)
	Seed(m, p)
	Canonical(m)
	if !bytes.Equal(m, m0) || !bytes.Equal(p, p0) {
		t.Error("Seed or Canonical changed its arguments")
	}
}

func TestCanonical(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""},
		{" \t\n\u3000", ""},
		{"a", "a"},
		{"  a  b  ", "a b"},
		{"a\u2003b\u3000c\u0085d", "a b c d"},
		{"ｗｏｒｄ", "word"},
		{"caf\u00e9", "cafe\u0301"},
		{"\xff  \xfe", "\xff \xfe"}, // invalid UTF-8 stays, as words
	}
	for _, c := range cases {
		if got := string(Canonical([]byte(c.in))); got != c.want {
			t.Errorf("Canonical(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestParseMnemonicErrors(t *testing.T) {
	valid := strings.Fields(englishVectors(t)[1].Mnemonic) // legal winner thank year wave sausage worth useful legal winner thank yellow
	with := func(pos int, w string) string {
		ws := slices.Clone(valid)
		ws[pos-1] = w
		return strings.Join(ws, " ")
	}
	type unknown struct {
		pos     int
		suggest []string // must start with these
	}
	cases := []struct {
		name    string
		in      string
		unknown *unknown
		count   int // WordCountError.Count, or -1
		sum     bool
		msg     string
	}{
		{name: "missing letter", in: with(3, "abandn") + "", unknown: &unknown{3, []string{"abandon"}}, count: -1,
			msg: "word 3 is not in the BIP39 English list"},
		{name: "swapped letters", in: with(7, "abnadon"), unknown: &unknown{7, []string{"abandon"}}, count: -1,
			msg: "word 7 is not in the BIP39 English list"},
		{name: "extra letter", in: with(12, "yelloww"), unknown: &unknown{12, []string{"yellow"}}, count: -1,
			msg: "word 12 is not in the BIP39 English list"},
		{name: "upper case", in: with(1, "Legal"), unknown: &unknown{1, []string{"legal"}}, count: -1,
			msg: "word 1 is not in the BIP39 English list"},
		{name: "long form of a 4-letter prefix", in: with(5, "waveform"), unknown: &unknown{5, []string{"wave"}}, count: -1,
			msg: "word 5 is not in the BIP39 English list"},
		{name: "nothing close", in: with(2, "qqqqqqqqqq"), unknown: &unknown{2, nil}, count: -1,
			msg: "word 2 is not in the BIP39 English list"},
		{name: "first unknown word wins", in: with(4, "xqxq") + " xylophonx", unknown: &unknown{4, nil}, count: -1,
			msg: "word 4 is not in the BIP39 English list"},
		{name: "empty", in: " \n ", count: 0, msg: "the mnemonic has 0 words; BIP39 mnemonics have 12, 15, 18, 21 or 24"},
		{name: "11 words", in: strings.Join(valid[:11], " "), count: 11,
			msg: "the mnemonic has 11 words; BIP39 mnemonics have 12, 15, 18, 21 or 24"},
		{name: "13 words", in: strings.Join(valid, " ") + " legal", count: 13,
			msg: "the mnemonic has 13 words; BIP39 mnemonics have 12, 15, 18, 21 or 24"},
		{name: "27 words", in: strings.Repeat("abandon ", 27), count: 27,
			msg: "the mnemonic has 27 words; BIP39 mnemonics have 12, 15, 18, 21 or 24"},
		{name: "bad checksum", in: strings.Repeat("abandon ", 12), count: -1, sum: true,
			msg: "the checksum does not match: a word is wrong or the words are out of order"},
		{name: "words out of order", in: with(1, "winner") + "", count: -1, sum: true,
			msg: "the checksum does not match: a word is wrong or the words are out of order"},
		{name: "too long", in: strings.Repeat(" ", maxMnemonicBytes+1), count: -1,
			msg: "the mnemonic is 4097 bytes long; at most 4096 are read"},
	}
	// "words out of order": swap words 1 and 2 of the valid mnemonic.
	swapped := slices.Clone(valid)
	swapped[0], swapped[1] = swapped[1], swapped[0]
	cases[12].in = strings.Join(swapped, " ")

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, err := ParseMnemonic([]byte(c.in))
			if err == nil {
				t.Fatalf("accepted, entropy %x", e)
			}
			if err.Error() != c.msg {
				t.Errorf("error %q, want %q", err, c.msg)
			}
			if got := errors.Is(err, ErrChecksum); got != c.sum {
				t.Errorf("errors.Is(err, ErrChecksum) = %v, want %v", got, c.sum)
			}
			var wc *WordCountError
			if errors.As(err, &wc) != (c.count >= 0) || (wc != nil && wc.Count != c.count) {
				t.Errorf("WordCountError %+v, want count %d", wc, c.count)
			}
			var uw *UnknownWordError
			if errors.As(err, &uw) != (c.unknown != nil) {
				t.Fatalf("error %T, want UnknownWordError: %v", err, c.unknown != nil)
			}
			if uw == nil {
				return
			}
			if uw.Position != c.unknown.pos {
				t.Errorf("Position = %d, want %d", uw.Position, c.unknown.pos)
			}
			if len(uw.Suggestions) > maxSuggested {
				t.Errorf("%d suggestions, at most %d wanted", len(uw.Suggestions), maxSuggested)
			}
			if c.unknown.suggest == nil && len(uw.Suggestions) != 0 {
				t.Errorf("Suggestions = %q, want none", uw.Suggestions)
			}
			if !slices.Equal(uw.Suggestions[:min(len(c.unknown.suggest), len(uw.Suggestions))], c.unknown.suggest) {
				t.Errorf("Suggestions = %q, want them to start with %q", uw.Suggestions, c.unknown.suggest)
			}
			// The typed word never reaches the message.
			typed := strings.Fields(c.in)[c.unknown.pos-1]
			if strings.Contains(err.Error(), typed) {
				t.Errorf("error %q contains the typed word", err)
			}
		})
	}
}

func TestUnknownWordHint(t *testing.T) {
	cases := []struct {
		suggest []string
		want    string
	}{
		{nil, ""},
		{[]string{"abandon"}, `did you mean "abandon"?`},
		{[]string{"wave", "wage", "wait"}, `did you mean "wave" or "wage" or "wait"?`},
	}
	for _, c := range cases {
		e := &UnknownWordError{Position: 1, Suggestions: c.suggest}
		if got := e.Hint(); got != c.want {
			t.Errorf("Hint(%q) = %q, want %q", c.suggest, got, c.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	l := english()
	cases := []struct {
		typed string
		want  []string // exactly
	}{
		{"abandn", []string{"abandon"}},
		{"ABANDON", []string{"abandon"}},
		{"tost", []string{"toss", "toast", "test"}}, // distance 1, longest common start first
		{"waveform", []string{"wave"}},              // same first four letters, far in distance
		{"wavv", []string{"wave", "wage", "wait"}},  // same four letters, then distance 1, then 2
		{"xqxq", nil},
		{"", nil},
		{strings.Repeat("a", 33), nil},
	}
	for _, c := range cases {
		if got := l.suggest([]byte(c.typed)); !slices.Equal(got, c.want) {
			t.Errorf("suggest(%q) = %q, want %q", c.typed, got, c.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"", "abc", 3}, {"abc", "", 3}, {"abandon", "abandon", 0},
		{"abandn", "abandon", 1}, {"abnadon", "abandon", 1}, {"abandoon", "abandon", 1},
		{"abondan", "abandon", 2}, {"kitten", "sitting", 3}, {"ca", "abc", 3},
	}
	for _, c := range cases {
		if got := editDistance([]byte(c.a), c.b); got != c.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestMnemonicFromEntropyLengths(t *testing.T) {
	for _, n := range []int{0, 1, 12, 15, 17, 31, 33, 64} {
		_, err := MnemonicFromEntropy(make([]byte, n))
		var el *EntropyLengthError
		if !errors.As(err, &el) || el.Length != n {
			t.Errorf("%d bytes: error %v, want EntropyLengthError", n, err)
		}
	}
	for n, words := range map[int]int{16: 12, 20: 15, 24: 18, 28: 21, 32: 24} {
		m, err := MnemonicFromEntropy(bytes.Repeat([]byte{0xa5}, n))
		if err != nil || len(strings.Fields(string(m))) != words || len(m) != cap(m) {
			t.Errorf("%d bytes: %d words (len %d cap %d), %v; want %d words in an exact-size slice",
				n, len(strings.Fields(string(m))), len(m), cap(m), err, words)
		}
	}
}

func TestWordList(t *testing.T) {
	const wantSHA = "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda"
	if got := sha256.Sum256([]byte(englishTxt)); hex.EncodeToString(got[:]) != wantSHA {
		t.Errorf("embedded english.txt sha256 %x, want %s", got, wantSHA)
	}
	file, err := os.ReadFile(filepath.Join("..", "testdata", "bip39", "english.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if string(file) != englishTxt {
		t.Error("embedded english.txt differs from testdata/bip39/english.txt")
	}
	l := english()
	if len(l) != wordCount {
		t.Fatalf("%d words, want %d", len(l), wordCount)
	}
	if !slices.Equal([]string(l), wordlists.English) {
		t.Error("the embedded list differs from go-bip39's wordlists.English")
	}
	if !slices.IsSorted(l) {
		t.Error("the list is not sorted: index's binary search needs it")
	}
	prefixes := map[string]bool{}
	for i, w := range l {
		if j, ok := l.index([]byte(w)); !ok || j != i {
			t.Errorf("index(%q) = %d, %v; want %d", w, j, ok, i)
		}
		p := w[:min(4, len(w))]
		if prefixes[p] {
			t.Errorf("prefix %q is not unique", p)
		}
		prefixes[p] = true
	}
	for _, w := range []string{"", "a", "abando", "abandonn", "zzz", "Abandon"} {
		if _, ok := l.index([]byte(w)); ok {
			t.Errorf("index(%q) found a word", w)
		}
	}
}

func TestPBKDF2MatchesStdlib(t *testing.T) {
	c := rand.NewChaCha8([32]byte{1})
	r := rand.New(c)
	for _, n := range []int{0, 1, 64, 127, 128, 129, 300} {
		pw := make([]byte, n)
		salt := make([]byte, r.IntN(200))
		c.Read(pw)
		c.Read(salt)
		for _, rounds := range []int{1, 2, 2048} {
			want, err := pbkdf2.Key(sha512.New, string(pw), salt, rounds, 64)
			if err != nil {
				t.Fatal(err)
			}
			if got := pbkdf2SHA512(pw, salt, rounds); !bytes.Equal(got, want) {
				t.Errorf("password %d bytes, %d rounds: %x, want %x", n, rounds, got, want)
			}
		}
	}
}
