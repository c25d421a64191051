package sign

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

type psbtVector struct {
	B64              string  `json:"b64"`
	Hex              string  `json:"hex"`
	Note             *string `json:"note"`
	ExpectedLocktime *uint32 `json:"expected_locktime"`
}

func (v psbtVector) note() string {
	if v.Note == nil {
		return "(no note)"
	}
	return *v.Note
}

type bipVectors struct {
	Valid            []psbtVector `json:"valid"`
	Invalid          []psbtVector `json:"invalid"`
	SignerChecksFail []psbtVector `json:"signer_checks_fail"`
	Locktime         []psbtVector `json:"locktime"`
}

func loadJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", path))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func loadBIP(t testing.TB, path string) bipVectors {
	var v bipVectors
	loadJSON(t, path, &v)
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

// decodeAllForms decodes the vector given as base64, hex and binary, and
// checks the three agree.
func decodeAllForms(t *testing.T, v psbtVector) (*Packet, error) {
	t.Helper()
	raw := mustHex(t, v.Hex)
	p1, err1 := Decode([]byte(v.B64), 0)
	p2, err2 := Decode([]byte(v.Hex), 0)
	p3, err3 := Decode(raw, 0)
	if (err1 == nil) != (err2 == nil) || (err1 == nil) != (err3 == nil) {
		t.Fatalf("forms disagree: base64 %v, hex %v, binary %v", err1, err2, err3)
	}
	if err1 != nil {
		return nil, err1
	}
	for _, p := range []*Packet{p1, p2, p3} {
		if !bytes.Equal(p.Encode(), p3.Encode()) {
			t.Fatal("forms decode to different packets")
		}
	}
	if p1.Encoding() != EncodingBase64 || p2.Encoding() != EncodingHex || p3.Encoding() != EncodingBinary {
		t.Fatalf("encodings detected: %v %v %v", p1.Encoding(), p2.Encoding(), p3.Encoding())
	}
	return p3, nil
}

func TestDecodeBIPVectors(t *testing.T) {
	files := []struct {
		path    string
		version int
	}{
		{"bip174/bip174-psbt-vectors.json", 0},
		{"bip370/bip370-psbt-vectors.json", 2},
		{"bip371/bip371-psbt-vectors.json", 0},
	}
	for _, f := range files {
		vec := loadBIP(t, f.path)
		if len(vec.Valid) == 0 || len(vec.Invalid) == 0 {
			t.Fatalf("%s: no vectors", f.path)
		}
		valid := append(append(append([]psbtVector(nil), vec.Valid...), vec.SignerChecksFail...), vec.Locktime...)
		for i, v := range valid {
			t.Run(f.path+"/valid/"+v.note(), func(t *testing.T) {
				if v.ExpectedLocktime == nil && v.Note != nil && strings.Contains(f.path, "370") && i >= len(vec.Valid) {
					// the BIP370 locktime cases that cannot be computed
					_, err := decodeAllForms(t, v)
					if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "locktime cannot be determined") {
						t.Fatalf("want a locktime error, got %v", err)
					}
					return
				}
				p, err := decodeAllForms(t, v)
				if err != nil {
					t.Fatalf("valid vector refused: %v", err)
				}
				// Valid vectors re-encode to the same bytes.
				if got := hex.EncodeToString(p.Encode()); got != v.Hex {
					t.Fatalf("re-encoding differs\n got %s\nwant %s", got, v.Hex)
				}
				if p.Version() != f.version {
					t.Fatalf("version %d, want %d", p.Version(), f.version)
				}
				if v.ExpectedLocktime != nil && p.UnsignedTx().LockTime != *v.ExpectedLocktime {
					t.Fatalf("locktime %d, want %d", p.UnsignedTx().LockTime, *v.ExpectedLocktime)
				}
			})
		}
		for _, v := range vec.Invalid {
			t.Run(f.path+"/invalid/"+v.note(), func(t *testing.T) {
				_, err := decodeAllForms(t, v)
				if err == nil {
					t.Fatal("invalid vector accepted")
				}
				if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrNotPSBT) {
					t.Fatalf("error %v is neither ErrMalformed nor ErrNotPSBT", err)
				}
				t.Logf("%v", err)
			})
		}
	}
}

