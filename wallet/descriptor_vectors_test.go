package wallet

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// BIP380 checksum tests. "No checksum" is valid for ParseDescriptor and
// refused by ParseDescriptorWithChecksum (BIP380 lets the application
// choose); the labels of the others say they are invalid.
func TestBIP380Checksums(t *testing.T) {
	var f struct {
		ChecksumTests []struct {
			Label      string `json:"label"`
			Descriptor string `json:"descriptor"`
		} `json:"checksum_tests"`
	}
	loadJSON(t, &f, "bip380-386", "bip380.json")
	if len(f.ChecksumTests) != 8 {
		t.Fatalf("%d checksum tests, want 8", len(f.ChecksumTests))
	}
	for _, c := range f.ChecksumTests {
		_, errLax := ParseDescriptor(c.Descriptor)
		_, errStrict := ParseDescriptorWithChecksum(c.Descriptor)
		verr := VerifyChecksum(c.Descriptor)
		switch c.Label {
		case "Valid checksum":
			if errLax != nil || errStrict != nil || verr != nil {
				t.Errorf("%s: %v / %v / %v", c.Label, errLax, errStrict, verr)
			}
			if sum, err := DescriptorChecksum("raw(deadbeef)"); err != nil || sum != "89f8spxm" {
				t.Errorf("DescriptorChecksum = %s, %v", sum, err)
			}
			if s, err := AddChecksum("raw(deadbeef)"); err != nil || s != c.Descriptor {
				t.Errorf("AddChecksum = %s, %v", s, err)
			}
		case "No checksum":
			if errLax != nil {
				t.Errorf("%s: ParseDescriptor: %v", c.Label, errLax)
			}
			if !errors.Is(errStrict, ErrMissingChecksum) || !errors.Is(verr, ErrMissingChecksum) {
				t.Errorf("%s: strict %v, verify %v; want ErrMissingChecksum", c.Label, errStrict, verr)
			}
		default:
			if errLax == nil || errStrict == nil || verr == nil {
				t.Errorf("%s: %q accepted (%v / %v / %v)", c.Label, c.Descriptor, errLax, errStrict, verr)
			}
			if c.Label == "Error in payload" && !errors.Is(errLax, ErrChecksum) {
				t.Errorf("%s: %v, want ErrChecksum", c.Label, errLax)
			}
		}
	}
}

// BIP380 key expressions, wrapped in pk(). Private keys are refused as
// such; their public twins must parse. Invalid ones fail, and so do their
// public twins, for a reason other than a private key.
func TestBIP380KeyExpressions(t *testing.T) {
	var f struct {
		KeyExpressions struct {
			Valid []struct {
				Label string `json:"label"`
				Key   string `json:"key"`
			} `json:"valid"`
			Invalid []struct {
				Key    string `json:"key"`
				Reason string `json:"reason"`
			} `json:"invalid"`
		} `json:"key_expressions"`
	}
	loadJSON(t, &f, "bip380-386", "bip380.json")
	if len(f.KeyExpressions.Valid) != 21 || len(f.KeyExpressions.Invalid) != 16 {
		t.Fatalf("%d valid, %d invalid key expressions", len(f.KeyExpressions.Valid), len(f.KeyExpressions.Invalid))
	}
	for _, v := range f.KeyExpressions.Valid {
		desc := "pk(" + v.Key + ")"
		_, err := ParseDescriptor(desc)
		private := strings.Contains(v.Label, "private key")
		if private != errors.Is(err, ErrPrivateKey) || !private && err != nil {
			t.Errorf("%s: %v", v.Label, err)
		}
		pub := publicize(t, desc)
		d, err := ParseDescriptor(pub)
		if err != nil {
			t.Errorf("%s (public twin %s): %v", v.Label, pub, err)
			continue
		}
		roundTrip(t, d)
	}
	for _, v := range f.KeyExpressions.Invalid {
		desc := "pk(" + v.Key + ")"
		if _, err := ParseDescriptor(desc); err == nil {
			t.Errorf("%s: %s accepted", v.Reason, desc)
		}
		pub := publicize(t, desc)
		if _, err := ParseDescriptor(pub); err == nil || errors.Is(err, ErrPrivateKey) {
			t.Errorf("%s: public twin %s: %v", v.Reason, pub, err)
		}
	}
}

