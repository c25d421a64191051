package wallet

import (
	"errors"
	"testing"

	"github.com/btcsuite/btcd/btcutil/base58"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
)

type bip32File struct {
	Vectors []struct {
		Vector int    `json:"vector"`
		Seed   string `json:"seed"`
		Chains []struct {
			Path string `json:"path"`
			Xpub string `json:"xpub"`
			Xprv string `json:"xprv"`
		} `json:"chains"`
		Invalid []struct {
			Key    string `json:"key"`
			Reason string `json:"reason"`
		} `json:"invalid"`
	} `json:"vectors"`
}

func TestBIP32Vectors(t *testing.T) {
	var f bip32File
	loadJSON(t, &f, "bip32", "bip32-test-vectors.json")
	chains := 0
	for _, v := range f.Vectors {
		if v.Seed == "" {
			continue
		}
		master, err := MasterFromSeed(mustHex(t, v.Seed), Mainnet)
		if err != nil {
			t.Fatalf("vector %d: %v", v.Vector, err)
		}
		for _, c := range v.Chains {
			chains++
			p, err := ParsePath(c.Path)
			if err != nil {
				t.Fatalf("vector %d %s: %v", v.Vector, c.Path, err)
			}
			k, err := DerivePath(master, p)
			if err != nil {
				t.Fatalf("vector %d %s: %v", v.Vector, c.Path, err)
			}
			if got := k.String(); got != c.Xprv {
				t.Errorf("vector %d %s: xprv mismatch", v.Vector, c.Path)
			}
			pub := neuter(t, k)
			if got := pub.String(); got != c.Xpub {
				t.Errorf("vector %d %s: xpub %s, want %s", v.Vector, c.Path, got, c.Xpub)
			}
			// The strict parser reads both back to the same key.
			pk, pf, err := ParseExtendedKey(c.Xpub)
			if err != nil || pk.String() != c.Xpub || pf.Prefix != "xpub" || !pf.Mainnet || pf.Private || pf.IsSLIP132() {
				t.Errorf("vector %d %s: ParseExtendedKey: %v %+v", v.Vector, c.Path, err, pf)
			}
			if Fingerprint(pk) != Fingerprint(k) {
				t.Errorf("vector %d %s: fingerprint of xpub and xprv differ", v.Vector, c.Path)
			}
			sk, sf, err := ParseExtendedPrivateKey([]byte(c.Xprv))
			if err != nil || sk.String() != c.Xprv || sf.Prefix != "xprv" || !sf.Private {
				t.Errorf("vector %d %s: ParseExtendedPrivateKey: %v", v.Vector, c.Path, err)
			}
			if _, _, err := ParseExtendedKey(c.Xprv); !errors.Is(err, ErrPrivateKey) {
				t.Errorf("vector %d %s: ParseExtendedKey(xprv) = %v, want ErrPrivateKey", v.Vector, c.Path, err)
			}
			// Where the last step is unhardened, the public parent derives
			// the same child, through hdkeychain and through pubParent.
			if n := len(p); n > 0 && p[n-1] < Hardened {
				parent, err := DerivePath(master, p[:n-1])
				if err != nil {
					t.Fatal(err)
				}
				pp := neuter(t, parent)
				viaLib, err := DerivePath(pp, Path{p[n-1]})
				if err != nil || viaLib.String() != c.Xpub {
					t.Errorf("vector %d %s: public derivation: %v", v.Vector, c.Path, err)
				}
				fast, err := newPubParent(pp)
				if err != nil {
					t.Fatal(err)
				}
				child, err := fast.child(p[n-1])
				want, _ := viaLib.ECPubKey()
				if err != nil || !child.IsEqual(want) {
					t.Errorf("vector %d %s: pubParent child differs: %v", v.Vector, c.Path, err)
				}
			}
		}
	}
	if chains != 17 {
		t.Errorf("checked %d chains, want the 17 of vectors 1-4", chains)
	}
}

// Every invalid key of BIP32 test vector 5 is refused, for its own reason.
func TestBIP32Vector5Invalid(t *testing.T) {
	want := map[string]KeyErrorCode{
		"pubkey version / prvkey mismatch":            KeyErrPublicVersionPrivateData,
		"prvkey version / pubkey mismatch":            KeyErrPrivateVersionPublicData,
		"invalid pubkey prefix 04":                    KeyErrPublicPrefix,
		"invalid prvkey prefix 04":                    KeyErrPrivatePrefix,
		"invalid pubkey prefix 01":                    KeyErrPublicPrefix,
		"invalid prvkey prefix 01":                    KeyErrPrivatePrefix,
		"zero depth with non-zero parent fingerprint": KeyErrZeroDepthParent,
		"zero depth with non-zero index":              KeyErrZeroDepthIndex,
		"unknown extended key version":                KeyErrUnknownVersion,
		"private key 0 not in 1..n-1":                 KeyErrPrivateRange,
		"private key n not in 1..n-1":                 KeyErrPrivateRange,
		"invalid pubkey 020000000000000000000000000000000000000000000000000000000000000007": KeyErrInvalidPoint,
		"invalid checksum": KeyErrChecksum,
	}
	var f bip32File
	loadJSON(t, &f, "bip32", "bip32-test-vectors.json")
	n, libAccepted := 0, 0
	for _, v := range f.Vectors {
		for _, inv := range v.Invalid {
			n++
			code, ok := want[inv.Reason]
			if !ok {
				t.Fatalf("reason %q has no expected code", inv.Reason)
			}
			for _, parse := range []func(string) error{
				func(s string) error { _, _, err := ParseExtendedKey(s); return err },
				func(s string) error { _, _, err := ParseExtendedPrivateKey([]byte(s)); return err },
			} {
				err := parse(inv.Key)
				var ke *ExtendedKeyError
				if !errors.As(err, &ke) || ke.Code != code {
					t.Errorf("key %d (%s): got %v, want code %v", n, inv.Reason, err, code)
				}
			}
			if _, err := hdkeychain.NewKeyFromString(inv.Key); err == nil {
				libAccepted++
			}
		}
	}
	if n != 16 {
		t.Errorf("vector 5 has %d invalid keys in testdata, want 16", n)
	}
	t.Logf("refused all %d invalid keys; hdkeychain.NewKeyFromString alone accepts %d", n, libAccepted)
}