// TestDecodeInvalidReasons checks that each invalid BIP vector is refused
// for the reason its note gives, by the field the error names.
func TestDecodeInvalidReasons(t *testing.T) {
	want := map[string]string{
		// BIP174
		"Network transaction, not PSBT format":                                                                    "not a psbt: it is base64 of what looks like a raw transaction",
		"PSBT missing outputs":                                                                                    "output #0: data ends before the map's 0x00 terminator",
		"PSBT where one input has a filled scriptSig in the unsigned tx":                                          "PSBT_GLOBAL_UNSIGNED_TX: input 0 has a non-empty scriptSig",
		"PSBT where inputs and outputs are provided but without an unsigned tx":                                   "PSBT_GLOBAL_UNSIGNED_TX: missing",
		"PSBT with duplicate keys in an input":                                                                    "input #0: PSBT_IN_NON_WITNESS_UTXO: duplicate key",
		"PSBT with invalid global transaction typed key":                                                          "global map: PSBT_GLOBAL_UNSIGNED_TX: key data must be empty",
		"PSBT with invalid input witness utxo typed key":                                                          "input #0: PSBT_IN_WITNESS_UTXO: key data must be empty",
		"PSBT with invalid pubkey length for input partial signature typed key":                                   "input #0: PSBT_IN_PARTIAL_SIG: public key in the key data is 32 bytes",
		"PSBT with invalid redeemscript typed key":                                                                "input #0: PSBT_IN_REDEEM_SCRIPT: key data must be empty",
		"PSBT with invalid witnessscript typed key":                                                               "input #0: PSBT_IN_WITNESS_SCRIPT: key data must be empty",
		"PSBT with invalid pubkey in input BIP 32 derivation paths typed key":                                     "input #0: PSBT_IN_BIP32_DERIVATION: public key in the key data is 32 bytes",
		"PSBT with invalid non-witness utxo typed key":                                                            "input #0: PSBT_IN_NON_WITNESS_UTXO: key data must be empty",
		"PSBT with invalid final scriptsig typed key":                                                             "input #0: PSBT_IN_FINAL_SCRIPTSIG: key data must be empty",
		"PSBT with invalid final script witness typed key":                                                        "input #1: PSBT_IN_FINAL_SCRIPTWITNESS: key data must be empty",
		"PSBT with invalid pubkey in output BIP 32 derivation paths typed key":                                    "output #0: PSBT_OUT_BIP32_DERIVATION: public key in the key data is 32 bytes",
		"PSBT with invalid input sighash type typed key":                                                          "input #0: PSBT_IN_SIGHASH_TYPE: key data must be empty",
		"PSBT with invalid output redeemScript typed key":                                                         "output #0: PSBT_OUT_REDEEM_SCRIPT: key data must be empty",
		"PSBT with invalid output witnessScript typed key":                                                        "output #1: PSBT_OUT_WITNESS_SCRIPT: key data must be empty",
		"PSBT with unsigned tx serialized with witness serialization format":                                      "PSBT_GLOBAL_UNSIGNED_TX: transaction does not parse",
		"PSBT with an invalid value data due to its size being not the stated size":                               "PSBT_GLOBAL_UNSIGNED_TX: 22 bytes follow the transaction",
		"PSBT With PSBT_IN_TAP_INTERNAL_KEY key that is too long (incorrectly serialized as compressed DER)":      "input #0: PSBT_IN_TAP_INTERNAL_KEY: value is 33 bytes",
		"PSBT With PSBT_IN_TAP_KEY_SIG signature that is too short":                                               "input #0: PSBT_IN_TAP_KEY_SIG: signature is 63 bytes",
		"PSBT With PSBT_IN_TAP_KEY_SIG signature that is too long":                                                "input #0: PSBT_IN_TAP_KEY_SIG: signature is 66 bytes",
		"PSBT With PSBT_IN_TAP_BIP32_DERIVATION key that is too long (incorrectly serialized as compressed DER)":  "input #0: PSBT_IN_TAP_BIP32_DERIVATION: key data is 33 bytes",
		"PSBT With PSBT_OUT_TAP_INTERNAL_KEY key that is too long (incorrectly serialized as compressed DER)":     "output #1: PSBT_OUT_TAP_INTERNAL_KEY: value is 33 bytes",
		"PSBT With PSBT_OUT_TAP_BIP32_DERIVATION key that is too long (incorrectly serialized as compressed DER)": "output #1: PSBT_OUT_TAP_BIP32_DERIVATION: key data is 33 bytes",
		"PSBT With PSBT_IN_TAP_SCRIPT_SIG key that is too long (incorrectly serialized as compressed DER)":        "input #0: PSBT_IN_TAP_SCRIPT_SIG: key data is 65 bytes",
		"PSBT With PSBT_IN_TAP_SCRIPT_SIG signature that is too long":                                             "input #0: PSBT_IN_TAP_SCRIPT_SIG: signature is 66 bytes",
		"PSBT With PSBT_IN_TAP_SCRIPT_SIG signature that is too short":                                            "input #0: PSBT_IN_TAP_SCRIPT_SIG: signature is 63 bytes",
		"PSBT With PSBT_IN_TAP_LEAF_SCRIPT Control block that is too long":                                        "input #0: PSBT_IN_TAP_LEAF_SCRIPT: control block is 98 bytes",
		"PSBT With PSBT_IN_TAP_LEAF_SCRIPT Control block that is too short":                                       "input #0: PSBT_IN_TAP_LEAF_SCRIPT: control block is 96 bytes",
		// BIP370
		"PSBTv0 but with PSBT_GLOBAL_VERSION set to 2.":                                    "global map: PSBT_GLOBAL_UNSIGNED_TX: is not allowed in a version 2 PSBT",
		"PSBTv0 but with PSBT_GLOBAL_TX_VERSION.":                                          "global map: PSBT_GLOBAL_TX_VERSION: is a PSBT version 2 field",
		"PSBTv0 but with PSBT_GLOBAL_FALLBACK_LOCKTIME.":                                   "global map: PSBT_GLOBAL_FALLBACK_LOCKTIME: is a PSBT version 2 field",
		"PSBTv0 but with PSBT_GLOBAL_INPUT_COUNT.":                                         "global map: PSBT_GLOBAL_INPUT_COUNT: is a PSBT version 2 field",
		"PSBTv0 but with PSBT_GLOBAL_OUTPUT_COUNT.":                                        "global map: PSBT_GLOBAL_OUTPUT_COUNT: is a PSBT version 2 field",
		"PSBTv0 but with PSBT_GLOBAL_TX_MODIFIABLE.":                                       "global map: PSBT_GLOBAL_TX_MODIFIABLE: is a PSBT version 2 field",
		"PSBTv0 but with PSBT_IN_PREVIOUS_TXID.":                                           "input #0: PSBT_IN_PREVIOUS_TXID: is a PSBT version 2 field",
		"PSBTv0 but with PSBT_IN_OUTPUT_INDEX.":                                            "input #0: PSBT_IN_OUTPUT_INDEX: is a PSBT version 2 field",
		"PSBTv0 but with PSBT_IN_SEQUENCE.":                                                "input #0: PSBT_IN_SEQUENCE: is a PSBT version 2 field",
		"PSBTv0 but with PSBT_IN_REQUIRED_TIME_LOCKTIME.":                                  "input #0: PSBT_IN_REQUIRED_TIME_LOCKTIME: is a PSBT version 2 field",
		"PSBTv0 but with PSBT_IN_REQUIRED_HEIGHT_LOCKTIME.":                                "input #0: PSBT_IN_REQUIRED_HEIGHT_LOCKTIME: is a PSBT version 2 field",
		"PSBTv0 but with PSBT_OUT_AMOUNT.":                                                 "output #0: PSBT_OUT_AMOUNT: is a PSBT version 2 field",
		"PSBTv0 but with PSBT_OUT_SCRIPT.":                                                 "output #0: PSBT_OUT_SCRIPT: is a PSBT version 2 field",
		"PSBTv2 but with PSBT_GLOBAL_UNSIGNED_TX.":                                         "global map: PSBT_GLOBAL_UNSIGNED_TX: is not allowed in a version 2 PSBT",
		"PSBTv2 missing PSBT_GLOBAL_INPUT_COUNT.":                                          "global map: PSBT_GLOBAL_INPUT_COUNT: missing",
		"PSBTv2 missing PSBT_GLOBAL_OUTPUT_COUNT.":                                         "global map: PSBT_GLOBAL_OUTPUT_COUNT: missing",
		"PSBTv2 missing PSBT_GLOBAL_TX_VERSION.":                                           "global map: PSBT_GLOBAL_TX_VERSION: missing",
		"PSBTv2 missing PSBT_IN_PREVIOUS_TXID.":                                            "input #0: PSBT_IN_PREVIOUS_TXID: missing",
		"PSBTv2 missing PSBT_IN_OUTPUT_INDEX.":                                             "input #0: PSBT_IN_OUTPUT_INDEX: missing",
		"PSBTv2 missing PSBT_OUT_AMOUNT.":                                                  "output #0: PSBT_OUT_AMOUNT: missing",
		"PSBTv2 missing PSBT_OUT_SCRIPT.":                                                  "output #0: PSBT_OUT_SCRIPT: missing",
		"PSBTv2 with PSBT_IN_REQUIRED_TIME_LOCKTIME less than 500000000.":                  "input #0: PSBT_IN_REQUIRED_TIME_LOCKTIME: time",
		"PSBTv2 with PSBT_IN_REQUIRED_HEIGHT_LOCKTIME greater than or equal to 500000000.": "input #0: PSBT_IN_REQUIRED_HEIGHT_LOCKTIME: height 500000000",
		"PSBTv2 with PSBT_IN_REQUIRED_HEIGHT_LOCKTIME of 0.":                               "input #0: PSBT_IN_REQUIRED_HEIGHT_LOCKTIME: height 0",
	}
	n := 0
	for _, path := range []string{"bip174/bip174-psbt-vectors.json", "bip370/bip370-psbt-vectors.json", "bip371/bip371-psbt-vectors.json"} {
		for _, v := range loadBIP(t, path).Invalid {
			w, ok := want[v.note()]
			if !ok {
				t.Errorf("%s: no expected reason for %q", path, v.note())
				continue
			}
			_, err := Decode([]byte(v.B64), 0)
			if err == nil {
				t.Errorf("%q accepted", v.note())
				continue
			}
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%q:\n got %v\nwant it to contain %q", v.note(), err, w)
			}
			n++
		}
	}
	if n != 20+24+11 {
		t.Errorf("checked %d invalid vectors, want 55", n)
	}
}

