package build

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"github.com/coffer-custody/coffer/internal/txwire"
	"github.com/coffer-custody/coffer/sign"
)

// MaxPSBT bounds a PSBT read from a file.
const MaxPSBT = sign.DefaultMaxSize

// Sentinel errors callers branch on.
var (
	ErrDifferentTx = errors.New("the PSBTs are of different transactions")
	ErrIncomplete  = errors.New("the PSBT lacks signatures")
)

// Read decodes a PSBT (binary, base64 or hex) with the offline signer's
// strict decoder and returns btcd's packet of it. name is for errors.
func Read(data []byte, name string) (*psbt.Packet, error) {
	p, err := sign.Decode(data, MaxPSBT)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if p.Version() != 0 {
		return nil, fmt.Errorf("%s: PSBT version %d; coffer-watch combines and finalizes version 0 only", name, p.Version())
	}
	bp, err := psbt.NewFromRawBytes(bytes.NewReader(p.Encode()), false)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return bp, nil
}

// Combine merges PSBTs of one transaction (BIP174's combiner): signatures,
// derivations, scripts and UTXOs of every input and output, and global
// xpubs. The PSBTs are named for errors. A PSBT of another transaction is
// refused by name.
func Combine(ps []*psbt.Packet, names []string) (*psbt.Packet, error) {
	if len(ps) == 0 {
		return nil, errors.New("nothing to combine")
	}
	if len(names) != len(ps) {
		return nil, fmt.Errorf("combine: %d names for %d PSBTs", len(names), len(ps))
	}
	base := ps[0]
	want := base.UnsignedTx.TxHash()
	for k, p := range ps[1:] {
		if got := p.UnsignedTx.TxHash(); got != want {
			return nil, fmt.Errorf("%w: %s is for transaction %s, %s for %s", ErrDifferentTx, names[k+1], got, names[0], want)
		}
	}
	out := &psbt.Packet{UnsignedTx: base.UnsignedTx.Copy(), Inputs: make([]psbt.PInput, len(base.Inputs)), Outputs: make([]psbt.POutput, len(base.Outputs))}
	for _, p := range ps {
		out.XPubs = appendMissing(out.XPubs, p.XPubs, func(x, y psbt.XPub) bool { return bytes.Equal(x.ExtendedKey, y.ExtendedKey) })
		out.Unknowns = mergeUnknowns(out.Unknowns, p.Unknowns)
		for i := range p.Inputs {
			mergeInput(&out.Inputs[i], &p.Inputs[i])
		}
		for i := range p.Outputs {
			mergeOutput(&out.Outputs[i], &p.Outputs[i])
		}
	}
	return out, nil
}

// appendMissing appends to a each element of b that a does not hold yet
// (same tells when two are one entry, e.g. by public key). An element is
// checked against those appended before it too, so b's own repeats are
// kept once.
func appendMissing[T any](a, b []T, same func(x, y T) bool) []T {
	for _, x := range b {
		if !slices.ContainsFunc(a, func(y T) bool { return same(x, y) }) {
			a = append(a, x)
		}
	}
	return a
}

func mergeUnknowns(a, b []*psbt.Unknown) []*psbt.Unknown {
	return appendMissing(a, b, func(x, y *psbt.Unknown) bool { return bytes.Equal(x.Key, y.Key) })
}

func samePubKey(x, y *psbt.Bip32Derivation) bool { return bytes.Equal(x.PubKey, y.PubKey) }

func sameXOnlyKey(x, y *psbt.TaprootBip32Derivation) bool {
	return bytes.Equal(x.XOnlyPubKey, y.XOnlyPubKey)
}

func orBytes(a, b []byte) []byte {
	if len(a) > 0 {
		return a
	}
	return b
}

