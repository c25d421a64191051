package bytewords

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

type bcurVectors struct {
	Tests []json.RawMessage `json:"tests"`
}

type namedTest struct {
	Name string `json:"name"`
}

// bcurTest returns the test called name from testdata/ur/bc-ur-test-vectors.json.
func bcurTest(t testing.TB, name string, v any) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "ur", "bc-ur-test-vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var all bcurVectors
	if err := json.Unmarshal(raw, &all); err != nil {
		t.Fatal(err)
	}
	for _, m := range all.Tests {
		var n namedTest
		if err := json.Unmarshal(m, &n); err != nil {
			t.Fatal(err)
		}
		if n.Name == name {
			if err := json.Unmarshal(m, v); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("no test %q in the vectors", name)
}

type bcr012 struct {
	Wordlist    []string `json:"wordlist"`
	ExampleSeed struct {
		BodyHex             string `json:"body_hex"`
		CRC32Hex            string `json:"crc32_hex"`
		BodyWithChecksumHex string `json:"body_with_checksum_hex"`
		Standard            string `json:"bytewords_standard"`
		URI                 string `json:"bytewords_uri"`
		Minimal             string `json:"bytewords_minimal"`
	} `json:"example_seed"`
	Brutal struct {
		PayloadHex  string   `json:"payload_hex"`
		CRC32Hex    string   `json:"crc32_hex"`
		Standard    string   `json:"bytewords_standard"`
		Minimal     string   `json:"bytewords_minimal"`
		URIExamples []string `json:"uri_scheme_examples"`
	} `json:"brutal_encoding_example"`
}

func loadBCR012(t testing.TB) bcr012 {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "ur", "bcr-2020-012-bytewords-vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v bcr012
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWordlist(t *testing.T) {
	v := loadBCR012(t)
	if len(v.Wordlist) != 256 {
		t.Fatalf("vector wordlist has %d words", len(v.Wordlist))
	}
	for i, w := range v.Wordlist {
		if got := Word(byte(i)); got != w {
			t.Errorf("word %d = %q, spec says %q", i, got, w)
		}
		if b, ok := lookup(w[0], w[3]); !ok || int(b) != i {
			t.Errorf("lookup of %q = %d, %v", w, b, ok)
		}
	}
}

func TestCRC32(t *testing.T) {
	var v struct {
		Cases []struct {
			Input string `json:"input_utf8"`
			CRC   string `json:"crc32_hex"`
		} `json:"cases"`
	}
	bcurTest(t, "test_crc32", &v)
	if len(v.Cases) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range v.Cases {
		if got := fmt.Sprintf("%08x", Checksum([]byte(c.Input))); got != c.CRC {
			t.Errorf("crc32(%q) = %s, want %s", c.Input, got, c.CRC)
		}
	}
}

type encodedSet struct {
	Standard string `json:"standard"`
	URI      string `json:"uri"`
	Minimal  string `json:"minimal"`
}

func checkAllStyles(t *testing.T, data []byte, e encodedSet) {
	t.Helper()
	for _, c := range []struct {
		style Style
		want  string
	}{{Standard, e.Standard}, {URI, e.URI}, {Minimal, e.Minimal}} {
		if c.want == "" {
			continue
		}
		if got := Encode(c.style, data); got != c.want {
			t.Errorf("%v: Encode = %q, want %q", c.style, got, c.want)
		}
		got, err := Decode(c.style, c.want)
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("%v: Decode(%q) = %x, %v; want %x", c.style, c.want, got, err, data)
		}
	}
}

func TestBytewords1(t *testing.T) {
	var v struct {
		Input   []byte     `json:"-"`
		InputN  []int      `json:"input_bytes"`
		Encoded encodedSet `json:"encoded"`
		Fail    []struct {
			Style string `json:"style"`
			Input string `json:"input"`
			Why   string `json:"why"`
		} `json:"decode_must_fail"`
	}
	bcurTest(t, "test_bytewords_1", &v)
	for _, n := range v.InputN {
		v.Input = append(v.Input, byte(n))
	}
	checkAllStyles(t, v.Input, v.Encoded)
	if len(v.Fail) != 5 {
		t.Fatalf("%d must-fail cases, want 5", len(v.Fail))
	}
	styles := map[string]Style{"standard": Standard, "uri": URI, "minimal": Minimal}
	for _, f := range v.Fail {
		_, err := Decode(styles[f.Style], f.Input)
		switch f.Why {
		case "bad checksum":
			if !errors.Is(err, ErrChecksum) {
				t.Errorf("Decode(%s, %q) = %v, want ErrChecksum", f.Style, f.Input, err)
			}
		case "too short":
			if !errors.Is(err, ErrTooShort) {
				t.Errorf("Decode(%s, %q) = %v, want ErrTooShort", f.Style, f.Input, err)
			}
		default:
			t.Errorf("unknown reason %q", f.Why)
		}
	}
}

func TestBytewords2(t *testing.T) {
	var v struct {
		InputN  []int      `json:"input_bytes"`
		Hex     string     `json:"input_hex"`
		Encoded encodedSet `json:"encoded"`
	}
	bcurTest(t, "test_bytewords_2", &v)
	data := mustHex(t, v.Hex)
	if len(data) != len(v.InputN) || len(data) != 100 {
		t.Fatalf("input has %d bytes", len(data))
	}
	for i, n := range v.InputN {
		if data[i] != byte(n) {
			t.Fatalf("input_hex and input_bytes differ at %d", i)
		}
	}
	checkAllStyles(t, data, v.Encoded)
}

func TestBCR012Examples(t *testing.T) {
	v := loadBCR012(t)
	body := mustHex(t, v.ExampleSeed.BodyHex)
	if got := fmt.Sprintf("%08x", Checksum(body)); got != v.ExampleSeed.CRC32Hex {
		t.Errorf("seed crc = %s, want %s", got, v.ExampleSeed.CRC32Hex)
	}
	if v.ExampleSeed.BodyWithChecksumHex != v.ExampleSeed.BodyHex+v.ExampleSeed.CRC32Hex {
		t.Error("body_with_checksum_hex is not body + crc")
	}
	checkAllStyles(t, body, encodedSet{v.ExampleSeed.Standard, v.ExampleSeed.URI, v.ExampleSeed.Minimal})

	payload := mustHex(t, v.Brutal.PayloadHex)
	if got := fmt.Sprintf("%08x", Checksum(payload)); got != v.Brutal.CRC32Hex {
		t.Errorf("brutal crc = %s, want %s", got, v.Brutal.CRC32Hex)
	}
	checkAllStyles(t, payload, encodedSet{Standard: v.Brutal.Standard, Minimal: v.Brutal.Minimal})
	if len(v.Brutal.URIExamples) != 2 {
		t.Fatalf("%d uri examples", len(v.Brutal.URIExamples))
	}
	if want := "my-seed:" + Encode(URI, payload); v.Brutal.URIExamples[0] != want {
		t.Errorf("uri example = %q, want %q", v.Brutal.URIExamples[0], want)
	}
	if want := "my-seed:" + Encode(Minimal, payload); v.Brutal.URIExamples[1] != want {
		t.Errorf("minimal uri example = %q, want %q", v.Brutal.URIExamples[1], want)
	}
}

func TestDecodeErrors(t *testing.T) {
	good := Encode(Standard, []byte{1, 2, 3})
	tests := []struct {
		name  string
		style Style
		in    string
		index int // expected WordError index; 0 for a sentinel
		err   error
	}{
		{"upper case is fine", Minimal, "ADAOAXLNJTCFPY", 0, nil},
		{"odd minimal", Minimal, "aea", 2, nil},
		{"bad minimal pair", Minimal, "aeqq", 2, nil},
		{"digit", Minimal, "a1", 1, nil},
		{"unknown word", Standard, "able acid xxxx", 3, nil},
		{"wrong middle letters", Standard, "able acid alxo lava zoom", 3, nil},
		{"short word", URI, "able-aci", 2, nil},
		{"double space", Standard, "able  acid", 2, nil},
		{"four bytes", Minimal, Encode(Minimal, nil), 0, ErrTooShort},
		{"round trip", Standard, good, 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.style, tc.in)
			var we *WordError
			switch {
			case tc.index > 0:
				if !errors.As(err, &we) || we.Index != tc.index {
					t.Fatalf("err = %v, want WordError at %d", err, tc.index)
				}
			case tc.err != nil:
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
			default:
				if tc.name == "upper case is fine" {
					// Not a valid checksum, but every pair is a word.
					if errors.As(err, &we) {
						t.Fatalf("err = %v, want no word error", err)
					}
					return
				}
				if err != nil {
					t.Fatalf("err = %v", err)
				}
			}
		})
	}
}

func TestUpperCaseRoundTrip(t *testing.T) {
	data := []byte("Hello, world")
	for _, s := range []Style{Standard, URI, Minimal} {
		enc := Encode(s, data)
		up := []byte(enc)
		for i, c := range up {
			if 'a' <= c && c <= 'z' {
				up[i] = c - 32
			}
		}
		got, err := Decode(s, string(up))
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("%v: %x, %v", s, got, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(int(Minimal), "aeadaolazmjendeoti")
	f.Add(int(Standard), "able acid also lava zoom jade need echo taxi")
	f.Add(int(URI), "able-acid-also-lava-zoom-jade-need-echo-taxi")
	f.Fuzz(func(t *testing.T, style int, s string) {
		st := Style(((style % 3) + 3) % 3)
		data, err := Decode(st, s)
		if err != nil {
			return
		}
		again, err := Decode(st, Encode(st, data))
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("re-encode does not round trip: %v", err)
		}
	})
}
