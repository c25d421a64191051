package sign

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// utxoInfo is what an input spends, as proven by the PSBT.
type utxoInfo struct {
	out        *wire.TxOut // nil when the PSBT gives no UTXO for the input
	nonWitness bool        // proven by PSBT_IN_NON_WITNESS_UTXO (txid checked)
	witness    bool        // PSBT_IN_WITNESS_UTXO present
}

// spentOutput finds the output input i spends. PSBT_IN_NON_WITNESS_UTXO
// must hash to the spent txid and have the spent index, and a
// PSBT_IN_WITNESS_UTXO must equal that output (CVE-2020-14199); btcd's
// psbt package checks none of this.
func (p *Packet) spentOutput(i int) (utxoInfo, *Reason) {
	in := &p.p.Inputs[i]
	op := p.p.UnsignedTx.TxIn[i].PreviousOutPoint
	var u utxoInfo
	if nwu := in.NonWitnessUtxo; nwu != nil {
		if h := nwu.TxHash(); h != op.Hash {
			r := inputReason(CodeNonWitnessUTXOMismatch, i,
				"non_witness_utxo hashes to %s, not the spent txid %s", h, op.Hash)
			return u, &r
		}
		if int(op.Index) >= len(nwu.TxOut) {
			r := inputReason(CodeNonWitnessUTXOIndex, i,
				"spends output %d but non_witness_utxo %s has %d output(s)", op.Index, op.Hash, len(nwu.TxOut))
			return u, &r
		}
		u.out = nwu.TxOut[op.Index]
		u.nonWitness = true
	}
	if wu := in.WitnessUtxo; wu != nil {
		u.witness = true
		if u.out != nil && (wu.Value != u.out.Value || !bytes.Equal(wu.PkScript, u.out.PkScript)) {
			r := inputReason(CodeWitnessUTXOMismatch, i,
				"witness_utxo says %d sat to script %x but non_witness_utxo output %d is %d sat to script %x",
				wu.Value, wu.PkScript, op.Index, u.out.Value, u.out.PkScript)
			return u, &r
		}
		if u.out == nil {
			u.out = wu
		}
	}
	return u, nil
}

// inputPlan is how input i is spent: its type, scripts and what the
// sighash commits to.
type inputPlan struct {
	index      int
	spend      SpendType
	prevOut    *wire.TxOut
	scriptCode []byte // the script the sighash commits to (ECDSA spends)
	redeem     []byte
	witness    []byte
	ms         *multisig
	keyHash    []byte // P2PKH / P2WPKH: the key hash the script pays to
	outputKey  []byte // P2TR: the 32-byte output key
	merkleRoot []byte // P2TR: the script tree root, nil for BIP86
	internal   []byte // P2TR: the 32-byte internal key
}

