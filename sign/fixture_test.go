package sign

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"sort"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

const h = hdkeychain.HardenedKeyStart

// testVault is a master key with its fingerprint and a KeySource.
type testVault struct {
	master *hdkeychain.ExtendedKey
	fp     [4]byte
	keys   *HDKeys
	cache  map[string]*hdkeychain.ExtendedKey
}

func newTestVault(t testing.TB, seedTag string) *testVault {
	t.Helper()
	seed := sha256.Sum256([]byte("coffer test seed " + seedTag))
	m, err := hdkeychain.NewMaster(seed[:], &chaincfg.TestNet3Params)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := NewHDKeys(m)
	if err != nil {
		t.Fatal(err)
	}
	return &testVault{master: m, fp: keys.MasterFingerprint(), keys: keys, cache: map[string]*hdkeychain.ExtendedKey{}}
}

// pub derives the public key at path (caching the parent).
func (v *testVault) pub(t testing.TB, path []uint32) *btcec.PublicKey {
	t.Helper()
	parentPath := path[:len(path)-1]
	k, ok := v.cache[pathKey(parentPath)]
	if !ok {
		k = v.master
		for _, s := range parentPath {
			var err error
			if k, err = k.Derive(s); err != nil {
				t.Fatal(err)
			}
		}
		if k, _ = k.Neuter(); k == nil {
			t.Fatal("neuter")
		}
		v.cache[pathKey(parentPath)] = k
	}
	c, err := k.Derive(path[len(path)-1])
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.ECPubKey()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (v *testVault) fpLE() uint32 { return binary.LittleEndian.Uint32(v.fp[:]) }

// fixtureInput is one input of a test PSBT.
type fixtureInput struct {
	spk            []byte
	amount         int64
	redeem         []byte
	witness        []byte
	derivs         []*psbt.Bip32Derivation
	tapDerivs      []*psbt.TaprootBip32Derivation
	tapInternal    []byte
	noNonWitness   bool // leave out PSBT_IN_NON_WITNESS_UTXO
	witnessUTXO    bool // add PSBT_IN_WITNESS_UTXO
	sequence       uint32
	sighash        *uint32
	prevTxOverride *wire.MsgTx
}

// fixtureOutput is one output of a test PSBT.
type fixtureOutput struct {
	spk         []byte
	amount      int64
	redeem      []byte
	witness     []byte
	derivs      []*psbt.Bip32Derivation
	tapDerivs   []*psbt.TaprootBip32Derivation
	tapInternal []byte
}

// prevTxFor makes a distinct funding transaction paying amount to spk at
// output 1.
func prevTxFor(i int, spk []byte, amount int64) *wire.MsgTx {
	prev := wire.NewMsgTx(2)
	seed := sha256.Sum256([]byte{byte(i), byte(i >> 8), byte(i >> 16), 0x77})
	prev.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: chainhash.Hash(seed), Index: 0}, Sequence: wire.MaxTxInSequenceNum,
		SignatureScript: []byte{txscript.OP_TRUE}})
	prev.AddTxOut(wire.NewTxOut(546, []byte{txscript.OP_TRUE}))
	prev.AddTxOut(wire.NewTxOut(amount, spk))
	return prev
}

