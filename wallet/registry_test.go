package wallet

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// bip129Records reads the coordinator's descriptor records (round 2) of
// BIP129's test vectors (testdata/bip129, see its SOURCE).
func bip129Records(t testing.TB) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "bip129", "bip129-vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Modes []struct {
			Mode   string `json:"mode"`
			Round2 struct {
				Record string `json:"record"`
			} `json:"round2"`
		} `json:"modes"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, m := range f.Modes {
		out[m.Mode] = m.Round2.Record
	}
	if len(out) != 4 {
		t.Fatalf("%d BIP129 modes, want 4", len(out))
	}
	return out
}

// TestParseMultisigImportBIP129: every descriptor record of BIP129's
// vectors parses, and its first address is the one its descriptor derives.
func TestParseMultisigImportBIP129(t *testing.T) {
	want := map[string]struct {
		st        ScriptType
		threshold int
		keys      int
		branches  int
	}{
		"NO_ENCRYPTION with public keys": {ScriptWSHMulti, 1, 2, 1},
		"NO_ENCRYPTION":                  {ScriptWSHMulti, 2, 2, 2},
		"STANDARD":                       {ScriptWSHMulti, 2, 2, 2},
		"EXTENDED":                       {ScriptSHWSHMulti, 2, 3, 2},
	}
	for mode, rec := range bip129Records(t) {
		t.Run(mode, func(t *testing.T) {
			imp, err := ParseMultisigImport([]byte(rec), Mainnet)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(rec, "\n")
			w := want[mode]
			d := imp.Descriptor
			if imp.Source != SourceBSMS || imp.FirstAddress != lines[3] || d.ScriptType() != w.st ||
				d.Threshold() != w.threshold || len(d.Keys()) != w.keys || d.Branches() != w.branches || len(imp.SHA256) != 64 {
				t.Fatalf("got %s %q %s %d-of-%d, %d branches", imp.Source, imp.FirstAddress, d.ScriptType(), d.Threshold(), len(d.Keys()), d.Branches())
			}
			// The change branch is /1/* where the record restricts to /0/*,/1/*.
			if w.branches == 2 {
				for _, k := range d.Keys() {
					o, _ := k.Origin()
					if _, _, ok := d.MatchKeyPath(o.Fingerprint, o.Path.Child(1, 7)); !ok {
						t.Fatalf("key %s: change path not matched", o)
					}
				}
			}
			// The same record with another first address is refused.
			lines[3] = imp.FirstAddress[:len(imp.FirstAddress)-1] + "q"
			if _, err := ParseMultisigImport([]byte(strings.Join(lines, "\n")), Mainnet); err == nil || !strings.Contains(err.Error(), "bsms line 4") {
				t.Fatalf("wrong first address: %v", err)
			}
			// On a test network the mainnet keys are refused.
			if _, err := ParseMultisigImport([]byte(rec), Testnet); err == nil {
				t.Fatal("mainnet record accepted on testnet")
			}
			// The descriptor alone (canonical, with checksum) reads the same.
			imp2, err := ParseMultisigImport([]byte(" "+d.String()+"\r\n"), Mainnet)
			if err != nil || imp2.Source != SourceDescriptor || imp2.FirstAddress != imp.FirstAddress {
				t.Fatalf("descriptor: %v %+v", err, imp2)
			}
		})
	}
}

func TestParseMultisigImportRefusals(t *testing.T) {
	recs := bip129Records(t)
	std := recs["NO_ENCRYPTION"]
	lines := strings.Split(std, "\n")
	xpub1 := "[1cf0bf7e/48'/0'/0'/2']xpub6FL8FhxNNUVnG64YurPd16AfGyvFLhh7S2uSsDqR3Qfcm6o9jtcMYwh6DvmcBF9qozxNQmTCVvWtxLpKTnhVLN3Pgnu2D3pAoXYFgVyd8Yz"
	xpub2 := "[4fc1dd4a/48'/0'/0'/2']xpub6EebMbEps7ZcV3FYEnddRsvrFWDrt2tiPmCeM7pPXQEmphvq9ZfJ1LWFUDjf3vxCeBuPrfyGrMazWUsYsetrnHatQZVLJH7LsgCjtMqdzgj"
	for _, c := range []struct {
		name, in, want string
	}{
		{"empty", " \n", "the file is empty"},
		{"single key", "wpkh(" + xpub1 + "/0/*)", "is not a multisig wallet"},
		{"bare multi", "multi(1," + xpub1 + "," + xpub2 + ")", "is not a multisig wallet"},
		{"no origin", "wsh(sortedmulti(1," + xpub1 + "/<0;1>/*," + xpub2[23:] + "/<0;1>/*))", "key 2 has no key origin"},
		{"repeated key", "wsh(sortedmulti(1," + xpub1 + "/<0;1>/*," + xpub1 + "/<0;1>/*))", "key 2 repeats key 1"},
		{"bad checksum", "wsh(sortedmulti(1," + xpub1 + "/<0;1>/*," + xpub2 + "/<0;1>/*))#aaaaaaaa", "checksum"},
		{"two lines", "wsh(sortedmulti(1," + xpub1 + "/<0;1>/*,\n" + xpub2 + "/<0;1>/*))", "several lines"},
		{"hex", "a54044308ceac9b7deadbeef", "the file is hex"},
		{"bsms version", "BSMS 2.0\n" + strings.Join(lines[1:], "\n"), `bsms line 1: "BSMS 2.0" is not "BSMS 1.0"`},
		{"bsms lines", strings.Join(lines[:3], "\n"), "has 3"},
		{"bsms key record", "BSMS 1.0\n00\n" + xpub1 + "\nSigner 1 key\nH6DX", "signer's key record (round 1)"},
		{"bsms restriction", strings.Join([]string{lines[0], lines[1], "/0/*,/1/*h", lines[3]}, "\n"), `path restriction "/1/*h" is not of the form /N/*`},
		{"bsms three branches", strings.Join([]string{lines[0], lines[1], "/0/*,/1/*,/2/*", lines[3]}, "\n"), "3 path restrictions"},
		{"bsms template without restrictions", strings.Join([]string{lines[0], lines[1], "No path restrictions", lines[3]}, "\n"), "uses /** but the record gives no path restrictions"},
		{"bsms restrictions without template", strings.Join([]string{lines[0], strings.ReplaceAll(lines[1], "/**", "/<0;1>/*"), lines[2], lines[3]}, "\n"), "has no /**"},
		{"too large", strings.Repeat("a", MaxImportLen+1), "more than"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseMultisigImport([]byte(c.in), Mainnet)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
}

func TestCheckWalletName(t *testing.T) {
	for name, ok := range map[string]bool{
		"treasury": true, "wsh-2of3-1a2b3c4d": true, "a": true, "0.cold_store-2": true,
		"": false, "Treasury": false, "-x": false, ".hidden": false, "a/b": false, "a b": false,
		strings.Repeat("a", 64): true, strings.Repeat("a", 65): false,
		"wpkh-0": false, "sh-wpkh-12": false, "tr-3": false, "tr-x": true, "wsh-0": true,
	} {
		if err := CheckWalletName(name); (err == nil) != ok {
			t.Errorf("CheckWalletName(%q) = %v, want ok=%v", name, err, ok)
		}
	}
}

// TestRegistrationRoundTrip: a signed registration file reads back, and
// any change to what the signature covers, or another key, is refused.
func TestRegistrationRoundTrip(t *testing.T) {
	imp, err := ParseMultisigImport([]byte(bip129Records(t)["NO_ENCRYPTION"]), Mainnet)
	if err != nil {
		t.Fatal(err)
	}
	pub, priv, _ := ed25519.GenerateKey(zeroRand{})
	_, other, _ := ed25519.GenerateKey(strings.NewReader(strings.Repeat("x", 64)))
	now := time.Date(2026, 1, 2, 3, 4, 5, 6_000_000, time.FixedZone("x", 3600))
	name := DefaultWalletName(imp.Descriptor)
	if !strings.HasPrefix(name, "wsh-2of2-") || len(name) != len("wsh-2of2-")+8 {
		t.Fatalf("default name %q", name)
	}
	r, err := NewRegistration(name, Mainnet, imp, []bool{false, true}, now)
	if err != nil {
		t.Fatal(err)
	}
	if r.Keys[1].Ours != true || r.Keys[0].Ours || r.Keys[0].Fingerprint != "1cf0bf7e" || r.Keys[0].Path != "m/48h/0h/0h/2h" || r.Threshold != 2 {
		t.Fatalf("keys %+v", r.Keys)
	}
	r.Sign(priv)
	data, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, d, err := ParseRegistration(data, Mainnet)
	if err != nil {
		t.Fatal(err)
	}
	if err := back.Verify(pub); err != nil {
		t.Fatal(err)
	}
	if d.String() != imp.Descriptor.String() || !back.Registered.Equal(now.Truncate(time.Millisecond)) || back.Name != name {
		t.Fatalf("read back %+v", back)
	}
	if err := back.Verify(other.Public().(ed25519.PublicKey)); !errors.Is(err, ErrRegistrationSignature) {
		t.Fatalf("another key: %v", err)
	}
	// A registration renamed, or moved to another descriptor, no longer verifies.
	renamed := *back
	renamed.Name = "other"
	if err := renamed.Verify(pub); !errors.Is(err, ErrRegistrationSignature) {
		t.Fatalf("renamed: %v", err)
	}
	for _, c := range []struct{ name, from, to, want string }{
		{"unknown field", `"format"`, `"extra": 1, "format"`, "unknown field"},
		{"format", RegistrationFormat, "coffer-multisig-wallet-9", "format"},
		{"network", `"network": "mainnet"`, `"network": "testnet"`, "is for testnet"},
		{"name", `"name": "` + name, `"name": "Bad`, "wallet name"},
		{"checksum", `"descriptor": "wsh(`, `"descriptor": "wsh( `, "descriptor"},
	} {
		t.Run(c.name, func(t *testing.T) {
			bad := strings.Replace(string(data), c.from, c.to, 1)
			if _, _, err := ParseRegistration([]byte(bad), Mainnet); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
	if _, _, err := ParseRegistration(append(data, "{}"...), Mainnet); err == nil {
		t.Fatal("trailing object accepted")
	}
	if _, err := NewRegistration("wpkh-0", Mainnet, imp, nil, now); err == nil {
		t.Fatal("account name accepted")
	}
}

type zeroRand struct{}

func (zeroRand) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// FuzzParseMultisigImport: no input panics; what parses is a multisig
// whose canonical descriptor reads back to the same first address.
func FuzzParseMultisigImport(f *testing.F) {
	for _, rec := range bip129Records(f) {
		f.Add([]byte(rec))
	}
	f.Add([]byte("wsh(sortedmulti(1,[59865f44/48'/0'/0'/2']026d15412460ba0d881c21837bb999233896085a9ed4e5445bd637c10e579768ba,[b7044ca6/48'/0'/0'/2']030baf0497ab406ff50cb48b4013abac8a0338758d2fd54cd934927afa57cc2062))"))
	f.Add([]byte("BSMS 1.0\n00\nkey\ndesc\nsig"))
	f.Fuzz(func(t *testing.T, data []byte) {
		imp, err := ParseMultisigImport(data, Mainnet)
		if err != nil {
			return
		}
		if !imp.Descriptor.ScriptType().IsMultisig() || imp.FirstAddress == "" {
			t.Fatalf("accepted %q as %s", data, imp.Descriptor)
		}
		again, err := ParseMultisigImport([]byte(imp.Descriptor.String()), Mainnet)
		if err != nil || again.FirstAddress != imp.FirstAddress {
			t.Fatalf("canonical form of %q: %v", data, err)
		}
	})
}

// FuzzParseRegistration: no registration file panics the reader.
func FuzzParseRegistration(f *testing.F) {
	imp, err := ParseMultisigImport([]byte(bip129Records(f)["EXTENDED"]), Mainnet)
	if err != nil {
		f.Fatal(err)
	}
	r, err := NewRegistration("w", Mainnet, imp, nil, time.Unix(0, 0))
	if err != nil {
		f.Fatal(err)
	}
	data, _ := r.Marshal()
	f.Add(data)
	f.Add([]byte("{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, d, err := ParseRegistration(data, Mainnet)
		if err != nil {
			return
		}
		if r == nil || d == nil || r.Verify(nil) == nil {
			t.Fatal("parsed registration verifies without a key")
		}
	})
}
