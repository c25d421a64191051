package keystore

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	TestOnlyFastKDF()
	os.Exit(m.Run())
}

const testPassphrase = "correct horse battery staple"

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func bip39Secret() *Secret {
	return &Secret{
		Kind:            KindBIP39,
		Entropy:         mustHex("00000000000000000000000000000000"),
		BIP39Passphrase: []byte("TREZOR"),
	}
}

var testMeta = Meta{Network: "regtest", MasterFingerprint: "73c5da0a", Created: time.Date(2026, 5, 1, 9, 30, 0, 0, time.UTC)}

// newKeystore creates a keystore in a fresh folder and returns its path and
// bytes.
func newKeystore(t testing.TB) (string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "keystore.json")
	if err := Create(path, bip39Secret(), []byte(testPassphrase), testMeta); err != nil {
		t.Fatalf("Create: %v", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, data
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		s    *Secret
		pass string
		meta Meta
	}{
		{"bip39 12 words", &Secret{Kind: KindBIP39, Entropy: mustHex("7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f")}, "pw", Meta{Network: "mainnet", MasterFingerprint: "0123abcd"}},
		{"bip39 15 words", &Secret{Kind: KindBIP39, Entropy: bytes.Repeat([]byte{0x80}, 20)}, "pw", Meta{Network: "testnet", MasterFingerprint: "00000000"}},
		{"bip39 18 words", &Secret{Kind: KindBIP39, Entropy: bytes.Repeat([]byte{0x81}, 24)}, "pw", Meta{Network: "signet", MasterFingerprint: "ffffffff"}},
		{"bip39 21 words", &Secret{Kind: KindBIP39, Entropy: bytes.Repeat([]byte{0x82}, 28)}, "pw", Meta{Network: "regtest", MasterFingerprint: "deadbeef"}},
		{"bip39 24 words with passphrase", &Secret{Kind: KindBIP39, Entropy: bytes.Repeat([]byte{0xff}, 32), BIP39Passphrase: []byte("TREZOR")}, testPassphrase, testMeta},
		{"bip39 unicode passphrases", &Secret{Kind: KindBIP39, Entropy: bytes.Repeat([]byte{1}, 16), BIP39Passphrase: []byte("㍍ガバヴァぱばぐゞちぢ十人十色")}, "pässwörd ﬁ", testMeta},
		{"bip39 longest passphrase", &Secret{Kind: KindBIP39, Entropy: bytes.Repeat([]byte{2}, 16), BIP39Passphrase: bytes.Repeat([]byte{'p'}, MaxPassphraseLen)}, strings.Repeat("k", 1024), testMeta},
		{"slip39 128 bits", &Secret{Kind: KindSLIP39, Entropy: mustHex("bb54aac4b89dc868ba37d9cc21b2cece")}, "pw", testMeta},
		{"slip39 256 bits", &Secret{Kind: KindSLIP39, Entropy: bytes.Repeat([]byte{0x5a}, 32)}, "pw", testMeta},
		{"created with nanoseconds and a zone", bip39Secret(), "pw", Meta{Network: "regtest", MasterFingerprint: "73c5da0a", Created: time.Date(2026, 5, 1, 11, 30, 0, 999, time.FixedZone("CEST", 2*3600))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "keystore.json")
			if err := Create(path, tt.s, []byte(tt.pass), tt.meta); err != nil {
				t.Fatalf("Create: %v", err)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("mode = %04o, want 0600", fi.Mode().Perm())
			}
			wantMeta := tt.meta
			wantMeta.Created = wantMeta.Created.UTC().Truncate(time.Second)
			if tt.meta.Created.IsZero() {
				wantMeta.Created = time.Time{}
			}
			got, meta, err := Open(path, []byte(tt.pass))
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer got.Wipe()
			if got.Kind != tt.s.Kind || !bytes.Equal(got.Entropy, tt.s.Entropy) || !bytes.Equal(got.BIP39Passphrase, tt.s.BIP39Passphrase) {
				t.Errorf("Open returned another secret (kind %q, %d entropy bytes, %d passphrase bytes)", got.Kind, len(got.Entropy), len(got.BIP39Passphrase))
			}
			if meta != wantMeta {
				t.Errorf("Open meta = %+v, want %+v", meta, wantMeta)
			}
			rm, err := ReadMeta(path)
			if err != nil {
				t.Fatalf("ReadMeta: %v", err)
			}
			if rm != wantMeta {
				t.Errorf("ReadMeta = %+v, want %+v", rm, wantMeta)
			}
			// No secret in clear in the file.
			data, _ := os.ReadFile(path)
			if len(tt.s.BIP39Passphrase) > 0 && bytes.Contains(data, tt.s.BIP39Passphrase) {
				t.Error("the BIP39 passphrase is in clear in the file")
			}
			// (Short passphrases can occur in base64 by chance; skip them.)
			if len(tt.pass) >= 8 && bytes.Contains(data, []byte(tt.pass)) || bytes.Contains(data, []byte(hex.EncodeToString(tt.s.Entropy))) {
				t.Error("a secret is in clear in the file")
			}
		})
	}
}

