package chain

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"github.com/coffer-custody/coffer/wallet"
	"github.com/coffer-custody/coffer/watch/regtest"
	"github.com/coffer-custody/coffer/watch/rpc"
)

func startNode(t *testing.T) *regtest.Node {
	t.Helper()
	n, err := regtest.Start(context.Background(), regtest.Options{})
	if errors.Is(err, regtest.ErrUnavailable) && os.Getenv("COFFER_REQUIRE_INTEROP") != "1" {
		t.Skipf("skipping: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = n.Stop() })
	return n
}

// The btcd backend against a live regtest node: network check, scan of
// used and unused addresses, unspent outputs in the mempool and in a
// block, status, refusals.
func TestBtcdLive(t *testing.T) {
	ctx := context.Background()
	n := startNode(t)
	b := NewBtcd(n.Client())
	info, err := Check(ctx, b, n.Host(), wallet.Regtest)
	if err != nil {
		t.Fatal(err)
	}
	if info.RelayFee != 1000 {
		t.Errorf("relay fee %d sat/kvB, want 1000", info.RelayFee)
	}
	if _, err := Check(ctx, b, n.Host(), wallet.Mainnet); !errors.Is(err, ErrWrongNetwork) || !strings.Contains(err.Error(), `"regtest"`) {
		t.Errorf("wrong network: %v", err)
	}
	w := watchOf(t, abandonAddr0, otherAddr)
	txid, err := n.Fund(ctx, regtest.Payment{Address: abandonAddr0, Amount: 70_000}, regtest.Payment{Address: abandonAddr0, Amount: 30_000})
	if err != nil {
		t.Fatal(err)
	}
	res, err := b.Scan(ctx, w)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Used[0] || res.Used[1] || len(res.UTXOs) != 2 {
		t.Fatalf("scan in mempool: %+v", res)
	}
	for _, u := range res.UTXOs {
		if u.Confirmations != 0 || u.OutPoint.Hash.String() != txid || u.Address != abandonAddr0 {
			t.Errorf("mempool utxo %+v", u)
		}
	}
	h, _ := chainhash.NewHashFromStr(txid)
	if st, err := b.Status(ctx, *h); err != nil || st.Confirmations != 0 {
		t.Errorf("status in mempool: %+v, %v", st, err)
	}
	if _, err := n.Generate(ctx, 2); err != nil {
		t.Fatal(err)
	}
	res, err = b.Scan(ctx, w)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.UTXOs) != 2 || res.UTXOs[0].Confirmations != 2 || res.UTXOs[0].Value+res.UTXOs[1].Value != 100_000 {
		t.Fatalf("scan after 2 blocks: %+v", res.UTXOs)
	}
	if st, err := b.Status(ctx, *h); err != nil || st.Confirmations != 2 || st.BlockHash == "" {
		t.Errorf("status after 2 blocks: %+v, %v", st, err)
	}
	tx, err := b.Transaction(ctx, *h)
	if err != nil || tx.TxHash() != *h {
		t.Fatalf("transaction: %v", err)
	}
	// Spending it again is refused (inputs already spent).
	var re *RejectError
	if err := b.TestAccept(ctx, tx); !errors.As(err, &re) {
		t.Errorf("test accept of a confirmed transaction: %v", err)
	}
	if _, err := b.Broadcast(ctx, tx); !errors.Is(err, ErrRejected) {
		t.Errorf("broadcast of a confirmed transaction: %v", err)
	}
	var missing chainhash.Hash
	missing[0] = 1
	if _, err := b.Status(ctx, missing); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown transaction: %v", err)
	}
	if _, err := b.EstimateFee(ctx, 2); !errors.Is(err, ErrNoFeeEstimate) || !strings.Contains(err.Error(), "--fee-rate") {
		t.Errorf("btcd fee estimate: %v", err)
	}
	// Wrong password: auth refused, by sentinel.
	cfg := n.Config()
	cfg.Pass = "nope"
	c, err := rpc.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewBtcd(c).Info(ctx); !errors.Is(err, rpc.ErrAuth) {
		t.Errorf("wrong password: %v", err)
	}
}
