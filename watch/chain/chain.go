package chain

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/coffer-custody/coffer/internal/txwire"
	"github.com/coffer-custody/coffer/wallet"
	"github.com/coffer-custody/coffer/watch/rpc"
)

// Sentinel errors callers branch on.
var (
	ErrWrongNetwork  = errors.New("node is on another network")
	ErrSyncing       = errors.New("node is still syncing")
	ErrNoFeeEstimate = errors.New("node gives no fee estimate")
	ErrRejected      = errors.New("node rejected the transaction")
	ErrNotFound      = errors.New("node does not know the transaction")
)

// Info is what a node says about its chain.
type Info struct {
	Chain    string         // the node's own name: main, test, regtest, mainnet, testnet3, ...
	Network  wallet.Network // 0 when the name is not one Coffer knows
	Blocks   int64          // height of the best block
	Headers  int64
	BestHash string
	IBD      bool  // initial block download (Bitcoin Core)
	RelayFee int64 // minimum relay fee in sat/kvB
}

// UTXO is an unspent output paying a watched address.
type UTXO struct {
	OutPoint      wire.OutPoint
	Value         btcutil.Amount
	Script        []byte
	Address       string
	Confirmations int64 // 0 in the mempool
	Coinbase      bool
}

// Watch is an address to scan and its output script.
type Watch struct {
	Address string
	Script  []byte
}

// ScanResult is what Scan found for a list of addresses.
type ScanResult struct {
	Used  []bool // parallel to the addresses: ever received
	UTXOs []UTXO
	Tip   int64 // best block height when scanned
}

// TxStatus is where a transaction is.
type TxStatus struct {
	Confirmations int64 // 0 in the mempool
	BlockHash     string
}

// Backend is a node Coffer reads the chain from and broadcasts through.
type Backend interface {
	// Name is "btcd" or "core".
	Name() string
	// Info reads the node's chain, height and relay fee.
	Info(ctx context.Context) (*Info, error)
	// Scan says which addresses ever received and lists their unspent
	// outputs, mempool included.
	Scan(ctx context.Context, w []Watch) (*ScanResult, error)
	// Transaction returns a transaction the node knows (txindex, mempool or
	// wallet).
	Transaction(ctx context.Context, txid chainhash.Hash) (*wire.MsgTx, error)
	// Status says whether a transaction is in the mempool or a block;
	// ErrNotFound when neither.
	Status(ctx context.Context, txid chainhash.Hash) (*TxStatus, error)
	// TestAccept asks whether the mempool would accept tx; a *RejectError
	// when not.
	TestAccept(ctx context.Context, tx *wire.MsgTx) error
	// Broadcast sends tx; a *RejectError when the node refuses it.
	Broadcast(ctx context.Context, tx *wire.MsgTx) (chainhash.Hash, error)
	// EstimateFee gives a fee rate in sat/kvB for confirmation within
	// target blocks; ErrNoFeeEstimate when the node cannot.
	EstimateFee(ctx context.Context, target int) (int64, error)
}

// Descriptor is a ranged descriptor for Bitcoin Core to watch.
type Descriptor struct {
	Desc     string // with checksum
	RangeEnd int    // last index to watch
	Internal bool   // change branch
}

// DescriptorImporter is a backend that must be told the wallets'
// descriptors before Scan (Bitcoin Core with a wallet).
type DescriptorImporter interface {
	ImportDescriptors(ctx context.Context, descs []Descriptor) error
}

// RejectError is a node's refusal of a transaction.
type RejectError struct {
	TxID   string
	Reason string
}

func (e *RejectError) Error() string {
	return fmt.Sprintf("node rejected transaction %s: %s", e.TxID, e.Reason)
}

func (e *RejectError) Unwrap() error { return ErrRejected }

// NetworkOf maps a node's chain name (Core's main, test, testnet4, signet,
// regtest; btcd's mainnet, testnet3, ...) to a network.
func NetworkOf(chain string) wallet.Network {
	switch strings.ToLower(chain) {
	case "main", "mainnet":
		return wallet.Mainnet
	case "test", "testnet", "testnet3", "testnet4":
		return wallet.Testnet
	case "signet":
		return wallet.Signet
	case "regtest":
		return wallet.Regtest
	}
	return 0
}

// Check reads the node's Info and refuses a node on another network than
// want, or one still syncing. It is the first call of every command that
// talks to a node, so that nothing is written on a wrong answer.
func Check(ctx context.Context, b Backend, host string, want wallet.Network) (*Info, error) {
	info, err := b.Info(ctx)
	if err != nil {
		return nil, err
	}
	if info.Network != want {
		return nil, fmt.Errorf("%w: node at %s is on %q, the database is on %s", ErrWrongNetwork, host, info.Chain, want)
	}
	if info.IBD || info.Headers > info.Blocks {
		return nil, fmt.Errorf("%w: node at %s has block %d of %d headers", ErrSyncing, host, info.Blocks, info.Headers)
	}
	return info, nil
}

// New makes the backend named by name ("btcd" or "core") over c;
// coreWallet says whether c calls a Bitcoin Core wallet.
func New(name string, c *rpc.Client, coreWallet bool) (Backend, error) {
	switch name {
	case "btcd":
		return NewBtcd(c), nil
	case "core":
		return NewCore(c, coreWallet), nil
	}
	return nil, fmt.Errorf("backend %q is not one of core, btcd", name)
}

