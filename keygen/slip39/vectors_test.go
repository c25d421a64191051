package slip39

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
)

const testdataDir = "../../testdata/slip39"

// vector is one entry of trezor/python-shamir-mnemonic vectors.json:
// [description, mnemonics, master secret hex ("" when invalid), xprv].
type vector struct {
	Description string
	Mnemonics   []string
	Secret      string
	Xprv        string
}

func loadVectors(t testing.TB) []vector {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testdataDir, "vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]json.RawMessage
	if err := json.Unmarshal(raw, &rows); err != nil {
		t.Fatal(err)
	}
	out := make([]vector, 0, len(rows))
	for i, row := range rows {
		if len(row) != 4 {
			t.Fatalf("vector %d has %d fields, want 4", i+1, len(row))
		}
		var v vector
		for k, dst := range []any{&v.Description, &v.Mnemonics, &v.Secret, &v.Xprv} {
			if err := json.Unmarshal(row[k], dst); err != nil {
				t.Fatalf("vector %d field %d: %v", i+1, k, err)
			}
		}
		out = append(out, v)
	}
	return out
}

// The failure expected for each invalid vector, by its description. Every
// invalid vector must be listed, so a new vector cannot pass unexamined.
var invalidVectorErrors = []struct {
	substr string
	want   error
}{
	{"invalid checksum", ErrChecksum},
	{"invalid padding", ErrFormat},
	{"Basic sharing 2-of-3", ErrInsufficient}, // the invalid ones give one share of two
	{"different identifiers", ErrOtherSet},
	{"different iteration exponents", ErrInconsistent},
	{"mismatching group thresholds", ErrInconsistent},
	{"mismatching group counts", ErrInconsistent},
	{"greater group threshold than group counts", ErrFormat},
	{"duplicate member indices", ErrInconsistent},
	{"mismatching member thresholds", ErrInconsistent},
	{"invalid digest", ErrDigest},
	{"Insufficient number of groups", ErrInsufficient},
	{"insufficient number of members", ErrInsufficient},
	{"insufficient length", ErrFormat},
	{"invalid master secret length", ErrFormat},
}

func TestVectors(t *testing.T) {
	vectors := loadVectors(t)
	if len(vectors) != 45 {
		t.Fatalf("loaded %d vectors, want 45", len(vectors))
	}
	valid, invalid := 0, 0
	for i, v := range vectors {
		t.Run(v.Description, func(t *testing.T) {
			ms := make([][]byte, len(v.Mnemonics))
			for k, m := range v.Mnemonics {
				ms[k] = []byte(m)
			}
			got, err := Combine(ms, []byte("TREZOR"))
			if v.Secret == "" {
				invalid++
				if err == nil {
					t.Fatalf("vector %d: Combine succeeded, want an error", i+1)
				}
				want := expectedError(t, v.Description)
				if !errors.Is(err, want) {
					t.Fatalf("vector %d: error %q, want %q", i+1, err, want)
				}
				return
			}
			valid++
			if err != nil {
				t.Fatalf("vector %d: %v", i+1, err)
			}
			want, _ := hex.DecodeString(v.Secret)
			if !bytes.Equal(got, want) {
				t.Fatalf("vector %d: master secret %x, want %s", i+1, got, v.Secret)
			}
			key, err := hdkeychain.NewMaster(got, &chaincfg.MainNetParams)
			if err != nil {
				t.Fatal(err)
			}
			if key.String() != v.Xprv {
				t.Fatalf("vector %d: xprv does not match", i+1)
			}
			// Every valid share re-encodes to the same words.
			for k, m := range v.Mnemonics {
				s, err := ParseShare([]byte(m))
				if err != nil {
					t.Fatalf("share %d: %v", k+1, err)
				}
				enc, err := s.Mnemonic()
				if err != nil {
					t.Fatal(err)
				}
				if string(enc) != m {
					t.Fatalf("share %d re-encodes differently", k+1)
				}
			}
		})
	}
	if valid != 15 || invalid != 30 {
		t.Fatalf("%d valid and %d invalid vectors, want 15 and 30", valid, invalid)
	}
}

func expectedError(t *testing.T, desc string) error {
	t.Helper()
	for _, e := range invalidVectorErrors {
		if strings.Contains(desc, e.substr) {
			return e.want
		}
	}
	t.Fatalf("no expected error listed for invalid vector %q", desc)
	return nil
}