func mergeInput(a, b *psbt.PInput) {
	if a.NonWitnessUtxo == nil {
		a.NonWitnessUtxo = b.NonWitnessUtxo
	}
	if a.WitnessUtxo == nil {
		a.WitnessUtxo = b.WitnessUtxo
	}
	a.PartialSigs = appendMissing(a.PartialSigs, b.PartialSigs, func(x, y *psbt.PartialSig) bool { return bytes.Equal(x.PubKey, y.PubKey) })
	if a.SighashType == 0 {
		a.SighashType = b.SighashType
	}
	a.RedeemScript = orBytes(a.RedeemScript, b.RedeemScript)
	a.WitnessScript = orBytes(a.WitnessScript, b.WitnessScript)
	a.Bip32Derivation = appendMissing(a.Bip32Derivation, b.Bip32Derivation, samePubKey)
	a.FinalScriptSig = orBytes(a.FinalScriptSig, b.FinalScriptSig)
	a.FinalScriptWitness = orBytes(a.FinalScriptWitness, b.FinalScriptWitness)
	a.TaprootKeySpendSig = orBytes(a.TaprootKeySpendSig, b.TaprootKeySpendSig)
	a.TaprootScriptSpendSig = appendMissing(a.TaprootScriptSpendSig, b.TaprootScriptSpendSig, func(x, y *psbt.TaprootScriptSpendSig) bool {
		return bytes.Equal(x.XOnlyPubKey, y.XOnlyPubKey) && bytes.Equal(x.LeafHash, y.LeafHash)
	})
	if len(a.TaprootLeafScript) == 0 {
		a.TaprootLeafScript = b.TaprootLeafScript
	}
	a.TaprootBip32Derivation = appendMissing(a.TaprootBip32Derivation, b.TaprootBip32Derivation, sameXOnlyKey)
	a.TaprootInternalKey = orBytes(a.TaprootInternalKey, b.TaprootInternalKey)
	a.TaprootMerkleRoot = orBytes(a.TaprootMerkleRoot, b.TaprootMerkleRoot)
	a.Unknowns = mergeUnknowns(a.Unknowns, b.Unknowns)
}

func mergeOutput(a, b *psbt.POutput) {
	a.RedeemScript = orBytes(a.RedeemScript, b.RedeemScript)
	a.WitnessScript = orBytes(a.WitnessScript, b.WitnessScript)
	a.Bip32Derivation = appendMissing(a.Bip32Derivation, b.Bip32Derivation, samePubKey)
	a.TaprootInternalKey = orBytes(a.TaprootInternalKey, b.TaprootInternalKey)
	a.TaprootTapTree = orBytes(a.TaprootTapTree, b.TaprootTapTree)
	a.TaprootBip32Derivation = appendMissing(a.TaprootBip32Derivation, b.TaprootBip32Derivation, sameXOnlyKey)
	a.Unknowns = mergeUnknowns(a.Unknowns, b.Unknowns)
}

// InputSigs is how many signatures an input has and needs.
type InputSigs struct {
	Input int
	Have  int
	Need  int
}

// IncompleteError lists the inputs that lack signatures.
type IncompleteError struct {
	Inputs []InputSigs
}

func (e *IncompleteError) Error() string {
	parts := make([]string, len(e.Inputs))
	for i, in := range e.Inputs {
		parts[i] = fmt.Sprintf("#%d (%d of %d)", in.Input, in.Have, in.Need)
	}
	word := "input"
	if len(parts) > 1 {
		word = "inputs"
	}
	return fmt.Sprintf("the PSBT lacks signatures: %s %s", word, strings.Join(parts, ", "))
}

func (e *IncompleteError) Unwrap() error { return ErrIncomplete }

