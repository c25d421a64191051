package build

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/base58"
	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/wire"

	"github.com/coffer-custody/coffer/sign"
	"github.com/coffer-custody/coffer/wallet"
)

// Sequence numbers: RBF signals replaceability (BIP125) and enables the
// locktime; without RBF the locktime stays enabled.
const (
	SequenceRBF   = wire.MaxTxInSequenceNum - 2 // 0xfffffffd
	SequenceNoRBF = wire.MaxTxInSequenceNum - 1 // 0xfffffffe
)

// Input is a coin to spend: where it is in the wallet and the transaction
// that made it.
type Input struct {
	OutPoint wire.OutPoint
	Value    btcutil.Amount
	Script   []byte      // the spent scriptPubKey
	PrevTx   *wire.MsgTx // the whole previous transaction (non_witness_utxo)
	Branch   uint32
	Index    uint32
}

// Plan is an unsigned transaction to build.
type Plan struct {
	Descriptor *wallet.Descriptor // the wallet's <0;1> descriptor
	Inputs     []Input
	Outputs    []*wire.TxOut // payments, in order
	// Change, when ChangeValue > 0, goes to the change address at
	// ChangeIndex, inserted at position ChangePos of the outputs.
	ChangeIndex uint32
	ChangeValue btcutil.Amount
	ChangePos   int
	LockTime    uint32
	RBF         bool
}

// BuildPSBT makes the PSBT of plan with every field a signer needs to
// verify it offline: non_witness_utxo and witness_utxo for every input
// (checked against each other), BIP32 derivations of every key of every
// input and of the change output, redeem and witness scripts, the taproot
// internal key and tap_bip32_derivation, and the global xpubs of a
// multisig wallet. The scripts are re-derived from the descriptor: a coin
// whose script the descriptor does not give at its place is refused.
func BuildPSBT(plan *Plan) (*psbt.Packet, error) {
	d := plan.Descriptor
	if d == nil || d.MultipathLen() != 2 {
		return nil, errors.New("the wallet's descriptor is not a <0;1> multipath descriptor")
	}
	seq := uint32(SequenceNoRBF)
	if plan.RBF {
		seq = SequenceRBF
	}
	ops := make([]*wire.OutPoint, len(plan.Inputs))
	seqs := make([]uint32, len(plan.Inputs))
	for i := range plan.Inputs {
		ops[i] = &plan.Inputs[i].OutPoint
		seqs[i] = seq
	}
	outs := append([]*wire.TxOut(nil), plan.Outputs...)
	var change *wallet.OutputScripts
	if plan.ChangeValue > 0 {
		var err error
		if change, err = d.Derive(1, plan.ChangeIndex); err != nil {
			return nil, fmt.Errorf("change address %d: %v", plan.ChangeIndex, err)
		}
		if plan.ChangePos < 0 || plan.ChangePos > len(outs) {
			return nil, fmt.Errorf("change position %d is out of range", plan.ChangePos)
		}
		co := wire.NewTxOut(int64(plan.ChangeValue), change.ScriptPubKey)
		outs = append(outs[:plan.ChangePos], append([]*wire.TxOut{co}, outs[plan.ChangePos:]...)...)
	}
	p, err := psbt.New(ops, outs, 2, plan.LockTime, seqs)
	if err != nil {
		return nil, fmt.Errorf("create psbt: %v", err)
	}
	st := d.ScriptType()
	var branches [2]*wallet.BranchDeriver
	for b := range branches {
		var err error
		if branches[b], err = d.Branch(uint32(b)); err != nil {
			return nil, err
		}
	}
	for i, in := range plan.Inputs {
		if in.Branch > 1 {
			return nil, fmt.Errorf("input #%d: branch %d is neither receive nor change", i, in.Branch)
		}
		os, err := branches[in.Branch].Derive(in.Index)
		if err != nil {
			return nil, fmt.Errorf("input #%d: derive %d/%d: %v", i, in.Branch, in.Index, err)
		}
		if !bytes.Equal(os.ScriptPubKey, in.Script) {
			return nil, fmt.Errorf("input #%d (%s): the wallet does not derive its script at %d/%d", i, in.OutPoint, in.Branch, in.Index)
		}
		if in.PrevTx == nil {
			return nil, fmt.Errorf("input #%d (%s): the previous transaction is missing", i, in.OutPoint)
		}
		if in.PrevTx.TxHash() != in.OutPoint.Hash {
			return nil, fmt.Errorf("input #%d: the previous transaction hashes to %s, not %s", i, in.PrevTx.TxHash(), in.OutPoint.Hash)
		}
		if int(in.OutPoint.Index) >= len(in.PrevTx.TxOut) {
			return nil, fmt.Errorf("input #%d: the previous transaction has no output %d", i, in.OutPoint.Index)
		}
		prev := in.PrevTx.TxOut[in.OutPoint.Index]
		if prev.Value != int64(in.Value) || !bytes.Equal(prev.PkScript, in.Script) {
			return nil, fmt.Errorf("input #%d (%s): the previous transaction's output is %d sat to another script than the coin's %d sat", i, in.OutPoint, prev.Value, in.Value)
		}
		pin := &p.Inputs[i]
		pin.NonWitnessUtxo = in.PrevTx
		pin.WitnessUtxo = wire.NewTxOut(prev.Value, prev.PkScript)
		fillDerivations(st, os, &pin.RedeemScript, &pin.WitnessScript, &pin.Bip32Derivation, &pin.TaprootInternalKey, &pin.TaprootBip32Derivation)
	}
	if change != nil {
		po := &p.Outputs[plan.ChangePos]
		fillDerivations(st, change, &po.RedeemScript, &po.WitnessScript, &po.Bip32Derivation, &po.TaprootInternalKey, &po.TaprootBip32Derivation)
	}
	if st.IsMultisig() {
		for _, k := range d.Keys() {
			xk := k.ExtendedKey()
			o, ok := k.Origin()
			if xk == nil || !ok {
				continue
			}
			raw := base58.Decode(xk.String())
			if len(raw) != 82 {
				return nil, fmt.Errorf("cannot serialize the xpub of %s", o)
			}
			p.XPubs = append(p.XPubs, psbt.XPub{ExtendedKey: raw[:78], MasterKeyFingerprint: wallet.PSBTFingerprint(o.Fingerprint), Bip32Path: append([]uint32(nil), o.Path...)})
		}
	}
	return p, nil
}

