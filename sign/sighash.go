package sign

import (
	"fmt"

	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// txContext holds what every signature of one transaction shares: the
// spent outputs and the BIP143/BIP341 midstates, computed once.
type txContext struct {
	tx       *wire.MsgTx
	prevOuts []*wire.TxOut // per input; nil where the PSBT gives no UTXO
	missing  int           // inputs without a UTXO
	fetcher  *txscript.MultiPrevOutFetcher
	hashes   *txscript.TxSigHashes
}

// placeholderOut stands in for an unknown UTXO so btcd's midstate code,
// which dereferences every prevout, does not crash. A taproot signature
// is never made while one is in use (BIP341 commits to every amount).
var placeholderOut = wire.TxOut{Value: 0, PkScript: nil}

// newTxContext computes the midstates for tx spending prevOuts (one per
// input, nil for unknown).
func newTxContext(tx *wire.MsgTx, prevOuts []*wire.TxOut) *txContext {
	c := &txContext{tx: tx, prevOuts: prevOuts}
	m := make(map[wire.OutPoint]*wire.TxOut, len(tx.TxIn))
	for i, in := range tx.TxIn {
		out := prevOuts[i]
		if out == nil {
			c.missing++
			po := placeholderOut
			out = &po
		}
		m[in.PreviousOutPoint] = out
	}
	c.fetcher = txscript.NewMultiPrevOutFetcher(m)
	c.hashes = txscript.NewTxSigHashes(tx, c.fetcher)
	return c
}

// sighashV0 is the BIP143 sighash of input i for scriptCode.
func (c *txContext) sighashV0(i int, scriptCode []byte, ht txscript.SigHashType) ([]byte, error) {
	out := c.prevOuts[i]
	if out == nil {
		return nil, fmt.Errorf("amount of the spent output is unknown")
	}
	h, err := txscript.CalcWitnessSigHash(scriptCode, c.hashes, ht, c.tx, i, out.Value)
	if err != nil {
		return nil, fmt.Errorf("bip143 sighash: %v", err)
	}
	return h, nil
}

// sighashTaproot is the BIP341 key-path sighash of input i.
func (c *txContext) sighashTaproot(i int, ht txscript.SigHashType) ([]byte, error) {
	if c.missing > 0 {
		return nil, fmt.Errorf("%d inputs have no UTXO; a taproot sighash commits to all of them", c.missing)
	}
	h, err := txscript.CalcTaprootSignatureHash(c.hashes, ht, c.tx, i, c.fetcher)
	if err != nil {
		return nil, fmt.Errorf("bip341 sighash: %v", err)
	}
	return h, nil
}

// sighashLegacy is the pre-segwit sighash of input i for subscript.
func (c *txContext) sighashLegacy(i int, subscript []byte, ht txscript.SigHashType) ([]byte, error) {
	h, err := txscript.CalcSignatureHash(subscript, ht, c.tx, i)
	if err != nil {
		return nil, fmt.Errorf("legacy sighash: %v", err)
	}
	return h, nil
}

// sighash picks the sighash algorithm for the plan's spend type.
func (c *txContext) sighash(pl *inputPlan, ht txscript.SigHashType) ([]byte, error) {
	switch {
	case pl.spend == SpendP2TRKey:
		return c.sighashTaproot(pl.index, ht)
	case pl.spend.isSegwitV0():
		return c.sighashV0(pl.index, pl.scriptCode, ht)
	case pl.spend == SpendP2PKH || pl.spend == SpendP2SHMulti:
		return c.sighashLegacy(pl.index, pl.scriptCode, ht)
	}
	return nil, fmt.Errorf("cannot compute a sighash for a %s spend", pl.spend)
}

// verifyFlags are the script flags Coffer checks its signatures with:
// Bitcoin Core's standard policy flags as btcd lists them.
const verifyFlags = txscript.StandardVerifyFlags

// execute runs input i's script on tx (which carries the input's
// scriptSig and witness) with btcd's script engine.
func (c *txContext) execute(tx *wire.MsgTx, i int) error {
	out := c.prevOuts[i]
	if out == nil {
		return fmt.Errorf("the spent output is unknown")
	}
	vm, err := txscript.NewEngine(out.PkScript, tx, i, verifyFlags, nil, c.hashes, out.Value, c.fetcher)
	if err != nil {
		return fmt.Errorf("script engine: %v", err)
	}
	if err := vm.Execute(); err != nil {
		return fmt.Errorf("script execution failed: %v", err)
	}
	return nil
}
