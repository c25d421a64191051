package build

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/coffer-custody/coffer/sign"
	"github.com/coffer-custody/coffer/wallet"
)

// signer is a test vault: a master key and its account on regtest.
type signer struct {
	master *hdkeychain.ExtendedKey
	key    wallet.AccountKey
}

func newSigner(t testing.TB, seed string, st wallet.ScriptType) signer {
	t.Helper()
	s := sha256.Sum256([]byte(seed))
	m, err := wallet.MasterFromSeed(s[:], wallet.Regtest)
	if err != nil {
		t.Fatal(err)
	}
	p, err := wallet.AccountPath(st, wallet.Regtest, 0)
	if err != nil {
		t.Fatal(err)
	}
	a, err := wallet.DerivePath(m, p)
	if err != nil {
		t.Fatal(err)
	}
	x, err := wallet.Neuter(a)
	if err != nil {
		t.Fatal(err)
	}
	return signer{master: m, key: wallet.AccountKey{Origin: wallet.KeyOrigin{Fingerprint: wallet.Fingerprint(m), Path: p}, XPub: x}}
}

// funding makes a previous transaction paying the wallet's receive
// addresses 0..n-1 amount each, and the plan's inputs over it.
func funding(t testing.TB, d *wallet.Descriptor, n int, amount btcutil.Amount) []Input {
	t.Helper()
	prev := wire.NewMsgTx(2)
	prev.AddTxIn(wire.NewTxIn(&wire.OutPoint{Hash: chainhash.Hash{1}}, nil, nil))
	bd, err := d.Branch(0)
	if err != nil {
		t.Fatal(err)
	}
	outs, err := bd.DeriveRange(0, uint32(n))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range outs {
		prev.AddTxOut(wire.NewTxOut(int64(amount), o.ScriptPubKey))
	}
	var ins []Input
	for i, o := range outs {
		ins = append(ins, Input{OutPoint: wire.OutPoint{Hash: prev.TxHash(), Index: uint32(i)}, Value: amount, Script: o.ScriptPubKey, PrevTx: prev, Index: uint32(i)})
	}
	return ins
}

func payTo(t testing.TB, amount btcutil.Amount) *wire.TxOut {
	s, err := AddressScript(regtestAddr, wallet.Regtest)
	if err != nil {
		t.Fatal(err)
	}
	return wire.NewTxOut(int64(amount), s)
}

func signWith(t *testing.T, data []byte, s signer) []byte {
	t.Helper()
	p, err := sign.Decode(data, 0)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := sign.NewHDKeys(s.master)
	if err != nil {
		t.Fatal(err)
	}
	defer keys.Zero()
	if _, err := sign.Sign(p, keys, sign.Options{Workers: 1}); err != nil {
		t.Fatal(err)
	}
	return p.Encode()
}

// Single-key wallets: the PSBT carries every field, the signer's own
// review recognises every input and the change, coffer's signer signs,
// Finalize builds a transaction every input of which verifies.
func TestBuildSignFinalizeSingleKey(t *testing.T) {
	for _, st := range []wallet.ScriptType{wallet.ScriptWPKH, wallet.ScriptSHWPKH, wallet.ScriptTR} {
		t.Run(st.String(), func(t *testing.T) {
			s := newSigner(t, "single "+st.String(), st)
			d, err := wallet.SingleSigDescriptor(st, s.key)
			if err != nil {
				t.Fatal(err)
			}
			ins := funding(t, d, 2, 60_000)
			plan := &Plan{Descriptor: d, Inputs: ins, Outputs: []*wire.TxOut{payTo(t, 100_000)}, ChangeIndex: 3, ChangeValue: 19_000, ChangePos: 1, LockTime: 200, RBF: true}
			p, err := BuildPSBT(plan)
			if err != nil {
				t.Fatal(err)
			}
			for i, in := range p.Inputs {
				if in.NonWitnessUtxo == nil || in.WitnessUtxo == nil {
					t.Fatalf("input #%d lacks a utxo field", i)
				}
				if st == wallet.ScriptTR {
					if len(in.TaprootInternalKey) != 32 || len(in.TaprootBip32Derivation) != 1 {
						t.Fatalf("input #%d lacks taproot fields", i)
					}
				} else if len(in.Bip32Derivation) != 1 {
					t.Fatalf("input #%d lacks its derivation", i)
				}
				if (st == wallet.ScriptSHWPKH) != (len(in.RedeemScript) > 0) {
					t.Fatalf("input #%d redeem script %x", i, in.RedeemScript)
				}
				if p.UnsignedTx.TxIn[i].Sequence != SequenceRBF {
					t.Fatalf("input #%d sequence %x", i, p.UnsignedTx.TxIn[i].Sequence)
				}
			}
			if p.UnsignedTx.LockTime != 200 || len(p.Outputs[1].Bip32Derivation)+len(p.Outputs[1].TaprootBip32Derivation) != 1 {
				t.Fatal("locktime or change derivation missing")
			}
			data, err := Serialize(p)
			if err != nil {
				t.Fatal(err)
			}
			r, err := CheckWithSigner(data, "w", d, wallet.Regtest)
			if err != nil {
				t.Fatal(err)
			}
			if r.Fee != 1000 || r.Outputs[1].Label != sign.LabelChange || r.Outputs[0].Label != sign.LabelExternal {
				t.Fatalf("review: fee %d, labels %s %s", r.Fee, r.Outputs[0].Label, r.Outputs[1].Label)
			}
			if _, err := Finalize(data, "req.psbt"); !errors.Is(err, ErrIncomplete) || !strings.Contains(err.Error(), "inputs #0 (0 of 1), #1 (0 of 1)") {
				t.Fatalf("unsigned finalize: %v", err)
			}
			tx, err := Finalize(signWith(t, data, s), "signed.psbt")
			if err != nil {
				t.Fatal(err)
			}
			iw, _ := InputWeight(st, 1, 1)
			est := TxWeight([]int{iw, iw}, [][]byte{plan.Outputs[0].PkScript, p.UnsignedTx.TxOut[1].PkScript}, true)
			if got := tx.SerializeSizeStripped()*3 + tx.SerializeSize(); got > est || VSize(est)-VSize(got) > 1 {
				t.Fatalf("final weight %d, estimated %d", got, est)
			}
		})
	}
}

