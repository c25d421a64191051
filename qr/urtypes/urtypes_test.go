package urtypes

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/coffer-custody/coffer/qr/internal/testvec"
	"github.com/coffer-custody/coffer/qr/ur"
)

type examples struct {
	HDKey []struct {
		From              string `json:"from"`
		Private           bool   `json:"private"`
		KeyData           string `json:"key_data"`
		ChainCode         string `json:"chain_code"`
		Network           int    `json:"network"`
		ParentFingerprint uint32 `json:"parent_fingerprint"`
		CBOR              string `json:"cbor_hex"`
		UR                string `json:"ur"`
	} `json:"hdkey"`
	Output []struct {
		From       string `json:"from"`
		Descriptor string `json:"descriptor"`
		CBOR       string `json:"cbor_hex"`
		UR         string `json:"ur"`
	} `json:"output"`
}

func load(t testing.TB) examples {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testvec.Root(t), "ur", "bcr-2020-007-010-examples.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e examples
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatal(err)
	}
	return e
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// urCBOR returns the CBOR a UR string carries, after checking its type.
func urCBOR(t *testing.T, s, typ string) []byte {
	t.Helper()
	u, err := ur.Parse(s, ur.Limits{})
	if err != nil || u.Type != typ {
		t.Fatalf("ur %s: %v", u.Type, err)
	}
	return u.CBOR
}