// roundTrip checks that the canonical form reads back to itself.
func roundTrip(t *testing.T, d *Descriptor) {
	t.Helper()
	s := d.String()
	if err := VerifyChecksum(s); err != nil {
		t.Errorf("canonical %s: %v", s, err)
	}
	d2, err := ParseDescriptorWithChecksum(s)
	if err != nil {
		t.Errorf("canonical %s does not parse: %v", s, err)
		return
	}
	if d2.String() != s {
		t.Errorf("canonical form not stable: %s -> %s", s, d2.String())
	}
}

type scriptVectors struct {
	Valid []struct {
		Descriptor string   `json:"descriptor"`
		Scripts    []string `json:"scripts"`
		Children   []struct {
			Child   int      `json:"child"`
			Scripts []string `json:"scripts"`
		} `json:"children"`
	} `json:"valid"`
	Invalid []struct {
		Descriptor string `json:"descriptor"`
		Reason     string `json:"reason"`
	} `json:"invalid"`
}

// descSkip lists the valid vectors of BIP381-386 whose scripts Coffer does
// not reproduce, and why; testdata/bip380-386/README says the same.
var descSkip = map[string]string{
	"bip382.json valid 4": "hardened wildcard /*' needs the private key",
	"bip382.json valid 5": "hardened wildcard /*h needs the private key",
	"bip383.json valid 5": "hardened wildcard /*' needs the private key",
	"bip384.json valid 0": "combo() not supported",
	"bip384.json valid 1": "combo() not supported",
	"bip384.json valid 2": "combo() not supported",
	"bip384.json valid 3": "combo() not supported",
	"bip385.json valid 3": "addr() not supported",
	"bip386.json valid 2": "tr() script tree not supported",
	"bip386.json valid 3": "tr() script tree not supported",
	"bip386.json valid 4": "tr() script tree not supported",
	"bip386.json valid 5": "tr() script tree not supported",
}

// BIP381-386 valid descriptors: private keys refused; the public twin
// (after BIP380 normalization of hardened steps) gives the published
// scripts for indexes 0, 1, 2, unless listed in descSkip with the refusal
// expected for it. Invalid descriptors and their public twins fail.
func TestBIP381to386Vectors(t *testing.T) {
	matched, refused := 0, 0
	for _, file := range []string{"bip381.json", "bip382.json", "bip383.json", "bip384.json", "bip385.json", "bip386.json"} {
		var f scriptVectors
		loadJSON(t, &f, "bip380-386", file)
		for i, v := range f.Valid {
			name := fmt.Sprintf("%s valid %d", file, i)
			if _, err := ParseDescriptor(v.Descriptor); err != nil && !errors.Is(err, ErrPrivateKey) && !errors.Is(err, ErrUnsupported) {
				t.Errorf("%s: %v", name, err)
			}
			pub, normal := publicizeNormalized(t, v.Descriptor)
			d, err := ParseDescriptor(pub)
			why, skipped := descSkip[name]
			switch {
			case strings.Contains(why, "not supported"):
				if !errors.Is(err, ErrUnsupported) {
					t.Errorf("%s: %v, want ErrUnsupported", name, err)
				}
				refused++
				continue
			case err != nil:
				t.Errorf("%s: public twin %s: %v", name, pub, err)
				continue
			}
			roundTrip(t, d)
			if !normal {
				if !skipped || !strings.Contains(why, "hardened wildcard") {
					t.Errorf("%s: cannot be normalized but not listed", name)
				}
				if _, err := d.ScriptPubKey(0, 0); !errors.Is(err, ErrHardenedFromPublic) {
					t.Errorf("%s: %v, want ErrHardenedFromPublic", name, err)
				}
				refused++
				continue
			}
			if skipped {
				t.Errorf("%s: listed as skipped (%s) but reproduced", name, why)
			}
			for idx, want := range v.Scripts {
				got, err := d.ScriptPubKey(0, uint32(idx))
				if err != nil || hex.EncodeToString(got) != want {
					t.Errorf("%s index %d: %x, %v; want %s", name, idx, got, err, want)
				}
			}
			if d.IsRange() != (len(v.Scripts) == 3) {
				t.Errorf("%s: IsRange %v with %d scripts", name, d.IsRange(), len(v.Scripts))
			}
			matched++
		}
		for i, v := range f.Invalid {
			name := fmt.Sprintf("%s invalid %d (%s)", file, i, v.Reason)
			if _, err := ParseDescriptor(v.Descriptor); err == nil {
				t.Errorf("%s: accepted", name)
			}
			pub := publicize(t, v.Descriptor)
			if _, err := ParseDescriptor(pub); err == nil || errors.Is(err, ErrPrivateKey) {
				t.Errorf("%s: public twin %s: %v", name, pub, err)
			}
		}
	}
	t.Logf("%d valid descriptors reproduce their scripts, %d refused as listed", matched, refused)
	if matched != 40 || refused != len(descSkip) {
		t.Errorf("%d valid descriptors matched, %d refused; want 40 and %d", matched, refused, len(descSkip))
	}
}