// A 2-of-3: global xpubs and every key's derivation; two signers sign
// apart, Combine merges, Finalize needs exactly the two.
func TestMultisigCombineFinalize(t *testing.T) {
	var ss []signer
	var keys []wallet.AccountKey
	for i := 0; i < 3; i++ {
		s := newSigner(t, fmt.Sprint("cosigner ", i), wallet.ScriptWSHMulti)
		ss = append(ss, s)
		keys = append(keys, s.key)
	}
	d, err := wallet.MultisigDescriptor(wallet.ScriptWSHMulti, 2, keys)
	if err != nil {
		t.Fatal(err)
	}
	plan := &Plan{Descriptor: d, Inputs: funding(t, d, 1, 500_000), Outputs: []*wire.TxOut{payTo(t, 300_000)}, ChangeIndex: 0, ChangeValue: 199_000, LockTime: 7, RBF: false}
	p, err := BuildPSBT(plan)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.XPubs) != 3 || len(p.Inputs[0].Bip32Derivation) != 3 || len(p.Inputs[0].WitnessScript) == 0 || len(p.Outputs[0].Bip32Derivation) != 3 {
		t.Fatalf("multisig fields: %d xpubs, %d derivations", len(p.XPubs), len(p.Inputs[0].Bip32Derivation))
	}
	if p.UnsignedTx.TxIn[0].Sequence != SequenceNoRBF {
		t.Fatal("no-rbf sequence")
	}
	data, err := Serialize(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := CheckWithSigner(data, "treasury", d, wallet.Regtest); err != nil {
		t.Fatal(err)
	}
	a := signWith(t, data, ss[0])
	c := signWith(t, data, ss[2])
	if _, err := Finalize(a, "a.psbt"); err == nil || !strings.Contains(err.Error(), "input #0 (1 of 2)") {
		t.Fatalf("one signature: %v", err)
	}
	pa, _ := Read(a, "a.psbt")
	pc, _ := Read(c, "c.psbt")
	comb, err := Combine([]*Packet{pa, pc}, []string{"a.psbt", "c.psbt"})
	if err != nil {
		t.Fatal(err)
	}
	if fewest, need, short := Signatures(comb); fewest != 2 || need != 2 || len(short) != 0 {
		t.Fatalf("signatures %d of %d, short %v", fewest, need, short)
	}
	out, err := Serialize(comb)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Finalize(out, "combined.psbt"); err != nil {
		t.Fatal(err)
	}
	// A PSBT of another transaction is refused by name.
	plan.LockTime = 8
	other, _ := BuildPSBT(plan)
	if _, err := Combine([]*Packet{pa, other}, []string{"a.psbt", "b.psbt"}); !errors.Is(err, ErrDifferentTx) || !strings.Contains(err.Error(), "b.psbt is for transaction") {
		t.Fatalf("different transactions: %v", err)
	}
}