func TestHDKeyExamples(t *testing.T) {
	ex := load(t)
	if len(ex.HDKey) != 2 {
		t.Fatalf("%d hdkey examples", len(ex.HDKey))
	}
	for _, e := range ex.HDKey {
		t.Run(e.From, func(t *testing.T) {
			cb := urCBOR(t, e.UR, TypeHDKey)
			if hex.EncodeToString(cb) != e.CBOR {
				t.Fatalf("UR carries %x", cb)
			}
			k, err := ParseHDKey(cb)
			if e.Private {
				if !errors.Is(err, ErrPrivateKey) {
					t.Fatalf("private key: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(k.KeyData) != e.KeyData || hex.EncodeToString(k.ChainCode) != e.ChainCode ||
				k.UseInfo == nil || k.UseInfo.Network != e.Network || k.ParentFingerprint != e.ParentFingerprint {
				t.Errorf("fields %+v", k)
			}
			// m/44'/1'/1'/0/1
			want := []Step{{Index: 44, Hardened: true}, {Index: 1, Hardened: true}, {Index: 1, Hardened: true}, {Index: 0}, {Index: 1}}
			if k.Origin == nil || len(k.Origin.Steps) != len(want) || k.Origin.Depth != -1 {
				t.Fatalf("origin %+v", k.Origin)
			}
			for i, s := range want {
				if k.Origin.Steps[i] != s {
					t.Errorf("step %d = %+v", i, k.Origin.Steps[i])
				}
			}
			again, err := k.MarshalCBOR()
			if err != nil || !bytes.Equal(again, cb) {
				t.Fatalf("re-encoded %x, %v", again, err)
			}
			u, _ := ur.New(TypeHDKey, again)
			if ur.Encode(u) != e.UR {
				t.Errorf("UR %s", ur.Encode(u))
			}
		})
	}
}

func TestOutputExamples(t *testing.T) {
	ex := load(t)
	if len(ex.Output) != 5 {
		t.Fatalf("%d output examples", len(ex.Output))
	}
	for i, e := range ex.Output {
		t.Run(e.From, func(t *testing.T) {
			cb := urCBOR(t, e.UR, TypeOutput)
			if hex.EncodeToString(cb) != e.CBOR {
				t.Fatalf("UR carries %x", cb)
			}
			o, err := ParseOutput(cb)
			if err != nil {
				t.Fatal(err)
			}
			if got := describe(o); got != e.Descriptor && got != wantShapes[i] {
				t.Errorf("parsed as %s\nwant %s", got, wantShapes[i])
			}
			again, err := o.MarshalCBOR()
			if err != nil || !bytes.Equal(again, cb) {
				t.Fatalf("re-encoded %x, %v", again, err)
			}
			u, _ := ur.New(TypeOutput, again)
			if ur.Encode(u) != e.UR {
				t.Errorf("UR %s", ur.Encode(u))
			}
		})
	}
}

// wantShapes are the examples as describe prints them (keys in hex, hd
// keys by their key data and paths).
var wantShapes = []string{
	"pkh(02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5)",
	"sh(wpkh(03fff97bd5755eeea420453a14355235d382f6472f8568a18b2f057a1460297556))",
	"sh(multi(2,022f01e5e15cca351daff3843fb70f3c2f0a1bdd05e5af888a67784ef3e10a2a01,03acd484e2f0c7f65309ad178a9f559abde09796974c57e714c35f110dfc27ccbe))",
	"pkh([d34db33f/44'/0'/0']hd(02d2b36900396c9282fa14628566582f206a5dd0bcc8d5e892611806cafb0301f0)/1/*)",
	"wsh(multi(1,[]hd(03cbcaa9c98c877a26977d00825c956a238e8dddfbd322cce4f74b0b5bd6ace4a7)/1/0/*,[bd16bee5/0]hd(02fc9e5af0ac8d9b3cecfe2a888e2117ba3d089d8585886c9c826b6b22a98d12ea)/0/0/*))",
}

// describe prints an expression like a descriptor, for the tests.
func describe(o Output) string {
	switch o.Kind {
	case SH, WSH, Taproot:
		if o.Key != nil {
			return o.Kind.String() + "(" + describeKey(*o.Key) + ")"
		}
		return o.Kind.String() + "(" + describe(*o.Inner) + ")"
	case Multi, SortedMulti:
		s := o.Kind.String() + "(" + string(rune('0'+o.Threshold))
		for _, k := range o.Keys {
			s += "," + describeKey(k)
		}
		return s + ")"
	case Raw:
		return "raw(" + hex.EncodeToString(o.Script) + ")"
	}
	return o.Kind.String() + "(" + describeKey(*o.Key) + ")"
}

func describeKey(k Key) string {
	if k.EC != nil {
		return hex.EncodeToString(k.EC.Data)
	}
	s := ""
	if k.HD.Origin != nil {
		s = "[" + describePath(*k.HD.Origin, true) + "]"
	}
	s += "hd(" + hex.EncodeToString(k.HD.KeyData) + ")"
	if k.HD.Children != nil {
		s += "/" + describePath(*k.HD.Children, false)
	}
	return s
}

func describePath(p Keypath, origin bool) string {
	var parts []string
	if origin && p.SourceFingerprint != 0 {
		parts = append(parts, hex.EncodeToString([]byte{byte(p.SourceFingerprint >> 24), byte(p.SourceFingerprint >> 16), byte(p.SourceFingerprint >> 8), byte(p.SourceFingerprint)}))
	}
	for _, st := range p.Steps {
		var s string
		switch st.Kind {
		case StepIndex:
			s = itoa(st.Index)
		case StepWildcard:
			s = "*"
		case StepRange:
			s = "[" + itoa(st.Index) + "-" + itoa(st.High) + "]"
		case StepPair:
			s = "<" + itoa(st.Index) + ";" + itoa(st.High) + ">"
		}
		if st.Hardened {
			s += "'"
		}
		parts = append(parts, s)
	}
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += "/"
		}
		out += p
	}
	return out
}

func itoa(n uint32) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func key(b byte) []byte {
	k := make([]byte, 33)
	k[0] = 2 + b%2
	for i := 1; i < 33; i++ {
		k[i] = b + byte(i)
	}
	return k
}

func chain(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

// TestWatchOnlyExports builds the two outputs Coffer exports, a single-key
// wpkh and a wsh(sortedmulti), and checks they read back the same.
func TestWatchOnlyExports(t *testing.T) {
	bip84 := func(b byte, fp uint32) Key {
		return Key{HD: &HDKey{
			KeyData: key(b), ChainCode: chain(b),
			Origin:            &Keypath{Steps: []Step{{Index: 84, Hardened: true}, {Index: 0, Hardened: true}, {Index: 0, Hardened: true}}, SourceFingerprint: fp, Depth: 3},
			Children:          &Keypath{Steps: []Step{{Kind: StepPair, Index: 0, High: 1}, {Kind: StepWildcard}}, Depth: -1},
			ParentFingerprint: fp ^ 0xffff,
		}}
	}
	bip48 := func(b byte, fp uint32) Key {
		return Key{HD: &HDKey{
			KeyData: key(b), ChainCode: chain(b), UseInfo: &CoinInfo{Network: 1},
			Origin:   &Keypath{Steps: []Step{{Index: 48, Hardened: true}, {Index: 1, Hardened: true}, {Index: 0, Hardened: true}, {Index: 2, Hardened: true}}, SourceFingerprint: fp, Depth: 4},
			Children: &Keypath{Steps: []Step{{Index: 0}, {Kind: StepWildcard}}, Depth: -1},
			Name:     "officer",
		}}
	}
	k := bip84(1, 0xd34db33f)
	tests := []Output{
		{Kind: WPKH, Key: &k},
		{Kind: WSH, Inner: &Output{Kind: SortedMulti, Threshold: 2, Keys: []Key{bip48(1, 1), bip48(2, 2), bip48(3, 3)}}},
		{Kind: SH, Inner: &Output{Kind: WSH, Inner: &Output{Kind: SortedMulti, Threshold: 1, Keys: []Key{bip48(4, 4)}}}},
		{Kind: Taproot, Inner: &Output{Kind: PK, Key: &Key{EC: &ECKey{Data: key(9)}}}},
		{Kind: Cosigner, Key: &k},
		{Kind: Raw, Script: []byte{0x51}},
		{Kind: Combo, Key: &Key{HD: &HDKey{KeyData: key(5), Children: &Keypath{Steps: []Step{{Kind: StepRange, Index: 0, High: 9, Hardened: true}}, Depth: -1}}}},
	}
	for _, o := range tests {
		t.Run(describe(o), func(t *testing.T) {
			cb, err := o.MarshalCBOR()
			if err != nil {
				t.Fatal(err)
			}
			back, err := ParseOutput(cb)
			if err != nil {
				t.Fatal(err)
			}
			if describe(back) != describe(o) {
				t.Errorf("read back as %s", describe(back))
			}
			again, err := back.MarshalCBOR()
			if err != nil || !bytes.Equal(again, cb) {
				t.Errorf("not stable: %v", err)
			}
		})
	}
	// The pair is written as BCR-2020-007's child-pair-component: one
	// array of index, hardened, index, hardened.
	cb, _ := k.HD.Children.append(nil, "children")
	if got := hex.EncodeToString(cb); got != "d90130a101838400f401f480f4" {
		t.Errorf("children <0;1>/* = %s", got)
	}
}

func TestMarshalErrors(t *testing.T) {
	good := Key{EC: &ECKey{Data: key(1)}}
	tests := []Output{
		{Kind: ScriptKind(99)},
		{Kind: SH},
		{Kind: WPKH},
		{Kind: WPKH, Key: &Key{}},
		{Kind: WPKH, Key: &Key{EC: &ECKey{Data: key(1)}, HD: &HDKey{KeyData: key(1)}}},
		{Kind: WPKH, Key: &Key{EC: &ECKey{Data: make([]byte, 32)}}},
		{Kind: WPKH, Key: &Key{HD: &HDKey{KeyData: key(1), ChainCode: make([]byte, 31)}}},
		{Kind: WPKH, Key: &Key{HD: &HDKey{KeyData: append([]byte{0}, make([]byte, 32)...)}}},
		{Kind: Multi, Threshold: 2, Keys: []Key{good}},
		{Kind: Multi, Threshold: 0, Keys: []Key{good}},
		{Kind: SortedMulti, Threshold: 1},
		{Kind: WPKH, Key: &Key{HD: &HDKey{KeyData: key(1), Children: &Keypath{Steps: []Step{{Index: 1 << 31}}}}}},
		{Kind: WPKH, Key: &Key{HD: &HDKey{KeyData: key(1), Children: &Keypath{Steps: []Step{{Kind: StepRange, Index: 5, High: 5}}}}}},
		{Kind: WPKH, Key: &Key{HD: &HDKey{KeyData: key(1), Origin: &Keypath{Depth: 256}}}},
	}
	deep := Output{Kind: PK, Key: &good}
	for i := 0; i < 6; i++ {
		deep = Output{Kind: SH, Inner: &deep}
	}
	tests = append(tests, deep)
	var fe *FormatError
	for i, o := range tests {
		if _, err := o.MarshalCBOR(); !errors.As(err, &fe) {
			t.Errorf("case %d: %v", i, err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	pk := "582102c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5"
	tests := []struct {
		name string
		hex  string
		priv bool
	}{
		{"private eckey flag", "d90193d90132a202f503" + pk, true},
		{"32-byte eckey", "d90193d90132a1035820" + pk[6:], true},
		{"private hdkey flag", "d90193d9012fa202f503" + pk, true},
		{"hdkey with private key data", "d90193d9012fa103582100" + pk[6:], true},
		{"master hdkey", "d9012fa301f503" + pk + "045820" + pk[6:], true},
		{"eckey default curve written", "d90193d90132a2010003" + pk, false},
		{"unknown tag", "d9019bd90132a103" + pk, false},
		{"key inside a key expression", "d90193d90193d90132a103" + pk, false},
		{"tr over a private hdkey", "d90199d9012fa202f503" + pk, true},
		{"key tag unknown", "d90193d90133a103" + pk, false},
		{"keys out of order", "d90193d9012fa2045820" + pk[6:] + "03" + pk, false},
		{"duplicate key", "d90193d9012fa203" + pk + "03" + pk, false},
		{"unknown hdkey field", "d90193d9012fa203" + pk + "0b00", false},
		{"no key data", "d90193d9012fa0", false},
		{"threshold above keys", "d90196a2010302" + "81d90132a103" + pk, false},
		{"threshold zero", "d90196a2010002" + "81d90132a103" + pk, false},
		{"multi keys first", "d90196a20281d90132a103" + pk + "0101", false},
		{"trailing bytes", "d90193d90132a103" + pk + "00", false},
		{"not tagged", "a103" + pk, false},
		{"keypath without components", "d90193d9012fa203" + pk + "06d90130a10300", false},
		{"step past components", "d90193d9012fa203" + pk + "07d90130a1018101", false},
		{"network zero written", "d90193d9012fa203" + pk + "05d90131a10200", false},
		{"parent fingerprint zero", "d90193d9012fa203" + pk + "0800", false},
		{"non-minimal int", "d90193d9012fa2" + "1803" + pk + "0801", false},
		{"too deep", "d90190d90190d90190d90190d90190d90190d90193d90132a103" + pk, false},
	}
	var fe *FormatError
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := mustHex(t, tc.hex)
			_, err := ParseOutput(b)
			if tc.name == "master hdkey" {
				_, err = ParseHDKey(b)
			}
			if tc.priv {
				if !errors.Is(err, ErrPrivateKey) {
					t.Fatalf("err = %v, want ErrPrivateKey", err)
				}
				return
			}
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want *FormatError", err)
			}
		})
	}
}

func FuzzParseOutput(f *testing.F) {
	for _, e := range load(f).Output {
		f.Add(mustHex(f, e.CBOR))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := ParseOutput(b)
		if err != nil {
			return
		}
		again, err := o.MarshalCBOR()
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("parsed output does not re-encode to its bytes: %v", err)
		}
	})
}

func FuzzParseHDKey(f *testing.F) {
	for _, e := range load(f).HDKey {
		f.Add(mustHex(f, e.CBOR))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := ParseHDKey(b)
		if err != nil {
			return
		}
		again, err := k.MarshalCBOR()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, b) && !bytes.Equal(append([]byte{0xd9, 0x01, 0x2f}, again...), b) {
			t.Fatal("parsed hdkey does not re-encode to its bytes")
		}
	})
}
