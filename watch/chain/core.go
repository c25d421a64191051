package chain

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/coffer-custody/coffer/wallet"
	"github.com/coffer-custody/coffer/watch/rpc"
)

// Core is the Bitcoin Core backend, the production one. With a watch-only
// descriptor wallet (the client's Config.Wallet, made with createwallet
// NAME true true "" false true), the wallets' descriptors are imported
// with importdescriptors and read back with listunspent and
// listreceivedbyaddress; without one, Scan uses scantxoutset, which sees
// only unspent outputs (an address whose coins were all spent then looks
// unused to the gap limit).
type Core struct {
	c        *rpc.Client
	noWallet bool
}

// NewCore returns the Core backend over c; wallet says whether c calls a
// wallet (rpc.Config.Wallet set).
func NewCore(c *rpc.Client, wallet bool) *Core { return &Core{c: c, noWallet: !wallet} }

// Name is "core".
func (b *Core) Name() string { return "core" }

// Info uses getblockchaininfo and getnetworkinfo (for the relay fee).
func (b *Core) Info(ctx context.Context) (*Info, error) {
	return nodeInfo(ctx, b.c, "getnetworkinfo")
}

type coreImportResult struct {
	Success  bool     `json:"success"`
	Warnings []string `json:"warnings"`
	Error    *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// ImportDescriptors imports ranged watch-only descriptors into the wallet
// (timestamp 0, so Core rescans for their history). Without a wallet it
// does nothing: scantxoutset needs no import.
func (b *Core) ImportDescriptors(ctx context.Context, descs []Descriptor) error {
	if b.noWallet || len(descs) == 0 {
		return nil
	}
	type req struct {
		Desc      string `json:"desc"`
		Timestamp any    `json:"timestamp"`
		Range     [2]int `json:"range"`
		Internal  bool   `json:"internal"`
		Active    bool   `json:"active"`
	}
	reqs := make([]req, len(descs))
	for i, d := range descs {
		reqs[i] = req{Desc: d.Desc, Timestamp: 0, Range: [2]int{0, d.RangeEnd}, Internal: d.Internal}
	}
	var res []coreImportResult
	if err := b.c.Call(ctx, "importdescriptors", []any{reqs}, &res); err != nil {
		return err
	}
	if len(res) != len(descs) {
		return fmt.Errorf("importdescriptors answered %d results for %d descriptors", len(res), len(descs))
	}
	for i, r := range res {
		if !r.Success {
			msg := "no reason given"
			if r.Error != nil {
				msg = r.Error.Message
			}
			return fmt.Errorf("node refused to import descriptor %d (%s): %s", i+1, descs[i].Desc, msg)
		}
	}
	return nil
}

type coreUnspent struct {
	Txid          string  `json:"txid"`
	Vout          uint32  `json:"vout"`
	Address       string  `json:"address"`
	ScriptPubKey  string  `json:"scriptPubKey"`
	Amount        float64 `json:"amount"`
	Confirmations int64   `json:"confirmations"`
	Coinbase      bool    `json:"coinbase"` // scantxoutset only
	Height        int64   `json:"height"`   // scantxoutset only
}

// Scan reads the wallet (listunspent, listreceivedbyaddress) or, without
// one, the UTXO set (scantxoutset).
func (b *Core) Scan(ctx context.Context, w []Watch) (*ScanResult, error) {
	var tip int64
	if err := b.c.Call(ctx, "getblockcount", nil, &tip); err != nil {
		return nil, err
	}
	index := make(map[string]int, len(w))
	addrs := make([]string, len(w))
	for i, x := range w {
		index[x.Address] = i
		addrs[i] = x.Address
	}
	res := &ScanResult{Used: make([]bool, len(w)), Tip: tip}
	var unspent []coreUnspent
	if b.noWallet {
		objs := make([]string, len(w))
		for i, x := range w {
			d, err := wallet.AddChecksum("addr(" + x.Address + ")")
			if err != nil {
				return nil, err
			}
			objs[i] = d
		}
		var r struct {
			Success  bool          `json:"success"`
			Height   int64         `json:"height"`
			Unspents []coreUnspent `json:"unspents"`
		}
		if err := b.c.Call(ctx, "scantxoutset", []any{"start", objs}, &r); err != nil {
			return nil, err
		}
		if !r.Success {
			return nil, fmt.Errorf("scantxoutset did not finish")
		}
		res.Tip = r.Height
		for _, u := range r.Unspents {
			if u.Height > 0 {
				u.Confirmations = r.Height - u.Height + 1
			}
			unspent = append(unspent, u)
		}
	} else {
		if err := b.c.Call(ctx, "listunspent", []any{0, 9999999, addrs, true}, &unspent); err != nil {
			return nil, err
		}
		var recv []struct {
			Address string   `json:"address"`
			TxIDs   []string `json:"txids"`
		}
		if err := b.c.Call(ctx, "listreceivedbyaddress", []any{0, false, true}, &recv); err != nil {
			return nil, err
		}
		for _, r := range recv {
			if i, ok := index[r.Address]; ok && len(r.TxIDs) > 0 {
				res.Used[i] = true
			}
		}
	}
	for _, u := range unspent {
		spk, err := hex.DecodeString(u.ScriptPubKey)
		if err != nil {
			return nil, fmt.Errorf("node sent a script that is not hex for %s:%d", u.Txid, u.Vout)
		}
		i, ok := -1, false
		for j, x := range w {
			if bytes.Equal(x.Script, spk) {
				i, ok = j, true
				break
			}
		}
		if !ok {
			continue // another wallet's coin
		}
		h, err := chainhash.NewHashFromStr(u.Txid)
		if err != nil {
			return nil, fmt.Errorf("node sent txid %q: %v", u.Txid, err)
		}
		amt, err := btcToSat(u.Amount)
		if err != nil {
			return nil, err
		}
		res.Used[i] = true
		res.UTXOs = append(res.UTXOs, UTXO{OutPoint: wire.OutPoint{Hash: *h, Index: u.Vout}, Value: amt, Script: spk,
			Address: w[i].Address, Confirmations: u.Confirmations, Coinbase: u.Coinbase})
	}
	return res, nil
}

// Core's "no such transaction" code.
const coreNoTx = -5

// Transaction uses getrawtransaction, then gettransaction for wallet
// transactions when Core runs without txindex.
func (b *Core) Transaction(ctx context.Context, txid chainhash.Hash) (*wire.MsgTx, error) {
	var s string
	err := b.c.Call(ctx, "getrawtransaction", []any{txid.String(), false}, &s)
	if isCode(err, coreNoTx) && !b.noWallet {
		var wt struct {
			Hex string `json:"hex"`
		}
		err = b.c.Call(ctx, "gettransaction", []any{txid.String(), true}, &wt)
		s = wt.Hex
	}
	if isCode(err, coreNoTx) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, txid)
	}
	if err != nil {
		return nil, err
	}
	return parseTxHex(s)
}