// TestPassphraseNormalised checks that the keystore passphrase is taken in
// NFKD form, as BIP39 does, so that "é" typed precomposed or decomposed
// opens the same keystore.
func TestPassphraseNormalised(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keystore.json")
	nfc, nfd := []byte("caf\u00e9 \ufb01"), []byte("cafe\u0301 fi")
	if err := Create(path, bip39Secret(), nfc, testMeta); err != nil {
		t.Fatal(err)
	}
	s, _, err := Open(path, nfd)
	if err != nil {
		t.Fatalf("Open with the NFD form: %v", err)
	}
	s.Wipe()
	if !bytes.Equal(nfc, []byte("caf\u00e9 \ufb01")) {
		t.Error("Create changed the caller's passphrase")
	}
}

func TestCreateRefusesExisting(t *testing.T) {
	path, before := newKeystore(t)
	other := &Secret{Kind: KindBIP39, Entropy: bytes.Repeat([]byte{9}, 32)}
	err := Create(path, other, []byte("other"), testMeta)
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("Create over an existing keystore: err = %v, want fs.ErrExist", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the file", err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("the existing keystore was changed")
	}
	// Any existing file, keystore or not.
	junk := filepath.Join(t.TempDir(), "keystore.json")
	os.WriteFile(junk, []byte("notes"), 0o600)
	if err := Create(junk, bip39Secret(), []byte("pw"), testMeta); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Create over another file: err = %v, want fs.ErrExist", err)
	}
}

