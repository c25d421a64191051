package export

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil"

	"github.com/coffer-custody/coffer/wallet"
)

type bip129Signer struct {
	Token         string `json:"token"`
	EncryptionKey string `json:"encryption_key"`
	Fingerprint   string `json:"fingerprint"`
	Path          string `json:"path"`
	PrivateKey    string `json:"private_key"`
	Key           string `json:"key"`
	Record        string `json:"record"`
	HMACKey       string `json:"hmac_key"`
	MAC           string `json:"mac"`
	Ciphertext    string `json:"ciphertext"`
}

type bip129File struct {
	Modes []struct {
		Mode          string         `json:"mode"`
		Token         string         `json:"token"`
		EncryptionKey string         `json:"encryption_key"`
		Signers       []bip129Signer `json:"signers"`
		Round2        struct {
			Record    string `json:"record"`
			Encrypted []struct {
				Token      string `json:"token"`
				HMACKey    string `json:"hmac_key"`
				MAC        string `json:"mac"`
				Ciphertext string `json:"ciphertext"`
			} `json:"encrypted"`
		} `json:"round2"`
	} `json:"modes"`
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Every key record of BIP129's test vectors is rebuilt from its parts and
// signed with the published private key: the bytes, the signature
// (RFC6979, so deterministic), the encryption key, HMAC key, MAC and
// ciphertext all come out as published, and the round 2 records decrypt
// and give the published first address.
func TestBIP129Vectors(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "bip129", "bip129-vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f bip129File
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	records, encrypted := 0, 0
	for _, m := range f.Modes {
		for i, s := range m.Signers {
			token := s.Token
			if token == "" {
				token = m.Token
			}
			encKey := s.EncryptionKey
			if encKey == "" {
				encKey = m.EncryptionKey
			}
			lines := strings.Split(s.Record, "\n")
			if len(lines) != 5 {
				t.Fatalf("%s signer %d: %d lines", m.Mode, i+1, len(lines))
			}
			tok := mustHex(t, token)
			p, err := wallet.ParsePath(s.Path)
			if err != nil {
				t.Fatal(err)
			}
			r := &KeyRecord{Token: tok, Key: "[" + s.Fingerprint + strings.TrimPrefix(p.Apostrophe(), "m") + "]" + s.Key, Description: lines[3]}
			wif, err := btcutil.DecodeWIF(s.PrivateKey)
			if err != nil {
				t.Fatal(err)
			}
			if err := r.Sign(NewMessageSigner(wif.PrivKey)); err != nil {
				t.Fatalf("%s signer %d: %v", m.Mode, i+1, err)
			}
			got, err := r.Bytes()
			if err != nil || string(got) != s.Record {
				t.Errorf("%s signer %d: record\n%s\nwant\n%s", m.Mode, i+1, got, s.Record)
			}
			parsed, err := ParseKeyRecord([]byte(s.Record + "\n"))
			if err != nil || parsed.Verify() != nil || parsed.Key != r.Key {
				t.Errorf("%s signer %d: parse/verify: %v", m.Mode, i+1, err)
			}
			records++
			if s.MAC == "" {
				continue
			}
			key, err := bsmsKey(tok)
			if err != nil || hex.EncodeToString(key) != encKey {
				t.Errorf("%s signer %d: encryption key %x", m.Mode, i+1, key)
			}
			if hk := sha256.Sum256(key); hex.EncodeToString(hk[:]) != s.HMACKey {
				t.Errorf("%s signer %d: hmac key %x", m.Mode, i+1, hk)
			}
			enc, err := EncryptBSMS(tok, []byte(s.Record))
			if err != nil || string(enc) != s.MAC+s.Ciphertext {
				t.Errorf("%s signer %d: encrypted record differs", m.Mode, i+1)
			}
			dec, err := DecryptBSMS(tok, enc)
			if err != nil || string(dec) != s.Record {
				t.Errorf("%s signer %d: decrypt: %v", m.Mode, i+1, err)
			}
			encrypted++
		}
		for j, e := range m.Round2.Encrypted {
			tok := mustHex(t, e.Token)
			dec, err := DecryptBSMS(tok, []byte(e.MAC+e.Ciphertext))
			if err != nil || string(dec) != m.Round2.Record {
				t.Errorf("%s round 2 #%d: decrypt: %v", m.Mode, j+1, err)
			}
			encrypted++
		}
		checkRound2(t, m.Mode, m.Round2.Record)
	}
	if records != 9 || encrypted != 9 {
		t.Errorf("checked %d records and %d encryptions, want 9 and 9", records, encrypted)
	}
}

// checkRound2 reads a coordinator's descriptor record (a descriptor, or a
// /** template with path restrictions) and checks its first address with
// the wallet package.
func checkRound2(t *testing.T, mode, record string) {
	t.Helper()
	lines := strings.Split(record, "\n")
	if len(lines) != 4 || lines[0] != BSMSVersion {
		t.Fatalf("%s: round 2 record has %d lines", mode, len(lines))
	}
	desc := lines[1]
	if lines[2] != "No path restrictions" {
		first := strings.Split(lines[2], ",")[0]
		desc = strings.ReplaceAll(desc, "/**", first)
	}
	d, err := wallet.ParseDescriptor(desc)
	if err != nil {
		t.Fatalf("%s: %v", mode, err)
	}
	addr, err := d.Address(0, 0, wallet.Mainnet)
	if err != nil || addr.EncodeAddress() != lines[3] {
		t.Errorf("%s: first address %v %v, want %s", mode, addr, err, lines[3])
	}
}

func TestBSMSExport(t *testing.T) {
	for _, n := range []wallet.Network{wallet.Mainnet, wallet.Regtest} {
		f := newFixture(t, n)
		a := f.account(t, wallet.ScriptWSHMulti)
		unsigned, err := BSMSRecord(a, nil, "Coffer 73c5da0a")
		if err != nil {
			t.Fatal(err)
		}
		p, _ := a.AccountPath()
		want := "BSMS 1.0\n00\n[73c5da0a" + strings.TrimPrefix(p.Apostrophe(), "m") + "]" + a.XPub.String() + "\nCoffer 73c5da0a"
		if string(unsigned) != want {
			t.Errorf("%s: unsigned record\n%s\nwant\n%s", n, unsigned, want)
		}
		rec, err := BSMS(a, nil, "Coffer 73c5da0a", f.signer(t, a))
		if err != nil {
			t.Fatal(err)
		}
		golden(t, n.String()+"/bsms-wsh-multi.bsms", rec)
		if !bytes.HasPrefix(rec, unsigned) {
			t.Error("signed record does not extend the unsigned one")
		}
		r, err := ParseKeyRecord(rec)
		if err != nil || r.Verify() != nil {
			t.Fatalf("%s: parse/verify: %v", n, err)
		}
		// Encrypted for a STANDARD-mode token, then back.
		tok := mustHex(t, "a54044308ceac9b7")
		signed, err := BSMS(a, tok, "Coffer 73c5da0a", f.signer(t, a))
		if err != nil || !bytes.Contains(signed, []byte("\na54044308ceac9b7\n")) {
			t.Fatalf("record with token: %v", err)
		}
		enc, err := EncryptBSMS(tok, signed)
		if err != nil {
			t.Fatal(err)
		}
		if dec, err := DecryptBSMS(tok, enc); err != nil || !bytes.Equal(dec, signed) {
			t.Errorf("round trip: %v", err)
		}
		if _, err := DecryptBSMS(mustHex(t, "a54044308ceac9b8"), enc); err == nil {
			t.Error("wrong token decrypted")
		}
		enc[70] ^= 1
		if _, err := DecryptBSMS(tok, enc); err == nil {
			t.Error("altered data decrypted")
		}
	}
}

func TestBSMSRefusals(t *testing.T) {
	f := newFixture(t, wallet.Mainnet)
	a := f.account(t, wallet.ScriptWSHMulti)
	other := f.account(t, wallet.ScriptWPKH) // signs with the wrong key
	if _, err := BSMS(a, nil, "x", f.signer(t, other)); err == nil {
		t.Error("signature by another key accepted")
	}
	if _, err := BSMS(a, nil, "x", nil); err == nil {
		t.Error("no signer accepted")
	}
	if _, err := BSMSRecord(a, nil, strings.Repeat("x", 81)); err == nil {
		t.Error("81-character description accepted")
	}
	if _, err := BSMSRecord(a, nil, "two\nlines"); err == nil {
		t.Error("description with a line break accepted")
	}
	if _, err := BSMSRecord(a, []byte{1, 2, 3}, "x"); err == nil {
		t.Error("3-byte token accepted")
	}
	if _, err := EncryptBSMS(nil, []byte("x")); err == nil {
		t.Error("encryption without token")
	}
	for _, bad := range []string{
		"",
		"BSMS 1.0\n00\nkey\ndesc",
		"BSMS 2.0\n00\n[73c5da0a]02aa\ndesc\nsig",
		"BSMS 1.0\nzz\n[73c5da0a]02aa\ndesc\nsig",
	} {
		if r, err := ParseKeyRecord([]byte(bad)); err == nil && r.Verify() == nil {
			t.Errorf("record %q accepted", bad)
		}
	}
	// A key record with a derivation after the xpub is not a key.
	r := &KeyRecord{Key: a.XPub.String() + "/0/*", Description: "x", Signature: "AAAA"}
	if err := r.Verify(); err == nil {
		t.Error("xpub with derivation accepted as a record key")
	}
}