// coreSemanticInvalid are the rpc_psbt.json "invalid" entries whose only
// fault is that PSBT_IN_NON_WITNESS_UTXO is not the transaction the input
// spends (#39: another txid; #40: the output index is past its outputs).
var coreSemanticInvalid = map[int]bool{39: true, 40: true}

// TestDecodeCoreVectors runs Bitcoin Core's rpc_psbt.json valid and invalid
// lists (which include PSBTv2, taproot and MuSig2 cases) through Decode.
func TestDecodeCoreVectors(t *testing.T) {
	var core struct {
		Valid          []string   `json:"valid"`
		Invalid        []string   `json:"invalid"`
		InvalidWithMsg [][]string `json:"invalid_with_msg"`
	}
	loadJSON(t, "bip174/rpc_psbt.json", &core)
	for i, b64 := range core.Valid {
		p, err := Decode([]byte(b64), 0)
		if err != nil {
			t.Errorf("valid #%d refused: %v", i, err)
			continue
		}
		raw, _ := base64.StdEncoding.DecodeString(b64)
		if !bytes.Equal(p.Encode(), raw) {
			t.Errorf("valid #%d: re-encoding differs", i)
		}
	}
	for i, b64 := range core.Invalid {
		_, err := Decode([]byte(b64), 0)
		if coreSemanticInvalid[i] {
			// Core refuses these two at parse time; Coffer decodes them and
			// Analyze refuses them (TestAnalyzeCoreSemanticInvalid).
			if err != nil {
				t.Errorf("invalid #%d: expected Decode to accept it for Analyze to refuse, got %v", i, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("invalid #%d accepted", i)
		}
	}
	for i, c := range core.InvalidWithMsg {
		if _, err := Decode([]byte(c[0]), 0); err == nil {
			t.Errorf("invalid_with_msg #%d (%s) accepted", i, c[1])
		} else {
			t.Logf("core: %s / coffer: %v", c[1], err)
		}
	}
}

func TestDecodeFormats(t *testing.T) {
	vec := loadBIP(t, "bip174/bip174-psbt-vectors.json").Valid[0]
	raw := mustHex(t, vec.Hex)
	wrapped := func(s string, n int) string {
		var b strings.Builder
		for len(s) > n {
			b.WriteString(s[:n] + "\r\n")
			s = s[n:]
		}
		return b.String() + s
	}
	ok := []struct {
		name string
		in   []byte
		enc  Encoding
	}{
		{"binary", raw, EncodingBinary},
		{"binary with surrounding whitespace", append(append([]byte("\n "), raw...), "\n"...), EncodingBinary},
		{"base64", []byte(vec.B64), EncodingBase64},
		{"base64 with newline", []byte(vec.B64 + "\n"), EncodingBase64},
		{"base64 wrapped at 76", []byte(wrapped(vec.B64, 76) + "\n"), EncodingBase64},
		{"hex", []byte(vec.Hex), EncodingHex},
		{"upper-case hex with spaces", []byte("  " + strings.ToUpper(vec.Hex) + " \t\n"), EncodingHex},
	}
	for _, c := range ok {
		p, err := Decode(c.in, 0)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if p.Encoding() != c.enc || !bytes.Equal(p.Encode(), raw) {
			t.Errorf("%s: encoding %v, or bytes differ", c.name, p.Encoding())
		}
	}
	bad := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "the input is empty"},
		{"only whitespace", []byte(" \n\t"), "the input is empty"},
		{"raw transaction hex", []byte("0200000001268171371edff285e937adeea4b37b78000c0566cbb3ad64641713ca42171bf6"), "looks like a raw transaction"},
		{"other hex", []byte("deadbeef"), "does not begin with the PSBT magic"},
		{"UR", []byte("ur:crypto-psbt/hdosjojkidjyzmadaenyaoaeaeaeaohdvsknclrejnpebncnrnmnjojofejzeojlkerdonspkpkkdkykfelokgprpyutkpaeaeaeaeaezzzzzzzzmthkdtyoeosvgwkytwmhgebzqgjsp"), "UR text"},
		{"JSON", []byte(`{"psbt": "cHNidP8"}`), "looks like JSON"},
		{"binary junk", []byte{0x00, 0xff, 0xfe, 0x80}, "binary data"},
		{"text", []byte("hello world"), `begins "hello world"`},
		{"hex with a bad digit", []byte("70736274ffzz"), `character 11 is 'z'`},
		{"odd hex", []byte("70736274ff0"), "odd number of digits"},
		{"bad base64", []byte("cHNidP8B!!!"), "base64 input does not decode"},
		{"truncated base64 padding", []byte(vec.B64[:len(vec.B64)-1]), "base64 input does not decode"},
	}
	for _, c := range bad {
		_, err := Decode(c.in, 0)
		if !errors.Is(err, ErrNotPSBT) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want ErrNotPSBT containing %q", c.name, err, c.want)
		}
	}
	if _, err := Decode(raw, len(raw)-1); !errors.Is(err, ErrTooLarge) {
		t.Errorf("size limit: got %v", err)
	}
	if _, err := Decode(raw, len(raw)); err != nil {
		t.Errorf("at the size limit: %v", err)
	}
}

