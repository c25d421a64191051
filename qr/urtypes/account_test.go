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
)

type accountExample struct {
	MasterFingerprint uint32 `json:"master_fingerprint"`
	Outputs           []struct {
		Expression        string `json:"expression"`
		KeyData           string `json:"key_data"`
		ChainCode         string `json:"chain_code"`
		ParentFingerprint uint32 `json:"parent_fingerprint"`
	} `json:"outputs"`
	CBOR string `json:"cbor_hex"`
	UR   string `json:"ur"`
}

func loadAccount(t testing.TB) accountExample {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testvec.Root(t), "ur", "bcr-2020-015-account-example.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e accountExample
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestAccountExample(t *testing.T) {
	ex := loadAccount(t)
	if len(ex.Outputs) != 7 {
		t.Fatalf("%d outputs in the example, want 7", len(ex.Outputs))
	}
	cb := urCBOR(t, ex.UR, TypeAccount)
	if hex.EncodeToString(cb) != ex.CBOR {
		t.Fatalf("UR carries %x", cb)
	}
	a, err := ParseAccount(cb)
	if err != nil {
		t.Fatal(err)
	}
	if a.MasterFingerprint != ex.MasterFingerprint {
		t.Errorf("master fingerprint %d, want %d", a.MasterFingerprint, ex.MasterFingerprint)
	}
	if len(a.Outputs) != len(ex.Outputs) {
		t.Fatalf("%d outputs, want %d", len(a.Outputs), len(ex.Outputs))
	}
	for i, want := range ex.Outputs {
		o := a.Outputs[i]
		if got := describe(o); got != want.Expression {
			t.Errorf("output %d: %s, want %s", i+1, got, want.Expression)
		}
		k := innermostKey(o)
		if k == nil || k.HD == nil {
			t.Fatalf("output %d: no hdkey", i+1)
		}
		if hex.EncodeToString(k.HD.ChainCode) != want.ChainCode || k.HD.ParentFingerprint != want.ParentFingerprint {
			t.Errorf("output %d: chain code %x parent %d", i+1, k.HD.ChainCode, k.HD.ParentFingerprint)
		}
		if k.HD.Origin == nil || k.HD.Origin.SourceFingerprint != 0 || k.HD.Children != nil || k.HD.UseInfo != nil {
			t.Errorf("output %d: origin %+v children %+v use-info %+v, want a bare account path", i+1, k.HD.Origin, k.HD.Children, k.HD.UseInfo)
		}
	}
	again, err := a.MarshalCBOR()
	if err != nil || !bytes.Equal(again, cb) {
		t.Fatalf("re-encoded to %x, %v", again, err)
	}
	tagged := append([]byte{0xd9, 0x01, 0x37}, cb...) // 311
	if b, err := ParseAccount(tagged); err != nil || len(b.Outputs) != 7 {
		t.Fatalf("tagged 311: %v", err)
	}
}

// innermostKey is the key an account output wraps, however deep.
func innermostKey(o Output) *Key {
	for o.Key == nil && o.Inner != nil {
		o = *o.Inner
	}
	return o.Key
}

func TestAccountMarshalErrors(t *testing.T) {
	pub := append([]byte{2}, bytes.Repeat([]byte{1}, 32)...)
	k := &Key{HD: &HDKey{KeyData: pub, ChainCode: make([]byte, 32)}}
	tests := []struct {
		name string
		a    Account
	}{
		{"no outputs", Account{MasterFingerprint: 1}},
		{"too many outputs", Account{Outputs: make([]Output, maxAccountOutputs+1)}},
		{"tr with key and inner", Account{Outputs: []Output{{Kind: Taproot, Key: k, Inner: &Output{Kind: PK, Key: k}}}}},
		{"wsh with nothing", Account{Outputs: []Output{{Kind: WSH}}}},
		{"short key", Account{Outputs: []Output{{Kind: WPKH, Key: &Key{HD: &HDKey{KeyData: pub[:32]}}}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var fe *FormatError
			if _, err := tc.a.MarshalCBOR(); !errors.As(err, &fe) {
				t.Fatalf("err = %v, want *FormatError", err)
			}
		})
	}
}

func TestParseAccountErrors(t *testing.T) {
	pk := "5821" + "02" + "c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5"
	wpkh := "d90194d9012fa103" + pk
	tests := []struct {
		name string
		hex  string
		priv bool
	}{
		{"private hdkey", "a2011a37b5eed40281d90194d9012fa202f503" + pk, true},
		{"private eckey in tr", "a2011a37b5eed40281d90199d90132a1035820" + pk[6:], true},
		{"wrong tag", "d90138a2011a37b5eed40281" + wpkh, false},
		{"no outputs", "a2011a37b5eed40280", false},
		{"outputs first", "a20281" + wpkh + "011a37b5eed4", false},
		{"one field", "a1011a37b5eed4", false},
		{"fingerprint above 32 bits", "a2011b000000010000000002" + "81" + wpkh, false},
		{"output tagged 308", "a2011a37b5eed40281d90134" + wpkh, false},
		{"output not tagged", "a2011a37b5eed40281a103" + pk, false},
		{"fewer outputs than said", "a2011a37b5eed40282" + wpkh, false},
		{"trailing bytes", "a2011a37b5eed40281" + wpkh + "00", false},
		{"indefinite array", "a2011a37b5eed4029f" + wpkh + "ff", false},
		{"non-minimal fingerprint", "a2011b0000000037b5eed40281" + wpkh, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseAccount(mustHex(t, tc.hex))
			if tc.priv {
				if !errors.Is(err, ErrPrivateKey) {
					t.Fatalf("err = %v, want ErrPrivateKey", err)
				}
				return
			}
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want *FormatError", err)
			}
		})
	}
	// The valid form of the same pieces parses.
	if _, err := ParseAccount(mustHex(t, "a2011a37b5eed40281"+wpkh)); err != nil {
		t.Fatalf("one wpkh output: %v", err)
	}
}

func FuzzParseAccount(f *testing.F) {
	f.Add(mustHex(f, loadAccount(f).CBOR))
	for _, e := range load(f).Output {
		f.Add(append([]byte{0xa2, 0x01, 0x00, 0x02, 0x81}, mustHex(f, e.CBOR)...))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ParseAccount(b)
		if err != nil {
			return
		}
		again, err := a.MarshalCBOR()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, b) && !bytes.Equal(append([]byte{0xd9, 0x01, 0x37}, again...), b) {
			t.Fatal("parsed account does not re-encode to its bytes")
		}
	})
}
