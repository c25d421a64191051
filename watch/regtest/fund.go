package regtest

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// coinbaseMaturity is how many confirmations a coinbase output needs
// before it is spent (100, counting its own block as one).
const coinbaseMaturity = 100

// fundFee is the fee of a funding transaction: ample at any size the
// harness makes (at most a few hundred vbytes).
const fundFee = btcutil.Amount(20_000)

// funder is the harness's own wallet: a throwaway key the node mines to.
// btcd deletes its regtest chain at every start and has no
// generatetoaddress, so coins reach an address under test by a
// transaction from the funder's matured coinbases.
type funder struct {
	key     *btcec.PrivateKey
	addr    *btcutil.AddressWitnessPubKeyHash
	script  []byte
	coins   []coin // known spendable-once-mature outputs, oldest first
	scanned int64  // the last block height scanned for coinbases
}

type coin struct {
	op       wire.OutPoint
	value    btcutil.Amount
	height   int64 // block height; 0 for an unconfirmed change output
	coinbase bool
}

func newFunder() (*funder, error) {
	k, err := btcec.NewPrivateKey()
	if err != nil {
		return nil, err
	}
	a, err := btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(k.PubKey().SerializeCompressed()), &chaincfg.RegressionNetParams)
	if err != nil {
		return nil, err
	}
	s, err := txscript.PayToAddrScript(a)
	if err != nil {
		return nil, err
	}
	return &funder{key: k, addr: a, script: s}, nil
}

// FunderAddress is the address of the harness's own key, where the node
// mines unless told otherwise.
func (n *Node) FunderAddress() string { return n.funder.addr.EncodeAddress() }

// Payment is one output of Fund.
type Payment struct {
	Address string
	Amount  btcutil.Amount
}

// Fund pays each payment from the funder's matured coinbases in one
// transaction, mining blocks first when too few coinbases have matured,
// and returns the transaction id. The transaction is in the mempool;
// Generate confirms it. It works only on a node mining to the funder.
func (n *Node) Fund(ctx context.Context, pays ...Payment) (string, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.mining != n.FunderAddress() {
		return "", errors.New("fund: the node does not mine to the funder's address")
	}
	f := n.funder
	var want btcutil.Amount
	tx := wire.NewMsgTx(2)
	for _, p := range pays {
		a, err := btcutil.DecodeAddress(p.Address, &chaincfg.RegressionNetParams)
		if err != nil {
			return "", fmt.Errorf("fund: address %q: %v", p.Address, err)
		}
		s, err := txscript.PayToAddrScript(a)
		if err != nil {
			return "", fmt.Errorf("fund: address %q: %v", p.Address, err)
		}
		tx.AddTxOut(wire.NewTxOut(int64(p.Amount), s))
		want += p.Amount
	}
	var picked []coin
	for {
		if err := n.scanCoinbases(ctx); err != nil {
			return "", err
		}
		height, err := n.heightLocked(ctx)
		if err != nil {
			return "", err
		}
		picked = picked[:0]
		var have btcutil.Amount
		for _, c := range f.coins {
			if c.coinbase && height-c.height+1 < coinbaseMaturity {
				continue
			}
			picked = append(picked, c)
			have += c.value
			if have >= want+fundFee {
				break
			}
		}
		if have >= want+fundFee {
			if change := have - want - fundFee; change >= 1000 {
				tx.AddTxOut(wire.NewTxOut(int64(change), f.script))
			}
			break
		}
		// Mine until enough coinbases have matured.
		need := int64(coinbaseMaturity) - height + 1
		if need < 1 {
			need = 1
		}
		var hashes []string
		if err := n.client.Call(ctx, "generate", []any{need}, &hashes); err != nil {
			return "", fmt.Errorf("fund: generate: %w", err)
		}
	}
	prev := txscript.NewMultiPrevOutFetcher(nil)
	for _, c := range picked {
		tx.AddTxIn(wire.NewTxIn(&c.op, nil, nil))
		prev.AddPrevOut(c.op, wire.NewTxOut(int64(c.value), f.script))
	}
	hashes := txscript.NewTxSigHashes(tx, prev)
	for i, c := range picked {
		w, err := txscript.WitnessSignature(tx, hashes, i, int64(c.value), f.script, txscript.SigHashAll, f.key, true)
		if err != nil {
			return "", fmt.Errorf("fund: sign: %v", err)
		}
		tx.TxIn[i].Witness = w
	}
	var b bytes.Buffer
	if err := tx.Serialize(&b); err != nil {
		return "", err
	}
	var txid string
	if err := n.client.Call(ctx, "sendrawtransaction", []any{hex.EncodeToString(b.Bytes())}, &txid); err != nil {
		return "", fmt.Errorf("fund: %w", err)
	}
	// Forget the spent coins; keep the change.
	spent := map[wire.OutPoint]bool{}
	for _, c := range picked {
		spent[c.op] = true
	}
	kept := f.coins[:0]
	for _, c := range f.coins {
		if !spent[c.op] {
			kept = append(kept, c)
		}
	}
	f.coins = kept
	if last := tx.TxOut[len(tx.TxOut)-1]; bytes.Equal(last.PkScript, f.script) {
		f.coins = append(f.coins, coin{op: wire.OutPoint{Hash: tx.TxHash(), Index: uint32(len(tx.TxOut) - 1)}, value: btcutil.Amount(last.Value)})
	}
	return txid, nil
}

func (n *Node) heightLocked(ctx context.Context) (int64, error) {
	var h int64
	err := n.client.Call(ctx, "getblockcount", nil, &h)
	return h, err
}

// scanCoinbases adds the coinbases of blocks not seen yet that pay the
// funder.
func (n *Node) scanCoinbases(ctx context.Context) error {
	f := n.funder
	height, err := n.heightLocked(ctx)
	if err != nil {
		return err
	}
	for h := f.scanned + 1; h <= height; h++ {
		var hash string
		if err := n.client.Call(ctx, "getblockhash", []any{h}, &hash); err != nil {
			return err
		}
		f.scanned = h
		type blockTx struct {
			Txid string `json:"txid"`
			Vout []struct {
				Value        float64 `json:"value"`
				N            uint32  `json:"n"`
				ScriptPubKey struct {
					Hex string `json:"hex"`
				} `json:"scriptPubKey"`
			} `json:"vout"`
		}
		var blk struct {
			Tx    []blockTx `json:"tx"`
			RawTx []blockTx `json:"rawtx"`
		}
		if err := n.client.Call(ctx, "getblock", []any{hash, 2}, &blk); err != nil {
			return fmt.Errorf("getblock %s: %w", hash, err)
		}
		txs := blk.Tx
		if len(txs) == 0 {
			txs = blk.RawTx
		}
		if len(txs) == 0 {
			continue
		}
		cb := txs[0]
		txh, err := chainhash.NewHashFromStr(cb.Txid)
		if err != nil {
			return err
		}
		for _, o := range cb.Vout {
			if o.ScriptPubKey.Hex != hex.EncodeToString(f.script) {
				continue
			}
			amt, err := btcutil.NewAmount(o.Value)
			if err != nil {
				return err
			}
			f.coins = append(f.coins, coin{op: wire.OutPoint{Hash: *txh, Index: o.N}, value: amt, height: h, coinbase: true})
		}
	}
	return nil
}