func TestDecodeFraming(t *testing.T) {
	// A minimal valid v0 PSBT: one input, one output, empty maps.
	valid := mustHex(t, loadBIP(t, "bip174/bip174-psbt-vectors.json").Valid[0].Hex)
	if _, err := Decode(valid, 0); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		mut  func([]byte) []byte
		want string
	}{
		{"bad magic", func(b []byte) []byte { c := bytes.Clone(b); c[4] = 0xfe; return c }, "not a psbt"},
		{"trailing byte", func(b []byte) []byte { return append(bytes.Clone(b), 0x00) }, "1 bytes follow the last output map"},
		{"truncated", func(b []byte) []byte { return b[:len(b)-1] }, "data ends before the map's 0x00 terminator"},
		{"truncated in global", func(b []byte) []byte { return b[:10] }, "global map: value of key type 0x00 of"},
		{"non-minimal key length", func(b []byte) []byte {
			// 01 00 (key len 1, type 0) -> fd 01 00 00
			c := append([]byte{}, b[:5]...)
			c = append(c, 0xfd, 0x01, 0x00)
			return append(c, b[6:]...)
		}, "compact size 1 is not minimally encoded"},
		{"version 1", func(b []byte) []byte {
			c := append([]byte{}, b[:5]...)
			c = append(c, 0x01, 0xfb, 0x04, 1, 0, 0, 0)
			return append(c, b[5:]...)
		}, "PSBT_GLOBAL_VERSION: version 1 is not supported"},
		{"version 3", func(b []byte) []byte {
			c := append([]byte{}, b[:5]...)
			c = append(c, 0x01, 0xfb, 0x04, 3, 0, 0, 0)
			return append(c, b[5:]...)
		}, "PSBT_GLOBAL_VERSION: version 3 is not supported"},
		{"explicit version 0", func(b []byte) []byte {
			c := append([]byte{}, b[:5]...)
			c = append(c, 0x01, 0xfb, 0x04, 0, 0, 0, 0)
			return append(c, b[5:]...)
		}, ""},
	}
	for _, c := range cases {
		_, err := Decode(c.mut(valid), 0)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
}

