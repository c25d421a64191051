package watch

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/coffer-custody/coffer/wallet"
	"github.com/coffer-custody/coffer/watch/chain"
	"github.com/coffer-custody/coffer/watch/rpc"
)

// coreNode answers from a file of recorded Bitcoin Core answers
// (testdata/watch/core) and counts the calls of each method.
type coreNode struct {
	answers map[string]json.RawMessage
	mu      sync.Mutex
	calls   map[string]int
}

func (c *coreNode) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Method string `json:"method"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	c.calls[req.Method]++
	c.mu.Unlock()
	a, ok := c.answers[req.Method]
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"result":null,"error":{"code":-32601,"message":"Method not found"},"id":1}`))
		return
	}
	_, _ = w.Write(a)
}

// Sync through the Bitcoin Core backend (recorded answers): each branch's
// descriptor is imported once, the wallet's coins are recorded, and a
// second sync imports nothing again.
func TestSyncCoreRecorded(t *testing.T) {
	ctx := context.Background()
	node := &coreNode{calls: map[string]int{}}
	if err := json.Unmarshal(golden(t, "watch", "core", "sync.json"), &node.answers); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(node)
	defer srv.Close()
	c, err := rpc.New(rpc.Config{Host: strings.TrimPrefix(srv.URL, "http://"), User: "u", Pass: "p", NoTLS: true, Wallet: "coffer-watch"})
	if err != nil {
		t.Fatal(err)
	}
	s := newService(t, wallet.Regtest)
	s.Node, s.NodeHost = chain.NewCore(c, true), "core"
	im, err := ParseWalletFile(golden(t, "export", "regtest", "descriptor-wpkh.txt"), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportWallet(ctx, im, "hot"); err != nil {
		t.Fatal(err)
	}
	res, err := s.Sync(ctx, 20)
	if err != nil {
		t.Fatal(err)
	}
	if res.Height != 230 || res.Backend != "core" || len(res.Wallets) != 1 || res.Wallets[0].UTXOs != 2 {
		t.Fatalf("sync %+v", res)
	}
	if node.calls["importdescriptors"] != 2 {
		t.Fatalf("importdescriptors called %d times, want 2 (receive and change)", node.calls["importdescriptors"])
	}
	b, err := s.Balances(ctx, "hot")
	if err != nil || b.Wallets[0].Confirmed != 50_000_000 || b.Wallets[0].Unconfirmed != 12_345 {
		t.Fatalf("balance %+v %v", b, err)
	}
	if _, err := s.Sync(ctx, 20); err != nil {
		t.Fatal(err)
	}
	if node.calls["importdescriptors"] != 2 {
		t.Fatalf("a second sync imported again (%d calls)", node.calls["importdescriptors"])
	}
	// Core's fee estimate serves --conf-target (12345 sat/kvB).
	rate, err := s.Node.EstimateFee(ctx, 6)
	if err != nil || rate != 12345 {
		t.Fatalf("estimate %d %v", rate, err)
	}
}