// Signatures counts, for every input, the signatures it has and needs
// (a finalized input counts as complete), and returns the fewest any
// input has, what an input needs at most, and the inputs still short.
func Signatures(p *psbt.Packet) (fewest, need int, short []InputSigs) {
	fewest = -1
	for i, in := range p.Inputs {
		s := InputSigs{Input: i, Need: 1}
		if len(in.WitnessScript) > 0 {
			if _, m, err := txscript.CalcMultiSigStats(in.WitnessScript); err == nil {
				s.Need = m
			}
		} else if len(in.RedeemScript) > 0 && !isWitnessProgram(in.RedeemScript) {
			if _, m, err := txscript.CalcMultiSigStats(in.RedeemScript); err == nil {
				s.Need = m
			}
		}
		switch {
		case len(in.FinalScriptWitness) > 0 || len(in.FinalScriptSig) > 0:
			s.Have = s.Need
		case len(in.TaprootKeySpendSig) > 0:
			s.Have = 1
		default:
			s.Have = len(in.PartialSigs)
		}
		if s.Have < s.Need {
			short = append(short, s)
		}
		if h := min(s.Have, s.Need); fewest < 0 || h < fewest {
			fewest = h
		}
		need = max(need, s.Need)
	}
	if fewest < 0 {
		fewest = 0
	}
	return fewest, need, short
}

func isWitnessProgram(s []byte) bool {
	return len(s) >= 4 && len(s) <= 42 && (s[0] == 0 || (s[0] >= txscript.OP_1 && s[0] <= txscript.OP_16)) && int(s[1]) == len(s)-2
}

// Finalize builds the network transaction of a fully signed PSBT with the
// offline signer's finalizer (exactly m signatures for multisig, every
// input executed by the script engine) and checks every input once more
// with txscript here. An incomplete PSBT gives an *IncompleteError naming
// every input short of signatures.
func Finalize(data []byte, name string) (*wire.MsgTx, error) {
	bp, err := Read(data, name)
	if err != nil {
		return nil, err
	}
	if _, _, short := Signatures(bp); len(short) > 0 {
		return nil, &IncompleteError{Inputs: short}
	}
	sp, err := sign.Decode(data, MaxPSBT)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	raw, err := sign.Finalize(sp)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	tx, err := txwire.Decode(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: the finalized transaction does not parse: %v", name, err)
	}
	prev := make([]*wire.TxOut, len(bp.Inputs))
	for i, in := range bp.Inputs {
		switch {
		case in.NonWitnessUtxo != nil:
			op := bp.UnsignedTx.TxIn[i].PreviousOutPoint
			if in.NonWitnessUtxo.TxHash() != op.Hash || int(op.Index) >= len(in.NonWitnessUtxo.TxOut) {
				return nil, fmt.Errorf("%s: input #%d: non_witness_utxo is not the spent transaction", name, i)
			}
			prev[i] = in.NonWitnessUtxo.TxOut[op.Index]
		case in.WitnessUtxo != nil:
			prev[i] = in.WitnessUtxo
		default:
			return nil, fmt.Errorf("%s: input #%d: no UTXO", name, i)
		}
	}
	if err := VerifyTx(tx, prev); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return tx, nil
}

// VerifyTx executes every input of tx with btcd's script engine under the
// standard verification flags against the outputs it spends.
func VerifyTx(tx *wire.MsgTx, prev []*wire.TxOut) error {
	if len(prev) != len(tx.TxIn) {
		return fmt.Errorf("%d spent outputs for %d inputs", len(prev), len(tx.TxIn))
	}
	fetch := txscript.NewMultiPrevOutFetcher(nil)
	for i, in := range tx.TxIn {
		fetch.AddPrevOut(in.PreviousOutPoint, prev[i])
	}
	hashes := txscript.NewTxSigHashes(tx, fetch)
	for i := range tx.TxIn {
		vm, err := txscript.NewEngine(prev[i].PkScript, tx, i, txscript.StandardVerifyFlags, nil, hashes, prev[i].Value, fetch)
		if err != nil {
			return fmt.Errorf("input #%d: script check: %v", i, err)
		}
		if err := vm.Execute(); err != nil {
			return fmt.Errorf("input #%d: script check failed: %v", i, err)
		}
	}
	return nil
}

// Packet is btcd's PSBT packet, as Read returns it.
type Packet = psbt.Packet
