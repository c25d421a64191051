package sign

import (
	"bytes"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// keySig is a signature (with its sighash byte) by one public key.
type keySig struct {
	pub []byte
	sig []byte
}

// finalScripts builds the scriptSig and witness that spend the plan's
// output with the given signatures (ECDSA spends) or taproot key-path
// signature. For multisig, sigs must already be exactly the m chosen
// signatures, in the order of the keys in the script. ok is false when
// the signatures do not complete the input.
func (pl *inputPlan) finalScripts(sigs []keySig, tapSig []byte) (sigScript []byte, wit wire.TxWitness, ok bool) {
	single := func() (keySig, bool) {
		for _, ks := range sigs {
			if pl.needsKey(ks.pub) {
				return ks, true
			}
		}
		return keySig{}, false
	}
	switch pl.spend {
	case SpendP2PKH:
		ks, ok := single()
		if !ok {
			return nil, nil, false
		}
		return pushData(ks.sig, ks.pub), nil, true
	case SpendP2WPKH, SpendP2SHP2WPKH:
		ks, ok := single()
		if !ok {
			return nil, nil, false
		}
		wit = wire.TxWitness{ks.sig, ks.pub}
		if pl.spend == SpendP2SHP2WPKH {
			sigScript = pushData(pl.redeem)
		}
		return sigScript, wit, true
	case SpendP2WSHMulti, SpendP2SHP2WSHMulti:
		if len(sigs) != pl.ms.m {
			return nil, nil, false
		}
		wit = make(wire.TxWitness, 0, pl.ms.m+2)
		wit = append(wit, nil) // the extra item OP_CHECKMULTISIG pops
		for _, ks := range sigs {
			wit = append(wit, ks.sig)
		}
		wit = append(wit, pl.witness)
		if pl.spend == SpendP2SHP2WSHMulti {
			sigScript = pushData(pl.redeem)
		}
		return sigScript, wit, true
	case SpendP2SHMulti:
		if len(sigs) != pl.ms.m {
			return nil, nil, false
		}
		items := [][]byte{nil}
		for _, ks := range sigs {
			items = append(items, ks.sig)
		}
		items = append(items, pl.redeem)
		return pushData(items...), nil, true
	case SpendP2TRKey:
		if tapSig == nil {
			return nil, nil, false
		}
		return nil, wire.TxWitness{tapSig}, true
	}
	return nil, nil, false
}

// chooseMultisig picks, in the script's key order, the first m
// signatures; it keeps exactly m (btcd's finalizer fails with more). With
// verify, only signatures that verify are picked; without, the caller
// executes the script and comes back with verify when that fails.
func (c *txContext) chooseMultisig(pl *inputPlan, have map[string][]byte, verify bool) []keySig {
	var out []keySig
	hashes := map[txscript.SigHashType][]byte{}
	for _, k := range pl.ms.keys {
		sig, ok := have[string(k)]
		if !ok || len(sig) < 2 {
			continue
		}
		if !verify {
			out = append(out, keySig{pub: k, sig: sig})
			if len(out) == pl.ms.m {
				break
			}
			continue
		}
		ht := txscript.SigHashType(sig[len(sig)-1])
		h, ok := hashes[ht]
		if !ok {
			var err error
			if h, err = c.sighash(pl, ht); err != nil {
				continue
			}
			hashes[ht] = h
		}
		if !verifyECDSA(sig, h, k) {
			continue
		}
		out = append(out, keySig{pub: k, sig: sig})
		if len(out) == pl.ms.m {
			break
		}
	}
	return out
}

// verifyECDSA checks a DER signature with sighash byte against hash and a
// serialized public key.
func verifyECDSA(sigWithType, hash, pub []byte) bool {
	if len(sigWithType) < 2 {
		return false
	}
	s, err := ecdsa.ParseDERSignature(sigWithType[:len(sigWithType)-1])
	if err != nil {
		return false
	}
	pk, err := parsePub(pub)
	if err != nil {
		return false
	}
	return s.Verify(hash, pk)
}

// Finalize builds the network transaction from a fully signed PSBT and
// returns its serialization (with witnesses); hex-encode it for
// sendrawtransaction. Inputs already finalized (PSBT_IN_FINAL_SCRIPTSIG /
// PSBT_IN_FINAL_SCRIPTWITNESS) are used as they are; the others are
// finalized here for every spend type Coffer signs — for multisig with
// exactly m signatures in key order, unlike btcd's finalizer. Every input
// is then executed with btcd's script engine. The Packet is not changed.
//
// Errors: an *InputError wrapping ErrIncomplete for an input that lacks
// signatures; one wrapping ErrVerify for an input whose script fails; a
// *RefusalError for UTXO fields that contradict each other.
func Finalize(p *Packet) ([]byte, error) {
	tx := p.p.UnsignedTx.Copy()
	prevOuts := make([]*wire.TxOut, len(tx.TxIn))
	plans := make([]*inputPlan, len(tx.TxIn))
	for i := range tx.TxIn {
		u, r := p.spentOutput(i)
		if r != nil {
			return nil, &RefusalError{Reasons: []Reason{*r}}
		}
		if u.out == nil {
			return nil, &InputError{Index: i, Err: fmt.Errorf("%w: the PSBT does not give the output it spends", ErrIncomplete)}
		}
		prevOuts[i] = u.out
		pl, r := p.planInput(i, u)
		if r != nil {
			return nil, &RefusalError{Reasons: []Reason{*r}}
		}
		plans[i] = pl
	}
	ctx := newTxContext(p.p.UnsignedTx, prevOuts)
	for i := range tx.TxIn {
		in := &p.p.Inputs[i]
		if in.FinalScriptSig != nil || in.FinalScriptWitness != nil {
			tx.TxIn[i].SignatureScript = in.FinalScriptSig
			if in.FinalScriptWitness != nil {
				w, err := parseWitness(in.FinalScriptWitness)
				if err != nil {
					return nil, &InputError{Index: i, Err: err}
				}
				tx.TxIn[i].Witness = w
			}
			continue
		}
		pl := plans[i]
		var sigs []keySig
		if pl.ms != nil {
			have := make(map[string][]byte, len(in.PartialSigs))
			for _, ps := range in.PartialSigs {
				have[string(ps.PubKey)] = ps.Signature
			}
			sigs = ctx.chooseMultisig(pl, have, false)
			if len(sigs) == pl.ms.m && len(have) > pl.ms.m {
				// More signatures than needed: take the first m that
				// verify, so one bad signature cannot spoil the input.
				ss, wit, _ := pl.finalScripts(sigs, nil)
				tx.TxIn[i].SignatureScript, tx.TxIn[i].Witness = ss, wit
				if ctx.execute(tx, i) != nil {
					sigs = ctx.chooseMultisig(pl, have, true)
				}
			}
		} else {
			for _, ps := range in.PartialSigs {
				sigs = append(sigs, keySig{pub: ps.PubKey, sig: ps.Signature})
			}
		}
		ss, wit, ok := pl.finalScripts(sigs, in.TaprootKeySpendSig)
		if !ok {
			what := pl.spend.String()
			if pl.spend == SpendUnknown {
				what = "script Coffer cannot finalize"
			}
			return nil, &InputError{Index: i, Err: fmt.Errorf("%w: %s input lacks signatures", ErrIncomplete, what)}
		}
		tx.TxIn[i].SignatureScript = ss
		tx.TxIn[i].Witness = wit
	}
	for i := range tx.TxIn {
		if err := ctx.execute(tx, i); err != nil {
			return nil, &InputError{Index: i, Err: fmt.Errorf("%w: %v", ErrVerify, err)}
		}
	}
	var b bytes.Buffer
	if err := tx.Serialize(&b); err != nil {
		return nil, fmt.Errorf("serializing the transaction: %v", err)
	}
	return b.Bytes(), nil
}