// planInput classifies input i from the script it spends and the scripts
// the PSBT gives, with the BIP174 signer checks: a redeem or witness
// script must hash to what it claims, and a witness UTXO on a non-witness
// spend is refused. An input Coffer cannot classify comes back as
// SpendUnknown with no reason.
func (p *Packet) planInput(i int, u utxoInfo) (*inputPlan, *Reason) {
	pl := &inputPlan{index: i, prevOut: u.out}
	if u.out == nil {
		return pl, nil
	}
	in := &p.p.Inputs[i]
	spk := u.out.PkScript
	switch {
	case isP2WPKH(spk):
		pl.spend = SpendP2WPKH
		pl.keyHash = spk[2:]
		pl.scriptCode = p2pkhScript(pl.keyHash)
	case isP2WSH(spk):
		if in.WitnessScript == nil {
			return pl, nil
		}
		if !bytes.Equal(sha256Sum(in.WitnessScript), spk[2:]) {
			r := inputReason(CodeWitnessScriptMismatch, i, "witness_script does not hash to the spent P2WSH program %x", spk[2:])
			return pl, &r
		}
		if ms, ok := parseMultisig(in.WitnessScript, true); ok {
			pl.spend, pl.ms, pl.witness, pl.scriptCode = SpendP2WSHMulti, ms, in.WitnessScript, in.WitnessScript
		}
	case isP2SH(spk):
		if in.RedeemScript == nil {
			return pl, nil
		}
		if !bytes.Equal(hash160(in.RedeemScript), spk[2:22]) {
			r := inputReason(CodeRedeemScriptMismatch, i, "redeem_script does not hash to the spent P2SH script hash %x", spk[2:22])
			return pl, &r
		}
		pl.redeem = in.RedeemScript
		switch rs := in.RedeemScript; {
		case isP2WPKH(rs):
			pl.spend = SpendP2SHP2WPKH
			pl.keyHash = rs[2:]
			pl.scriptCode = p2pkhScript(pl.keyHash)
		case isP2WSH(rs):
			if in.WitnessScript == nil {
				return pl, nil
			}
			if !bytes.Equal(sha256Sum(in.WitnessScript), rs[2:]) {
				r := inputReason(CodeWitnessScriptMismatch, i, "witness_script does not hash to the P2WSH program %x in the redeem script", rs[2:])
				return pl, &r
			}
			if ms, ok := parseMultisig(in.WitnessScript, true); ok {
				pl.spend, pl.ms, pl.witness, pl.scriptCode = SpendP2SHP2WSHMulti, ms, in.WitnessScript, in.WitnessScript
			}
		default:
			if ms, ok := parseMultisig(rs, false); ok {
				pl.spend, pl.ms, pl.scriptCode = SpendP2SHMulti, ms, rs
			}
		}
	case isP2PKH(spk):
		pl.spend = SpendP2PKH
		pl.keyHash = spk[3:23]
		pl.scriptCode = spk
	case isP2TR(spk):
		pl.spend = SpendP2TRKey
		pl.outputKey = spk[2:]
		pl.internal = in.TaprootInternalKey
		pl.merkleRoot = in.TaprootMerkleRoot
		if pl.internal != nil {
			ik, err := schnorr.ParsePubKey(pl.internal)
			if err != nil {
				r := inputReason(CodeTaprootKeyMismatch, i, "taproot internal key %x is not a valid x-only key", pl.internal)
				return pl, &r
			}
			ok := txscript.ComputeTaprootOutputKey(ik, pl.merkleRoot)
			if !bytes.Equal(schnorr.SerializePubKey(ok), pl.outputKey) {
				tree := "no script tree"
				if pl.merkleRoot != nil {
					tree = fmt.Sprintf("merkle root %x", pl.merkleRoot)
				}
				r := inputReason(CodeTaprootKeyMismatch, i,
					"taproot internal key %x with %s does not give the spent output key %x",
					pl.internal, tree, pl.outputKey)
				return pl, &r
			}
		}
	}
	if !pl.spend.isSegwit() && pl.spend != SpendUnknown && u.witness {
		r := inputReason(CodeWitnessUTXONonWitness, i, "has a witness_utxo but spends a %s output, which has no witness", pl.spend)
		return pl, &r
	}
	return pl, nil
}

// signer is one of the vault's keys that can sign an input.
type signer struct {
	pubKey []byte   // as in the PSBT: 33-byte (ECDSA) or 32-byte x-only (taproot internal key)
	path   []uint32 // from the master
}

// fingerprintOf turns btcd's little-endian fingerprint back into bytes.
func fingerprintOf(v uint32) [4]byte {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], v)
	return b
}

// ourSigners lists the derivations of input i that carry fingerprint fp
// and whose key the input's script needs.
func (pl *inputPlan) ourSigners(in *psbt.PInput, fp [4]byte) []signer {
	var out []signer
	switch pl.spend {
	case SpendP2TRKey:
		for _, d := range in.TaprootBip32Derivation {
			if fingerprintOf(d.MasterKeyFingerprint) != fp || len(d.LeafHashes) != 0 {
				continue
			}
			if pl.internal != nil && bytes.Equal(d.XOnlyPubKey, pl.internal) {
				out = append(out, signer{pubKey: d.XOnlyPubKey, path: d.Bip32Path})
			}
		}
	case SpendUnknown:
	default:
		for _, d := range in.Bip32Derivation {
			if fingerprintOf(d.MasterKeyFingerprint) != fp {
				continue
			}
			if pl.needsKey(d.PubKey) {
				out = append(out, signer{pubKey: d.PubKey, path: d.Bip32Path})
			}
		}
	}
	return out
}

// needsKey reports whether the spend's script uses this public key.
func (pl *inputPlan) needsKey(pub []byte) bool {
	switch {
	case pl.ms != nil:
		return pl.ms.hasKey(pub)
	case pl.keyHash != nil:
		if pl.spend.isSegwit() && len(pub) != 33 {
			return false
		}
		return bytes.Equal(hash160(pub), pl.keyHash)
	}
	return false
}

// hexPath formats a path for messages: m/84h/0h/0h/0/5.
func hexPath(path []uint32) string {
	var b []byte
	b = append(b, 'm')
	for _, s := range path {
		b = append(b, '/')
		if s >= 1<<31 {
			b = appendUint(b, s-(1<<31))
			b = append(b, 'h')
		} else {
			b = appendUint(b, s)
		}
	}
	return string(b)
}

func appendUint(b []byte, v uint32) []byte {
	var tmp [10]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return append(b, tmp[i:]...)
}

// parsePub parses a 33- or 65-byte public key.
func parsePub(b []byte) (*btcec.PublicKey, error) { return btcec.ParsePubKey(b) }