// Status uses getrawtransaction verbose, then gettransaction.
func (b *Core) Status(ctx context.Context, txid chainhash.Hash) (*TxStatus, error) {
	var r struct {
		Confirmations int64  `json:"confirmations"`
		BlockHash     string `json:"blockhash"`
	}
	err := b.c.Call(ctx, "getrawtransaction", []any{txid.String(), true}, &r)
	if isCode(err, coreNoTx) && !b.noWallet {
		err = b.c.Call(ctx, "gettransaction", []any{txid.String(), true}, &r)
	}
	if isCode(err, coreNoTx) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, txid)
	}
	if err != nil {
		return nil, err
	}
	if r.Confirmations < 0 {
		return nil, fmt.Errorf("%w: %s conflicts with the chain", ErrNotFound, txid)
	}
	return &TxStatus{Confirmations: r.Confirmations, BlockHash: r.BlockHash}, nil
}

// TestAccept uses testmempoolaccept with no fee-rate cap (0).
func (b *Core) TestAccept(ctx context.Context, tx *wire.MsgTx) error {
	return testAccept(ctx, b.c, tx)
}

// Broadcast uses sendrawtransaction.
func (b *Core) Broadcast(ctx context.Context, tx *wire.MsgTx) (chainhash.Hash, error) {
	return broadcast(ctx, b.c, tx)
}

// EstimateFee uses estimatesmartfee (economical mode).
func (b *Core) EstimateFee(ctx context.Context, target int) (int64, error) {
	var r struct {
		FeeRate *float64 `json:"feerate"`
		Errors  []string `json:"errors"`
	}
	if err := b.c.Call(ctx, "estimatesmartfee", []any{target, "economical"}, &r); err != nil {
		return 0, err
	}
	if r.FeeRate == nil {
		why := "no data yet"
		if len(r.Errors) > 0 {
			why = strings.Join(r.Errors, "; ")
		}
		return 0, fmt.Errorf("%w for %d blocks (%s); pass --fee-rate SATVB", ErrNoFeeEstimate, target, why)
	}
	return btcPerKvBToSat(*r.FeeRate)
}
