package regtest

import (
	"context"
	"errors"
	"os"
	"testing"
)

// startNode starts a node or skips the test when btcd cannot be installed
// (it fails instead under COFFER_REQUIRE_INTEROP=1).
func startNode(t *testing.T, o Options) *Node {
	t.Helper()
	n, err := Start(context.Background(), o)
	if errors.Is(err, ErrUnavailable) && os.Getenv("COFFER_REQUIRE_INTEROP") != "1" {
		t.Skipf("skipping: %v (install Go module access, or run make deps)", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = n.Stop() })
	return n
}

func TestNodeTLSMineRestart(t *testing.T) {
	ctx := context.Background()
	n := startNode(t, Options{})
	if n.CertFile() == "" {
		t.Fatal("a TLS node has no certificate file")
	}
	if _, err := os.Stat(n.CertFile()); err != nil {
		t.Fatalf("certificate: %v", err)
	}
	hashes, err := n.Generate(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(hashes) != 3 {
		t.Fatalf("generate 3 gave %d hashes", len(hashes))
	}
	h, err := n.Height(ctx)
	if err != nil || h != 3 {
		t.Fatalf("height %d, %v after 3 blocks, want 3", h, err)
	}
}

// Fund matures coinbases of the funder and pays an address; the payment
// is in the mempool, then in a block.
func TestFund(t *testing.T) {
	ctx := context.Background()
	n := startNode(t, Options{})
	to := BurnAddress()
	txid, err := n.Fund(ctx, Payment{Address: to, Amount: 12_345_678}, Payment{Address: to, Amount: 1_000})
	if err != nil {
		t.Fatal(err)
	}
	var mempool []string
	if err := n.Client().Call(ctx, "getrawmempool", nil, &mempool); err != nil {
		t.Fatal(err)
	}
	if len(mempool) != 1 || mempool[0] != txid {
		t.Fatalf("mempool %v, want [%s]", mempool, txid)
	}
	if _, err := n.Generate(ctx, 1); err != nil {
		t.Fatal(err)
	}
	var out struct {
		Confirmations int64   `json:"confirmations"`
		Value         float64 `json:"value"`
	}
	if err := n.Client().Call(ctx, "gettxout", []any{txid, 0, true}, &out); err != nil {
		t.Fatal(err)
	}
	if out.Confirmations != 1 || out.Value != 0.12345678 {
		t.Fatalf("gettxout %+v, want 1 confirmation of 0.12345678", out)
	}
	// A second payment spends the change or the next coinbase.
	if _, err := n.Fund(ctx, Payment{Address: to, Amount: 60 * 100_000_000}); err != nil {
		t.Fatal(err)
	}
}

func TestNodeNoTLS(t *testing.T) {
	n := startNode(t, Options{NoTLS: true})
	if n.Config().NoTLS != true || n.CertFile() != "" {
		t.Fatalf("config %+v", n.Config())
	}
	h, err := n.Height(context.Background())
	if err != nil || h != 0 {
		t.Fatalf("height %d, %v; want 0 on a new chain", h, err)
	}
}

func TestBurnAddress(t *testing.T) {
	if a := BurnAddress(); len(a) != 64 || a[:5] != "bcrt1" {
		t.Fatalf("burn address %q is not a regtest P2WSH address", a)
	}
}
