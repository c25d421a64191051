package wallet

import (
	"bytes"
	"crypto/sha256"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
)

// DeriveRange (the batch method) gives exactly what Derive gives, for
// each kind of key and script.
func TestDeriveRangeMatchesDerive(t *testing.T) {
	cs := testCosigners(t, Mainnet, ScriptWSHMulti, 3)
	single := testCosigners(t, Mainnet, ScriptWPKH, 1)[0]
	descs := []string{
		multisigDescriptor(cs, "wsh(%s)", 2, "/<0;1>/*"),
		"wpkh(" + single.xpub.String() + "/<0;1>/*)",
		"tr(" + single.xpub.String() + "/0/*)",
		// a fixed key beside ranged ones
		"wsh(multi(1,0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600," + single.xpub.String() + "/1/*))",
	}
	const start, count = 1000, batchThreshold + 44
	for _, s := range descs {
		d := mustParse(t, s)
		for b := uint32(0); b < uint32(d.Branches()); b++ {
			bd, err := d.Branch(b)
			if err != nil {
				t.Fatal(err)
			}
			outs, err := bd.DeriveRange(start, count)
			if err != nil {
				t.Fatal(err)
			}
			if len(outs) != count {
				t.Fatalf("%d outputs", len(outs))
			}
			for i, got := range outs {
				want, err := d.Derive(b, start+uint32(i))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got.ScriptPubKey, want.ScriptPubKey) || !bytes.Equal(got.WitnessScript, want.WitnessScript) || len(got.Keys) != len(want.Keys) {
					t.Fatalf("%s branch %d index %d: batch differs", s, b, start+i)
				}
				for k := range got.Keys {
					if !bytes.Equal(got.Keys[k].Serialized, want.Keys[k].Serialized) || !got.Keys[k].Origin.Equal(want.Keys[k].Origin) {
						t.Fatalf("%s index %d key %d differs", s, start+i, k)
					}
				}
			}
			// Small ranges after a large one reuse the table; results agree.
			small, err := bd.ScriptPubKeys(start+5, 3)
			if err != nil || len(small) != 3 || !bytes.Equal(small[0], outs[5].ScriptPubKey) {
				t.Fatalf("small range after the batch: %v", err)
			}
		}
	}
	fixed := mustParse(t, "wpkh("+single.xpub.String()+"/0/0)")
	bd, _ := fixed.Branch(0)
	if _, err := bd.DeriveRange(0, 2); err == nil {
		t.Error("range of a descriptor without wildcard")
	}
	if _, err := bd.DeriveRange(0, 1); err != nil {
		t.Error(err)
	}
	ranged, _ := mustParse(t, "wpkh("+single.xpub.String()+"/0/*)").Branch(0)
	if _, err := ranged.DeriveRange(Hardened-1, 2); err == nil {
		t.Error("range past 2^31-1 accepted")
	}
}

func scalarFromSeed(i int) [32]byte {
	return sha256.Sum256([]byte{byte(i), byte(i >> 8), 'k'})
}

func affineOf(p *btcec.JacobianPoint) affinePoint {
	q := *p
	q.ToAffine()
	return affinePoint{x: q.X, y: q.Y}
}

// batchMulAdd against btcec's scalar multiplication, including the
// exceptional cases it must hand back: s·G equal to the addend (a
// doubling) and to its negation (the point at infinity).
func TestBatchMulAdd(t *testing.T) {
	tab := newBaseTable()
	// Table spot checks: tab[w][b-1] = b·256^w·G.
	for _, wb := range [][2]int{{0, 1}, {0, 255}, {1, 1}, {17, 128}, {31, 255}} {
		var k [32]byte
		k[31-wb[0]] = byte(wb[1])
		var s btcec.ModNScalar
		s.SetBytes(&k)
		var j btcec.JacobianPoint
		btcec.ScalarBaseMultNonConst(&s, &j)
		want := affineOf(&j)
		got := tab[wb[0]][wb[1]-1]
		if !got.x.Equals(&want.x) || !got.y.Equals(&want.y) {
			t.Fatalf("table entry %v wrong", wb)
		}
	}
	var kScalar btcec.ModNScalar
	kb := scalarFromSeed(999)
	kScalar.SetBytes(&kb)
	var addJ btcec.JacobianPoint
	btcec.ScalarBaseMultNonConst(&kScalar, &addJ)
	addend := affineOf(&addJ)

	var scalars [][32]byte
	for i := 0; i < 200; i++ {
		scalars = append(scalars, scalarFromSeed(i))
	}
	var low [32]byte
	low[31] = 5 // a scalar with one nonzero byte
	scalars = append(scalars, low, kScalar.Bytes())
	var neg btcec.ModNScalar
	neg.NegateVal(&kScalar)
	scalars = append(scalars, neg.Bytes())

	acc, slow := batchMulAdd(tab, scalars, &addend)
	n := len(scalars)
	if !slow[n-2] || !slow[n-1] {
		t.Fatalf("exceptional cases not flagged: doubling %v, infinity %v", slow[n-2], slow[n-1])
	}
	for j := 0; j < n-2; j++ {
		if slow[j] {
			t.Fatalf("scalar %d flagged", j)
		}
		var s btcec.ModNScalar
		s.SetBytes(&scalars[j])
		var r, sum btcec.JacobianPoint
		btcec.ScalarBaseMultNonConst(&s, &r)
		btcec.AddNonConst(&r, &addJ, &sum)
		want := affineOf(&sum)
		if !acc[j].x.Equals(&want.x) || !acc[j].y.Equals(&want.y) {
			t.Fatalf("scalar %d: wrong point", j)
		}
	}
}
