// Package testvec loads the transcribed bc-ur test vectors
// (testdata/ur/bc-ur-test-vectors.json) for the tests of the qr packages
// and rebuilds their inputs (make_message, make_message_ur).
package testvec

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/coffer-custody/coffer/qr/internal/cbor"
	"github.com/coffer-custody/coffer/qr/internal/xoshiro"
)

// Root returns the repository's testdata directory.
func Root(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate testdata")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "testdata")
}

// BCUR decodes the test called name from the bc-ur vectors into v.
func BCUR(t testing.TB, name string, v any) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(Root(t), "ur", "bc-ur-test-vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var all struct {
		Tests []json.RawMessage `json:"tests"`
	}
	if err := json.Unmarshal(raw, &all); err != nil {
		t.Fatal(err)
	}
	for _, m := range all.Tests {
		var n struct {
			Name string `json:"name"`
		}
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
	t.Fatalf("no test %q in the bc-ur vectors", name)
}

// MakeMessage is the reference make_message(n, seed).
func MakeMessage(n int, seed string) []byte { return xoshiro.New([]byte(seed)).NextData(n) }

// MakeMessageCBOR is the CBOR of the reference make_message_ur(n, seed):
// a byte string holding MakeMessage(n, seed).
func MakeMessageCBOR(n int, seed string) []byte {
	return cbor.AppendBytes(nil, MakeMessage(n, seed))
}
