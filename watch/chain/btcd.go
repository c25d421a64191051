package chain

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"sync"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/coffer-custody/coffer/watch/rpc"
)

// Btcd is the btcd backend: btcd run with --txindex --addrindex. Address
// history comes from searchrawtransactions, unspent outputs from gettxout.
// btcd has no estimatesmartfee: EstimateFee always fails with
// ErrNoFeeEstimate.
type Btcd struct {
	c *rpc.Client
}

// NewBtcd returns the btcd backend over c.
func NewBtcd(c *rpc.Client) *Btcd { return &Btcd{c: c} }

// Name is "btcd".
func (b *Btcd) Name() string { return "btcd" }

// Info uses getblockchaininfo and getinfo (for the relay fee).
func (b *Btcd) Info(ctx context.Context) (*Info, error) {
	return nodeInfo(ctx, b.c, "getinfo")
}

// btcd's answer for an address it never saw.
const btcdNoInfo = -5

type btcdVout struct {
	Value        float64 `json:"value"`
	N            uint32  `json:"n"`
	ScriptPubKey struct {
		Hex string `json:"hex"`
	} `json:"scriptPubKey"`
}

type btcdSearchTx struct {
	Txid string     `json:"txid"`
	Vout []btcdVout `json:"vout"`
}

type btcdTxOut struct {
	Confirmations int64   `json:"confirmations"`
	Value         float64 `json:"value"`
	Coinbase      bool    `json:"coinbase"`
}

// searchPage is how many transactions one searchrawtransactions call asks.
const searchPage = 1000

// scanWorkers is how many addresses are searched at once.
const scanWorkers = 4

// Scan asks searchrawtransactions for every address (several at once) and
// gettxout for every output paying one of them.
func (b *Btcd) Scan(ctx context.Context, addrs []Watch) (*ScanResult, error) {
	var tip int64
	if err := b.c.Call(ctx, "getblockcount", nil, &tip); err != nil {
		return nil, err
	}
	res := &ScanResult{Used: make([]bool, len(addrs)), Tip: tip}
	utxos := make([][]UTXO, len(addrs))
	errs := make([]error, len(addrs))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < scanWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				res.Used[i], utxos[i], errs[i] = b.scanAddress(ctx, addrs[i])
			}
		}()
	}
	for i := range addrs {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("address %s: %w", addrs[i].Address, err)
		}
		res.UTXOs = append(res.UTXOs, utxos[i]...)
	}
	return res, nil
}

func (b *Btcd) scanAddress(ctx context.Context, w Watch) (bool, []UTXO, error) {
	addr := w.Address
	var out []UTXO
	used := false
	seen := map[wire.OutPoint]bool{}
	for skip := 0; ; skip += searchPage {
		var txs []btcdSearchTx
		err := b.c.Call(ctx, "searchrawtransactions", []any{addr, 1, skip, searchPage, 0, false}, &txs)
		if isCode(err, btcdNoInfo) {
			break
		}
		if err != nil {
			return false, nil, err
		}
		for _, tx := range txs {
			h, err := chainhash.NewHashFromStr(tx.Txid)
			if err != nil {
				return false, nil, fmt.Errorf("node sent txid %q: %v", tx.Txid, err)
			}
			for _, v := range tx.Vout {
				spk, err := hex.DecodeString(v.ScriptPubKey.Hex)
				if err != nil {
					return false, nil, fmt.Errorf("node sent a script that is not hex in %s", tx.Txid)
				}
				if !bytes.Equal(spk, w.Script) {
					continue
				}
				used = true
				op := wire.OutPoint{Hash: *h, Index: v.N}
				if seen[op] {
					continue
				}
				seen[op] = true
				var txo *btcdTxOut
				if err := b.c.Call(ctx, "gettxout", []any{tx.Txid, v.N, true}, &txo); err != nil {
					return false, nil, err
				}
				if txo == nil {
					continue // spent
				}
				amt, err := btcToSat(txo.Value)
				if err != nil {
					return false, nil, err
				}
				out = append(out, UTXO{OutPoint: op, Value: amt, Script: spk, Address: addr,
					Confirmations: txo.Confirmations, Coinbase: txo.Coinbase})
			}
		}
		if len(txs) < searchPage {
			break
		}
	}
	return used, out, nil
}

// Transaction uses getrawtransaction (txindex or mempool).
func (b *Btcd) Transaction(ctx context.Context, txid chainhash.Hash) (*wire.MsgTx, error) {
	var s string
	err := b.c.Call(ctx, "getrawtransaction", []any{txid.String(), 0}, &s)
	if isCode(err, btcdNoInfo) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, txid)
	}
	if err != nil {
		return nil, err
	}
	return parseTxHex(s)
}

// Status uses getrawtransaction verbose.
func (b *Btcd) Status(ctx context.Context, txid chainhash.Hash) (*TxStatus, error) {
	var r struct {
		Confirmations int64  `json:"confirmations"`
		BlockHash     string `json:"blockhash"`
	}
	err := b.c.Call(ctx, "getrawtransaction", []any{txid.String(), 1}, &r)
	if isCode(err, btcdNoInfo) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, txid)
	}
	if err != nil {
		return nil, err
	}
	return &TxStatus{Confirmations: r.Confirmations, BlockHash: r.BlockHash}, nil
}

// TestAccept uses testmempoolaccept with no fee-rate cap.
func (b *Btcd) TestAccept(ctx context.Context, tx *wire.MsgTx) error {
	return testAccept(ctx, b.c, tx)
}

// Broadcast uses sendrawtransaction.
func (b *Btcd) Broadcast(ctx context.Context, tx *wire.MsgTx) (chainhash.Hash, error) {
	return broadcast(ctx, b.c, tx)
}

// EstimateFee always fails: btcd has no estimatesmartfee.
func (b *Btcd) EstimateFee(context.Context, int) (int64, error) {
	return 0, fmt.Errorf("%w: btcd has no estimatesmartfee; pass --fee-rate SATVB", ErrNoFeeEstimate)
}