// BIP389 multipath: valid ones expand to the published descriptors (public
// twins, as Coffer refuses xprv); invalid ones fail.
func TestBIP389Vectors(t *testing.T) {
	var f struct {
		Valid []struct {
			Descriptor string   `json:"descriptor"`
			ExpandsTo  []string `json:"expands_to"`
		} `json:"valid"`
		Invalid []struct {
			Descriptor string `json:"descriptor"`
			Reason     string `json:"reason"`
		} `json:"invalid"`
	}
	loadJSON(t, &f, "bip389", "bip389.json")
	if len(f.Valid) != 6 || len(f.Invalid) != 8 {
		t.Fatalf("%d valid, %d invalid", len(f.Valid), len(f.Invalid))
	}
	for i, v := range f.Valid {
		d, err := ParseDescriptor(publicize(t, v.Descriptor))
		if err != nil {
			t.Errorf("valid %d: %v", i, err)
			continue
		}
		roundTrip(t, d)
		exp := d.Expand()
		if len(exp) != len(v.ExpandsTo) || d.MultipathLen() != len(v.ExpandsTo) {
			t.Errorf("valid %d: %d expansions, want %d", i, len(exp), len(v.ExpandsTo))
			continue
		}
		for j, e := range exp {
			want, err := ParseDescriptor(publicize(t, v.ExpandsTo[j]))
			if err != nil {
				t.Fatalf("valid %d expansion %d: %v", i, j, err)
			}
			if e.String() != want.String() || e.MultipathLen() != 0 {
				t.Errorf("valid %d expansion %d: %s, want %s", i, j, e, want)
			}
			// Branch j of the multipath descriptor is the expansion j.
			a, errA := d.ScriptPubKey(uint32(j), 0)
			b, errB := e.ScriptPubKey(0, 0)
			if errors.Is(errA, ErrHardenedFromPublic) && errors.Is(errB, ErrHardenedFromPublic) {
				continue
			}
			if errA != nil || errB != nil || hex.EncodeToString(a) != hex.EncodeToString(b) {
				t.Errorf("valid %d branch %d: %x %v vs %x %v", i, j, a, errA, b, errB)
			}
		}
	}
	for i, v := range f.Invalid {
		if _, err := ParseDescriptor(v.Descriptor); err == nil {
			t.Errorf("invalid %d (%s): accepted", i, v.Reason)
		}
		if _, err := ParseDescriptor(publicize(t, v.Descriptor)); err == nil || errors.Is(err, ErrPrivateKey) {
			t.Errorf("invalid %d (%s): public twin: %v", i, v.Reason, err)
		}
	}
}