func fillDerivations(st wallet.ScriptType, os *wallet.OutputScripts, redeem, witness *[]byte, d *[]*psbt.Bip32Derivation, tapKey *[]byte, tapD *[]*psbt.TaprootBip32Derivation) {
	*redeem = os.RedeemScript
	*witness = os.WitnessScript
	for _, k := range os.Keys {
		fp := wallet.PSBTFingerprint(k.Origin.Fingerprint)
		path := append([]uint32(nil), k.Origin.Path...)
		if st == wallet.ScriptTR {
			*tapKey = append([]byte(nil), k.Serialized...)
			*tapD = append(*tapD, &psbt.TaprootBip32Derivation{XOnlyPubKey: append([]byte(nil), k.Serialized...), MasterKeyFingerprint: fp, Bip32Path: path})
			continue
		}
		*d = append(*d, &psbt.Bip32Derivation{PubKey: k.PubKey.SerializeCompressed(), MasterKeyFingerprint: fp, Bip32Path: path})
	}
}

// Serialize writes p in binary.
func Serialize(p *psbt.Packet) ([]byte, error) {
	var b bytes.Buffer
	if err := p.Serialize(&b); err != nil {
		return nil, fmt.Errorf("serialize psbt: %v", err)
	}
	return b.Bytes(), nil
}

// CheckWithSigner runs the offline signer's own review over the PSBT once
// for every distinct key fingerprint of the wallet, as each cosigner's
// coffer would (sign.Decode, then sign.Analyze with the wallet registered
// or as the account): every input must be the wallet's, every change
// output must be recognised as change, and nothing may be refused except
// what a policy may allow. It returns the review of the first cosigner.
func CheckWithSigner(data []byte, name string, d *wallet.Descriptor, n wallet.Network) (*sign.Review, error) {
	p, err := sign.Decode(data, 0)
	if err != nil {
		return nil, fmt.Errorf("the offline signer cannot read the PSBT: %v", err)
	}
	seen := map[[4]byte]bool{}
	var first *sign.Review
	for _, k := range d.Keys() {
		o, ok := k.Origin()
		if !ok || seen[o.Fingerprint] {
			continue
		}
		seen[o.Fingerprint] = true
		w := sign.Wallets{Network: n, Fingerprint: o.Fingerprint}
		entry := sign.Wallet{Name: name, Descriptor: d}
		if d.ScriptType().IsMultisig() {
			w.Multisig = []sign.Wallet{entry}
		} else {
			w.Accounts = []sign.Wallet{entry}
		}
		r, err := sign.Analyze(p, w)
		var re *sign.RefusalError
		if errors.As(err, &re) && re.OnlyPolicyMayAllow() {
			err = nil
		}
		if err != nil {
			return r, fmt.Errorf("the offline signer of %s would refuse the PSBT: %v", wallet.FormatFingerprint(o.Fingerprint), err)
		}
		var notOurs []string
		for _, in := range r.Inputs {
			if !in.Ours {
				notOurs = append(notOurs, fmt.Sprintf("#%d", in.Index))
			}
		}
		if len(notOurs) > 0 {
			return r, fmt.Errorf("the offline signer of %s does not recognise input %s as its own", wallet.FormatFingerprint(o.Fingerprint), strings.Join(notOurs, ", "))
		}
		if first == nil {
			first = r
		}
	}
	if first == nil {
		return nil, errors.New("the wallet's descriptor has no key with an origin: no signer can recognise its coins")
	}
	return first, nil
}