// btcToSat converts a JSON BTC amount to satoshis exactly (the float
// holds at most 8 decimals).
func btcToSat(v float64) (btcutil.Amount, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > 21e6 {
		return 0, fmt.Errorf("amount %v is not a bitcoin amount", v)
	}
	return btcutil.NewAmount(v)
}

// btcPerKvBToSat converts a fee rate in BTC/kvB to sat/kvB.
func btcPerKvBToSat(v float64) (int64, error) {
	a, err := btcToSat(v)
	return int64(a), err
}

func txHex(tx *wire.MsgTx) (string, error) {
	var b bytes.Buffer
	if err := tx.Serialize(&b); err != nil {
		return "", fmt.Errorf("serialize transaction: %v", err)
	}
	return hex.EncodeToString(b.Bytes()), nil
}

func parseTxHex(s string) (*wire.MsgTx, error) {
	raw, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("node sent a transaction that is not hex")
	}
	tx, err := txwire.Decode(raw)
	if err != nil {
		return nil, fmt.Errorf("node sent a transaction that does not parse: %v", err)
	}
	return tx, nil
}

// nodeInfo is Info for both backends: getblockchaininfo (the same answer
// on Core and btcd; btcd has no initialblockdownload, so IBD stays false),
// then relayMethod for the relay fee (Core's getnetworkinfo, btcd's
// getinfo; both answer relayfee in BTC/kvB).
func nodeInfo(ctx context.Context, c *rpc.Client, relayMethod string) (*Info, error) {
	var bc struct {
		Chain   string `json:"chain"`
		Blocks  int64  `json:"blocks"`
		Headers int64  `json:"headers"`
		Best    string `json:"bestblockhash"`
		IBD     bool   `json:"initialblockdownload"`
	}
	if err := c.Call(ctx, "getblockchaininfo", nil, &bc); err != nil {
		return nil, err
	}
	var ri struct {
		RelayFee float64 `json:"relayfee"`
	}
	if err := c.Call(ctx, relayMethod, nil, &ri); err != nil {
		return nil, err
	}
	relay, err := btcPerKvBToSat(ri.RelayFee)
	if err != nil {
		return nil, fmt.Errorf("%s relayfee: %v", relayMethod, err)
	}
	return &Info{Chain: bc.Chain, Network: NetworkOf(bc.Chain), Blocks: bc.Blocks, Headers: bc.Headers,
		BestHash: bc.Best, IBD: bc.IBD, RelayFee: relay}, nil
}

// testAccept is TestAccept for both backends: testmempoolaccept with no
// fee-rate cap (0), the same call and answer on Core and btcd.
func testAccept(ctx context.Context, c *rpc.Client, tx *wire.MsgTx) error {
	h, err := txHex(tx)
	if err != nil {
		return err
	}
	var res []testAcceptResult
	if err := c.Call(ctx, "testmempoolaccept", []any{[]string{h}, 0}, &res); err != nil {
		return rejectFromRPC(tx.TxHash().String(), err)
	}
	return checkAccept(tx.TxHash().String(), res)
}

// broadcast is Broadcast for both backends: sendrawtransaction, and the
// node's txid must be tx's.
func broadcast(ctx context.Context, c *rpc.Client, tx *wire.MsgTx) (chainhash.Hash, error) {
	h, err := txHex(tx)
	if err != nil {
		return chainhash.Hash{}, err
	}
	var txid string
	if err := c.Call(ctx, "sendrawtransaction", []any{h}, &txid); err != nil {
		return chainhash.Hash{}, rejectFromRPC(tx.TxHash().String(), err)
	}
	got, err := chainhash.NewHashFromStr(txid)
	if err != nil {
		return chainhash.Hash{}, fmt.Errorf("node answered txid %q: %v", txid, err)
	}
	if *got != tx.TxHash() {
		return chainhash.Hash{}, fmt.Errorf("node answered txid %s for transaction %s", got, tx.TxHash())
	}
	return *got, nil
}

// testAcceptResult is one entry of testmempoolaccept's answer (Core and
// btcd share the shape).
type testAcceptResult struct {
	TxID         string `json:"txid"`
	Allowed      bool   `json:"allowed"`
	RejectReason string `json:"reject-reason"`
}

func checkAccept(txid string, res []testAcceptResult) error {
	if len(res) != 1 {
		return fmt.Errorf("testmempoolaccept answered %d results for one transaction", len(res))
	}
	if !res[0].Allowed {
		return &RejectError{TxID: txid, Reason: res[0].RejectReason}
	}
	return nil
}

// rejectFromRPC turns a node's refusal of sendrawtransaction into a
// RejectError.
func rejectFromRPC(txid string, err error) error {
	var re *rpc.Error
	if errors.As(err, &re) {
		return &RejectError{TxID: txid, Reason: re.Message}
	}
	return err
}

// isCode reports whether err is a node error with one of codes.
func isCode(err error, codes ...int) bool {
	var re *rpc.Error
	if !errors.As(err, &re) {
		return false
	}
	for _, c := range codes {
		if re.Code == c {
			return true
		}
	}
	return false
}
