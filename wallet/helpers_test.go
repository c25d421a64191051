package wallet

import (
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"golang.org/x/crypto/pbkdf2"
)

// testdataPath is the repository's testdata folder.
func testdataPath(parts ...string) string {
	return filepath.Join(append([]string{"..", "testdata"}, parts...)...)
}

func loadJSON(t testing.TB, v any, parts ...string) {
	t.Helper()
	b, err := os.ReadFile(testdataPath(parts...))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", filepath.Join(parts...), err)
	}
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// bip39Seed is the BIP39 seed of an already canonical English mnemonic
// (PBKDF2-HMAC-SHA512, 2048 rounds, salt "mnemonic"+passphrase). The
// keygen package owns the real one; wallet must not import it.
func bip39Seed(mnemonic, passphrase string) []byte {
	return pbkdf2.Key([]byte(mnemonic), []byte("mnemonic"+passphrase), 2048, 64, sha512.New)
}

// privString serializes a private extended key under another version
// (zprv, uprv, ...) for comparison with published test values.
func privString(t testing.TB, k *hdkeychain.ExtendedKey, version uint32) string {
	t.Helper()
	c, err := k.CloneWithVersion(be32(version))
	if err != nil {
		t.Fatal(err)
	}
	return c.String()
}

func neuter(t testing.TB, k *hdkeychain.ExtendedKey) *hdkeychain.ExtendedKey {
	t.Helper()
	n, err := Neuter(k)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

var base58Run = regexp.MustCompile(`[1-9A-HJ-NP-Za-km-z]{50,112}`)

// publicize replaces every private key of a descriptor with its public
// key: an xprv with its xpub, a WIF with the hex of its public key
// (compressed or not, as the WIF says). Nothing else changes, so
// derivation steps that are hardened stay hardened. Test vectors use
// private keys; Coffer refuses them, so the tests check the public twin.
func publicize(t testing.TB, desc string) string {
	t.Helper()
	return base58Run.ReplaceAllStringFunc(desc, func(tok string) string {
		if k, _, err := ParseExtendedPrivateKey([]byte(tok)); err == nil {
			return neuter(t, k).String()
		}
		if w, err := btcutil.DecodeWIF(tok); err == nil {
			return hex.EncodeToString(w.SerializePubKey())
		}
		return tok
	})
}

// publicizeNormalized is publicize with BIP380's "normalization of key
// expressions with hardened derivation": an xprv followed by hardened
// steps is replaced by the xpub at its last hardened step, the steps
// moving into the key origin. The result describes the same scripts
// without private keys, unless a hardened step follows a multipath step
// or the wildcard is hardened; ok is false then.
func publicizeNormalized(t testing.TB, desc string) (string, bool) {
	t.Helper()
	ok := true
	var out strings.Builder
	last := 0
	for _, m := range base58Run.FindAllStringIndex(desc, -1) {
		tok := desc[m[0]:m[1]]
		k, _, err := ParseExtendedPrivateKey([]byte(tok))
		if err != nil {
			continue
		}
		// the origin just before the key, if any
		start := m[0]
		var origin KeyOrigin
		hasOrigin := false
		if start > 0 && desc[start-1] == ']' {
			open := strings.LastIndexByte(desc[:start], '[')
			if err := parseOrigin(desc[open+1:start-1], &origin); err != nil {
				t.Fatalf("origin in %q: %v", desc, err)
			}
			hasOrigin, start = true, open
		}
		// the steps after the key, up to the next ',' or ')'
		end := m[1]
		for end < len(desc) && desc[end] != ',' && desc[end] != ')' {
			end++
		}
		var steps []string
		if end > m[1] {
			steps = strings.Split(desc[m[1]+1:end], "/")
		}
		lastHard := -1
		for i, st := range steps {
			if strings.HasPrefix(st, "<") && strings.ContainsAny(st, "h'") || strings.HasPrefix(st, "*") && len(st) > 1 {
				ok = false
			}
			if !strings.HasPrefix(st, "*") && !strings.HasPrefix(st, "<") && (strings.HasSuffix(st, "h") || strings.HasSuffix(st, "'")) {
				lastHard = i
			}
		}
		if !hasOrigin {
			origin = KeyOrigin{Fingerprint: Fingerprint(k)}
		}
		var hard Path
		for _, st := range steps[:lastHard+1] {
			if strings.HasPrefix(st, "<") {
				ok = false
				break
			}
			v, err := parseStep(st, "h'")
			if err != nil {
				t.Fatalf("step %q in %q: %v", st, desc, err)
			}
			hard = append(hard, v)
		}
		dk, err := DerivePath(k, hard)
		if err != nil {
			t.Fatalf("derive %v in %q: %v", hard, desc, err)
		}
		origin.Path = origin.Path.Child(hard...)
		out.WriteString(desc[last:start])
		if hasOrigin || len(hard) > 0 {
			out.WriteString("[" + origin.String() + "]")
		}
		out.WriteString(neuter(t, dk).String())
		for _, st := range steps[lastHard+1:] {
			out.WriteString("/" + st)
		}
		last = end
	}
	out.WriteString(desc[last:])
	return publicize(t, out.String()), ok
}