// TestDecodeDeclaredCounts: a PSBT_GLOBAL_UNSIGNED_TX of a few bytes that
// declares 786,432 inputs is refused by name without btcd allocating for
// them (it used to allocate about 80 MB per call).
func TestDecodeDeclaredCounts(t *testing.T) {
	tx := []byte{1, 0, 0, 0, 0xfe, 0x00, 0x00, 0x0c, 0x00}
	psbt := append([]byte("psbt\xff\x01\x00"), byte(len(tx)))
	psbt = append(append(psbt, tx...), 0x00)
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	_, err := Decode(psbt, 0)
	runtime.ReadMemStats(&m1)
	if want := "PSBT_GLOBAL_UNSIGNED_TX: transaction does not parse: the transaction declares 786432 inputs but only 0 bytes follow"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want %q", err, want)
	}
	if a := m1.TotalAlloc - m0.TotalAlloc; a > 1<<20 {
		t.Errorf("%d bytes allocated for a %d-byte PSBT", a, len(psbt))
	}
}

// TestV2RoundTrip decodes every BIP370 valid PSBT, checks the assembled
// unsigned transaction against the fields, and re-encodes it: the result
// is byte-identical (not only semantically equal), because Decode keeps
// every key-value pair in the order read.
func TestV2RoundTrip(t *testing.T) {
	vec := loadBIP(t, "bip370/bip370-psbt-vectors.json")
	for _, v := range append(vec.Valid, vec.Locktime...) {
		p, err := Decode([]byte(v.B64), 0)
		if err != nil {
			if v.ExpectedLocktime == nil && strings.Contains(err.Error(), "locktime") {
				continue
			}
			t.Fatalf("%s: %v", v.note(), err)
		}
		if p.Version() != 2 {
			t.Fatalf("%s: version %d", v.note(), p.Version())
		}
		if got := hex.EncodeToString(p.Encode()); got != v.Hex {
			t.Fatalf("%s: round trip differs", v.note())
		}
		tx := p.UnsignedTx()
		if len(tx.TxIn) != p.NumInputs() || len(tx.TxOut) != p.NumOutputs() {
			t.Fatalf("%s: tx shape", v.note())
		}
		for i, m := range p.inputs {
			txid, _ := m.find(inPreviousTxid)
			if !bytes.Equal(tx.TxIn[i].PreviousOutPoint.Hash[:], txid) {
				t.Fatalf("%s: input %d txid", v.note(), i)
			}
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, path := range []string{"bip174/bip174-psbt-vectors.json", "bip370/bip370-psbt-vectors.json", "bip371/bip371-psbt-vectors.json"} {
		vec := loadBIP(f, path)
		for _, v := range append(append(vec.Valid, vec.Invalid...), vec.Locktime...) {
			b, _ := hex.DecodeString(v.Hex)
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Decode(data, 1<<20)
		if err != nil {
			return
		}
		// What decodes re-encodes to itself and decodes again the same.
		enc := p.Encode()
		q, err := Decode(enc, 1<<20)
		if err != nil {
			t.Fatalf("re-encoded PSBT does not decode: %v", err)
		}
		if !bytes.Equal(q.Encode(), enc) {
			t.Fatal("encoding is not stable")
		}
		if q.UnsignedTx().TxHash() != p.UnsignedTx().TxHash() {
			t.Fatal("unsigned transaction changed")
		}
	})
}
