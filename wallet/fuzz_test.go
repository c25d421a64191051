package wallet

import (
	"testing"
)

// FuzzParseDescriptor: no input panics; whatever parses prints a canonical
// form that parses back to the same text, and derives without panicking.
// Seeded from the BIP380-386 and 389 vectors (with their public twins).
func FuzzParseDescriptor(f *testing.F) {
	for _, file := range []string{"bip381.json", "bip382.json", "bip383.json", "bip384.json", "bip385.json", "bip386.json"} {
		var v scriptVectors
		loadJSON(f, &v, "bip380-386", file)
		for _, d := range v.Valid {
			f.Add(d.Descriptor)
			f.Add(publicize(f, d.Descriptor))
		}
		for _, d := range v.Invalid {
			f.Add(d.Descriptor)
		}
	}
	var mp struct {
		Valid []struct {
			Descriptor string `json:"descriptor"`
		} `json:"valid"`
		Invalid []struct {
			Descriptor string `json:"descriptor"`
		} `json:"invalid"`
	}
	loadJSON(f, &mp, "bip389", "bip389.json")
	for _, d := range mp.Valid {
		f.Add(publicize(f, d.Descriptor))
	}
	for _, d := range mp.Invalid {
		f.Add(d.Descriptor)
	}
	f.Add("raw(deadbeef)#89f8spxm")
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDescriptor(s)
		if err != nil {
			return
		}
		c := d.String()
		d2, err := ParseDescriptorWithChecksum(c)
		if err != nil {
			t.Fatalf("canonical %q of %q does not parse: %v", c, s, err)
		}
		if d2.String() != c {
			t.Fatalf("canonical form not stable: %q -> %q", c, d2.String())
		}
		for _, e := range d.Expand() {
			if _, err := ParseDescriptor(e.String()); err != nil {
				t.Fatalf("expansion %q does not parse: %v", e, err)
			}
		}
		for b := 0; b < d.Branches(); b++ {
			_, _ = d.Derive(uint32(b), 0)
			_, _ = d.Address(uint32(b), 1, Mainnet)
		}
	})
}

// FuzzParseExtendedKey: no input panics; a key that parses re-serializes
// to a key that parses to the same key.
func FuzzParseExtendedKey(f *testing.F) {
	var v bip32File
	loadJSON(f, &v, "bip32", "bip32-test-vectors.json")
	for _, vec := range v.Vectors {
		for _, c := range vec.Chains {
			f.Add(c.Xpub)
		}
		for _, inv := range vec.Invalid {
			f.Add(inv.Key)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, _, err := ParseExtendedKey(s)
		if err != nil {
			return
		}
		k2, _, err := ParseExtendedKey(k.String())
		if err != nil || k2.String() != k.String() {
			t.Fatalf("%q: re-serialized key does not parse back: %v", s, err)
		}
	})
}