func TestBuildRefusesWrongCoins(t *testing.T) {
	s := newSigner(t, "x", wallet.ScriptWPKH)
	d, _ := wallet.SingleSigDescriptor(wallet.ScriptWPKH, s.key)
	ins := funding(t, d, 2, 10_000)
	bad := []struct {
		mod  func(in []Input)
		want string
	}{
		{func(in []Input) { in[1].Index = 0 }, "the wallet does not derive its script at 0/0"},
		{func(in []Input) { in[0].PrevTx = nil }, "the previous transaction is missing"},
		{func(in []Input) { in[0].Value = 9_999 }, "the previous transaction's output is 10000 sat"},
		{func(in []Input) { in[0].OutPoint.Hash[0] ^= 1 }, "the previous transaction hashes to"},
		{func(in []Input) { in[0].Branch = 2 }, "branch 2 is neither receive nor change"},
	}
	for _, tc := range bad {
		in := append([]Input(nil), ins...)
		tc.mod(in)
		_, err := BuildPSBT(&Plan{Descriptor: d, Inputs: in, Outputs: []*wire.TxOut{payTo(t, 1000)}})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v, want %q", err, tc.want)
		}
	}
}

// BenchmarkBuildPSBT1000Inputs builds (and serializes) a PSBT spending
// 1,000 P2WPKH coins, each from its own previous transaction of two
// outputs (what a wallet paid by many customers holds).
func BenchmarkBuildPSBT1000Inputs(b *testing.B) {
	s := newSigner(b, "bench", wallet.ScriptWPKH)
	d, _ := wallet.SingleSigDescriptor(wallet.ScriptWPKH, s.key)
	ins := funding(b, d, 1000, 10_000)
	for i := range ins {
		prev := wire.NewMsgTx(2)
		prev.AddTxIn(wire.NewTxIn(&wire.OutPoint{Hash: chainhash.Hash{byte(i), byte(i >> 8)}}, nil, nil))
		prev.AddTxOut(wire.NewTxOut(int64(ins[i].Value), ins[i].Script))
		prev.AddTxOut(wire.NewTxOut(12345, ins[i].Script))
		ins[i].PrevTx, ins[i].OutPoint = prev, wire.OutPoint{Hash: prev.TxHash(), Index: 0}
	}
	plan := &Plan{Descriptor: d, Inputs: ins, Outputs: []*wire.TxOut{payTo(b, 5_000_000)}, ChangeIndex: 0, ChangeValue: 4_000_000, LockTime: 1, RBF: true}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, err := BuildPSBT(plan)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Serialize(p); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzReadCombineFinalize: any bytes through Read, Combine with itself,
// Signatures and Finalize never panic, and a combined PSBT reads back.
func FuzzReadCombineFinalize(f *testing.F) {
	s := newSigner(f, "fuzz", wallet.ScriptWPKH)
	d, _ := wallet.SingleSigDescriptor(wallet.ScriptWPKH, s.key)
	p, err := BuildPSBT(&Plan{Descriptor: d, Inputs: funding(f, d, 2, 50_000), Outputs: []*wire.TxOut{payTo(f, 60_000)}, ChangeValue: 39_000, ChangePos: 0})
	if err != nil {
		f.Fatal(err)
	}
	seed, _ := Serialize(p)
	f.Add(seed)
	f.Add([]byte("cHNidP8BAAoCAAAAAAAAAAAAAA=="))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Read(data, "f.psbt")
		if err != nil {
			return
		}
		Signatures(p)
		c, err := Combine([]*Packet{p, p}, []string{"a", "b"})
		if err != nil {
			t.Fatalf("combining a PSBT with itself: %v", err)
		}
		out, err := Serialize(c)
		if err != nil {
			return
		}
		if _, err := Read(out, "combined"); err != nil {
			t.Fatalf("a combined PSBT does not read back: %v", err)
		}
		_, _ = Finalize(data, "f.psbt")
	})
}

// TestAppendMissing: the combiner keeps the first of every key, in order,
// including repeats inside the PSBT being merged in.
func TestAppendMissing(t *testing.T) {
	same := func(x, y string) bool { return x[0] == y[0] }
	for _, c := range []struct {
		a, b []string
		want string
	}{
		{nil, nil, ""},
		{nil, []string{"a1", "b1"}, "a1 b1"},
		{[]string{"a1"}, []string{"a2", "b1"}, "a1 b1"},
		{[]string{"a1", "b1"}, []string{"b2", "a2"}, "a1 b1"},
		{nil, []string{"c1", "c2", "d1", "c3"}, "c1 d1"},
	} {
		if got := strings.Join(appendMissing(c.a, c.b, same), " "); got != c.want {
			t.Errorf("appendMissing(%q, %q) = %q, want %q", c.a, c.b, got, c.want)
		}
	}
}