func TestCreateInvalid(t *testing.T) {
	good := bip39Secret()
	tests := []struct {
		name string
		s    *Secret
		pass string
		meta Meta
		want string
	}{
		{"nil secret", nil, "pw", testMeta, "no secret"},
		{"bip39 entropy 15 bytes", &Secret{Kind: KindBIP39, Entropy: make([]byte, 15)}, "pw", testMeta, "bip39 entropy is 15 bytes"},
		{"bip39 entropy 33 bytes", &Secret{Kind: KindBIP39, Entropy: make([]byte, 33)}, "pw", testMeta, "bip39 entropy is 33 bytes"},
		{"bip39 no entropy", &Secret{Kind: KindBIP39}, "pw", testMeta, "bip39 entropy is 0 bytes"},
		{"slip39 odd", &Secret{Kind: KindSLIP39, Entropy: make([]byte, 17)}, "pw", testMeta, "slip39 master secret is 17 bytes"},
		{"slip39 too long", &Secret{Kind: KindSLIP39, Entropy: make([]byte, 34)}, "pw", testMeta, "slip39 master secret is 34 bytes"},
		{"slip39 with passphrase", &Secret{Kind: KindSLIP39, Entropy: make([]byte, 16), BIP39Passphrase: []byte("x")}, "pw", testMeta, "takes no BIP39 passphrase"},
		{"unknown kind", &Secret{Kind: "electrum", Entropy: make([]byte, 16)}, "pw", testMeta, `secret kind "electrum"`},
		{"passphrase too long", &Secret{Kind: KindBIP39, Entropy: make([]byte, 16), BIP39Passphrase: make([]byte, MaxPassphraseLen+1)}, "pw", testMeta, "longer than 1024"},
		{"empty keystore passphrase", good, "", testMeta, "passphrase is empty"},
		{"bad network", good, "pw", Meta{Network: "bitcoin", MasterFingerprint: "73c5da0a"}, `network "bitcoin"`},
		{"no network", good, "pw", Meta{MasterFingerprint: "73c5da0a"}, `network ""`},
		{"upper-case fingerprint", good, "pw", Meta{Network: "mainnet", MasterFingerprint: "73C5DA0A"}, `master fingerprint "73C5DA0A"`},
		{"short fingerprint", good, "pw", Meta{Network: "mainnet", MasterFingerprint: "73c5da0"}, `master fingerprint "73c5da0"`},
		{"non-hex fingerprint", good, "pw", Meta{Network: "mainnet", MasterFingerprint: "73c5da0g"}, `master fingerprint "73c5da0g"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "keystore.json")
			err := Create(path, tt.s, []byte(tt.pass), tt.meta)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
			if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("a file was written for a refused Create")
			}
		})
	}
}

func TestWrongPassphrase(t *testing.T) {
	path, before := newKeystore(t)
	for _, pass := range []string{"", "correct horse battery stapl", "correct horse battery staple ", "Correct horse battery staple", "x"} {
		s, _, err := Open(path, []byte(pass))
		if !errors.Is(err, ErrWrongPassphrase) {
			t.Errorf("Open with a wrong passphrase: err = %v, want ErrWrongPassphrase", err)
		}
		if s != nil {
			t.Error("a secret is returned with an error")
		}
		if err != nil && err.Error() != "wrong passphrase" {
			t.Errorf("message = %q, want %q", err, "wrong passphrase")
		}
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("a failed Open changed the file")
	}
}

// TestEveryByteFlipped changes each byte of a keystore in turn, with each
// single-bit mask and 0xff: Open must fail with a *CorruptError or
// ErrWrongPassphrase every time, never succeed and never panic. When the
// clear fields still read (ReadMeta succeeds), only decryption can fail.
func TestEveryByteFlipped(t *testing.T) {
	path, orig := newKeystore(t)
	masks := []byte{0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff}
	var nCorrupt, nWrong int
	data := make([]byte, len(orig))
	for i := range orig {
		for _, m := range masks {
			copy(data, orig)
			data[i] ^= m
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			s, _, err := Open(path, []byte(testPassphrase))
			var ce *CorruptError
			switch {
			case err == nil:
				s.Wipe()
				t.Fatalf("byte %d ^ %#02x: Open succeeded on an altered keystore", i, m)
			case errors.As(err, &ce):
				nCorrupt++
				if ce.Path != path || !strings.HasPrefix(err.Error(), "keystore "+path+" is corrupted: ") {
					t.Fatalf("byte %d ^ %#02x: error %q does not name the file", i, m, err)
				}
			case errors.Is(err, ErrWrongPassphrase):
				nWrong++
			default:
				t.Fatalf("byte %d ^ %#02x: unexpected error %v", i, m, err)
			}
			if _, merr := ReadMeta(path); merr == nil && !errors.Is(err, ErrWrongPassphrase) {
				t.Fatalf("byte %d ^ %#02x: ReadMeta accepts the file but Open says %v", i, m, err)
			}
		}
	}
	t.Logf("%d alterations: %d corrupt, %d failed authentication", len(orig)*len(masks), nCorrupt, nWrong)
	if nCorrupt == 0 || nWrong == 0 {
		t.Errorf("want both kinds of failure, got %d corrupt and %d authentication failures", nCorrupt, nWrong)
	}
}

func TestTruncated(t *testing.T) {
	path, orig := newKeystore(t)
	for n := range len(orig) {
		if err := os.WriteFile(path, orig[:n], 0o600); err != nil {
			t.Fatal(err)
		}
		_, _, err := Open(path, []byte(testPassphrase))
		var ce *CorruptError
		if !errors.As(err, &ce) {
			t.Fatalf("truncated to %d bytes: err = %v, want *CorruptError", n, err)
		}
		want := "the file is truncated"
		if n == 0 {
			want = "the file is empty"
		}
		if ce.Reason != want {
			t.Errorf("truncated to %d bytes: reason %q, want %q", n, ce.Reason, want)
		}
		if _, err := ReadMeta(path); !errors.As(err, &ce) {
			t.Fatalf("ReadMeta truncated to %d bytes: err = %v, want *CorruptError", n, err)
		}
	}
}

// TestClearFieldsBound edits each clear field to another valid value, in
// the exact form coffer writes, so the file parses: the edit must still be
// caught, by the associated data.
func TestClearFieldsBound(t *testing.T) {
	path, orig := newKeystore(t)
	edits := []struct {
		name string
		edit func(f *file)
	}{
		{"network", func(f *file) { f.meta.Network = "mainnet" }},
		{"master fingerprint", func(f *file) { f.meta.MasterFingerprint = "73c5da0b" }},
		{"created", func(f *file) { f.created = "2026-05-01T09:30:01Z" }},
		{"created removed", func(f *file) { f.created = "" }},
		{"salt", func(f *file) { f.salt[0] ^= 1 }},
		{"nonce", func(f *file) { f.nonce[23] ^= 1 }},
		{"kdf time", func(f *file) { f.kdf.Time++ }},
		{"kdf memory", func(f *file) { f.kdf.MemoryKiB += 8 }},
		{"kdf threads", func(f *file) { f.kdf.Threads++ }},
		{"ciphertext", func(f *file) { f.ciphertext[0] ^= 1 }},
		{"tag", func(f *file) { f.ciphertext[len(f.ciphertext)-1] ^= 0x80 }},
		{"ciphertext shortened", func(f *file) { f.ciphertext = f.ciphertext[1:] }},
	}
	for _, e := range edits {
		t.Run(e.name, func(t *testing.T) {
			f, err := parseFile(path, orig)
			if err != nil {
				t.Fatal(err)
			}
			e.edit(f)
			data, err := encodeFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := ReadMeta(path); err != nil {
				t.Fatalf("ReadMeta of the edited file: %v (the edit should parse)", err)
			}
			if _, _, err := Open(path, []byte(testPassphrase)); !errors.Is(err, ErrWrongPassphrase) {
				t.Fatalf("Open of the edited file: err = %v, want ErrWrongPassphrase", err)
			}
		})
	}
}

// TestCorruptReasons checks that structural damage is reported as a
// *CorruptError naming the file and saying what is wrong, before any key
// derivation.
func TestCorruptReasons(t *testing.T) {
	path, orig := newKeystore(t)
	replace := func(old, new string) []byte {
		if !bytes.Contains(orig, []byte(old)) {
			t.Fatalf("%q is not in the keystore", old)
		}
		return bytes.Replace(orig, []byte(old), []byte(new), 1)
	}
	f, err := parseFile(path, orig)
	if err != nil {
		t.Fatal(err)
	}
	salt := fmt.Sprintf("%q", base64.StdEncoding.EncodeToString(f.salt))
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "the file is empty"},
		{"too large", bytes.Repeat([]byte{' '}, maxFileSize+1), "larger than 64 KiB"},
		{"not json", []byte("hello"), "not valid JSON"},
		{"array", []byte("[1,2]\n"), "not a JSON object"},
		{"trailing data", append(bytes.Clone(orig), "{}"...), "not valid JSON"},
		{"other format", replace(`"coffer-keystore"`, `"age-keystore"`), `it is not a coffer keystore (field "format" is "age-keystore"`},
		{"newer version", replace(`"version": 1`, `"version": 2`), "keystore version 2 is not supported (this coffer reads version 1)"},
		{"unknown field", replace(`"network"`, `"comment": "x",
  "network"`), `unknown field "comment"`},
		{"wrong type", replace(`"time": 1`, `"time": "1"`), `field "kdf.time" has the wrong type`},
		{"negative", replace(`"time": 1`, `"time": -1`), `field "kdf.time" has the wrong type or is out of range`},
		{"huge memory", replace(`"memory_kib": 64`, `"memory_kib": 104857600`), `field "kdf.memory_kib" is 104857600, want 8 to 1048576`},
		{"memory over uint32", replace(`"memory_kib": 64`, `"memory_kib": 107374182400`), `field "kdf.memory_kib" has the wrong type or is out of range`},
		{"zero time", replace(`"time": 1`, `"time": 0`), `field "kdf.time" is 0, want 1 to 16`},
		{"many passes", replace(`"time": 1`, `"time": 1000`), `field "kdf.time" is 1000, want 1 to 16`},
		{"zero threads", replace(`"threads": 1`, `"threads": 0`), `field "kdf.threads" is 0, want 1 to 16`},
		{"too little memory for threads", replace(`"threads": 1`, `"threads": 9`), `field "kdf.memory_kib" is 64, want 72 to 1048576`},
		{"other kdf", replace(`"argon2id"`, `"scrypt"`), `field "kdf.algorithm" is "scrypt", want "argon2id"`},
		{"other cipher", replace(`"xchacha20-poly1305"`, `"aes-256-gcm"`), `field "cipher.algorithm" is "aes-256-gcm", want "xchacha20-poly1305"`},
		{"salt not base64", replace(salt, `"!!!!"`), `field "kdf.salt" is not valid base64`},
		{"salt short", replace(salt, `"AAAA"`), `field "kdf.salt" is 3 bytes, want 16`},
		{"salt escaped newline", replace(salt, salt[:5]+`\n`+salt[5:]), `field "kdf.salt" is not valid base64`},
		{"network", replace(`"regtest"`, `"bitcoin"`), `field "network": network "bitcoin" is not one of mainnet, testnet, signet, regtest`},
		{"fingerprint", replace(`"73c5da0a"`, `"73c5da0"`), `field "master_fingerprint": master fingerprint "73c5da0" is not 8 lower-case hex digits`},
		{"created", replace(`"2026-05-01T09:30:00Z"`, `"2026-05-01T11:30:00+02:00"`), `field "created" is not a UTC time`},
		{"key case", replace(`"network"`, `"Network"`), "not in the exact form coffer writes"},
		{"spacing", replace(`"network": `, `"network":  `), "not in the exact form coffer writes"},
		{"escape", replace(`"regtest"`, `"\u0072egtest"`), "not in the exact form coffer writes"},
		{"duplicate key", replace(`"network": "regtest",`, `"network": "mainnet", "network": "regtest",`), "not in the exact form coffer writes"},
		{"no final newline", orig[:len(orig)-1], "the file is truncated"},
		{"two final newlines", append(bytes.Clone(orig), '\n'), "not in the exact form coffer writes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.WriteFile(path, tt.data, 0o600); err != nil {
				t.Fatal(err)
			}
			for fn, open := range map[string]func() error{
				"Open":     func() error { _, _, err := Open(path, []byte(testPassphrase)); return err },
				"ReadMeta": func() error { _, err := ReadMeta(path); return err },
			} {
				err := open()
				var ce *CorruptError
				if !errors.As(err, &ce) {
					t.Fatalf("%s: err = %v, want *CorruptError", fn, err)
				}
				if ce.Path != path || !strings.HasPrefix(err.Error(), "keystore "+path+" is corrupted: ") {
					t.Errorf("%s: error %q does not name the file", fn, err)
				}
				if !strings.Contains(ce.Reason, tt.want) {
					t.Errorf("%s: reason %q, want it to contain %q", fn, ce.Reason, tt.want)
				}
			}
		})
	}
}

func TestOpenMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keystore.json")
	if _, _, err := Open(path, []byte("pw")); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Errorf("Open: err = %v, want fs.ErrNotExist naming the file", err)
	}
	if _, err := ReadMeta(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadMeta: err = %v, want fs.ErrNotExist", err)
	}
	if err := ChangePassphrase(path, []byte("a"), []byte("b")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ChangePassphrase: err = %v, want fs.ErrNotExist", err)
	}
}

func TestChangePassphrase(t *testing.T) {
	path, before := newKeystore(t)
	newPass := []byte("a new and longer passphrase")
	if err := ChangePassphrase(path, []byte(testPassphrase), newPass); err != nil {
		t.Fatalf("ChangePassphrase: %v", err)
	}
	after, _ := os.ReadFile(path)
	if bytes.Equal(before, after) {
		t.Fatal("the file did not change")
	}
	fb, _ := parseFile(path, before)
	fa, err := parseFile(path, after)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(fa.salt, fb.salt) || bytes.Equal(fa.nonce, fb.nonce) {
		t.Error("salt or nonce reused")
	}
	if fa.created != fb.created || fa.meta != fb.meta {
		t.Errorf("clear fields changed: %+v, want %+v", fa.meta, fb.meta)
	}
	if _, _, err := Open(path, []byte(testPassphrase)); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("old passphrase: err = %v, want ErrWrongPassphrase", err)
	}
	s, meta, err := Open(path, newPass)
	if err != nil {
		t.Fatalf("Open with the new passphrase: %v", err)
	}
	defer s.Wipe()
	want := bip39Secret()
	if s.Kind != want.Kind || !bytes.Equal(s.Entropy, want.Entropy) || !bytes.Equal(s.BIP39Passphrase, want.BIP39Passphrase) {
		t.Error("the secret changed")
	}
	if meta != testMeta {
		t.Errorf("meta = %+v, want %+v", meta, testMeta)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %04o, want 0600", fi.Mode().Perm())
	}
	if ents, _ := os.ReadDir(filepath.Dir(path)); len(ents) != 1 {
		t.Errorf("folder holds %d entries, want only the keystore", len(ents))
	}
}

func TestChangePassphraseRefused(t *testing.T) {
	path, before := newKeystore(t)
	if err := ChangePassphrase(path, []byte("wrong"), []byte("new")); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("wrong old passphrase: err = %v, want ErrWrongPassphrase", err)
	}
	if err := ChangePassphrase(path, []byte(testPassphrase), nil); err == nil || !strings.Contains(err.Error(), "new passphrase is empty") {
		t.Errorf("empty new passphrase: err = %v", err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("a refused ChangePassphrase changed the file")
	}
}

// TestChangePassphraseInterrupted makes the write fail part way, the way a
// crash or a full disk would, after a partial temporary file is on disk: the
// keystore must be intact and open with the old passphrase.
func TestChangePassphraseInterrupted(t *testing.T) {
	path, before := newKeystore(t)
	errCrash := errors.New("simulated crash")
	crash := func(p string, data []byte, perm os.FileMode) error {
		tmp := filepath.Join(filepath.Dir(p), ".keystore.json.tmp-crash")
		if err := os.WriteFile(tmp, data[:len(data)/2], perm); err != nil {
			t.Fatal(err)
		}
		return errCrash
	}
	err := changePassphrase(path, []byte(testPassphrase), []byte("new passphrase"), crash)
	if !errors.Is(err, errCrash) {
		t.Fatalf("err = %v, want the injected failure", err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Fatal("the keystore changed after an interrupted write")
	}
	s, _, err := Open(path, []byte(testPassphrase))
	if err != nil {
		t.Fatalf("Open with the old passphrase: %v", err)
	}
	s.Wipe()
	if _, _, err := Open(path, []byte("new passphrase")); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("new passphrase: err = %v, want ErrWrongPassphrase", err)
	}
}

func TestSecretRedacts(t *testing.T) {
	s := &Secret{Kind: KindBIP39, Entropy: mustHex("deadbeefdeadbeefdeadbeefdeadbeef"), BIP39Passphrase: []byte("zebra")}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%q", "%d"} {
		for _, arg := range []any{s, *s, []*Secret{s}} {
			got := fmt.Sprintf(verb, arg)
			if strings.Contains(got, "zebra") || strings.Contains(got, "deadbeef") || strings.Contains(got, "222 173") || strings.Contains(got, "7a65627261") {
				t.Errorf("Sprintf(%q, %T) shows the secret: %s", verb, arg, got)
			}
		}
	}
}

func TestSecretWipe(t *testing.T) {
	path, _ := newKeystore(t)
	s, _, err := Open(path, []byte(testPassphrase))
	if err != nil {
		t.Fatal(err)
	}
	ent, pass := s.Entropy, s.BIP39Passphrase
	if cap(ent) != len(ent) || cap(pass) != len(pass) {
		t.Error("the secret's slices have spare capacity: an append would write into the other field")
	}
	s.Wipe()
	if !bytes.Equal(ent, make([]byte, len(ent))) || !bytes.Equal(pass, make([]byte, len(pass))) {
		t.Error("Wipe left secret bytes")
	}
	if s.Entropy != nil || s.BIP39Passphrase != nil {
		t.Error("Wipe left the fields set")
	}
	s.Wipe()
	var nilSecret *Secret
	nilSecret.Wipe()
}

// TestGoldenFile opens a keystore written by this version of the format
// (with the test KDF parameters), so that a change that breaks reading
// existing keystores cannot pass unnoticed.
func TestGoldenFile(t *testing.T) {
	path := filepath.Join("testdata", "keystore-v1.json")
	s, meta, err := Open(path, []byte(testPassphrase))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Wipe()
	want := bip39Secret()
	if s.Kind != want.Kind || !bytes.Equal(s.Entropy, want.Entropy) || !bytes.Equal(s.BIP39Passphrase, want.BIP39Passphrase) {
		t.Error("golden keystore decrypts to another secret")
	}
	if meta != testMeta {
		t.Errorf("meta = %+v, want %+v", meta, testMeta)
	}
}

// FuzzOpen feeds arbitrary bytes to the parser and, when they parse, to
// decryption: never a panic, only *CorruptError or ErrWrongPassphrase, and
// what parses is exactly what coffer writes.
func FuzzOpen(f *testing.F) {
	golden, err := os.ReadFile(filepath.Join("testdata", "keystore-v1.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(golden)
	f.Add(golden[:len(golden)/2])
	f.Add([]byte("{}"))
	f.Add([]byte(`{"format":"coffer-keystore","version":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fl, err := parseFile("fuzz.json", data)
		if err != nil {
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("parse error %v is not a *CorruptError", err)
			}
			return
		}
		again, err := encodeFile(fl)
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("accepted input does not re-encode to itself")
		}
		if fl.kdf.MemoryKiB > 1024 || fl.kdf.Time > 2 {
			return // valid but slow parameters: not worth a fuzz iteration
		}
		s, err := unseal("fuzz.json", fl, []byte(testPassphrase))
		var ce *CorruptError
		switch {
		case err == nil:
			s.Wipe()
		case errors.Is(err, ErrWrongPassphrase), errors.As(err, &ce):
		default:
			t.Fatalf("unexpected error %v", err)
		}
	})
}