func TestParseExtendedKeyMalformed(t *testing.T) {
	valid := "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8"
	tests := []struct {
		name string
		in   string
		code KeyErrorCode
	}{
		{"empty", "", KeyErrLength},
		{"not base58", "xpub0OIl", KeyErrEncoding},
		{"truncated", valid[:100], KeyErrLength},
		{"too long text", valid + valid, KeyErrLength},
		{"one char changed", valid[:50] + "z" + valid[51:], KeyErrChecksum},
		{"address", "1LqBGSKuX5yYUonjxT5qGfpUsXKYYWeabA", KeyErrLength},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ParseExtendedKey(tt.in)
			var ke *ExtendedKeyError
			if !errors.As(err, &ke) || ke.Code != tt.code {
				t.Fatalf("got %v, want code %v", err, tt.code)
			}
		})
	}
}

func TestBase58Decode(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"", "", true},
		{"1", "00", true},
		{"11", "0000", true},
		{"2", "01", true},
		{"z", "39", true},
		{"21", "3a", true},
		{"5Q", "ff", true},
		{"LUv", "ffff", true},
		{"LUw", "010000", true},
		{"1112", "00000001", true},
		{"0", "", false},
		{"I", "", false},
		{"l", "", false},
		{"O", "", false},
	}
	for _, tt := range tests {
		got, ok := base58Decode([]byte(tt.in))
		if ok != tt.ok || ok && string(got) != string(mustHex(t, tt.want)) {
			t.Errorf("base58Decode(%q) = %x, %v; want %s, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// base58Decode agrees with btcutil's decoder on every prefix of real keys.
func TestBase58DecodeMatchesLibrary(t *testing.T) {
	for _, s := range []string{
		"xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi",
		"111xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8",
	} {
		for i := 0; i <= len(s); i++ {
			got, ok := base58Decode([]byte(s[:i]))
			if want := base58.Decode(s[:i]); !ok || string(got) != string(want) {
				t.Fatalf("prefix %d: %x, want %x", i, got, want)
			}
		}
	}
}

func TestMasterFromSeedErrors(t *testing.T) {
	if _, err := MasterFromSeed(make([]byte, 15), Mainnet); err == nil {
		t.Error("15-byte seed accepted")
	}
	if _, err := MasterFromSeed(make([]byte, 65), Mainnet); err == nil {
		t.Error("65-byte seed accepted")
	}
	if _, err := MasterFromSeed(make([]byte, 32), 0); err == nil {
		t.Error("invalid network accepted")
	}
	k, err := MasterFromSeed(make([]byte, 32), Regtest)
	if err != nil {
		t.Fatal(err)
	}
	f, ok := KeyNetworkFormat(k)
	if !ok || f.Prefix != "tprv" || f.Mainnet || !f.IsFor(Regtest) || f.IsFor(Mainnet) {
		t.Errorf("regtest master format %+v", f)
	}
	if err := f.CheckNetwork(Mainnet); !errors.Is(err, ErrWrongNetwork) {
		t.Errorf("CheckNetwork(mainnet) = %v", err)
	}
	WipeKey(k)
	if Fingerprint(k) != [4]byte{} {
		t.Error("wiped key still has a fingerprint")
	}
	WipeKey(nil)
}

func TestDerivePathHardenedFromPublic(t *testing.T) {
	k, _, err := ParseExtendedKey("xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DerivePath(k, Path{0, 1 | Hardened}); !errors.Is(err, ErrHardenedFromPublic) {
		t.Fatalf("got %v", err)
	}
	fast, err := newPubParent(k)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fast.child(Hardened); !errors.Is(err, ErrHardenedFromPublic) {
		t.Fatalf("pubParent: got %v", err)
	}
}

func TestFingerprintPSBT(t *testing.T) {
	fp := [4]byte{0x73, 0xc5, 0xda, 0x0a}
	if got := FingerprintFromPSBT(PSBTFingerprint(fp)); got != fp {
		t.Fatalf("round trip %x", got)
	}
	if PSBTFingerprint(fp) != 0x0adac573 {
		t.Fatalf("PSBTFingerprint = %08x, want little-endian 0adac573", PSBTFingerprint(fp))
	}
}
