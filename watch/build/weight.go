package build

import (
	"fmt"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/wire"

	"github.com/coffer-custody/coffer/wallet"
)

// Signature sizes assumed for the final transaction: a DER ECDSA signature
// ground to low R and low S is at most 70 bytes, plus the sighash byte
// (Coffer and Bitcoin Core grind; a signer that does not may add one byte
// per signature); a BIP340 signature with SIGHASH_DEFAULT is 64 bytes.
const (
	ecdsaSigLen   = 71
	schnorrSigLen = 64
)

// InputWeight is the weight of an input of script type st, signatures
// included: threshold and keys matter for multisig only.
func InputWeight(st wallet.ScriptType, threshold, keys int) (int, error) {
	const base = 36 + 4 // outpoint, sequence
	switch st {
	case wallet.ScriptWPKH:
		return (base+1)*4 + 1 + (1 + ecdsaSigLen) + (1 + 33), nil
	case wallet.ScriptSHWPKH:
		return (base+1+23)*4 + 1 + (1 + ecdsaSigLen) + (1 + 33), nil
	case wallet.ScriptTR:
		return (base+1)*4 + 1 + (1 + schnorrSigLen), nil
	case wallet.ScriptWSHMulti, wallet.ScriptSHWSHMulti:
		if threshold < 1 || keys < threshold || keys > 20 {
			return 0, fmt.Errorf("multisig %d of %d", threshold, keys)
		}
		ws := 3 + 34*keys
		wit := varIntLen(threshold+2) + 1 + threshold*(1+ecdsaSigLen) + varIntLen(ws) + ws
		if st == wallet.ScriptWSHMulti {
			return (base+1)*4 + wit, nil
		}
		return (base+1+35)*4 + wit, nil
	}
	return 0, fmt.Errorf("script type %s cannot be spent by coffer-watch", st)
}

// OutputWeight is the weight of an output paying script.
func OutputWeight(script []byte) int {
	return (8 + varIntLen(len(script)) + len(script)) * 4
}

// TxWeight is the weight of a transaction with inputs of the given
// weights and outputs of the given scripts (segwit marker and flag
// included when any input has a witness).
func TxWeight(inputWeights []int, outputScripts [][]byte, segwit bool) int {
	w := (4 + 4 + varIntLen(len(inputWeights)) + varIntLen(len(outputScripts))) * 4
	if segwit {
		w += 2
	}
	for _, iw := range inputWeights {
		w += iw
	}
	for _, s := range outputScripts {
		w += OutputWeight(s)
	}
	return w
}

// VSize is the virtual size of a weight: weight/4 rounded up.
func VSize(weight int) int { return (weight + 3) / 4 }

// Fee is the fee at rate sat/kvB for vsize, rounded up.
func Fee(rate int64, vsize int) btcutil.Amount {
	return btcutil.Amount((rate*int64(vsize) + 999) / 1000)
}

// feeOfWeight is the fee of weight units at rate sat/kvB, rounded up.
func feeOfWeight(rate int64, weight int) int64 {
	return (rate*int64(weight) + 3999) / 4000
}

// Dust is the dust threshold of an output paying script at Bitcoin Core's
// dust relay fee (3 sat/vB): 294 sat for P2WPKH, 330 for P2WSH and P2TR,
// 540 for P2SH, 546 for P2PKH.
func Dust(script []byte) btcutil.Amount {
	size := 8 + varIntLen(len(script)) + len(script)
	if isWitnessProgram(script) {
		size += 32 + 4 + 1 + (107 / 4) + 4 // witness spend
	} else {
		size += 32 + 4 + 1 + 107 + 4
	}
	return btcutil.Amount(size * 3)
}

func varIntLen(n int) int { return wire.VarIntSerializeSize(uint64(n)) }
