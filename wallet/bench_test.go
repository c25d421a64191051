package wallet

import (
	"testing"
)

// BenchmarkDeriveAddresses derives 10,000 receive addresses of a 2-of-3
// wsh(sortedmulti) per iteration: each cosigner's /0 branch key is derived
// once, then the children of all indexes in one batch (DeriveRange).
func BenchmarkDeriveAddresses(b *testing.B) {
	cs := testCosigners(b, Mainnet, ScriptWSHMulti, 3)
	d, err := ParseDescriptor(multisigDescriptor(cs, "wsh(%s)", 2, "/<0;1>/*"))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		bd, err := d.Branch(0)
		if err != nil {
			b.Fatal(err)
		}
		spks, err := bd.ScriptPubKeys(0, 10000)
		if err != nil {
			b.Fatal(err)
		}
		for _, spk := range spks {
			if _, err := AddressFromScript(spk, Mainnet); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkDeriveOneByOne is the same work index by index (Derive), for
// comparison with the batch.
func BenchmarkDeriveOneByOne(b *testing.B) {
	cs := testCosigners(b, Mainnet, ScriptWSHMulti, 3)
	d, err := ParseDescriptor(multisigDescriptor(cs, "wsh(%s)", 2, "/<0;1>/*"))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		bd, err := d.Branch(0)
		if err != nil {
			b.Fatal(err)
		}
		for i := uint32(0); i < 1000; i++ {
			if _, err := bd.ScriptPubKey(i); err != nil {
				b.Fatal(err)
			}
		}
	}
}
