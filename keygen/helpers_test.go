package keygen

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// readJSON decodes a file under the repository's testdata/ into v.
func readJSON(t testing.TB, rel string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", rel))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// englishVector is one row of trezor/python-mnemonic vectors.json.
type englishVector struct {
	Entropy, Mnemonic, Seed, Xprv string
}

// englishVectors loads the "english" vectors (passphrase "TREZOR").
func englishVectors(t testing.TB) []englishVector {
	t.Helper()
	var raw map[string][][4]string
	readJSON(t, "bip39/vectors.json", &raw)
	var out []englishVector
	for _, r := range raw["english"] {
		out = append(out, englishVector{r[0], r[1], r[2], r[3]})
	}
	if len(out) != 24 {
		t.Fatalf("vectors.json has %d English vectors, want 24", len(out))
	}
	return out
}

// japaneseVector is one entry of bip32JP test_JP_BIP39.json.
type japaneseVector struct {
	Entropy    string `json:"entropy"`
	Mnemonic   string `json:"mnemonic"`
	Passphrase string `json:"passphrase"`
	Seed       string `json:"seed"`
	Xprv       string `json:"bip32_xprv"`
}

func japaneseVectors(t testing.TB) []japaneseVector {
	t.Helper()
	var out []japaneseVector
	readJSON(t, "bip39/test_JP_BIP39.json", &out)
	if len(out) != 24 {
		t.Fatalf("test_JP_BIP39.json has %d vectors, want 24", len(out))
	}
	return out
}