// buildPSBT serializes a version 0 PSBT with btcd's writer (the test
// creator; Decode is what is under test).
func buildPSBT(t testing.TB, ins []fixtureInput, outs []fixtureOutput, locktime uint32) []byte {
	t.Helper()
	tx := wire.NewMsgTx(2)
	tx.LockTime = locktime
	pins := make([]psbt.PInput, len(ins))
	for i, in := range ins {
		prev := in.prevTxOverride
		if prev == nil {
			prev = prevTxFor(i, in.spk, in.amount)
		}
		seq := in.sequence
		if seq == 0 {
			seq = wire.MaxTxInSequenceNum - 2
		}
		tx.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: prev.TxHash(), Index: 1}, Sequence: seq})
		pi := psbt.PInput{RedeemScript: in.redeem, WitnessScript: in.witness, Bip32Derivation: in.derivs,
			TaprootBip32Derivation: in.tapDerivs, TaprootInternalKey: in.tapInternal}
		if !in.noNonWitness {
			pi.NonWitnessUtxo = prev
		}
		if in.witnessUTXO {
			pi.WitnessUtxo = wire.NewTxOut(in.amount, in.spk)
		}
		if in.sighash != nil {
			pi.SighashType = txscript.SigHashType(*in.sighash)
		}
		pins[i] = pi
	}
	pouts := make([]psbt.POutput, len(outs))
	for i, o := range outs {
		tx.AddTxOut(wire.NewTxOut(o.amount, o.spk))
		pouts[i] = psbt.POutput{RedeemScript: o.redeem, WitnessScript: o.witness, Bip32Derivation: o.derivs,
			TaprootBip32Derivation: o.tapDerivs, TaprootInternalKey: o.tapInternal}
	}
	p, err := psbt.NewFromUnsignedTx(tx)
	if err != nil {
		t.Fatal(err)
	}
	p.Inputs, p.Outputs = pins, pouts
	var b bytes.Buffer
	if err := p.Serialize(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Script helpers for fixtures.

func spkP2WPKH(pub *btcec.PublicKey) []byte {
	return append([]byte{0x00, 0x14}, hash160(pub.SerializeCompressed())...)
}

func spkP2SH(redeem []byte) []byte {
	s := append([]byte{txscript.OP_HASH160, 0x14}, hash160(redeem)...)
	return append(s, txscript.OP_EQUAL)
}

func spkP2WSH(ws []byte) []byte { return append([]byte{0x00, 0x20}, sha256Sum(ws)...) }

func spkP2TR(internal *btcec.PublicKey) []byte {
	out := txscript.ComputeTaprootKeyNoScript(internal)
	return append([]byte{txscript.OP_1, 0x20}, schnorr.SerializePubKey(out)...)
}

func sortedMulti(m int, pubs []*btcec.PublicKey) []byte {
	keys := make([][]byte, len(pubs))
	for i, p := range pubs {
		keys[i] = p.SerializeCompressed()
	}
	sort.Slice(keys, func(i, j int) bool { return bytes.Compare(keys[i], keys[j]) < 0 })
	b := txscript.NewScriptBuilder().AddInt64(int64(m))
	for _, k := range keys {
		b.AddData(k)
	}
	s, _ := b.AddInt64(int64(len(keys))).AddOp(txscript.OP_CHECKMULTISIG).Script()
	return s
}

func deriv(v *testVault, pub *btcec.PublicKey, path []uint32) *psbt.Bip32Derivation {
	return &psbt.Bip32Derivation{PubKey: pub.SerializeCompressed(), MasterKeyFingerprint: v.fpLE(), Bip32Path: path}
}

// kind names the single-key and multisig fixtures.
type fixtureKind int

const (
	fxP2WPKH fixtureKind = iota
	fxP2SHP2WPKH
	fxP2TR
	fxP2WSH2of3
	fxP2SHP2WSH2of3
)

func (k fixtureKind) String() string {
	return [...]string{"p2wpkh", "p2sh-p2wpkh", "p2tr", "p2wsh-2of3", "p2sh-p2wsh-2of3"}[k]
}

// accountPath is the BIP44-style path of receive (branch 0) or change
// (branch 1) address idx for the fixture kind on testnet.
func accountPath(k fixtureKind, branch, idx uint32) []uint32 {
	switch k {
	case fxP2WPKH:
		return []uint32{84 + h, 1 + h, 0 + h, branch, idx}
	case fxP2SHP2WPKH:
		return []uint32{49 + h, 1 + h, 0 + h, branch, idx}
	case fxP2TR:
		return []uint32{86 + h, 1 + h, 0 + h, branch, idx}
	case fxP2WSH2of3:
		return []uint32{48 + h, 1 + h, 0 + h, 2 + h, branch, idx}
	}
	return []uint32{48 + h, 1 + h, 0 + h, 1 + h, branch, idx}
}

// fixtureScript builds the scripts for branch/idx of kind across vaults
// (one vault for single-key kinds, three for 2-of-3), as an input.
func fixtureScript(t testing.TB, k fixtureKind, vaults []*testVault, branch, idx uint32, amount int64) fixtureInput {
	path := accountPath(k, branch, idx)
	v := vaults[0]
	switch k {
	case fxP2WPKH:
		pub := v.pub(t, path)
		return fixtureInput{spk: spkP2WPKH(pub), amount: amount, derivs: []*psbt.Bip32Derivation{deriv(v, pub, path)}}
	case fxP2SHP2WPKH:
		pub := v.pub(t, path)
		redeem := spkP2WPKH(pub)
		return fixtureInput{spk: spkP2SH(redeem), amount: amount, redeem: redeem, derivs: []*psbt.Bip32Derivation{deriv(v, pub, path)}}
	case fxP2TR:
		pub := v.pub(t, path)
		x := schnorr.SerializePubKey(pub)
		return fixtureInput{spk: spkP2TR(pub), amount: amount, tapInternal: x, witnessUTXO: true,
			tapDerivs: []*psbt.TaprootBip32Derivation{{XOnlyPubKey: x, MasterKeyFingerprint: v.fpLE(), Bip32Path: path}}}
	}
	var pubs []*btcec.PublicKey
	var ds []*psbt.Bip32Derivation
	for _, vv := range vaults {
		pub := vv.pub(t, path)
		pubs = append(pubs, pub)
		ds = append(ds, deriv(vv, pub, path))
	}
	ws := sortedMulti(2, pubs)
	in := fixtureInput{witness: ws, amount: amount, derivs: ds}
	if k == fxP2WSH2of3 {
		in.spk = spkP2WSH(ws)
	} else {
		in.redeem = spkP2WSH(ws)
		in.spk = spkP2SH(in.redeem)
	}
	return in
}

// asOutput turns fixture scripts into an output (change when branch 1).
func (in fixtureInput) asOutput() fixtureOutput {
	return fixtureOutput{spk: in.spk, amount: in.amount, redeem: in.redeem, witness: in.witness,
		derivs: in.derivs, tapDerivs: in.tapDerivs, tapInternal: in.tapInternal}
}

// externalOutput pays to a P2WPKH script of nobody in the tests.
func externalOutput(amount int64) fixtureOutput {
	k := sha256.Sum256([]byte("external"))
	_, pub := btcec.PrivKeyFromBytes(k[:])
	return fixtureOutput{spk: spkP2WPKH(pub), amount: amount}
}

// toV2 rewrites a decoded version 0 PSBT as version 2 bytes, with an
// optional PSBT_GLOBAL_TX_MODIFIABLE value.
func toV2(t testing.TB, p *Packet, modifiable *byte) []byte {
	t.Helper()
	if p.Version() != 0 {
		t.Fatal("toV2 wants a version 0 packet")
	}
	tx := p.p.UnsignedTx
	le32 := func(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
	g := &kvMap{}
	for _, r := range p.global.recs {
		if r.typ != globalUnsignedTx {
			g.put(r.typ, r.kdata, r.value)
		}
	}
	g.put(globalTxVersion, nil, le32(uint32(tx.Version)))
	g.put(globalFallbackLocktime, nil, le32(tx.LockTime))
	g.put(globalInputCount, nil, appendCompactSize(nil, uint64(len(tx.TxIn))))
	g.put(globalOutputCount, nil, appendCompactSize(nil, uint64(len(tx.TxOut))))
	if modifiable != nil {
		g.put(globalTxModifiable, nil, []byte{*modifiable})
	}
	g.put(globalVersion, nil, le32(2))
	b := append([]byte{}, psbtMagic...)
	b = g.appendTo(b)
	for i, m := range p.inputs {
		c := &kvMap{recs: append([]record(nil), m.recs...)}
		in := tx.TxIn[i]
		c.put(inPreviousTxid, nil, in.PreviousOutPoint.Hash[:])
		c.put(inOutputIndex, nil, le32(in.PreviousOutPoint.Index))
		c.put(inSequence, nil, le32(in.Sequence))
		b = c.appendTo(b)
	}
	for i, m := range p.outputs {
		c := &kvMap{recs: append([]record(nil), m.recs...)}
		out := tx.TxOut[i]
		c.put(outAmount, nil, binary.LittleEndian.AppendUint64(nil, uint64(out.Value)))
		c.put(outScript, nil, out.PkScript)
		b = c.appendTo(b)
	}
	return b
}
